"""Import pages: runs, upload, column mapping with preview, result; the review queue; merging.

Thin views: every read through ``visible_to``/``access_object``, every write a service call.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from autocrm.core.errors import ApplicationError, InvalidCursor
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object, visible_to
from autocrm.customers.models import Customer
from autocrm.imports import services
from autocrm.imports.columns import FIELDS
from autocrm.imports.jobs import import_start
from autocrm.imports.models import IdentityReview, ImportRun, ReviewDecision
from autocrm.imports.normalising import normalise_row
from autocrm.imports.permissions import may_import, may_review
from autocrm.imports.reading import open_table

PREVIEW_ROWS = 10


def _require(allowed: bool) -> None:
    if not allowed:
        raise DjangoPermissionDenied


def _problem(error: Exception) -> str:
    if isinstance(error, ApplicationError):
        return str(error.message)
    return " ".join(getattr(error, "messages", [str(error)]))


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require(may_import(request.user))
    runs = visible_to(request.user, ImportRun.objects.all())
    try:
        page = keyset_page(runs, ordering=("-id",), cursor=request.GET.get("cursor"), limit=50)
    except InvalidCursor:
        return redirect("imports:import_list")
    return render(request, "imports/import_list.html", {"page": page, "title": _("Imports")})


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require(may_import(request.user))
    errors: dict[str, str] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        source = request.POST.get("source", "")
        if upload is None:
            errors["file"] = _("Choose a file to import.")
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "upload"
                with open(path, "wb") as handle:
                    for block in upload.chunks():
                        handle.write(block)
                try:
                    run = services.import_run_create(
                        actor=request.user,
                        source=source,
                        path=path,
                        original_name=upload.name or "",
                    )
                except ValidationError as error:
                    for field, found in getattr(
                        error, "message_dict", {"file": error.messages}
                    ).items():
                        errors[field if field in {"source"} else "file"] = " ".join(found)
                except ApplicationError as error:
                    errors["file"] = _problem(error)
                else:
                    return redirect("imports:import_mapping", run_id=run.pk)
    return render(
        request,
        "imports/import_upload.html",
        {"errors": errors, "source": request.POST.get("source", ""), "title": _("New import")},
    )


def _preview(run: ImportRun) -> tuple[list[str], list[dict[str, Any]]]:
    rows = []
    with open_table(run.file.path, name=run.original_name) as table:
        for number, cells in enumerate(table.rows, start=1):
            incoming = normalise_row(number, cells, table.headers, run.mapping)
            bad = {error.column: error.reason for error in incoming.errors}
            cells = cells + [""] * (len(table.headers) - len(cells))
            rows.append(
                {
                    "number": number,
                    "cells": [
                        (cell, bad.get(h, ""))
                        for h, cell in zip(table.headers, cells, strict=False)
                    ],
                    "other_errors": [
                        reason for column, reason in bad.items() if column not in table.headers
                    ],
                }
            )
            if number >= PREVIEW_ROWS:
                break
        return table.headers, rows


@login_required
def import_mapping(request: HttpRequest, run_id: int) -> HttpResponse:
    _require(may_import(request.user))
    run = access_object(request.user, ImportRun.objects.all(), pk=run_id)
    error = ""
    if request.method == "POST":
        with open_table(run.file.path, name=run.original_name) as table:
            headers = table.headers
        mapping = {h: request.POST.get(f"column-{i}", "") for i, h in enumerate(headers)}
        try:
            services.import_run_set_mapping(actor=request.user, run=run, mapping=mapping)
        except (ValidationError, ApplicationError) as problem:
            error = _problem(problem)
        else:
            if "start" in request.POST:
                import_start(actor=request.user, run=run)
                return redirect("imports:import_detail", run_id=run.pk)
    headers, rows = _preview(run)
    columns = [(index, header, run.mapping.get(header, "")) for index, header in enumerate(headers)]
    context = {
        "run": run,
        "columns": columns,
        "rows": rows,
        "fields": FIELDS,
        "error": error,
        "title": _("Column mapping"),
    }
    return render(request, "imports/import_mapping.html", context)


@login_required
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    _require(may_import(request.user))
    run = access_object(request.user, ImportRun.objects.select_related("job"), pk=run_id)
    return render(request, "imports/import_detail.html", {"run": run, "title": str(run)})


@login_required
def import_errors(request: HttpRequest, run_id: int) -> FileResponse:
    _require(may_import(request.user))
    run = access_object(request.user, ImportRun.objects.exclude(error_report=""), pk=run_id)
    return FileResponse(
        run.error_report.open("rb"), as_attachment=True, filename=f"import-{run.pk}-errors.csv"
    )


# Customer fields compared side by side on the review and merge pages.
_COMPARED = ("name", "number", "gender", "birth_date", "id_number_masked", "credit_code")


def _card(customer: Customer | None) -> dict[str, Any]:
    if customer is None:
        return {}
    card = {name: getattr(customer, name) for name in _COMPARED}
    contacts = sorted(point.normalised for point in customer.contact_points.all())
    card["contacts"] = ", ".join(contacts)
    return card


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    _require(may_review(request.user))
    if request.method == "POST":
        review = access_object(
            request.user, IdentityReview.objects.all(), pk=request.POST.get("review")
        )
        try:
            services.review_decide(
                actor=request.user, review=review, same=request.POST.get("decision") == "same"
            )
        except ApplicationError as error:
            messages.error(request, _problem(error))
        else:
            messages.success(request, _("The decision was saved."))
        return redirect("imports:review_list")
    reviews = visible_to(request.user, IdentityReview.objects.filter(decision=ReviewDecision.OPEN))
    reviews = reviews.select_related("existing", "candidate").prefetch_related(
        "existing__contact_points"
    )
    try:
        page = keyset_page(reviews, ordering=("id",), cursor=request.GET.get("cursor"), limit=20)
    except InvalidCursor:
        return redirect("imports:review_list")
    items = []
    for review in page.items:
        existing = _card(review.existing)
        incoming = {
            "name": review.incoming.get("name", ""),
            "gender": review.incoming.get("gender", ""),
            "birth_date": review.incoming.get("birth_date", ""),
            "id_number_masked": review.incoming.get("id_number_masked", ""),
            "contacts": ", ".join(
                v
                for k, v in review.incoming.items()
                if k in {"mobile", "phone", "email", "address"}
            ),
        }
        rows = [
            (label, existing.get(name, ""), incoming.get(name, ""))
            for name, label in _labels()
            if name in incoming
        ]
        items.append({"review": review, "rows": rows})
    return render(
        request,
        "imports/review_list.html",
        {"items": items, "page": page, "title": _("Identity review")},
    )


def _labels() -> list[tuple[str, str]]:
    return [
        ("name", _("Name")),
        ("gender", _("Gender")),
        ("birth_date", _("Birth date")),
        ("id_number_masked", _("ID number")),
        ("contacts", _("Contact points")),
    ]


@login_required
def customer_merge(request: HttpRequest) -> HttpResponse:
    _require(may_review(request.user))
    raw = request.GET.get("ids") or request.POST.get("ids", "")
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        ids = []
    customers = list(
        visible_to(request.user, Customer.objects.filter(pk__in=ids, is_active=True))
        .prefetch_related("contact_points")
        .order_by("pk")
    )
    error = ""
    if len(customers) != len(set(ids)) or len(customers) < 2:
        error = _("Choose two or more active customers you can see, e.g. ?ids=1,2.")
    elif request.method == "POST":
        try:
            survivor_id = int(request.POST.get("survivor", ""))
            merge = services.customers_merge(
                actor=request.user,
                survivor_id=survivor_id,
                merged_ids=[pk for pk in ids if pk != survivor_id],
                reason=request.POST.get("reason", ""),
            )
        except (ValueError, ApplicationError, ValidationError) as problem:
            error = (
                _problem(problem)
                if not isinstance(problem, ValueError)
                else _("Choose the customer that remains.")
            )
        else:
            messages.success(request, _("The customers were merged."))
            return redirect(merge.survivor.get_absolute_url())
    rows = [
        (label, [_card(customer).get(name, "") for customer in customers])
        for name, label in [("number", _("Customer number")), *_labels()]
    ]
    context = {
        "customers": customers,
        "rows": rows,
        "ids": ",".join(str(pk) for pk in ids),
        "error": error,
        "title": _("Merge customers"),
    }
    return render(
        request,
        "imports/customer_merge.html",
        context,
        status=400 if error and request.method == "POST" else 200,
    )
