"""Activity endpoints: the interaction timeline of every customer the caller may see, and
logging; tasks (mine or my team's, create, change, complete); the calendar (bookings in a range,
book, move, cancel, with the overlap rule)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from autocrm.accounts.models import User
from autocrm.activities import appointments, services, task_services
from autocrm.activities.filters import AppointmentFilterSet, InteractionFilterSet, TaskFilterSet
from autocrm.activities.models import Appointment, Interaction, Task
from autocrm.activities.planning import (
    APPOINTMENT_ORDERING,
    TASK_ORDERING,
    appointments_visible,
    tasks_visible,
)
from autocrm.activities.schemas import (
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    InteractionIn,
    InteractionOut,
    InteractionPatch,
    TaskCompleteIn,
    TaskIn,
    TaskOut,
    TaskPatch,
    VersionIn,
)
from autocrm.activities.selectors import TIMELINE_ORDERING
from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.vehicles.models import Vehicle

router = Router(tags=["interactions"])


def _references(user: Any, sent: dict[str, Any]) -> dict[str, Any]:
    data = dict(sent)
    if "vehicle_id" in data:
        data["vehicle"] = resolve_reference(user, Vehicle, "vehicle_id", data.pop("vehicle_id"))
    if "dealer_id" in data:
        data["dealer"] = resolve_reference(user, Dealer, "dealer_id", data.pop("dealer_id"))
    return data


@router.get(
    "/interactions",
    response=answers({200: PageOut[InteractionOut]}, 400, 422),
    summary="Interactions, newest first",
)
def interaction_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    queryset = filtered(
        InteractionFilterSet, request.GET, Interaction.objects.visible_to(request.user)
    )
    result = keyset_page(queryset, ordering=TIMELINE_ORDERING, cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/interactions/{interaction_id}", response=answers({200: InteractionOut}, 404, 422))
def interaction_detail(request: HttpRequest, interaction_id: int) -> Interaction:
    return access_object(request.user, Interaction.objects.all(), pk=interaction_id)


@router.post("/interactions", response=answers({201: InteractionOut}, 400, 403, 422))
def interaction_create(request: HttpRequest, payload: InteractionIn) -> Status:
    data = payload.dict()
    customer = resolve_reference(request.user, Customer, "customer_id", data.pop("customer_id"))
    interaction = services.interaction_log(
        actor=request.user, customer=customer, data=_references(request.user, data)
    )
    return Status(201, interaction)


@router.patch(
    "/interactions/{interaction_id}",
    response=answers({200: InteractionOut}, 400, 403, 404, 409, 422),
)
def interaction_update(
    request: HttpRequest, interaction_id: int, payload: InteractionPatch
) -> Interaction:
    interaction = access_object(request.user, Interaction.objects.all(), pk=interaction_id)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    return services.interaction_update(
        actor=request.user,
        interaction=interaction,
        data=_references(request.user, sent),
        expected_version=expected_version,
    )


# --- tasks and the calendar -------------------------------------------------------------------

planning_router = Router(tags=["tasks and calendar"])


def _planning_references(user: Any, sent: dict[str, Any], person: str) -> dict[str, Any]:
    """Ids in a task or booking payload to records within the caller's scope. ``person`` is
    the payload's name for the person (``assignee`` or ``owner``); not sending it keeps it."""
    data = dict(sent)
    person_id = data.pop(f"{person}_id", None)
    if person_id is not None:
        data[person] = resolve_reference(user, User, f"{person}_id", person_id)
    for name, model in (("customer", Customer), ("vehicle", Vehicle)):
        if f"{name}_id" in data:
            data[name] = resolve_reference(user, model, f"{name}_id", data.pop(f"{name}_id"))
    return data


@planning_router.get(
    "/tasks",
    response=answers({200: PageOut[TaskOut]}, 400, 422),
    summary="Tasks: yours, or your team's (managers), by due date",
)
def task_list(request: HttpRequest, page: Query[PageParams], mine: bool = False) -> dict[str, Any]:
    """Filters: ``status``, ``kind``, ``assignee_id``, ``customer_id``, ``dealer_id``,
    ``due_from``, ``due_until`` (dates); ``mine=true`` only the tasks assigned to you."""
    rows = tasks_visible(request.user)
    if mine:
        rows = rows.filter(assignee_id=request.user.pk)
    rows = filtered(TaskFilterSet, request.GET, rows)
    result = keyset_page(rows, ordering=TASK_ORDERING, cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@planning_router.get("/tasks/{task_id}", response=answers({200: TaskOut}, 404, 422))
def task_detail(request: HttpRequest, task_id: int) -> Task:
    return access_object(request.user, tasks_visible(request.user), pk=task_id)


@planning_router.post("/tasks", response=answers({201: TaskOut}, 400, 403, 409, 422))
def task_create(request: HttpRequest, payload: TaskIn) -> Status:
    data = _planning_references(request.user, payload.dict(), "assignee")
    return Status(201, task_services.task_create(actor=request.user, data=data))


@planning_router.patch(
    "/tasks/{task_id}", response=answers({200: TaskOut}, 400, 403, 404, 409, 422)
)
def task_update(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    task = access_object(request.user, tasks_visible(request.user), pk=task_id)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    return task_services.task_update(
        actor=request.user,
        task=task,
        data=_planning_references(request.user, sent, "assignee"),
        expected_version=expected_version,
    )


@planning_router.post(
    "/tasks/{task_id}/complete", response=answers({200: TaskOut}, 400, 403, 404, 409, 422)
)
def task_complete(request: HttpRequest, task_id: int, payload: TaskCompleteIn) -> Task:
    task = access_object(request.user, tasks_visible(request.user), pk=task_id)
    return task_services.task_complete(
        actor=request.user, task=task, outcome=payload.outcome, expected_version=payload.version
    )


@planning_router.get(
    "/appointments",
    response=answers({200: PageOut[AppointmentOut]}, 400, 422),
    summary="Bookings in a range (since/until), in time order",
)
def appointment_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Filters: ``since`` and ``until`` (bookings overlapping that range), ``status``, ``kind``,
    ``owner_id``, ``customer_id``, ``vehicle_id``."""
    rows = filtered(AppointmentFilterSet, request.GET, appointments_visible(request.user))
    result = keyset_page(rows, ordering=APPOINTMENT_ORDERING, cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@planning_router.get(
    "/appointments/{appointment_id}", response=answers({200: AppointmentOut}, 404, 422)
)
def appointment_detail(request: HttpRequest, appointment_id: int) -> Appointment:
    return access_object(request.user, appointments_visible(request.user), pk=appointment_id)


@planning_router.post("/appointments", response=answers({201: AppointmentOut}, 400, 403, 409, 422))
def appointment_create(request: HttpRequest, payload: AppointmentIn) -> Status:
    sent = payload.dict()
    allow_overlap = sent.pop("allow_overlap")
    data = _planning_references(request.user, sent, "owner")
    appointment = appointments.appointment_book(
        actor=request.user, data=data, allow_overlap=allow_overlap
    )
    return Status(201, appointment)


@planning_router.patch(
    "/appointments/{appointment_id}",
    response=answers({200: AppointmentOut}, 400, 403, 404, 409, 422),
)
def appointment_update(
    request: HttpRequest, appointment_id: int, payload: AppointmentPatch
) -> Appointment:
    appointment = access_object(request.user, appointments_visible(request.user), pk=appointment_id)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    allow_overlap = sent.pop("allow_overlap", False)
    return appointments.appointment_update(
        actor=request.user,
        appointment=appointment,
        data=_planning_references(request.user, sent, "owner"),
        expected_version=expected_version,
        allow_overlap=allow_overlap,
    )


@planning_router.post(
    "/appointments/{appointment_id}/cancel",
    response=answers({200: AppointmentOut}, 400, 403, 404, 409, 422),
)
def appointment_cancel(
    request: HttpRequest, appointment_id: int, payload: VersionIn
) -> Appointment:
    appointment = access_object(request.user, appointments_visible(request.user), pk=appointment_id)
    return appointments.appointment_cancel(
        actor=request.user, appointment=appointment, expected_version=payload.version
    )


router.add_router("/", planning_router)
