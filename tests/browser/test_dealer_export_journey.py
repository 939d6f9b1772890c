"""An administrator exports the filtered dealer list: the job page follows the background job
until it has finished, then offers the CSV file."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from autocrm.core.jobs import job_run
from autocrm.core.models import Job, JobStatus
from autocrm.network.choices import DealerType
from tests.browser.support import chinese, log_in
from tests.factories import DealerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_exports_the_filtered_dealers(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any, settings: Any
) -> None:
    # Given an administrator; the task queue holds jobs until the test runs them, as a worker
    # would (with the immediate backend the job would be done before the job page is shown)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    admin = user_in(Role.ADMINISTRATOR)
    DealerFactory(region=network["east"]["city"], dealer_type=DealerType.SALES_ONLY)
    full_dealers = {
        network[name].code for name in ("east_dealer", "east_other_dealer", "west_dealer")
    }

    # When they filter the dealer list to 4S dealers and export it
    log_in(page, admin.username)
    page.goto("/network/dealers/")
    page.select_option("[data-testid=filter-form] select[name=dealer_type]", DealerType.FULL_4S)
    page.wait_for_url(re.compile(r"dealer_type=4s"))
    expect(page.locator("#dealer-export-filters")).to_have_value(re.compile(r"dealer_type=4s"))
    with page.expect_navigation():
        page.click("[data-testid=export-form] button[type=submit]")

    # Then they follow the job on its page: queued, no file yet
    match = re.search(r"/jobs/(\d+)/$", page.url)
    assert match, page.url
    job = Job.objects.get(pk=match[1])
    assert job.created_by == admin
    status = page.locator("[data-testid=job-status]")
    expect(status).to_have_text(chinese(JobStatus.QUEUED.label))
    download = page.locator("[data-testid=job-download]")
    expect(download).to_have_count(0)

    # When the worker runs the job
    job_run(job.pk)

    # Then the page, polling the progress, notices and reloads (HX-Refresh) to offer the file
    expect(download).to_be_visible()
    expect(status).to_have_text(chinese(JobStatus.SUCCEEDED.label))
    expect(page.locator("[data-testid=job-percent]")).to_have_text("100%")

    # And the file holds the 4S dealers they filtered, with the Chinese header
    with page.expect_download() as info:
        download.click()
    content = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == chinese("Dealer code")
    assert {row[0] for row in rows[1:]} == full_dealers
