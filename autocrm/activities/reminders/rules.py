"""What each reminder rule is: its label, what it does (for its settings page), the numbers it
uses with their defaults and bounds, and its default priority."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from autocrm.activities.choices import TaskPriority
from autocrm.activities.reminders.keys import RuleKey


@dataclass(frozen=True)
class Parameter:
    """One number of a rule's settings: the ``ReminderRule`` field that holds it, its label and
    help on the settings page, its default and the values allowed."""

    name: str  # days, escalation_days, months, years
    label: Any
    help_text: Any
    default: int
    minimum: int
    maximum: int


@dataclass(frozen=True)
class RuleDefinition:
    key: str
    description: Any
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    priority: int = TaskPriority.NORMAL

    @property
    def label(self) -> str:
        return str(RuleKey(self.key).label)

    def defaults(self) -> dict[str, Any]:
        values: dict[str, Any] = {"enabled": True, "priority": self.priority}
        values.update({parameter.name: parameter.default for parameter in self.parameters})
        return values


# Past occurrences a daily run still creates (due on their day, so overdue at once) when runs
# were missed; older ones are left alone.
CATCH_UP_DAYS = 7
# The daily run treats the timeframe of leads created in this many days (older leads were
# treated by the event when they were created or changed).
TIMEFRAME_WINDOW_DAYS = 30

RULES: dict[str, RuleDefinition] = {
    definition.key: definition
    for definition in (
        RuleDefinition(
            RuleKey.LEAD_TIMEFRAME,
            _(
                'When a lead is created or its purchase timeframe changes: "immediately" gives '
                'the salesperson a follow-up due today; "within 3 months" a task to try to '
                'bring the purchase forward; "within 6 months" a task to send detailed '
                'material and "within 1 year" general material, only when the customer has '
                "agreed to marketing on some channel (otherwise no material task)."
            ),
            (
                Parameter(
                    "days",
                    _("Days to do it"),
                    _("The bring-forward and material tasks are due this many days later."),
                    3,
                    0,
                    60,
                ),
            ),
            priority=TaskPriority.HIGH,
        ),
        RuleDefinition(
            RuleKey.LEAD_REVIEW,
            _(
                "Open lead cards are reviewed by their salesperson: grade A every day, B every "
                "week, C every month (one task per lead and period)."
            ),
        ),
        RuleDefinition(
            RuleKey.LEAD_CONTACT,
            _(
                "Calls and visits by the lead's grade: A a call every month and a visit every "
                "quarter; B a call every quarter and a visit every half year; C a call every "
                "half year and a visit every year."
            ),
            (
                Parameter(
                    "days",
                    _("Days to do it"),
                    _("Each call or visit is due this many days after its period starts."),
                    7,
                    0,
                    28,
                ),
            ),
        ),
        RuleDefinition(
            RuleKey.INACTIVITY,
            _(
                "An open lead with no activity (no change of its last activity and no "
                "interaction with its customer at its dealer) for the given days alerts its "
                "salesperson; after more days without activity, the dealer's managers too."
            ),
            (
                Parameter(
                    "days",
                    _("Days without activity"),
                    _("The salesperson is alerted after this many days."),
                    14,
                    1,
                    365,
                ),
                Parameter(
                    "escalation_days",
                    _("More days before the manager is alerted"),
                    _("The dealer's managers are alerted this many days after the salesperson."),
                    7,
                    1,
                    365,
                ),
            ),
            priority=TaskPriority.HIGH,
        ),
        RuleDefinition(
            RuleKey.AFTER_DELIVERY,
            _(
                "A visit or call to the new owner within a month of delivery, by the "
                "salesperson who delivered the car, else the customer's manager, else the "
                "selling dealer's manager."
            ),
            (
                Parameter(
                    "days",
                    _("Days after delivery"),
                    _("The visit or call is due this many days after the delivery."),
                    30,
                    1,
                    90,
                ),
            ),
            priority=TaskPriority.HIGH,
        ),
        RuleDefinition(
            RuleKey.LOYALTY_CONTACT,
            _(
                "Keep in touch with an owner every few months for years after the purchase "
                "(customers who have not withdrawn consent to service contacts)."
            ),
            (
                Parameter(
                    "months", _("Every (months)"), _("A contact every this many months."), 6, 1, 24
                ),
                Parameter(
                    "years",
                    _("For (years)"),
                    _("For this many years after the purchase."),
                    5,
                    1,
                    10,
                ),
                Parameter(
                    "days",
                    _("Days of notice"),
                    _("The task appears this many days before it is due."),
                    7,
                    0,
                    20,
                ),
            ),
        ),
        RuleDefinition(
            RuleKey.PURCHASE_ANNIVERSARY,
            _(
                "Greet a current owner on the anniversary of their purchase (customers who "
                "have not withdrawn consent to service contacts)."
            ),
            (
                Parameter(
                    "days",
                    _("Days of notice"),
                    _("The task appears this many days before it is due."),
                    3,
                    0,
                    20,
                ),
            ),
            priority=TaskPriority.LOW,
        ),
        RuleDefinition(
            RuleKey.BIRTHDAY,
            _(
                "Birthday greetings to owners (customers who have not withdrawn consent to "
                "service contacts)."
            ),
            (
                Parameter(
                    "days",
                    _("Days of notice"),
                    _("The task appears this many days before it is due."),
                    3,
                    0,
                    20,
                ),
            ),
            priority=TaskPriority.LOW,
        ),
        RuleDefinition(
            RuleKey.REPURCHASE,
            _(
                "A repurchase offer when the owner's car reaches the age at which owners "
                "usually replace it (only customers who agreed to marketing)."
            ),
            (
                Parameter(
                    "years",
                    _("Replacement age (years)"),
                    _("The car's age, counted from the purchase, when the offer is made."),
                    5,
                    1,
                    20,
                ),
                Parameter(
                    "days",
                    _("Days of notice"),
                    _("The task appears this many days before it is due."),
                    30,
                    0,
                    90,
                ),
            ),
        ),
    )
}


def rule_label(key: str) -> str:
    """The rule's label for a task's ``source``; an unknown source is shown as it is."""
    return str(RuleKey(key).label) if key in RuleKey.values else key
