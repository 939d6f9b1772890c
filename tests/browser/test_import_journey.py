"""An administrator imports a small customer file from the dealer system: uploads the CSV on the
imports page, accepts the column mapping suggested from its Chinese headers, starts the import
and reads the result counts (one customer created, one row refused)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from autocrm.customers.models import Customer
from autocrm.imports.models import ImportRun
from tests.browser.support import chinese, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A dealer system's export: Chinese headers, GB18030 as such systems write it, and a second
# row whose mobile number is too short.
CSV = "客户编号,姓名,手机\nK1,王晓明,13800001111\nK2,李坏,1380\n".encode("gb18030")


def _counts(page: Any) -> dict[str, str]:
    """The result list as {label: value}."""
    counts = page.locator("[data-testid=import-counts]")
    labels = counts.locator("dt").all_inner_texts()
    values = counts.locator("dd").all_inner_texts()
    return dict(zip(labels, values, strict=True))


def test_administrator_uploads_maps_and_runs_an_import(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any
) -> None:
    # Given an administrator on the imports page
    admin = user_in(Role.ADMINISTRATOR)
    log_in(page, admin.username)
    page.goto("/imports/")

    # When they start a new import and upload the dealer system's file
    with page.expect_navigation():
        page.click("[data-testid=new-import]")
    page.fill("#id_source", "DMS")
    page.set_input_files(
        "#id_file", files=[{"name": "dms.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    with page.expect_navigation():
        page.click("[data-testid=import-upload] button[type=submit]")

    # Then the mapping page suggests a field for every column from its header, and previews
    # the rows with the short number marked
    run = ImportRun.objects.get()
    expect(page).to_have_url(re.compile(rf"/imports/{run.pk}/mapping/$"))
    mapping = page.locator("[data-testid=import-mapping]")
    expect(mapping.locator("select[name=column-0]")).to_have_value("key")
    expect(mapping.locator("select[name=column-1]")).to_have_value("name")
    expect(mapping.locator("select[name=column-2]")).to_have_value("mobile")
    expect(mapping).to_contain_text("王晓明")
    expect(mapping.locator("[data-testid=cell-error]")).to_have_count(1)

    # When they accept the suggestion and start the import
    with page.expect_navigation():
        page.click("[data-testid=start-import]")

    # Then the run's page shows the counts: two rows, one customer created, one row failed
    expect(page).to_have_url(re.compile(rf"/imports/{run.pk}/$"))
    expect(page.locator("[data-testid=rows-failed]")).to_have_text("1")
    counts = _counts(page)
    run.refresh_from_db()
    assert (run.rows_total, run.customers_created, run.rows_failed) == (2, 1, 1)
    shown = {
        label: counts[chinese(label)]
        for label in ("Rows", "Customers created", "Customers matched", "Rows failed")
    }
    assert shown == {
        "Rows": "2",
        "Customers created": "1",
        "Customers matched": "0",
        "Rows failed": "1",
    }
    assert list(Customer.objects.values_list("name", flat=True)) == ["王晓明"]
    # and the refused row can be downloaded to be fixed
    expect(page.locator("[data-testid=error-report]")).to_be_visible()
