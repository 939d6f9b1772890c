"""Background jobs: failing, retrying, progress, and who may follow a job."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from autocrm.accounts.choices import Role
from autocrm.core.jobs import JobNotRetryable, JobReporter, job_retry, job_start
from autocrm.core.models import Job, JobStatus
from autocrm.core.navigation import menu_for

FEED_DOWN = "The dealer feed did not answer."


def flaky_sync(job: Job, reporter: JobReporter) -> None:
    """Fails on the first attempt, succeeds on the next."""
    reporter.progress(1, 2)
    if job.attempts == 1:
        raise RuntimeError(FEED_DOWN)
    reporter.progress(2, 2)
    reporter.log("synchronised 2 dealers")


def quiet_success(job: Job, reporter: JobReporter) -> None:
    reporter.progress(1, 1)


@pytest.fixture
def flaky(job_kind: Any) -> str:
    return job_kind("tests.flaky_sync", flaky_sync)


@pytest.fixture
def succeeding(job_kind: Any) -> str:
    return job_kind("tests.quiet_success", quiet_success)


@pytest.fixture
def run_job_as(django_capture_on_commit_callbacks: Any) -> Any:
    """Start a job of ``kind`` as ``user`` and let it run, as the worker would after commit."""

    def start(kind: str, user: Any) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = job_start(kind=kind, title="Nightly sync", parameters={}, actor=user)
        job.refresh_from_db()
        return job

    return start


# --- running, failing and retrying -------------------------------------------------------------


def test_a_job_whose_handler_raises_is_failed_with_the_reason(
    user_in: Any, flaky: str, run_job_as: Any
) -> None:
    # given a job kind that fails on its first attempt
    owner = user_in(Role.DEALER_MANAGER)

    # when it is started and runs
    job = run_job_as(flaky, owner)

    # then the job is failed, with the reason and the traceback in its log
    assert job.status == JobStatus.FAILED
    assert job.error == FEED_DOWN
    assert job.attempts == 1
    assert job.progress_done == 1
    assert job.finished_at is not None
    assert FEED_DOWN in job.log
    assert "Traceback" not in job.log


def test_retry_queues_a_failed_job_again_and_it_runs_again(
    user_in: Any, flaky: str, run_job_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a failed job
    job = run_job_as(flaky, user_in(Role.DEALER_MANAGER))

    # when it is retried, before the worker picks it up
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retried = job_retry(job=job)

    # then it is queued afresh, and one run is waiting for the commit
    assert retried.status == JobStatus.QUEUED
    assert retried.error == ""
    assert retried.progress_done == 0
    assert retried.finished_at is None
    assert len(callbacks) == 1

    # when the worker runs it
    callbacks[0]()

    # then the second attempt succeeds and the first attempt's log is kept
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert job.error == ""
    assert job.percent == 100
    assert FEED_DOWN in job.log
    assert "Traceback" not in job.log
    assert job.log.rstrip().endswith("synchronised 2 dealers")


def test_the_retry_button_runs_a_failed_job_again(
    user_in: Any,
    client_as: Any,
    english: None,
    flaky: str,
    run_job_as: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a failed job of mine
    owner = user_in(Role.DEALER_MANAGER)
    job = run_job_as(flaky, owner)
    client = client_as(owner)

    # when I press Retry
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:job_retry", args=[job.pk]))

    # then I am back on the job's page and the job ran again successfully
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    page = client.get(response["Location"]).content.decode()
    assert "The job was queued again." in page
    assert 'data-testid="job-error"' not in page


def test_a_succeeded_job_cannot_be_retried(
    user_in: Any,
    client_as: Any,
    english: None,
    succeeding: str,
    run_job_as: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a job of mine that succeeded
    owner = user_in(Role.DEALER_MANAGER)
    job = run_job_as(succeeding, owner)
    assert job.status == JobStatus.SUCCEEDED

    # when I ask to retry it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_as(owner).post(reverse("core:job_retry", args=[job.pk]), follow=True)

    # then I am told why not, and nothing was queued or changed
    assert response.redirect_chain == [(reverse("core:job_detail", args=[job.pk]), 302)]
    assert "Only a failed job can be retried." in response.content.decode()
    assert callbacks == []
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)
    with pytest.raises(JobNotRetryable):
        job_retry(job=job)


# --- progress -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "done", "total", "percent"),
    [
        (JobStatus.QUEUED, 0, 0, 0),
        (JobStatus.RUNNING, 1, 3, 33),
        (JobStatus.RUNNING, 2, 3, 67),
        (JobStatus.RUNNING, 5, 3, 100),
        (JobStatus.FAILED, 1, 4, 25),
        (JobStatus.SUCCEEDED, 0, 0, 100),
    ],
)
def test_percent(status: str, done: int, total: int, percent: int) -> None:
    job = Job(status=status, progress_done=done, progress_total=total)
    assert job.percent == percent


def test_the_reporter_writes_progress_and_timestamped_log_lines(db: None) -> None:
    # given a job
    job = Job.objects.create(kind="tests.anything", title="t")
    reporter = JobReporter(job)

    # when it reports
    reporter.progress(3, 8)
    reporter.progress(4)
    reporter.log("first")
    reporter.log("second")

    # then the row holds the progress and both lines, in order
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.percent) == (4, 8, 50)
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] first\n\[\d\d:\d\d:\d\d\] second\n", job.log)


# --- pages ---------------------------------------------------------------------------------------


def test_a_running_job_page_polls_its_progress_every_second(user_in: Any, client_as: Any) -> None:
    # given a running job, 2 of 5 done
    owner = user_in(Role.DEALER_MANAGER)
    job = Job.objects.create(
        kind="tests.anything",
        title="Dealer export",
        created_by=owner,
        status=JobStatus.RUNNING,
        progress_done=2,
        progress_total=5,
    )

    # when I open it
    page = client_as(owner).get(reverse("core:job_detail", args=[job.pk])).content.decode()

    # then the progress fragment polls the progress view and shows 40 %
    progress_url = reverse("core:job_progress", args=[job.pk])
    assert f'hx-get="{progress_url}" hx-trigger="every 1s" hx-swap="outerHTML"' in page
    assert 'style="width: 40%"' in page
    assert 'data-testid="job-retry"' not in page


def test_the_progress_fragment_asks_for_a_reload_once_the_job_is_finished(
    user_in: Any, client_as: Any
) -> None:
    owner = user_in(Role.DEALER_MANAGER)
    job = Job.objects.create(
        kind="tests.anything",
        title="t",
        created_by=owner,
        status=JobStatus.RUNNING,
        progress_done=1,
        progress_total=4,
    )
    client = client_as(owner)
    url = reverse("core:job_progress", args=[job.pk])

    # while running: a fragment that keeps polling, without a refresh
    running = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in running
    assert running.content.decode().count('hx-trigger="every 1s"') == 1
    assert "<html" not in running.content.decode()

    # when finished: the page is told to reload, and the fragment stops polling
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    finished = client.get(url, HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"
    assert "hx-trigger" not in finished.content.decode()


def test_a_failed_job_page_shows_the_error_the_retry_button_and_the_log(
    user_in: Any, client_as: Any, flaky: str, run_job_as: Any
) -> None:
    owner = user_in(Role.DEALER_MANAGER)
    job = run_job_as(flaky, owner)

    page = client_as(owner).get(reverse("core:job_detail", args=[job.pk])).content.decode()

    assert re.search(r'data-testid="job-error">.*' + re.escape(FEED_DOWN), page, re.DOTALL)
    retry_url = reverse("core:job_retry", args=[job.pk])
    assert f'<form method="post" action="{retry_url}"' in page
    assert re.search(r'<pre[^>]*data-testid="job-log">\[\d\d:\d\d:\d\d\] ', page)
    assert 'data-testid="job-attempts">1<' in page
    assert f'data-testid="job-created-by">{owner}<' in page
    assert "hx-trigger" not in page


def test_the_result_file_is_offered_for_download(user_in: Any, client_as: Any) -> None:
    owner = user_in(Role.DEALER_MANAGER)
    job = Job.objects.create(
        kind="tests.anything", title="t", created_by=owner, status=JobStatus.SUCCEEDED
    )
    job.result_file.save("report.csv", ContentFile(b"a,b\n"), save=True)
    client = client_as(owner)

    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    download = client.get(reverse("core:job_result", args=[job.pk]))

    assert f'href="{reverse("core:job_result", args=[job.pk])}"' in page
    assert b"".join(download.streaming_content) == b"a,b\n"
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_job_list_shows_my_jobs_only_with_status_and_progress(
    user_in: Any, client_as: Any, english: None
) -> None:
    # given my job and a colleague's job
    me = user_in(Role.DEALER_MANAGER)
    colleague = user_in(Role.SALESPERSON)
    Job.objects.create(
        kind="k",
        title="My export",
        created_by=me,
        status=JobStatus.FAILED,
        progress_done=1,
        progress_total=4,
    )
    Job.objects.create(kind="k", title="Colleague's export", created_by=colleague)

    # when I open the job list
    page = client_as(me).get(reverse("core:job_list")).content.decode()

    # then I see mine, with its status and progress, and the list does not poll
    assert page.count('data-testid="job-row"') == 1
    assert "My export" in page
    assert "Colleague" not in page
    assert re.search(r'data-testid="job-status">Failed<', page)
    assert 'style="width: 25%"' in page
    assert "hx-trigger" not in page


def test_headquarters_sees_everyones_jobs_in_the_list(user_in: Any, client_as: Any) -> None:
    Job.objects.create(kind="k", title="East export", created_by=user_in(Role.DEALER_MANAGER))
    Job.objects.create(
        kind="k", title="West export", created_by=user_in(Role.DEALER_MANAGER, "west")
    )

    page = client_as(user_in(Role.ANALYST)).get(reverse("core:job_list")).content.decode()

    assert page.count('data-testid="job-row"') == 2
    assert "East export" in page and "West export" in page


def test_the_job_list_is_paged_by_cursor_with_a_fixed_number_of_queries(
    user_in: Any, client_as: Any, django_assert_num_queries: Any
) -> None:
    # given 51 jobs of mine
    me = user_in(Role.DEALER_MANAGER)
    Job.objects.bulk_create(
        [Job(kind="k", title=f"Export {number:02d}", created_by=me) for number in range(51)]
    )
    client = client_as(me)
    client.get(reverse("core:job_list"))  # warm the session

    # when I open the first page: session, user, scope (dealer and its city), jobs
    with django_assert_num_queries(5):
        first = client.get(reverse("core:job_list"))

    # then it shows the newest 50 and a link to the rest, which holds the oldest one
    first_page = first.content.decode()
    assert first_page.count('data-testid="job-row"') == 50
    assert "Export 50" in first_page and "Export 00" not in first_page
    cursor = re.search(r'href="\?cursor=([^"]+)" data-testid="next-page"', first_page)
    assert cursor is not None
    second_page = client.get(reverse("core:job_list") + f"?cursor={cursor[1]}").content.decode()
    assert second_page.count('data-testid="job-row"') == 1
    assert "Export 00" in second_page
    assert 'data-testid="next-page"' not in second_page


def test_a_broken_cursor_sends_me_back_to_the_first_page(user_in: Any, client_as: Any) -> None:
    response = client_as(user_in(Role.DEALER_MANAGER)).get(reverse("core:job_list") + "?cursor=!!")

    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_list")


def test_the_empty_job_list_explains_what_appears_there(
    user_in: Any, client_as: Any, english: None
) -> None:
    page = client_as(user_in(Role.DEALER_MANAGER)).get(reverse("core:job_list")).content.decode()

    assert 'data-testid="job-list-empty"' in page
    assert "No jobs yet" in page


def test_the_menu_has_a_jobs_entry_under_tools(user_in: Any) -> None:
    with translation.override("en"):
        menu = menu_for(user_in(Role.SALESPERSON), reverse("core:job_list"))
        tools = [section for section in menu if str(section["label"]) == "Tools"]
        assert len(tools) == 1
        entries = [
            (str(entry["label"]), entry["url"], entry["active"]) for entry in tools[0]["entries"]
        ]
    assert ("Jobs", reverse("core:job_list"), True) in entries


# --- who may follow a job ------------------------------------------------------------------------

VIEWERS = [
    ("owner", 200),
    ("colleague_at_the_same_dealer", 404),
    ("manager_of_another_dealer", 404),
    ("region_manager_above", 404),
    ("headquarters_analyst", 200),
]


@pytest.fixture
def failed_job_and_viewers(user_in: Any) -> tuple[Job, dict[str, Any]]:
    viewers = {
        "owner": user_in(Role.DEALER_MANAGER),
        "colleague_at_the_same_dealer": user_in(Role.SALESPERSON),
        "manager_of_another_dealer": user_in(Role.DEALER_MANAGER, "west"),
        "region_manager_above": user_in(Role.REGION_MANAGER),
        "headquarters_analyst": user_in(Role.ANALYST),
    }
    job = Job.objects.create(
        kind="tests.anything",
        title="Dealer export",
        created_by=viewers["owner"],
        status=JobStatus.FAILED,
        error="boom",
        attempts=1,
    )
    job.result_file.save("partial.csv", ContentFile(b"x"), save=True)
    return job, viewers


@pytest.mark.parametrize(("viewer", "status"), VIEWERS)
@pytest.mark.parametrize("url_name", ["core:job_detail", "core:job_progress", "core:job_result"])
def test_job_pages_are_not_found_outside_the_starter_and_headquarters(
    failed_job_and_viewers: Any, client_as: Any, viewer: str, status: int, url_name: str
) -> None:
    job, viewers = failed_job_and_viewers

    response = client_as(viewers[viewer]).get(reverse(url_name, args=[job.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(("viewer", "status"), VIEWERS)
def test_the_job_api_is_not_found_outside_the_starter_and_headquarters(
    failed_job_and_viewers: Any, client_as: Any, viewer: str, status: int
) -> None:
    job, viewers = failed_job_and_viewers

    response = client_as(viewers[viewer]).get(f"/api/v1/jobs/{job.pk}")

    assert response.status_code == status
    body = response.json()
    if status == 404:
        assert body["code"] == "not_found"
        assert set(body) == {"code", "message", "details"}
    else:
        assert (body["id"], body["status"], body["error"], body["attempts"]) == (
            job.pk,
            "failed",
            "boom",
            1,
        )
        assert body["result_url"] == reverse("core:job_result", args=[job.pk])


@pytest.mark.parametrize(
    "viewer", ["colleague_at_the_same_dealer", "manager_of_another_dealer", "region_manager_above"]
)
def test_someone_elses_job_cannot_be_retried(
    failed_job_and_viewers: Any,
    client_as: Any,
    viewer: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job, viewers = failed_job_and_viewers

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client_as(viewers[viewer]).post(reverse("core:job_retry", args=[job.pk]))
        api = client_as(viewers[viewer]).post(f"/api/v1/jobs/{job.pk}/retry")

    assert (page.status_code, api.status_code) == (404, 404)
    assert callbacks == []
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.FAILED, 1, "boom")
