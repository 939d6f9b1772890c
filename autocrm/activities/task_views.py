"""Task pages: "my day" (and the team's day for managers), a new task, completing one with a
click, and the customer page's task panel. Reads go through ``planning``; writes through
``task_services``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autocrm.activities import task_services
from autocrm.activities.choices import TaskStatus
from autocrm.activities.permissions import may_plan, sees_team_plans
from autocrm.activities.planning import MY_DAY_ROW_LIMIT, my_day, tasks_visible, team_day
from autocrm.activities.planning_forms import TaskCompleteForm, TaskForm
from autocrm.core.errors import ApplicationError
from autocrm.core.pages import add_service_errors, crumb
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer

CUSTOMER_PANEL_TASKS = 10


def _day_context(request: HttpRequest) -> dict[str, Any]:
    team = request.GET.get("view") == "team" and sees_team_plans(request.user)
    context: dict[str, Any] = {
        "today": timezone.localdate(),
        "team_view": team,
        "may_see_team": sees_team_plans(request.user),
        "may_plan": may_plan(request.user),
    }
    if team:
        context["groups"] = team_day(request.user)
    else:
        tasks = my_day(request.user, limit=MY_DAY_ROW_LIMIT + 1)
        context["tasks"] = tasks[:MY_DAY_ROW_LIMIT]
        context["more_tasks"] = len(tasks) > MY_DAY_ROW_LIMIT
        context["row_limit"] = MY_DAY_ROW_LIMIT
    return context


@login_required
def my_day_view(request: HttpRequest) -> HttpResponse:
    """Today's and overdue open tasks; ``?view=team`` for a manager's team, grouped by person."""
    context = {
        **_day_context(request),
        "form": TaskForm(actor=request.user),
        "breadcrumbs": [crumb(_("My day"))],
    }
    return render(request, "activities/my_day.html", context)


def _customer(request: HttpRequest) -> Customer | None:
    customer_id = request.GET.get("customer") or request.POST.get("customer")
    if not customer_id:
        return None
    return access_object(request.user, Customer.objects.all(), pk=customer_id)


def _customer_panel_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    tasks = (
        tasks_visible(request.user)
        .filter(customer_id=customer.pk, status=TaskStatus.OPEN)
        .select_related("assignee")
        .order_by("due_on", "id")[:CUSTOMER_PANEL_TASKS]
    )
    return {
        "customer": customer,
        "tasks": list(tasks),
        "today": timezone.localdate(),
        "may_plan": may_plan(request.user),
    }


def customer_tasks_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    """The customer 360 page's "Tasks" panel: the customer's open tasks the user may see."""
    return _customer_panel_context(request, customer)


@login_required
def task_create_view(request: HttpRequest) -> HttpResponse:
    """GET: the new-task form (for ``?customer=`` from the customer page); POST: create it and
    answer with the refreshed list it came from (my day, or the customer's panel)."""
    if not may_plan(request.user):
        raise PermissionDenied
    customer = _customer(request)
    form_context = {"customer": customer}
    if request.method != "POST":
        form = TaskForm(actor=request.user, customer=customer)
        return render(request, "activities/_task_form.html", {**form_context, "form": form})
    form = TaskForm(request.POST, actor=request.user, customer=customer)
    if form.is_valid():
        data = {**form.cleaned_data, "customer": customer}
        try:
            task_services.task_create(actor=request.user, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if customer is not None:
                context = {**_customer_panel_context(request, customer), "created": True}
                return render(request, "activities/_customer_tasks.html", context)
            context = {**_day_context(request), "created": True}
            return render(request, "activities/_my_day_list.html", context)
    response = render(request, "activities/_task_form.html", {**form_context, "form": form})
    response["HX-Retarget"] = "#task-form-slot"
    response["HX-Reswap"] = "innerHTML"
    return response


@login_required
@require_POST
def task_complete_view(request: HttpRequest, task_id: int) -> HttpResponse:
    """Mark a task done with one click (and an optional outcome). The task leaves the list of
    open tasks: its row becomes a one-line "done" notice. A task someone else closed or changed
    meanwhile answers with its row and the reason."""
    task = access_object(request.user, tasks_visible(request.user), pk=task_id)
    form = TaskCompleteForm(request.POST)
    message = ""
    if form.is_valid():
        try:
            task = task_services.task_complete(
                actor=request.user,
                task=task,
                outcome=form.cleaned_data["outcome"],
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            message = str(error.message)
            task.refresh_from_db()
        else:
            return render(request, "activities/_task_done.html", {"task": task})
    context = {"task": task, "today": timezone.localdate(), "message": message}
    return render(request, "activities/_task_row.html", context)
