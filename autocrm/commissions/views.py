"""Commission pages: the plans (list, page, create, edit, rates and tiers), the month statement
with a salesperson's cars, closing and reopening a month, and the CSV export.

Views are thin: reads start from ``visible_to`` (out of scope is "not found"), the statement
comes from ``autocrm.commissions.selectors``, writes go through ``autocrm.commissions.services``.
"""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autocrm.accounts.models import User
from autocrm.commissions import permissions, selectors, services
from autocrm.commissions.filters import CommissionPlanFilterSet
from autocrm.commissions.forms import (
    CommissionPlanForm,
    CommissionRateForm,
    CommissionTierForm,
    ReopenForm,
    StatementFilterForm,
)
from autocrm.commissions.models import CommissionPlan
from autocrm.core import errors
from autocrm.core.crud import ScopedCreateView, ScopedEditView, ScopedFormView, ScopedListView
from autocrm.core.forms import ANY_CHOICE, style_filter_form
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb
from autocrm.core.scoping import access_object
from autocrm.network.models import Dealer

PLAN_FORM_FIELDS = ("name", "valid_from", "valid_to", "margin_percent", "notes")


def _require_reader(user: Any) -> None:
    if not permissions.may_read_commissions(user):
        raise DjangoPermissionDenied


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# --- plans -----------------------------------------------------------------------------------


class PlanList(ScopedListView):
    model = CommissionPlan
    filterset_class = CommissionPlanFilterSet
    table_template = "commissions/_plan_table.html"
    ordering = ("-id",)
    list_id = "plan-list"
    title = gettext_lazy("Commission plans")
    create_url_name = "commissions:plan_create"
    create_label = gettext_lazy("New plan")

    def queryset(self, request: HttpRequest) -> QuerySet[CommissionPlan]:
        _require_reader(request.user)
        return CommissionPlan.objects.visible_to(request.user).select_related("dealer")

    def may_edit(self, user: Any) -> bool:
        return permissions.may_manage_commissions(user)

    def filter_form(self, form: forms.Form, *, user: Any) -> forms.Form:
        dealers = Dealer.objects.visible_to(user).order_by("code")
        form.fields["dealer_id"].widget = forms.Select(
            choices=[ANY_CHOICE, *((d.pk, f"{d.name} ({d.code})") for d in dealers)]
        )
        form.fields["in_force_on"].widget = forms.DateInput(attrs={"type": "date"})
        return style_filter_form(form)


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    _require_reader(user)
    plan = access_object(user, CommissionPlan.objects.select_related("dealer"), pk=plan_id)
    may_edit = permissions.may_manage_commissions(user, plan.dealer)
    return render(
        request,
        "commissions/plan_detail.html",
        {
            "plan": plan,
            "rates": list(plan.rates.select_related("vehicle_model").order_by("basis", "id")),
            "tiers": list(plan.bonus_tiers.order_by("min_cars")),
            "may_edit": may_edit,
            "rate_form": CommissionRateForm(prefix="rate") if may_edit else None,
            "tier_form": CommissionTierForm(prefix="tier") if may_edit else None,
            "history": history_rows(plan, user),
            "breadcrumbs": [
                crumb(_("Commission plans"), "commissions:plan_list"),
                crumb(str(plan)),
            ],
        },
    )


class PlanPage(ScopedFormView):
    model = CommissionPlan
    form_class = CommissionPlanForm
    form_id = "plan-form"
    list_label = gettext_lazy("Commission plans")
    list_url_name = "commissions:plan_list"
    detail_url_name = "commissions:plan_detail"
    pk_url_kwarg = "plan_id"

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}


class PlanCreate(PlanPage, ScopedCreateView):
    title = gettext_lazy("New commission plan")
    saved_message = gettext_lazy("Commission plan %(record)s was created.")

    def permission(self, user: Any, instance: Any) -> bool:
        return permissions.may_manage_commissions(user)

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> CommissionPlan:
        fields = {name: data.get(name) for name in PLAN_FORM_FIELDS if name in data}
        return services.commission_plan_create(
            actor=request.user, dealer=data["dealer"], data=fields
        )


class PlanEdit(PlanPage, ScopedEditView):
    saved_message = gettext_lazy("Commission plan %(record)s was saved.")

    def permission(self, user: Any, instance: Any) -> bool:
        return permissions.may_manage_commissions(user, instance.dealer)

    def save(
        self, request: HttpRequest, data: dict[str, Any], instance: CommissionPlan
    ) -> CommissionPlan:
        fields = {name: data.get(name) for name in PLAN_FORM_FIELDS if name in data}
        return services.commission_plan_update(
            actor=request.user, plan=instance, data=fields, version=data.get("version")
        )


def _plan_for_change(request: HttpRequest, plan_id: int) -> CommissionPlan:
    plan = access_object(request.user, CommissionPlan.objects.select_related("dealer"), pk=plan_id)
    if not permissions.may_manage_commissions(request.user, plan.dealer):
        raise DjangoPermissionDenied
    return plan


def _opened_version(request: HttpRequest, plan: CommissionPlan) -> int:
    """The plan's version when the page was opened (a save after someone else's is refused)."""
    try:
        return int(request.POST.get("version") or plan.version)
    except ValueError:
        return plan.version


def _save_rules(request: HttpRequest, plan: CommissionPlan, **rules: Any) -> None:
    try:
        services.commission_plan_update(
            actor=request.user,
            plan=plan,
            data={},
            version=_opened_version(request, plan),
            **rules,
        )
    except errors.StaleRecord as error:
        messages.error(request, str(error.message))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The plan's rules were saved."))


@login_required
@require_POST
def rate_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    form = CommissionRateForm(request.POST, prefix="rate")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(plan)
    rate = services.RateInput(
        amount=form.cleaned_data["amount"],
        vehicle_model=form.cleaned_data["vehicle_model"],
        series=form.cleaned_data["series"],
    )
    _save_rules(request, plan, rates=[*services.current_rates(plan), rate])
    return redirect(plan)


@login_required
@require_POST
def rate_remove(request: HttpRequest, plan_id: int, rate_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    rates = plan.rates.select_related("vehicle_model")
    if not rates.filter(pk=rate_id).exists():
        raise Http404
    kept = [
        services.RateInput(amount=r.amount, vehicle_model=r.vehicle_model, series=r.series)
        for r in rates
        if r.pk != rate_id
    ]
    _save_rules(request, plan, rates=kept)
    return redirect(plan)


@login_required
@require_POST
def tier_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    form = CommissionTierForm(request.POST, prefix="tier")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(plan)
    tier = services.TierInput(
        min_cars=form.cleaned_data["min_cars"], bonus=form.cleaned_data["bonus"]
    )
    _save_rules(request, plan, bonus_tiers=[*services.current_tiers(plan), tier])
    return redirect(plan)


@login_required
@require_POST
def tier_remove(request: HttpRequest, plan_id: int, tier_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    tiers = list(plan.bonus_tiers.all())
    if tier_id not in {tier.pk for tier in tiers}:
        raise Http404
    kept = [
        services.TierInput(min_cars=t.min_cars, bonus=t.bonus) for t in tiers if t.pk != tier_id
    ]
    _save_rules(request, plan, bonus_tiers=kept)
    return redirect(plan)


# --- statements ------------------------------------------------------------------------------


def _dealer_and_month(request: HttpRequest, params: Any) -> tuple[Dealer | None, datetime.date]:
    """The dealer-month a statement page asks for: the user's own dealer (or the first they may
    see) and last month by default; a dealer out of scope is "not found"."""
    user = request.user
    month_text = params.get("month")
    try:
        month = selectors.parse_month(month_text) if month_text else selectors.previous_month()
    except ValidationError:
        month = selectors.previous_month()
        messages.error(request, _("Enter a month as YYYY-MM, for example 2026-03."))
    dealer_id = params.get("dealer") or getattr(user, "dealer_id", None)
    if dealer_id:
        return access_object(user, Dealer.objects.all(), pk=dealer_id), month
    return Dealer.objects.visible_to(user).order_by("code").first(), month


def _statement_query(dealer: Dealer, month: datetime.date, **extra: Any) -> str:
    return urlencode({"dealer": dealer.pk, "month": f"{month:%Y-%m}", **extra})


@login_required
def statement(request: HttpRequest) -> HttpResponse:
    """The month statement: every salesperson's totals (a salesperson sees their own) with the
    month's status; managers close and reopen it here."""
    user = request.user
    _require_reader(user)
    dealer, month = _dealer_and_month(request, request.GET)
    filter_form = StatementFilterForm(
        user=user,
        initial={"dealer": dealer.pk if dealer else None, "month": f"{month:%Y-%m}"},
    )
    context: dict[str, Any] = {
        "filter_form": filter_form,
        "dealer": dealer,
        "month": month,
        "breadcrumbs": [crumb(_("Commission statements"))],
    }
    if dealer is not None:
        result = selectors.month_statement(user, dealer, month)
        context.update(
            {
                "result": result,
                "may_manage": permissions.may_manage_commissions(user, dealer),
                "query": _statement_query(dealer, month),
                "reopen_form": ReopenForm(),
                "own_only": selectors.sees_own_only(user),
            }
        )
    return render(request, "commissions/statement.html", context)


@login_required
def statement_lines(request: HttpRequest, salesperson_id: int) -> HttpResponse:
    """One salesperson's cars of the month, with what each earned."""
    user = request.user
    _require_reader(user)
    dealer, month = _dealer_and_month(request, request.GET)
    if dealer is None:
        raise Http404
    salesperson = access_object(user, User.objects.all(), pk=salesperson_id)
    result = selectors.month_statement(user, dealer, month)
    row = next((row for row in result.rows if row.salesperson_id == salesperson_id), None)
    # A salesperson asking for someone else's cars is "not found" (the selector decides).
    lines = selectors.month_lines(user, dealer, month, salesperson_id=salesperson_id)
    return render(
        request,
        "commissions/statement_lines.html",
        {
            "dealer": dealer,
            "month": month,
            "salesperson": salesperson,
            "result": result,
            "row": row,
            "lines": lines,
            "query": _statement_query(dealer, month),
            "export_query": _statement_query(dealer, month, salesperson=salesperson_id),
            "breadcrumbs": [
                crumb(_("Commission statements"), "commissions:statement"),
                crumb(str(salesperson)),
            ],
        },
    )


@login_required
def statement_export(request: HttpRequest) -> HttpResponse:
    """The dealer-month's cars as CSV (UTF-8 with BOM, for Excel), within the user's scope."""
    user = request.user
    _require_reader(user)
    dealer, month = _dealer_and_month(request, request.GET)
    if dealer is None:
        raise Http404
    salesperson = request.GET.get("salesperson")
    try:
        salesperson_id = int(salesperson) if salesperson else None
    except ValueError as error:
        raise Http404 from error
    lines = selectors.month_lines(user, dealer, month, salesperson_id=salesperson_id)
    result = selectors.month_statement(user, dealer, month)
    names = {row.salesperson_id: str(row.salesperson or row.salesperson_id) for row in result.rows}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"commissions-{dealer.code}-{month:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Salesperson"),
            _("Delivered on"),
            _("Order number"),
            _("VIN"),
            _("Model"),
            _("Delivered price"),
            _("Dealer cost"),
            _("Margin"),
            _("Plan"),
            _("Per-car amount"),
            _("Share of margin"),
            _("Total"),
        ]
    )
    for line in lines:
        writer.writerow(
            [
                names.get(line.salesperson_id, line.salesperson_id),
                line.delivered_on.isoformat(),
                line.order_number,
                line.vin,
                line.vehicle_model_label,
                line.price,
                line.dealer_cost,
                line.margin,
                line.plan_name,
                line.per_car_amount,
                line.margin_share,
                line.total,
            ]
        )
    return response


@login_required
@require_POST
def month_close(request: HttpRequest) -> HttpResponse:
    dealer, month = _dealer_and_month(request, request.POST)
    if dealer is None:
        raise Http404
    try:
        services.commission_month_close(actor=request.user, dealer=dealer, month=month)
    except errors.PermissionDenied as error:
        raise DjangoPermissionDenied from error
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(month)s is closed; its statements are stored.") % {"month": f"{month:%Y-%m}"},
        )
    return redirect(f"{reverse('commissions:statement')}?{_statement_query(dealer, month)}")


@login_required
@require_POST
def month_reopen(request: HttpRequest) -> HttpResponse:
    dealer, month = _dealer_and_month(request, request.POST)
    if dealer is None:
        raise Http404
    try:
        services.commission_month_reopen(
            actor=request.user, dealer=dealer, month=month, reason=request.POST.get("reason", "")
        )
    except errors.PermissionDenied as error:
        raise DjangoPermissionDenied from error
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(month)s was reopened and is computed live again.") % {"month": f"{month:%Y-%m}"},
        )
    return redirect(f"{reverse('commissions:statement')}?{_statement_query(dealer, month)}")
