"""Imports endpoints: lineage of source rows, the identity-review queue, merging, run status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from autocrm.core.api_schemas import PageOut, PageParams, Text, answers
from autocrm.core.errors import ApplicationError, ErrorCode, PermissionDenied
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.imports import services
from autocrm.imports.models import IdentityReview, ImportRun, SourceRecord
from autocrm.imports.permissions import may_review
from autocrm.imports.schemas import (
    DecisionIn,
    IdentityReviewOut,
    ImportRunOut,
    MergeIn,
    MergeOut,
    SourceRecordOut,
)

router = Router(tags=["imports"])


class UnknownSourceRecord(ApplicationError):
    """Said with the source and key asked for, so a client knows which lookup missed."""

    code = ErrorCode.NOT_FOUND
    status = 404


class SourceRecordQuery(Schema):
    source: Text
    key: Text


@router.get(
    "/source-records",
    response=answers({200: SourceRecordOut}, 404, 422),
    summary="Which customer and vehicle a source row became",
)
def source_record_detail(request: HttpRequest, query: Query[SourceRecordQuery]) -> SourceRecord:
    records = SourceRecord.objects.visible_to(request.user).select_related("customer", "vehicle")
    record = records.filter(source=query.source, key=query.key).first()
    if record is None:
        raise UnknownSourceRecord(
            _("No row with key %(key)s was imported from %(source)s (or you may not see it).")
            % {"key": query.key, "source": query.source}
        )
    return record


class ReviewQuery(PageParams):
    decision: str = "open"


@router.get(
    "/identity-reviews",
    response=answers({200: PageOut[IdentityReviewOut]}, 400, 403, 422),
    summary="The identity-review queue (open items by default)",
)
def identity_review_list(request: HttpRequest, page: Query[ReviewQuery]) -> dict[str, Any]:
    if not may_review(request.user):
        raise PermissionDenied
    reviews = IdentityReview.objects.visible_to(request.user).filter(decision=page.decision)
    result = keyset_page(reviews, ordering=("id",), cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.post(
    "/identity-reviews/{review_id}/decision",
    response=answers({200: IdentityReviewOut}, 400, 403, 404, 409, 422),
    summary='Decide a review: "same" merges the new customer into the existing one',
)
def identity_review_decide(
    request: HttpRequest, review_id: int, payload: DecisionIn
) -> IdentityReview:
    if not may_review(request.user):
        raise PermissionDenied
    review = access_object(request.user, IdentityReview.objects.all(), pk=review_id)
    return services.review_decide(
        actor=request.user, review=review, same=payload.same, reason=payload.reason
    )


@router.post(
    "/customers/merge",
    response=answers({201: MergeOut}, 400, 403, 404, 422),
    summary="Merge customers into a survivor, moving every related record",
)
def customers_merge(request: HttpRequest, payload: MergeIn) -> Status:
    merge = services.customers_merge(
        actor=request.user,
        survivor_id=payload.survivor_id,
        merged_ids=payload.merged_ids,
        reason=payload.reason,
    )
    return Status(201, merge)


@router.get(
    "/imports/{run_id}",
    response=answers({200: ImportRunOut}, 404, 422),
    summary="An import run's status and counts",
)
def import_run_detail(request: HttpRequest, run_id: int) -> ImportRun:
    return access_object(request.user, ImportRun.objects.all(), pk=run_id)
