"""The website's lead form: what a submission from the public becomes.

Robots that fill the hidden field get a plain answer and store nothing. A submission id seen
before answers the lead it made, so a resent form stores nothing new. A person who already has
an open lead at the dealer the form routes to gets no second lead: their message is added to the
open one (dated, audited) so the salesperson working it reads it, and the public answer does not
reveal that lead's number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.sales.models import Lead
from autocrm.sales.services.common import OpenLeadExists
from autocrm.sales.services.leads import lead_create


@dataclass(frozen=True)
class WebsiteAnswer:
    reference: str  # the lead's number, or "" when it is not to be shown
    created: bool


def _add_to_open_lead(lead: Lead, message: str) -> None:
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    before = audit.snapshot(locked)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    note = _("Website form, %(when)s: %(message)s") % {
        "when": stamp,
        "message": message or _("(no message)"),
    }
    locked.notes = f"{locked.notes}\n{note}".strip()
    locked.last_activity_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["notes", "last_activity_at", "version", "updated_at"])
    audit.record_change(locked, before, actor=None)


def website_lead_submit(
    *, data: dict[str, Any], submission_id: str, honeypot: str = ""
) -> WebsiteAnswer:
    """Store one submission of the website's lead form (``data`` as ``lead_create`` takes
    it, the source set to the website by the caller)."""
    if honeypot:
        return WebsiteAnswer(reference="", created=True)
    earlier = Lead.objects.filter(submission_id=submission_id).only("number").first()
    if earlier is not None:
        return WebsiteAnswer(reference=earlier.number or "", created=False)
    try:
        with transaction.atomic():
            lead = lead_create(actor=None, data=data, submission_id=submission_id)
    except OpenLeadExists as refusal:
        with transaction.atomic():
            _add_to_open_lead(refusal.lead, data.get("notes", ""))
        return WebsiteAnswer(reference="", created=False)
    except IntegrityError:
        # The same submission arrived twice at once; the first one stored it.
        earlier = Lead.objects.filter(submission_id=submission_id).only("number").first()
        if earlier is None:
            raise
        return WebsiteAnswer(reference=earlier.number or "", created=False)
    return WebsiteAnswer(reference=lead.number or "", created=True)
