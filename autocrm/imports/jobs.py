"""The import as a background job the person who started it follows on the job page."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.core.jobs import JobReporter, job_handler
from autocrm.core.models import Job
from autocrm.imports.models import ImportRun, ImportStatus
from autocrm.imports.pipeline import run_import
from autocrm.imports.reading import open_table

IMPORT_RECORDS = "imports.import_records"


@job_handler(IMPORT_RECORDS, title=gettext_lazy("Import of customer records"))
def import_records(job: Job, reporter: JobReporter) -> None:
    """Run the import of ``parameters["run_id"]``. Idempotent: a retry skips the rows that
    already landed (same source, key and content)."""
    with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
        run = ImportRun.objects.get(pk=job.parameters["run_id"])
        with open_table(run.file.path, name=run.original_name) as table:
            total = sum(1 for _row in table.rows)
        reporter.progress(0, total)
        reporter.log(_("Importing %(count)d rows from %(source)s.") % {
            "count": total, "source": run.source})  # fmt: skip
        counts = run_import(run, run.file.path, actor=job.created_by, progress=reporter.progress)
        reporter.progress(counts.rows_total, total)
        reporter.log(
            _(
                "%(created)d customers created, %(matched)d matched, %(failed)d rows failed, "
                "%(review)d for review."
            )
            % {
                "created": counts.customers_created,
                "matched": counts.customers_matched,
                "failed": counts.rows_failed,
                "review": counts.rows_for_review,
            }
        )


def import_start(*, actor: object, run: ImportRun) -> Job:
    from autocrm.core.jobs import job_start

    job = job_start(
        kind=IMPORT_RECORDS,
        title=_("Import of customer records"),
        parameters={"run_id": run.pk, "language": translation.get_language()},
        actor=actor,
    )
    ImportRun.objects.filter(pk=run.pk).update(job=job, status=ImportStatus.RUNNING)
    return job
