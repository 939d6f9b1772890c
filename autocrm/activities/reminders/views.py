"""The reminder rules' pages (administrators): the list with a "run now" button, and each
rule's settings page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autocrm.activities.reminders.forms import ReminderRuleForm
from autocrm.activities.reminders.jobs import reminders_start
from autocrm.activities.reminders.rules import RULES
from autocrm.activities.reminders.settings import (
    may_manage_reminders,
    reminder_rule_update,
    rule_settings,
)
from autocrm.core.pages import crumb, render_form


def _require_admin(request: HttpRequest) -> None:
    if not may_manage_reminders(request.user):
        raise PermissionDenied


@login_required
def reminder_rule_list_view(request: HttpRequest) -> HttpResponse:
    """Every rule: on or off, its priority and numbers, a link to its settings."""
    _require_admin(request)
    rows = []
    for key, rule in rule_settings().items():
        definition = RULES[key]
        numbers = [
            (parameter.label, getattr(rule, parameter.name)) for parameter in definition.parameters
        ]
        rows.append({"rule": rule, "definition": definition, "numbers": numbers})
    context = {"rows": rows, "breadcrumbs": [crumb(_("Reminder rules"))]}
    return render(request, "activities/reminders/rule_list.html", context)


@login_required
def reminder_rule_edit_view(request: HttpRequest, key: str) -> HttpResponse:
    """One rule's settings; saved under the optimistic lock."""
    _require_admin(request)
    if key not in RULES:
        raise Http404
    rule = rule_settings()[key]
    form = ReminderRuleForm(request.POST or None, rule=rule)

    def save(data: dict[str, Any]) -> Any:
        return reminder_rule_update(
            actor=request.user, rule=rule, data=data, expected_version=data["version"]
        )

    context = {
        "title": _("Reminder rule: %(rule)s") % {"rule": rule},
        "rule": rule,
        "definition": RULES[key],
        "cancel_url": reverse("activities:reminder_rule_list"),
        "breadcrumbs": [
            crumb(_("Reminder rules"), "activities:reminder_rule_list"),
            crumb(str(rule)),
        ],
    }
    return render_form(
        request,
        form=form,
        save=save,
        context=context,
        saved_message=_("The settings of %(record)s were saved."),
        form_id="reminder-rule-form",
        template="activities/reminders/rule_form.html",
    )


@login_required
@require_POST
def reminder_run_view(request: HttpRequest) -> HttpResponse:
    """Start a run of every enabled rule for today as a job, and show the job."""
    _require_admin(request)
    job = reminders_start(actor=request.user, today=timezone.localdate())
    messages.success(request, _("The reminder rules are running."))
    return redirect("core:job_detail", job.pk)
