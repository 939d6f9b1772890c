"""The dealer export job (``autocrm.network.exports``): scoped, filtered, Excel-friendly CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.core.jobs import job_retry, job_start
from autocrm.core.models import Job, JobStatus
from autocrm.network.exports import DEALER_EXPORT, dealer_export_view

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def export_as(django_capture_on_commit_callbacks: Any) -> Any:
    """Export dealers as ``user`` with the list's query string ``filters``, and run the job."""

    def export(user: Any, filters: str = "") -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = job_start(
                kind=DEALER_EXPORT,
                title="Dealer export",
                parameters={"filters": filters, "language": "en"},
                actor=user,
            )
        job.refresh_from_db()
        return job

    return export


def _rows(job: Job) -> tuple[bytes, list[list[str]]]:
    with job.result_file.open("rb") as file:
        raw = file.read()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_a_dealer_manager_exports_only_their_own_dealer(
    network: Any, user_in: Any, export_as: Any
) -> None:
    # given a dealer manager of the Pudong dealer
    manager = user_in(Role.DEALER_MANAGER)

    # when they export the dealers
    job = export_as(manager)

    # then the file holds a header and their dealer only, Chinese name intact, with a BOM
    assert job.status == JobStatus.SUCCEEDED, job.error
    raw, rows = _rows(job)
    assert raw.startswith(BOM)
    assert not raw[len(BOM) :].startswith(BOM)
    dealer = network["east_dealer"]
    assert rows[0][:3] == ["Dealer code", "Name", "Type"]
    assert rows[1:] == [
        [
            dealer.code,
            "上海浦东4S店",
            "4S dealer",
            "华东市",
            "",
            "yes",
            "yes",
            "yes",
            "",
            "",
            "yes",
            "",
        ]
    ]
    assert "上海浦东4S店".encode() in raw


def test_headquarters_exports_every_dealer_and_sees_progress_and_log(
    network: Any, user_in: Any, export_as: Any
) -> None:
    job = export_as(user_in(Role.ANALYST))

    _raw, rows = _rows(job)
    assert [row[1] for row in rows[1:]] == sorted(
        ["上海浦东4S店", "上海徐汇4S店", "成都武侯4S店"],
        key=lambda name: {
            "上海浦东4S店": network["east_dealer"].code,
            "上海徐汇4S店": network["east_other_dealer"].code,
            "成都武侯4S店": network["west_dealer"].code,
        }[name],
    )
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert "Exporting 3 dealers." in job.log
    assert "Wrote 3 dealers to the file." in job.log
    assert job.result_file.name.startswith(f"jobs/dealers-{job.pk}-")
    assert job.result_file.name.endswith(".csv")


def test_a_region_manager_exports_the_dealers_of_their_region(
    network: Any, user_in: Any, export_as: Any
) -> None:
    job = export_as(user_in(Role.REGION_MANAGER, "west"))

    _raw, rows = _rows(job)
    assert [row[1] for row in rows[1:]] == ["成都武侯4S店"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ("q=徐汇", ["上海徐汇4S店"]),
        ("?q=%E5%BE%90%E6%B1%87", ["上海徐汇4S店"]),  # as the list page's query string
        ("region={west_area}", ["成都武侯4S店"]),
        ("q=nothing-like-this", []),
    ],
)
def test_the_export_applies_the_list_filters(
    network: Any, user_in: Any, export_as: Any, filters: str, expected: list[str]
) -> None:
    job = export_as(user_in(Role.ANALYST), filters.format(west_area=network["west"]["area"].pk))

    _raw, rows = _rows(job)
    assert [row[1] for row in rows[1:]] == expected
    assert job.progress_total == len(expected)


def test_filters_never_widen_the_scope(network: Any, user_in: Any, export_as: Any) -> None:
    # given a dealer manager in the east asking for the west's region
    manager = user_in(Role.DEALER_MANAGER)

    job = export_as(manager, f"region={network['west']['area'].pk}")

    _raw, rows = _rows(job)
    assert job.status == JobStatus.SUCCEEDED
    assert rows[1:] == []


def test_invalid_filters_fail_the_job_instead_of_exporting_everything(
    network: Any, user_in: Any, export_as: Any
) -> None:
    job = export_as(user_in(Role.ANALYST), "dealer_type=bogus")

    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The filters are not valid: dealer_type:")
    assert not job.result_file


def test_a_retry_replaces_the_previous_file(
    network: Any, user_in: Any, export_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an export that wrote its file but then counted as failed
    job = export_as(user_in(Role.ANALYST))
    storage = job.result_file.storage
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)

    # when it is retried
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job)

    # then it succeeds and only the new file is kept
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert storage.listdir("jobs")[1] == [job.result_file.name.removeprefix("jobs/")]
    assert len(_rows(job)[1]) == 4


def test_the_export_view_starts_the_job_and_opens_its_page(
    network: Any, user_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a dealer manager on the dealer list, filtered
    manager = user_in(Role.DEALER_MANAGER)
    request = RequestFactory().post("/network/dealers/export/", {"filters": "q=浦东"})
    request.user = manager

    # when they press Export
    with django_capture_on_commit_callbacks(execute=True):
        response = dealer_export_view(request)

    # then a job of theirs was started with the filters, and they are sent to its page
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert (job.kind, job.created_by, job.parameters["filters"]) == (
        DEALER_EXPORT,
        manager,
        "q=浦东",
    )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert [row[1] for row in _rows(job)[1][1:]] == ["上海浦东4S店"]


def test_the_export_view_needs_a_logged_in_post(db: None) -> None:
    anonymous = RequestFactory().post("/network/dealers/export/")
    anonymous.user = AnonymousUser()
    get = RequestFactory().get("/network/dealers/export/")
    get.user = AnonymousUser()

    assert dealer_export_view(anonymous).status_code == 302
    assert dealer_export_view(get).status_code in {302, 405}
    assert Job.objects.count() == 0


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(
    network: Any, user_in: Any, export_as: Any
) -> None:
    # given a dealer whose address someone typed as a spreadsheet formula
    dealer = network["east_dealer"]
    dealer.address = '=HYPERLINK("http://example.com","点我")'
    dealer.save()

    # when headquarters exports the dealers
    job = export_as(user_in(Role.ADMINISTRATOR))

    # then the cell is kept as text, not as a formula
    _raw, rows = _rows(job)
    row = next(row for row in rows if row[0] == dealer.code)
    assert row[8] == "'" + dealer.address
