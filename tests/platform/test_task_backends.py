"""Jobs run through the real task backends: the database queue and Redis (RQ)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.management import call_command

from autocrm.core.jobs import job_handler, job_start
from autocrm.core.models import Job, JobStatus
from tests.factories import UserFactory

# Workers close database connections between tasks, so the data must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@job_handler("tests.count_to_three")
def count_to_three(job: Job, reporter: Any) -> None:
    for number in range(1, 4):
        reporter.progress(number, 3)
    reporter.log("counted to three")


def start_counting() -> Job:
    # Outside a test transaction, the task is enqueued when job_start's transaction commits.
    return job_start(kind="tests.count_to_three", title="Count", parameters={}, actor=UserFactory())


def test_the_database_queue_runs_a_job_when_the_worker_runs(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = start_counting()
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED

    call_command("run_worker", "--burst")

    job.refresh_from_db()
    assert (job.status, job.percent, job.attempts) == (JobStatus.SUCCEEDED, 100, 1)
    assert "counted to three" in job.log


def _redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_available(), reason="no Redis server on 127.0.0.1:6379")
def test_the_redis_queue_runs_a_job_when_the_worker_runs(settings: Any) -> None:
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/15"}}
    django_rq.get_queue("default").empty()

    job = start_counting()
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert django_rq.get_queue("default").count == 1

    # A worker that does not fork, so the test can wait for it in this process.
    call_command(
        "rqworker",
        "default",
        "--job-class",
        "django_tasks_rq.Job",
        "--worker-class",
        "rq.worker.SimpleWorker",
        "--burst",
    )

    job.refresh_from_db()
    assert (job.status, job.percent) == (JobStatus.SUCCEEDED, 100)
