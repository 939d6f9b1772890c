"""Exporting the dealer network to files, as background jobs the person who asked can follow.

The rows exported are exactly those the job's starter may see (``visible_to``), narrowed by the
same ``DealerFilterSet`` the dealer list uses, so an export never shows more than the page does.
"""

from __future__ import annotations

import csv
import io
import tempfile
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autocrm.core.errors import ApplicationError
from autocrm.core.jobs import JobReporter, job_handler, job_start
from autocrm.core.models import Job
from autocrm.network.filters import DealerFilterSet
from autocrm.network.models import Dealer

DEALER_EXPORT = "network.dealer_export"
CHUNK_SIZE = 2000


class InvalidExportFilters(ApplicationError):
    """The stored filters do not validate; exporting anyway would export more than was asked."""


def _dealers_to_export(job: Job) -> QuerySet[Dealer]:
    """The dealers the job's starter may see, filtered like the dealer list."""
    filters = QueryDict(str(job.parameters.get("filters", "")).lstrip("?"))
    filterset = DealerFilterSet(
        filters,
        queryset=Dealer.objects.visible_to(job.created_by).select_related("region", "group"),
    )
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        )
        raise InvalidExportFilters(
            _("The filters are not valid: %(problems)s") % {"problems": problems}
        )
    return filterset.qs.order_by("code", "pk")


def _header() -> list[str]:
    return [
        _("Dealer code"),
        _("Name"),
        _("Type"),
        _("City"),
        _("Dealer group"),
        _("Sales"),
        _("Service"),
        _("Parts"),
        _("Address"),
        _("Phone"),
        _("Active"),
        _("Opened on"),
    ]


# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _row(dealer: Dealer) -> list[Any]:
    yes, no = _("yes"), _("no")
    cells = [
        dealer.code,
        dealer.name,
        dealer.get_dealer_type_display(),
        dealer.region.name,
        dealer.group.name if dealer.group else "",
        yes if dealer.sells_vehicles else no,
        yes if dealer.services_vehicles else no,
        yes if dealer.sells_parts else no,
        dealer.address,
        dealer.phone,
        yes if dealer.is_active else no,
        dealer.opened_on.isoformat() if dealer.opened_on else "",
    ]
    return [_cell(value) for value in cells]


@job_handler(DEALER_EXPORT, title=gettext_lazy("Dealer export"))
def dealer_export(job: Job, reporter: JobReporter) -> None:
    """Write the visible, filtered dealers to a CSV file and attach it to the job.

    The file is UTF-8 with a byte-order mark so Excel shows Chinese names correctly. Idempotent:
    a retry replaces the previous attempt's file.
    """
    with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
        dealers = _dealers_to_export(job)
        total = dealers.count()
        reporter.progress(0, total)
        reporter.log(_("Exporting %(count)d dealers.") % {"count": total})
        done = 0
        with tempfile.TemporaryFile() as binary:
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow(_header())
            for dealer in dealers.iterator(chunk_size=CHUNK_SIZE):
                writer.writerow(_row(dealer))
                done += 1
                if done % CHUNK_SIZE == 0:
                    reporter.progress(done)
            text.flush()
            binary.seek(0)
            _attach_result(job, binary, name=f"dealers-{job.pk}-{timezone.now():%Y%m%d-%H%M%S}.csv")
            text.detach()
        reporter.progress(done, total)
        reporter.log(_("Wrote %(count)d dealers to the file.") % {"count": done})


def _attach_result(job: Job, content: Any, *, name: str) -> None:
    if job.result_file:
        job.result_file.delete(save=False)
    job.result_file.save(name, File(content), save=False)
    # Only this column: the in-memory job's status, progress and log are stale by now.
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)


@login_required
@require_POST
def dealer_export_view(request: HttpRequest) -> HttpResponse:
    """Start exporting the dealers the user sees, filtered like the list they were looking at."""
    job = job_start(
        kind=DEALER_EXPORT,
        title=_("Dealer export"),
        parameters={
            "filters": request.POST.get("filters", ""),
            "language": translation.get_language(),
        },
        actor=request.user,
    )
    return redirect("core:job_detail", job_id=job.pk)
