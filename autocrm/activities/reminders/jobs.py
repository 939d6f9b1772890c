"""The reminder run as a job an administrator starts ("run now") and follows on the job page,
and as the daily background task (``run_daily_reminders``, enqueued by
``manage.py run_reminders --enqueue`` from the scheduler)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from autocrm.activities.reminders.engine import RuleOutcome, run_reminders
from autocrm.activities.reminders.rules import rule_label
from autocrm.core.channels import Channel, working_through
from autocrm.core.jobs import JobReporter, job_handler, job_start
from autocrm.core.models import Job

RUN_REMINDERS = "activities.run_reminders"


@job_handler(RUN_REMINDERS, title=gettext_lazy("Reminder rules run"))
def run_reminders_job(job: Job, reporter: JobReporter) -> None:
    """Run every enabled rule for ``parameters["date"]`` (the local day it was started).
    Idempotent: a retry creates only what the first attempt did not."""
    with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
        today = datetime.date.fromisoformat(job.parameters["date"])

        def progress(outcome: RuleOutcome, done: int, total: int) -> None:
            reporter.progress(done, total)
            if outcome.skipped:
                reporter.log(_("%(rule)s: disabled.") % {"rule": rule_label(outcome.key)})
            else:
                reporter.log(
                    _("%(rule)s: %(count)d new tasks in %(seconds).1f s.")
                    % {
                        "rule": rule_label(outcome.key),
                        "count": outcome.created,
                        "seconds": outcome.seconds,
                    }
                )

        result = run_reminders(today=today, progress=progress)
        reporter.log(_("%(count)d new tasks in all.") % {"count": result.created})


def reminders_start(*, actor: Any, today: datetime.date) -> Job:
    """Start a run for ``today`` as a job (after the transaction commits)."""
    return job_start(
        kind=RUN_REMINDERS,
        title=_("Reminder rules run for %(date)s") % {"date": today.isoformat()},
        parameters={"date": today.isoformat(), "language": translation.get_language()},
        actor=actor,
    )


@task()
def run_daily_reminders(date: str | None = None) -> int:
    """The daily run in the background worker; returns how many tasks were new."""
    with working_through(Channel.TASK):
        today = datetime.date.fromisoformat(date) if date else None
        return run_reminders(today=today).created
