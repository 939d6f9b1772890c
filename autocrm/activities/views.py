"""Interaction pages: the list of every interaction in scope, the customer page panel's
fragments (timeline pages, channel filter, quick log), and the page correcting an interaction.

Reads start from ``visible_to`` (a customer out of scope is "not found"); the quick log and the
edit page save through ``autocrm.activities.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.activities import services
from autocrm.activities.choices import InteractionChannel
from autocrm.activities.filters import InteractionFilterSet
from autocrm.activities.forms import DEFAULT_SUBJECTS, InteractionForm, InteractionQuickForm
from autocrm.activities.models import Interaction
from autocrm.activities.permissions import may_edit_interaction, may_log_interactions
from autocrm.activities.selectors import (
    TIMELINE_ORDERING,
    customer_timeline,
    interactions_visible,
)
from autocrm.core.crud import ScopedEditView, ScopedListView
from autocrm.core.errors import InvalidCursor
from autocrm.core.pages import add_service_errors, crumb
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.vehicles.models import Vehicle


class InteractionList(ScopedListView):
    model = Interaction
    filterset_class = InteractionFilterSet
    table_template = "activities/_interaction_table.html"
    ordering = TIMELINE_ORDERING
    list_id = "interaction-list"
    title = gettext_lazy("Interactions")

    def queryset(self, request: HttpRequest) -> QuerySet[Interaction]:
        return interactions_visible(request.user)


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    return access_object(request.user, Customer.objects.all(), pk=customer_id)


def _channel(value: str | None) -> str:
    return value if value in InteractionChannel.values else ""


def timeline_context(
    request: HttpRequest, customer: Any, *, channel: str = "", cursor: str | None = None
) -> dict[str, Any]:
    """What the panel and its fragments show: a page of the timeline, the filter, the rights."""
    try:
        page = customer_timeline(request.user, customer, channel=channel, cursor=cursor)
    except InvalidCursor:
        page = customer_timeline(request.user, customer, channel=channel)
    return {
        "customer": customer,
        "page": page,
        "channel": channel,
        "channels": InteractionChannel.choices,
        "may_log": may_log_interactions(request.user),
        "editable_ids": {
            interaction.pk
            for interaction in page.items
            if may_edit_interaction(request.user, interaction)
        },
    }


@login_required
def customer_timeline_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The timeline for the channel filter (whole timeline) or the "more" button (more rows)."""
    customer = _customer(request, customer_id)
    cursor = request.GET.get("cursor")
    channel = _channel(request.GET.get("channel"))
    context = timeline_context(request, customer, channel=channel, cursor=cursor)
    template = "activities/_timeline_rows.html" if cursor else "activities/_timeline.html"
    return render(request, template, context)


def _owned_vehicles(request: HttpRequest, customer: Customer) -> QuerySet[Vehicle]:
    return (
        Vehicle.objects.visible_to(request.user)
        .filter(ownerships__customer_id=customer.pk)
        .distinct()
        .order_by("vin")
    )


@login_required
def interaction_quick_log(request: HttpRequest, customer_id: int) -> HttpResponse:
    """GET: the quick form, preset to the asked channel; POST: log it and answer with the
    timeline, the new entry on top (or the form again, with its errors)."""
    customer = _customer(request, customer_id)
    if not may_log_interactions(request.user):
        raise PermissionDenied
    vehicles = _owned_vehicles(request, customer)
    if request.method != "POST":
        channel = _channel(request.GET.get("channel")) or InteractionChannel.INBOUND_CALL
        initial = {"channel": channel, "subject": DEFAULT_SUBJECTS.get(channel, "")}
        form = InteractionQuickForm(initial=initial, vehicles=vehicles)
        return render(
            request, "activities/_quick_log_form.html", {"form": form, "customer": customer}
        )
    form = InteractionQuickForm(request.POST, vehicles=vehicles)
    if form.is_valid():
        try:
            services.interaction_log(actor=request.user, customer=customer, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            context = {**timeline_context(request, customer), "logged": True}
            return render(request, "activities/_timeline.html", context)
    response = render(
        request, "activities/_quick_log_form.html", {"form": form, "customer": customer}
    )
    # The form was posted towards the timeline; its errors belong in the form's slot.
    response["HX-Retarget"] = f"#interaction-form-slot-{customer.pk}"
    response["HX-Reswap"] = "innerHTML"
    return response


class InteractionEdit(ScopedEditView):
    """Correcting an interaction: its author, or a manager (``may_edit_interaction``), with the
    optimistic lock of ``version``; saved, the customer's page shows it in the timeline."""

    model = Interaction
    form_class = InteractionForm
    form_id = "interaction-form"
    pk_url_kwarg = "interaction_id"
    list_label = gettext_lazy("Customers")
    list_url_name = "customers:customer_list"
    saved_message = gettext_lazy("The interaction “%(record)s” was saved.")

    def queryset(self, request: HttpRequest) -> QuerySet[Interaction]:
        return Interaction.objects.select_related("customer")

    def permission(self, user: Any, instance: Interaction) -> bool:
        return may_edit_interaction(user, instance)

    def render_page(self, request: HttpRequest, instance: Interaction) -> HttpResponse:
        self.vehicles = _owned_vehicles(request, instance.customer)
        return super().render_page(request, instance)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"vehicles": self.vehicles}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Interaction) -> Any:
        return services.interaction_update(
            actor=request.user,
            interaction=instance,
            data=data,
            expected_version=data["version"],
        )

    def page_title(self, instance: Interaction) -> Any:
        return _("Edit interaction")

    def breadcrumbs(self, instance: Interaction) -> list[dict[str, Any]]:
        customer = instance.customer
        return [
            crumb(self.list_label, self.list_url_name),
            crumb(str(customer), "customers:customer_detail", customer.pk),
            crumb(_("Edit interaction")),
        ]
