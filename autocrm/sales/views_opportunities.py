"""Opportunity pages: the list, create (from a customer), detail (stage steps, quotes, stage
and audit history), edit; the pipeline (kanban) with its drag-and-drop stage change; the
forecast; quotes (create, detail, send, accept, reject, revise, PDF); converting a lead.

Reads start from ``opportunities_visible`` / ``quotes_visible`` (a salesperson: their own);
out of scope is "not found". Writes go through ``autocrm.sales.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.core import errors
from autocrm.core.crud import ScopedCreateView, ScopedEditView, ScopedListView
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb, is_htmx
from autocrm.core.scoping import access_object, visible_to
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.sales import services
from autocrm.sales.cards import card_html, cards_html, options_html
from autocrm.sales.choices import OPEN_STAGES, ForecastGrouping, OpportunityStage
from autocrm.sales.filters import OpportunityFilterSet
from autocrm.sales.forms_opportunities import (
    QUOTE_FORM_ROWS,
    OpportunityCreateForm,
    OpportunityForm,
    QuoteHeaderForm,
    QuoteLineFormSet,
)
from autocrm.sales.models import Opportunity, Quote
from autocrm.sales.permissions import (
    may_move_stages_back,
    may_work_opportunities,
    own_dealer_id,
)
from autocrm.sales.pipeline import PipelineFilters, column_cards, forecast, pipeline_board
from autocrm.sales.quote_pdf import quote_pdf
from autocrm.sales.selectors import (
    OPPORTUNITY_ORDERING,
    leads_visible,
    opportunities_visible,
    quotes_visible,
    stage_history,
)
from autocrm.vehicles.models import VehicleModel

OPPORTUNITIES = gettext_lazy("Opportunities")


class OpportunityList(ScopedListView):
    model = Opportunity
    filterset_class = OpportunityFilterSet
    table_template = "sales/_opportunity_table.html"
    ordering = OPPORTUNITY_ORDERING
    list_id = "opportunity-list"
    title = OPPORTUNITIES

    def queryset(self, request: HttpRequest) -> QuerySet[Opportunity]:
        return opportunities_visible(request.user)


class OpportunityCreate(ScopedCreateView):
    """A new opportunity for the customer named by ``?customer=<id>`` (the 360 page)."""

    model = Opportunity
    form_class = OpportunityCreateForm
    form_id = "opportunity-form"
    title = gettext_lazy("New opportunity")
    list_label = OPPORTUNITIES
    list_url_name = "sales:opportunity_list"
    saved_message = gettext_lazy("The opportunity “%(record)s” was created.")

    def permission(self, user: Any, instance: Any) -> bool:
        return may_work_opportunities(user)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Any) -> Any:
        customer = access_object(
            request.user, Customer.objects.all(), pk=request.GET.get("customer") or 0
        )
        data = dict(data)
        dealer = data.pop("dealer", None)
        return services.opportunity_create(
            actor=request.user, customer=customer, dealer=dealer, data=data
        )


class OpportunityEdit(ScopedEditView):
    model = Opportunity
    form_class = OpportunityForm
    form_id = "opportunity-form"
    pk_url_kwarg = "opportunity_id"
    list_label = OPPORTUNITIES
    list_url_name = "sales:opportunity_list"
    detail_url_name = "sales:opportunity_detail"
    saved_message = gettext_lazy("The opportunity “%(record)s” was saved.")

    def queryset(self, request: HttpRequest) -> QuerySet[Opportunity]:
        return opportunities_visible(request.user)

    def permission(self, user: Any, instance: Opportunity) -> bool:
        return may_work_opportunities(user) and instance.is_open

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Opportunity) -> Any:
        data = dict(data)
        version = data.pop("version", None)
        return services.opportunity_update(
            actor=request.user, opportunity=instance, data=data, expected_version=version
        )


def _opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return access_object(request.user, opportunities_visible(request.user), pk=opportunity_id)


def _messages_of(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(getattr(error, "message", error))]


@login_required
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    user = request.user
    opportunity = _opportunity(request, opportunity_id)
    may_work = may_work_opportunities(user) and opportunity.is_open
    return render(
        request,
        "sales/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "next_stages": services.allowed_stages(
                opportunity.stage, may_move_back=may_move_stages_back(user)
            )
            if may_work
            else [],
            "stages": stage_history(opportunity),
            "quotes": list(quotes_visible(user).filter(opportunity=opportunity).order_by("-id")),
            "may_work": may_work,
            "history": history_rows(opportunity, user),
            "breadcrumbs": [
                crumb(OPPORTUNITIES, "sales:opportunity_list"),
                crumb(str(opportunity)),
            ],
        },
    )


@login_required
@require_POST
def opportunity_stage(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """The stage change of the detail page's buttons and of a card dropped on the pipeline
    (htmx, ``card=1``): the card comes back in its new column, or in its old one with the
    refusal written on it."""
    opportunity = _opportunity(request, opportunity_id)
    version = request.POST.get("version", "")
    refusal: list[str] = []
    try:
        opportunity = services.opportunity_change_stage(
            actor=request.user,
            opportunity=opportunity,
            stage=request.POST.get("stage", ""),
            lost_reason=request.POST.get("lost_reason", ""),
            expected_version=int(version) if version.isdigit() else None,
        )
    except errors.PermissionDenied as error:
        if not request.POST.get("card"):
            raise PermissionDenied from error
        refusal = _messages_of(error)
    except (ValidationError, errors.ApplicationError) as error:
        refusal = _messages_of(error)
    if request.POST.get("card") and is_htmx(request):
        if refusal:
            opportunity = _opportunity(request, opportunity_id)
        card = (
            opportunities_visible(request.user)
            .filter(pk=opportunity.pk)
            .select_related("customer", "vehicle_model", "salesperson")
            .get()
        )
        response = HttpResponse(card_html(card, may_work=True, refusal=refusal))
        if not refusal:
            response["HX-Trigger"] = "pipeline-changed"
        return response
    for message in refusal:
        messages.error(request, message)
    if not refusal:
        messages.success(request, _("The opportunity's stage was changed."))
    return redirect(opportunity)


@login_required
@require_POST
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = access_object(request.user, leads_visible(request.user), pk=lead_id)
    version = request.POST.get("version", "")
    try:
        opportunity = services.lead_convert(
            actor=request.user,
            lead=lead,
            expected_version=int(version) if version.isdigit() else None,
        )
    except errors.PermissionDenied as error:
        raise PermissionDenied from error
    except (ValidationError, errors.ApplicationError) as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect(lead)
    messages.success(request, _("The lead was converted into an opportunity."))
    return redirect(opportunity)


# --- the pipeline -------------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _pipeline_filters(request: HttpRequest) -> PipelineFilters:
    return PipelineFilters(
        dealer_id=_int(request.GET.get("dealer")),
        salesperson_id=_int(request.GET.get("salesperson")),
        vehicle_model_id=_int(request.GET.get("vehicle_model")),
    )


def _board_context(user: Any, filters: PipelineFilters) -> dict[str, Any]:
    may_work = may_work_opportunities(user)
    columns = pipeline_board(user, filters)
    for column in columns:
        column.cards_html = cards_html(column.cards, may_work=may_work)  # type: ignore[attr-defined]
    return {"columns": columns, "filters": filters, "may_work": may_work}


@login_required
def pipeline_page(request: HttpRequest) -> HttpResponse:
    """The kanban: a column per open stage; the board alone for htmx (filters, refresh).
    Headquarters and region managers filter by dealer, then by its salespeople; dealer
    managers by their salespeople."""
    user = request.user
    filters = _pipeline_filters(request)
    context = _board_context(user, filters)
    if is_htmx(request) and request.GET.get("board"):
        return render(request, "sales/_pipeline_board.html", context)
    staff_dealer = own_dealer_id(user)
    dealer_options = salesperson_options = None
    if staff_dealer is None:
        dealers = visible_to(user, Dealer.objects.filter(sells_vehicles=True)).order_by("code")
        dealer_options = options_html(dealers.values_list("pk", "name"), filters.dealer_id)
    people_dealer = staff_dealer or filters.dealer_id
    if people_dealer and getattr(user, "role", "") != Role.SALESPERSON:
        people = visible_to(
            user, User.objects.filter(dealer_id=people_dealer, role=Role.SALESPERSON)
        ).order_by("username")
        salesperson_options = options_html(
            ((person.pk, str(person)) for person in people), filters.salesperson_id
        )
    models = VehicleModel.objects.filter(is_active=True).order_by("code")
    context |= {
        "dealer_options": dealer_options,
        "salesperson_options": salesperson_options,
        "model_options": options_html(
            ((model.pk, str(model)) for model in models), filters.vehicle_model_id
        ),
        "breadcrumbs": [crumb(_("Pipeline"))],
    }
    return render(request, "sales/pipeline.html", context)


@login_required
def pipeline_more(request: HttpRequest) -> HttpResponse:
    """The next cards of one column (keyset cursor)."""
    stage = request.GET.get("stage", "")
    if stage not in OPEN_STAGES:
        stage = OpportunityStage.NEED_ANALYSIS
    filters = _pipeline_filters(request)
    page = column_cards(request.user, stage, filters, cursor=request.GET.get("cursor") or None)
    return render(
        request,
        "sales/_pipeline_cards.html",
        {
            "cards_html": cards_html(page.items, may_work=may_work_opportunities(request.user)),
            "next_cursor": page.next_cursor,
            "stage": stage,
            "filters": filters,
        },
    )


# Headquarters see thousands of salespeople: the page shows the largest groups.
FORECAST_ROWS_SHOWN = 100


def _default_grouping(user: Any) -> str:
    """By salesperson at a dealer, by dealer for a region manager, by region at headquarters."""
    if own_dealer_id(user) is not None:
        return ForecastGrouping.SALESPERSON
    if getattr(user, "role", "") == Role.REGION_MANAGER:
        return ForecastGrouping.DEALER
    return ForecastGrouping.REGION


@login_required
def forecast_page(request: HttpRequest) -> HttpResponse:
    grouping = request.GET.get("group_by") or _default_grouping(request.user)
    if grouping not in ForecastGrouping.values:
        grouping = _default_grouping(request.user)
    result = forecast(request.user, grouping=grouping)
    shown = sorted(result.rows, key=lambda row: row.total, reverse=True)[:FORECAST_ROWS_SHOWN]
    kept = {id(row) for row in shown}
    return render(
        request,
        "sales/forecast.html",
        {
            "forecast": result,
            "rows": [row for row in result.rows if id(row) in kept],
            "hidden": len(result.rows) - len(shown),
            "groupings": ForecastGrouping.choices,
            "grouping": grouping,
            "breadcrumbs": [crumb(_("Forecast"))],
        },
    )


# --- quotes -------------------------------------------------------------------------------------


def _quote(request: HttpRequest, quote_id: int) -> Quote:
    return access_object(
        request.user,
        quotes_visible(request.user).select_related("opportunity__vehicle_model"),
        pk=quote_id,
    )


def _quote_form_page(
    request: HttpRequest, opportunity: Opportunity, *, source: Quote | None
) -> HttpResponse:
    """Create (``source`` None) or revise a quote: the header and up to eight lines."""
    if not may_work_opportunities(request.user):
        raise PermissionDenied
    if request.method == "POST":
        header = QuoteHeaderForm(request.POST)
        lines = QuoteLineFormSet(request.POST, prefix="lines")
        if header.is_valid() and lines.is_valid():
            sent = [line for form in lines.forms if (line := form.line()) is not None]
            try:
                if source is None:
                    quote = services.quote_create(
                        actor=request.user,
                        opportunity=opportunity,
                        lines=sent,
                        valid_until=header.cleaned_data["valid_until"],
                        notes=header.cleaned_data["notes"],
                    )
                else:
                    quote = services.quote_revise(
                        actor=request.user,
                        quote=source,
                        lines=sent,
                        valid_until=header.cleaned_data["valid_until"],
                        notes=header.cleaned_data["notes"],
                    )
            except (ValidationError, errors.ApplicationError) as error:
                for message in _messages_of(error):
                    messages.error(request, message)
            else:
                messages.success(
                    request, _("The quote “%(record)s” was saved.") % {"record": quote}
                )
                return redirect(quote)
    else:
        initial_lines: list[dict[str, Any]] = []
        if source is not None:
            initial_lines = list(
                source.lines.order_by("position").values(  # type: ignore[arg-type]
                    "kind", "description", "quantity", "unit_price", "tax_rate"
                )
            )
        elif opportunity.vehicle_model is not None:
            initial_lines = [
                {
                    "kind": "vehicle",
                    "description": str(opportunity.vehicle_model),
                    "quantity": 1,
                    "tax_rate": "0.13",
                }
            ]
        initial_lines += [{"quantity": 1, "tax_rate": "0.13"}] * max(
            0, QUOTE_FORM_ROWS - len(initial_lines)
        )
        header = QuoteHeaderForm(
            initial={"valid_until": source.valid_until, "notes": source.notes} if source else {}
        )
        lines = QuoteLineFormSet(prefix="lines", initial=initial_lines)
    title = (
        _("Revise quote %(record)s") % {"record": source}
        if source is not None
        else _("New quote for %(record)s") % {"record": opportunity}
    )
    return render(
        request,
        "sales/quote_form.html",
        {
            "opportunity": opportunity,
            "header": header,
            "lines": lines,
            "title": title,
            "breadcrumbs": [
                crumb(OPPORTUNITIES, "sales:opportunity_list"),
                crumb(str(opportunity), "sales:opportunity_detail", opportunity.pk),
                crumb(title),
            ],
        },
    )


@login_required
def quote_create(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    return _quote_form_page(request, _opportunity(request, opportunity_id), source=None)


@login_required
def quote_revise(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id)
    return _quote_form_page(request, quote.opportunity, source=quote)


@login_required
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id)
    return render(
        request,
        "sales/quote_detail.html",
        {
            "quote": quote,
            "lines": list(quote.lines.order_by("position", "id")),
            "revisions": list(
                quotes_visible(request.user).filter(number=quote.number).order_by("-revision")
            ),
            "may_work": may_work_opportunities(request.user),
            "history": history_rows(quote, request.user),
            "breadcrumbs": [
                crumb(OPPORTUNITIES, "sales:opportunity_list"),
                crumb(str(quote.opportunity), "sales:opportunity_detail", quote.opportunity_id),
                crumb(str(quote)),
            ],
        },
    )


_QUOTE_ACTIONS = {
    "send": (services.quote_send, gettext_lazy("The quote was marked as sent.")),
    "accept": (
        services.quote_accept,
        gettext_lazy("The quote was accepted and the vehicle order created."),
    ),
    "reject": (services.quote_reject, gettext_lazy("The quote was marked as rejected.")),
}


@login_required
@require_POST
def quote_action(request: HttpRequest, quote_id: int, action: str) -> HttpResponse:
    if action not in _QUOTE_ACTIONS:
        raise Http404
    quote = _quote(request, quote_id)
    service, done = _QUOTE_ACTIONS[action]
    try:
        service(actor=request.user, quote=quote)
    except errors.PermissionDenied as error:
        raise PermissionDenied from error
    except (ValidationError, errors.ApplicationError) as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, str(done))
    return redirect(quote)


@login_required
def quote_download(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote}.pdf"'
    return response
