"""The settings form of one reminder rule: enabled, priority, and the rule's own numbers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrm.activities.choices import TaskPriority
from autocrm.activities.models import ReminderRule
from autocrm.activities.reminders.rules import RULES
from autocrm.core.forms import InlineValidationMixin


class ReminderRuleForm(InlineValidationMixin, forms.Form):
    enabled = forms.BooleanField(label=_("Create tasks with this rule"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority of its tasks"), choices=TaskPriority.choices, coerce=int
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, rule: ReminderRule, **kwargs: Any) -> None:
        initial = {"enabled": rule.enabled, "priority": rule.priority, "version": rule.version}
        definition = RULES[rule.key]
        for parameter in definition.parameters:
            value = getattr(rule, parameter.name)
            initial[parameter.name] = parameter.default if value is None else value
        super().__init__(*args, initial=initial, **kwargs)
        for parameter in definition.parameters:
            self.fields[parameter.name] = forms.IntegerField(
                label=parameter.label,
                help_text=parameter.help_text,
                min_value=parameter.minimum,
                max_value=parameter.maximum,
                error_messages={
                    "required": _("Enter a number."),
                    "invalid": _("Enter a whole number."),
                },
            )
            # The theme's class (the mixin styled the fields declared on the class).
            self.fields[parameter.name].widget.attrs["class"] = "form-control"
