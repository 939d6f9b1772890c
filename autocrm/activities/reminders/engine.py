"""Running the reminder rules: every enabled rule for a day (the daily run), or one rule for
one record (the events). Each rule is one or a few ``INSERT ... SELECT`` statements; tasks are
deduplicated by the database, so any run may be repeated (a retry, a second click, the daily
run after the event) without creating anything twice.

Tasks a rule creates have no ``created_by`` and no audit entry each (they are bulk rows, like
seeded ones); their ``source`` names the rule and ``source_key`` the record and occurrence.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from autocrm.activities.models import ReminderRule, Task
from autocrm.activities.reminders import lead_rules, owner_rules
from autocrm.activities.reminders.building import RunContext
from autocrm.activities.reminders.inserting import Batch, insert_tasks, without_jit
from autocrm.activities.reminders.keys import RuleKey
from autocrm.activities.reminders.settings import rule_settings
from autocrm.core.bulkload import analyze

logger = logging.getLogger("autocrm.reminders")

BUILDERS: dict[str, Callable[..., list[Batch]]] = {
    RuleKey.LEAD_TIMEFRAME: lead_rules.timeframe_batches,
    RuleKey.LEAD_REVIEW: lead_rules.review_batches,
    RuleKey.LEAD_CONTACT: lead_rules.contact_batches,
    RuleKey.INACTIVITY: lead_rules.inactivity_batches,
    RuleKey.AFTER_DELIVERY: owner_rules.after_delivery_batches,
    RuleKey.LOYALTY_CONTACT: owner_rules.loyalty_contact_batches,
    RuleKey.PURCHASE_ANNIVERSARY: owner_rules.anniversary_batches,
    RuleKey.BIRTHDAY: owner_rules.birthday_batches,
    RuleKey.REPURCHASE: owner_rules.repurchase_batches,
}


@dataclass
class RuleOutcome:
    key: str
    created: int = 0
    seconds: float = 0.0
    skipped: bool = False  # disabled


@dataclass
class RunOutcome:
    today: datetime.date
    rules: list[RuleOutcome] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(rule.created for rule in self.rules)

    @property
    def seconds(self) -> float:
        return sum(rule.seconds for rule in self.rules)


# A rule that created this many tasks refreshes the task table's statistics.
ANALYZE_AFTER = 10_000
# Rules whose daily run looks ahead by their notice days.
OCCURRENCE_RULES = frozenset(
    {RuleKey.LOYALTY_CONTACT, RuleKey.PURCHASE_ANNIVERSARY, RuleKey.BIRTHDAY, RuleKey.REPURCHASE}
)


def run_rule(
    key: str,
    *,
    today: datetime.date | None = None,
    restrict: dict[str, Any] | None = None,
    full: bool = False,
    **options: Any,
) -> RuleOutcome:
    """Run one rule (if enabled) for ``today`` (the local day), narrowed to the records
    ``restrict`` selects; returns how many tasks were new. Task titles are written in the
    site's default language."""
    setting = rule_settings()[key]
    outcome = RuleOutcome(key)
    if not setting.enabled:
        outcome.skipped = True
        return outcome
    context = RunContext(today or timezone.localdate(), setting, restrict or {}, full)
    started_at = timezone.now()
    started = time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        without_jit()
        for batch in BUILDERS[key](context, **options):
            outcome.created += insert_tasks(key, batch)
        if not restrict:
            covered = context.today
            if key in OCCURRENCE_RULES:
                covered += datetime.timedelta(days=context.number("days"))
            # Never backwards: a run for an earlier day (a backfill) keeps what was covered.
            ReminderRule.objects.filter(pk=setting.pk).filter(
                Q(covered_until__isnull=True) | Q(covered_until__lt=covered)
            ).update(covered_until=covered, last_run_at=started_at)
    outcome.seconds = time.perf_counter() - started
    return outcome


def run_reminders(
    *,
    today: datetime.date | None = None,
    only: list[str] | None = None,
    full: bool = False,
    progress: Callable[[RuleOutcome, int, int], None] | None = None,
) -> RunOutcome:
    """The daily run: every enabled rule (or those in ``only``) for ``today``, each in its own
    transaction. ``full`` looks at each rule's whole window again (after a settings change or
    a data repair); the unique keys keep what exists from being created twice."""
    today = today or timezone.localdate()
    keys = [key for key in BUILDERS if not only or key in only]
    result = RunOutcome(today)
    for index, key in enumerate(keys, start=1):
        outcome = run_rule(key, today=today, full=full)
        if outcome.created >= ANALYZE_AFTER:
            # The next rules plan by the task table's statistics: a table that grew by
            # hundreds of thousands of rows (the first run) but is still estimated as it was
            # makes PostgreSQL probe it with a loop of sequential scans.
            analyze([Task])
        result.rules.append(outcome)
        logger.info("reminders %s %s: %d new in %.2f s", today, key, outcome.created,
                    outcome.seconds)  # fmt: skip
        if progress is not None:
            progress(outcome, index, len(keys))
    return result


# What changes of a lead give it a (new) timeframe treatment.
LEAD_FIELDS_TREATED = frozenset({"timeframe", "salesperson", "status"})


def on_lead_saved(
    sender: Any, *, lead: Any, created: bool, changed: Any = (), **kwargs: Any
) -> None:
    """``sales.signals.lead_saved``: a new lead, or one whose timeframe or salesperson changed,
    gets its timeframe treatment now (in the lead's transaction)."""
    if created or LEAD_FIELDS_TREATED.intersection(changed or ()):
        run_rule(RuleKey.LEAD_TIMEFRAME, restrict={"pk": lead.pk})


def on_vehicle_delivered(
    sender: Any,
    *,
    ownership: Any,
    salesperson: Any = None,
    delivered_on: datetime.date | None = None,
    **kwargs: Any,
) -> None:
    """``orders.signals.vehicle_delivered``: the visit or call within a month, for the
    delivering salesperson (in the delivery's transaction)."""
    run_rule(
        RuleKey.AFTER_DELIVERY,
        restrict={"pk": ownership.pk},
        salesperson_id=getattr(salesperson, "pk", None),
        delivered_on=delivered_on or ownership.started_on,
    )
