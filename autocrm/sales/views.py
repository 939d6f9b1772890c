"""Lead pages: the list, create, detail (qualification, status steps, loss approval,
assignment and audit history), edit, reassign; and the routing set-up of a dealer.

Reads start from ``leads_visible`` (a salesperson: their own leads); a lead out of scope is
"not found". Writes go through ``autocrm.sales.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autocrm.core import errors
from autocrm.core.crud import ScopedCreateView, ScopedEditView, ScopedListView
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb
from autocrm.core.scoping import access_object, visible_to
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.sales import services
from autocrm.sales.choices import NEXT_STATUSES, LeadStatus, LossDecision
from autocrm.sales.filters import LeadFilterSet
from autocrm.sales.forms import (
    DealerRuleForm,
    LeadCreateForm,
    LeadForm,
    LeadReassignForm,
    LossDecisionForm,
    LossRequestForm,
    TerritoryForm,
)
from autocrm.sales.models import DealerLeadRule, Lead, LeadLossRequest, Territory
from autocrm.sales.permissions import (
    may_approve_losses,
    may_manage_routing,
    may_reassign_leads,
    may_work_leads,
    own_dealer_id,
)
from autocrm.sales.selectors import (
    LEAD_ORDERING,
    assignment_history,
    leads_visible,
    loss_requests,
)

LEADS = gettext_lazy("Leads")


class LeadList(ScopedListView):
    model = Lead
    filterset_class = LeadFilterSet
    table_template = "sales/_lead_table.html"
    ordering = LEAD_ORDERING
    list_id = "lead-list"
    title = LEADS
    create_url_name = "sales:lead_create"
    create_label = gettext_lazy("New lead")

    def queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        return leads_visible(request.user)

    def may_edit(self, user: Any) -> bool:
        return may_work_leads(user)


def _without_blank_grade(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value
        for name, value in data.items()
        if name in services.CREATE_FIELDS | services.EDITABLE_FIELDS
        and not (name == "grade" and not value)
    }


class LeadCreate(ScopedCreateView):
    """A new lead; from a customer's page (``?customer=<id>``) it attaches to that customer."""

    model = Lead
    form_class = LeadCreateForm
    form_id = "lead-form"
    title = gettext_lazy("New lead")
    list_label = LEADS
    list_url_name = "sales:lead_list"
    saved_message = gettext_lazy("The lead “%(record)s” was created.")

    def permission(self, user: Any, instance: Any) -> bool:
        return may_work_leads(user)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Any) -> Any:
        customer_id = request.GET.get("customer")
        customer = None
        if customer_id:
            customer = access_object(request.user, Customer.objects.all(), pk=customer_id)
        return services.lead_create(
            actor=request.user, data=_without_blank_grade(data), customer=customer
        )


class LeadEdit(ScopedEditView):
    model = Lead
    form_class = LeadForm
    form_id = "lead-form"
    pk_url_kwarg = "lead_id"
    list_label = LEADS
    list_url_name = "sales:lead_list"
    detail_url_name = "sales:lead_detail"
    saved_message = gettext_lazy("The lead “%(record)s” was saved.")

    def queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        return leads_visible(request.user)

    def permission(self, user: Any, instance: Lead) -> bool:
        return may_work_leads(user)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Lead) -> Any:
        return services.lead_update(
            actor=request.user,
            lead=instance,
            data=_without_blank_grade(data),
            expected_version=data["version"],
        )


class LeadReassign(LeadEdit):
    form_class = LeadReassignForm  # type: ignore[assignment]
    form_id = "reassign-form"
    saved_message = gettext_lazy("The lead “%(record)s” was reassigned.")

    def permission(self, user: Any, instance: Lead) -> bool:
        return may_reassign_leads(user)

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Lead) -> Any:
        return services.lead_reassign(
            actor=request.user,
            lead=instance,
            dealer=data["dealer"],
            salesperson=data["salesperson"],
            reason=data["reason"],
            expected_version=data["version"],
        )

    def page_title(self, instance: Lead) -> Any:
        return _("Reassign %(record)s") % {"record": instance}


def _lead(request: HttpRequest, lead_id: int, queryset: Any = None) -> Lead:
    rows = leads_visible(request.user) if queryset is None else queryset
    return access_object(request.user, rows, pk=lead_id)


@login_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = request.user
    lead = _lead(request, lead_id, leads_visible(user).select_related("customer"))
    requests = loss_requests(lead)
    return render(
        request,
        "sales/lead_detail.html",
        {
            "lead": lead,
            "assignments": assignment_history(lead),
            "loss_requests": requests,
            "pending_request": next(
                (item for item in requests if item.decision == LossDecision.PENDING), None
            ),
            # Converting has its own button: it creates the opportunity.
            "next_statuses": [
                LeadStatus(step)
                for step in NEXT_STATUSES[LeadStatus(lead.status)]
                if step != LeadStatus.CONVERTED
            ],
            "history": history_rows(lead, user),
            "may_work": may_work_leads(user) and lead.is_open,
            "may_reassign": may_reassign_leads(user) and lead.is_open,
            "may_approve": may_approve_losses(user),
            "loss_form": LossRequestForm(),
            "decision_form": LossDecisionForm(),
            "breadcrumbs": [crumb(LEADS, "sales:lead_list"), crumb(str(lead))],
        },
    )


def _after_service(request: HttpRequest, lead: Lead, call: Any, done: str) -> HttpResponse:
    """Run a service for a detail-page button, then show the page with its outcome."""
    try:
        call()
    except errors.PermissionDenied as error:
        raise PermissionDenied from error
    except (ValidationError, errors.ApplicationError) as error:
        text = error.messages if isinstance(error, ValidationError) else [str(error.message)]
        for message in text:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(lead)


@login_required
@require_POST
def lead_status_step(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(request, lead_id)
    data = {"status": request.POST.get("status", "")}
    version = request.POST.get("version", "")
    return _after_service(
        request,
        lead,
        lambda: services.lead_update(
            actor=request.user,
            lead=lead,
            data=data,
            expected_version=int(version) if version.isdigit() else None,
        ),
        _("The lead's status was changed."),
    )


@login_required
@require_POST
def lead_loss_request(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(request, lead_id)
    form = LossRequestForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _after_service(
        request,
        lead,
        lambda: services.lead_loss_request(actor=request.user, lead=lead, reason=reason),
        _("The loss request was sent to the manager."),
    )


@login_required
@require_POST
def lead_loss_decide(request: HttpRequest, lead_id: int, request_id: int) -> HttpResponse:
    lead = _lead(request, lead_id)
    pending = LeadLossRequest.objects.filter(lead=lead, pk=request_id).first()
    if pending is None:
        raise Http404
    form = LossDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect(lead)
    return _after_service(
        request,
        lead,
        lambda: services.lead_loss_decide(
            actor=request.user,
            request=pending,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
        ),
        _("The loss request was decided."),
    )


# --- routing set-up ------------------------------------------------------------------------------


def _routing_dealer(request: HttpRequest) -> Dealer | None:
    """The dealer whose routing is shown: a dealer manager's own; for HQ the chosen one."""
    own = own_dealer_id(request.user)
    chosen = own or request.GET.get("dealer") or request.POST.get("dealer")
    if not chosen:
        return None
    return access_object(request.user, Dealer.objects.select_related("region"), pk=chosen)


@login_required
def routing_page(request: HttpRequest) -> HttpResponse:
    """A dealer's territories and assignment rule: add and remove territories, set the rule."""
    user = request.user
    if not may_manage_routing(user):
        raise PermissionDenied
    dealer = _routing_dealer(request)
    territory_form, rule_form = TerritoryForm(), DealerRuleForm()
    if dealer is not None and not may_manage_routing(user, dealer):
        raise PermissionDenied
    if dealer is not None and request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                territory_form = TerritoryForm(request.POST)
                if territory_form.is_valid():
                    services.territory_add(actor=user, dealer=dealer, **territory_form.cleaned_data)
                    messages.success(request, _("The territory was added."))
            elif action == "remove":
                territory = access_object(
                    user, Territory.objects.filter(dealer=dealer), pk=request.POST.get("territory")
                )
                services.territory_remove(actor=user, territory=territory)
                messages.success(request, _("The territory was removed."))
            elif action == "rule":
                rule_form = DealerRuleForm(request.POST)
                if rule_form.is_valid():
                    services.dealer_rule_set(
                        actor=user, dealer=dealer, rule=rule_form.cleaned_data["rule"]
                    )
                    messages.success(request, _("The assignment rule was saved."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        if not territory_form.errors and not rule_form.errors:
            return redirect(f"{reverse('sales:routing')}?dealer={dealer.pk}")
    rule = DealerLeadRule.objects.filter(dealer=dealer).first() if dealer else None
    if dealer is not None and not rule_form.is_bound:
        rule_form = DealerRuleForm(initial={"rule": rule.rule if rule else None})
    return render(
        request,
        "sales/routing.html",
        {
            "dealer": dealer,
            "dealers": visible_to(user, Dealer.objects.filter(sells_vehicles=True)).order_by("code")
            if own_dealer_id(user) is None
            else [],
            "territories": list(Territory.objects.filter(dealer=dealer).select_related("region"))
            if dealer
            else [],
            "territory_form": territory_form,
            "rule_form": rule_form,
            "breadcrumbs": [crumb(_("Territories and routing"))],
        },
    )
