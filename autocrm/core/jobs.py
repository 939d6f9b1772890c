"""Background jobs a person starts and follows: registry of job kinds, start, run, retry.

A job kind is a function ``handler(job, reporter)`` registered with ``@job_handler("kind")``. It is
run by a django-tasks task after the starting transaction commits. It must be idempotent: a retry
runs it again from the beginning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autocrm.core.errors import ApplicationError
from autocrm.core.models import Job, JobStatus

logger = logging.getLogger("autocrm.jobs")


class JobReporter:
    """What a running job uses to report progress and write its log."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def progress(self, done: int, total: int | None = None) -> None:
        values: dict[str, Any] = {"progress_done": done}
        if total is not None:
            values["progress_total"] = total
        Job.objects.filter(pk=self.job.pk).update(**values)

    def log(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        Job.objects.filter(pk=self.job.pk).update(
            log=Concat(F("log"), Value(f"[{stamp}] {line}\n"))
        )


JobHandler = Callable[[Job, JobReporter], None]
_handlers: dict[str, JobHandler] = {}
_titles: dict[str, Any] = {}


def job_handler(kind: str, *, title: Any = None) -> Callable[[JobHandler], JobHandler]:
    """Register ``handler`` for ``kind``; ``title`` (lazily translated) names such jobs on pages
    in each reader's language."""

    def register(handler: JobHandler) -> JobHandler:
        _handlers[kind] = handler
        if title is not None:
            _titles[kind] = title
        return handler

    return register


def title_of(kind: str) -> str | None:
    title = _titles.get(kind)
    return str(title) if title is not None else None


class UnknownJobKind(ApplicationError):
    default_message = _("This kind of job does not exist.")


class JobNotRetryable(ApplicationError):
    default_message = _("Only a failed job can be retried.")


def _enqueue_after_commit(job: Job) -> None:
    from autocrm.core.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job.pk))


def job_start(*, kind: str, title: str, parameters: dict[str, Any], actor: Any) -> Job:
    """Create a queued job and run it in the background once the transaction commits."""
    if kind not in _handlers:
        raise UnknownJobKind
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, parameters=parameters, created_by=actor)
        _enqueue_after_commit(job)
    return job


def job_retry(*, job: Job) -> Job:
    """Queue a failed job again; its log is kept, its progress and error start afresh."""
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED,
            error="",
            progress_done=0,
            finished_at=None,
        )
        if not updated:
            raise JobNotRetryable
        _enqueue_after_commit(job)
    job.refresh_from_db()
    return job


def job_run(job_id: int) -> None:
    """Run one job now (called by the task worker). Failures are recorded on the job."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        logger.info("job %s is not queued any more; nothing to do", job_id)
        return
    job = Job.objects.get(pk=job_id)
    reporter = JobReporter(job)
    handler = _handlers.get(job.kind)
    try:
        if handler is None:
            raise UnknownJobKind
        handler(job, reporter)
    except Exception as error:
        # The reason goes to the user; the traceback (server paths included) to the server log.
        logger.exception("job %s (%s) failed", job_id, job.kind)
        reason = str(error) or error.__class__.__name__
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=reason, finished_at=timezone.now()
        )
        reporter.log(_("Failed: %(reason)s") % {"reason": reason})
        return
    Job.objects.filter(pk=job_id).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now())
