"""Calendar pages: the week (own, or the team's for managers) with htmx previous/next, booking
and moving with the overlap warning ("book anyway" is a second submit), cancelling, the feed
address, and the feed itself (no login: its secret token is the credential)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autocrm.activities import appointments as booking
from autocrm.activities.choices import AppointmentStatus
from autocrm.activities.feed import (
    active_feed_token,
    build_feed,
    feed_token_regenerate,
    feed_token_revoke,
    feed_user,
)
from autocrm.activities.permissions import may_plan, sees_team_plans
from autocrm.activities.planning import appointments_visible, calendar_week
from autocrm.activities.planning_forms import AppointmentForm, booking_initial
from autocrm.core.errors import ApplicationError
from autocrm.core.pages import add_service_errors, crumb
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer


def _week_day(request: HttpRequest) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return timezone.localdate()


def _week_context(request: HttpRequest) -> dict[str, Any]:
    team = request.GET.get("view") == "team" and sees_team_plans(request.user)
    return {
        "week": calendar_week(request.user, _week_day(request), team=team),
        "team_view": team,
        "may_see_team": sees_team_plans(request.user),
        "today": timezone.localdate(),
    }


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    """The week's bookings; htmx previous/next swaps only the week."""
    context = _week_context(request)
    if request.headers.get("HX-Request"):
        return render(request, "activities/_calendar_week.html", context)
    context.update(
        {
            "feed_token": active_feed_token(request.user),
            "may_plan": may_plan(request.user),
            "breadcrumbs": [crumb(_("Calendar"))],
        }
    )
    return render(request, "activities/calendar.html", context)


def _customer(request: HttpRequest) -> Customer | None:
    customer_id = request.GET.get("customer") or request.POST.get("customer")
    if not customer_id:
        return None
    return access_object(request.user, Customer.objects.all(), pk=customer_id)


def _booking_data(form: AppointmentForm, customer: Any) -> dict[str, Any]:
    data = {
        name: value
        for name, value in form.cleaned_data.items()
        if name not in {"confirmed_overlaps", "version"}
    }
    if customer is not None:
        data["customer"] = customer
    return data


def _render_booking(
    request: HttpRequest, form: AppointmentForm, *, customer: Any, conflicts: Any, **extra: Any
) -> HttpResponse:
    if conflicts:
        # "Book anyway" sends back the bookings shown here: it books over these only, so a
        # booking changed meanwhile into other overlaps is warned about again.
        confirmed = request.POST.copy()
        confirmed["confirmed_overlaps"] = ",".join(str(c.appointment.pk) for c in conflicts)
        form.data = confirmed
    context = {
        "form": form,
        "customer": customer,
        "conflicts": conflicts,
        "breadcrumbs": [crumb(_("Calendar"), "activities:calendar"), crumb(extra["title"])],
        **extra,
    }
    return render(request, "activities/appointment_form.html", context, status=200)


@login_required
def appointment_book_view(request: HttpRequest) -> HttpResponse:
    """Book a time (``?customer=`` and ``?kind=`` from the customer page). An overlap shows the
    conflicting bookings and a "book anyway" button that submits again with the flag set."""
    if not may_plan(request.user):
        raise PermissionDenied
    customer = _customer(request)
    title = _("New booking")
    if request.method != "POST":
        initial = booking_initial(request.GET.get("kind", ""), customer)
        form = AppointmentForm(initial=initial, actor=request.user, customer=customer)
        return _render_booking(request, form, customer=customer, conflicts=None, title=title)
    form = AppointmentForm(request.POST, actor=request.user, customer=customer)
    conflicts = None
    if form.is_valid():
        try:
            appointment = booking.appointment_book(
                actor=request.user,
                data=_booking_data(form, customer),
                allow_overlap=form.cleaned_data["confirmed_overlaps"],
            )
        except booking.BookingOverlap as overlap:
            conflicts = overlap.conflicts
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Booked: %(title)s") % {"title": appointment.title})
            week = timezone.localtime(appointment.starts_at).date().isoformat()
            return redirect(f"{reverse('activities:calendar')}?week={week}")
    return _render_booking(request, form, customer=customer, conflicts=conflicts, title=title)


@login_required
def appointment_edit_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Change or move a planned booking, with the optimistic lock and the overlap warning."""
    appointment = access_object(
        request.user,
        appointments_visible(request.user).select_related("customer", "vehicle"),
        pk=appointment_id,
    )
    customer = appointment.customer
    title = _("Change booking")
    extra = {"title": title, "appointment": appointment}
    if request.method != "POST":
        initial = {
            "kind": appointment.kind,
            "title": appointment.title,
            "starts_at": timezone.localtime(appointment.starts_at),
            "ends_at": timezone.localtime(appointment.ends_at),
            "owner": appointment.owner_id,
            "vehicle": appointment.vehicle.vin if appointment.vehicle else "",
            "location": appointment.location,
            "notes": appointment.notes,
            "version": appointment.version,
        }
        form = AppointmentForm(initial=initial, actor=request.user, customer=customer, moving=True)
        return _render_booking(request, form, customer=customer, conflicts=None, **extra)
    form = AppointmentForm(request.POST, actor=request.user, customer=customer, moving=True)
    conflicts = None
    if form.is_valid():
        data = _booking_data(form, customer)
        if data.get("owner") is None:
            data["owner"] = appointment.owner
        try:
            booking.appointment_update(
                actor=request.user,
                appointment=appointment,
                data=data,
                expected_version=form.cleaned_data["version"],
                allow_overlap=form.cleaned_data["confirmed_overlaps"],
            )
        except booking.BookingOverlap as overlap:
            conflicts = overlap.conflicts
        except ValidationError as error:
            add_service_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The booking was changed."))
            return redirect("activities:calendar")
    return _render_booking(request, form, customer=customer, conflicts=conflicts, **extra)


@login_required
@require_POST
def appointment_cancel_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = access_object(request.user, appointments_visible(request.user), pk=appointment_id)
    try:
        booking.appointment_cancel(actor=request.user, appointment=appointment)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The booking was cancelled."))
    return redirect("activities:calendar")


@login_required
@require_POST
def feed_token_view(request: HttpRequest) -> HttpResponse:
    """Make a new feed address (revoking the old one) and show it once; or revoke it."""
    if request.POST.get("action") == "revoke":
        feed_token_revoke(user=request.user)
        messages.success(request, _("The calendar feed address was revoked."))
        return redirect("activities:calendar")
    raw = feed_token_regenerate(user=request.user)
    url = request.build_absolute_uri(reverse("activities:calendar_feed", args=[raw]))
    context = {**_week_context(request), "new_feed_url": url, "may_plan": may_plan(request.user)}
    context["feed_token"] = active_feed_token(request.user)
    context["breadcrumbs"] = [crumb(_("Calendar"))]
    return render(request, "activities/calendar.html", context)


def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed of the token's owner; an unknown or revoked token is "not found"."""
    user = feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(build_feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="autocrm.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def appointment_for_customer_panel(request: HttpRequest, customer: Any) -> dict[str, Any]:
    """The customer 360 page's "Calendar" panel: their coming bookings the user may see."""
    upcoming = (
        appointments_visible(request.user)
        .filter(customer_id=customer.pk, ends_at__gte=timezone.now())
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("owner")
        .order_by("starts_at", "id")[:5]
    )
    return {"appointments": list(upcoming), "may_plan": may_plan(request.user)}
