"""The funnel report as JSON: the same figures as the page, for the same filters, within the
caller's scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router

from autocrm.analytics.forms import FunnelFilterForm
from autocrm.analytics.funnel import funnel_report
from autocrm.analytics.permissions import may_read_funnel
from autocrm.analytics.schemas import FunnelOut, FunnelParams
from autocrm.core.api_schemas import answers
from autocrm.core.errors import PermissionDenied

router = Router(tags=["analytics"])


@router.get("/funnel", response=answers({200: FunnelOut}, 403, 422), summary="Sales funnel")
def funnel(request: HttpRequest, params: Query[FunnelParams]) -> dict[str, Any]:
    """Leads in by source, how many reached each lead status and opportunity stage (and the
    rate from the step before), days per stage (average and median), the top lost reasons, the
    figures per month and, with ``group_by`` (dealer, region, month), per group. Filters:
    ``from_month``/``to_month`` (YYYY-MM, default the last 12 months), ``dealer``, ``region``,
    ``source``, ``model``; ``top`` lost reasons (default 10). A report is reused for five
    minutes (``computed_at`` says when it was computed); ``fresh=true`` computes it again."""
    if not may_read_funnel(request.user):
        raise PermissionDenied
    form = FunnelFilterForm(params.dict(exclude_none=True, exclude={"fresh"}), user=request.user)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return funnel_report(request.user, form.filters(), fresh=params.fresh)
