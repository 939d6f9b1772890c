"""Writes of the imports app: starting import runs, deciding identity reviews, merging."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core.audit import record_change, record_creation, snapshot
from autocrm.core.errors import ApplicationError, ErrorCode, PermissionDenied
from autocrm.core.scoping import visible_to
from autocrm.customers.merging import merge_customers
from autocrm.customers.models import Customer, CustomerMerge
from autocrm.imports.columns import FIELD_NAMES, KEY, suggest_mapping
from autocrm.imports.models import IdentityReview, ImportRun, ImportStatus, ReviewDecision
from autocrm.imports.permissions import may_import, may_review
from autocrm.imports.reading import check_recognisable, read_headers


class ReviewAlreadyDecided(ApplicationError):
    code = ErrorCode.CONFLICT
    status = 409
    default_message = _("This review was already decided.")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def load_mapping_file(path: str | Path) -> tuple[dict[str, str], str]:
    """Read a MAPPING.json ``{"columns": {header: field}, "key": header}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        columns = data.get("columns", {})
        key = data.get("key", "") or ""
    except (OSError, ValueError, AttributeError) as error:
        raise ValidationError(
            _('The mapping file is not JSON of the form {"columns": {...}, "key": ...}.')
        ) from error
    return clean_mapping(columns, key)


def clean_mapping(columns: dict[str, Any], key: str = "") -> tuple[dict[str, str], str]:
    """The mapping with unknown fields refused by name, the key column included as ``key``."""
    mapping: dict[str, str] = {}
    for header, field in columns.items():
        if not field:
            continue
        if field not in FIELD_NAMES:
            raise ValidationError(
                {"mapping": _("“%(field)s” (column %(header)s) is not a field the import knows.")
                 % {"field": field, "header": header}}
            )  # fmt: skip
        if field != KEY and field in mapping.values():
            raise ValidationError(
                {"mapping": _("Two columns are mapped to “%(field)s”.") % {"field": field}}
            )
        mapping[str(header)] = str(field)
    if key:
        mapping = {h: f for h, f in mapping.items() if f != KEY}
        mapping[key] = KEY
    key_column = next((h for h, f in mapping.items() if f == KEY), "")
    return mapping, key_column


def import_run_create(
    *,
    actor: Any,
    source: str,
    path: str | Path,
    original_name: str,
    mapping: dict[str, str] | None = None,
    key_column: str = "",
    keep_file: bool = True,
) -> ImportRun:
    """Register a file from ``source``: read its header (clear errors for unreadable files) and
    suggest the column mapping unless one is given. ``keep_file`` stores a copy for the page
    flow, where the run happens later in a job."""
    _require(may_import(actor))
    source = source.strip()
    if not source:
        raise ValidationError({"source": _("Name the source system.")})
    headers, file_format, encoding = read_headers(path, name=original_name)
    if mapping is None:
        mapping = suggest_mapping(headers)
    mapping, key_column = clean_mapping(mapping, key_column)
    missing = [header for header in mapping if header not in headers]
    if missing:
        raise ValidationError(
            {"mapping": _("The file has no column named %(columns)s.")
             % {"columns": ", ".join(missing)}}
        )  # fmt: skip
    check_recognisable(headers, mapping)
    run = ImportRun(
        source=source[:50],
        original_name=Path(original_name).name[:255],
        file_format=file_format,
        encoding=encoding,
        mapping=mapping,
        key_column=key_column,
        created_by=actor if getattr(actor, "pk", None) else None,
        status=ImportStatus.UPLOADED,
    )
    with transaction.atomic():
        if keep_file:
            with open(path, "rb") as handle:
                run.file.save(Path(original_name).name, File(handle), save=False)
        run.save()
        record_creation(run, actor=actor)
    return run


def import_run_set_mapping(
    *, actor: Any, run: ImportRun, mapping: dict[str, str], key_column: str = ""
) -> ImportRun:
    _require(may_import(actor))
    before = snapshot(run)
    run.mapping, run.key_column = clean_mapping(mapping, key_column)
    headers, _format, _encoding = read_headers(run.file.path, name=run.original_name)
    check_recognisable(headers, run.mapping)
    run.status = ImportStatus.MAPPED
    run.save()
    record_change(run, before, actor=actor)
    return run


def review_decide(*, actor: Any, review: IdentityReview, same: bool, reason: str = "") -> Any:
    """Decide whether the pair is one customer. "Same" merges the new customer into the
    existing one; "different" keeps both. Either way the decision is remembered."""
    _require(may_review(actor))
    with transaction.atomic():
        review = IdentityReview.objects.select_for_update().get(pk=review.pk)
        if review.decision != ReviewDecision.OPEN:
            raise ReviewAlreadyDecided
        before = snapshot(review)
        review.decision = ReviewDecision.SAME if same else ReviewDecision.DIFFERENT
        review.decided_by = actor
        review.decided_at = timezone.now()
        review.save()
        record_change(review, before, actor=actor)
        candidate = review.candidate
        if same and candidate is not None and candidate.merged_into_id is None:
            merge_customers(
                actor=actor,
                survivor=review.existing,
                others=[candidate],
                reason=reason or _("Identity review: the same customer"),
            )
    return review


def customers_merge(
    *, actor: Any, survivor_id: int, merged_ids: list[int], reason: str = ""
) -> CustomerMerge:
    """Merge customers by id, as the actor (the page and the API share this)."""
    _require(may_review(actor))
    ids = {survivor_id, *merged_ids}
    found = {c.pk: c for c in visible_to(actor, Customer.objects.filter(pk__in=ids))}
    if set(found) != ids:
        raise Http404
    return merge_customers(
        actor=actor,
        survivor=found[survivor_id],
        others=[found[pk] for pk in merged_ids],
        reason=reason,
    )
