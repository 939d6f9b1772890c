"""The daily reminder run over the whole dataset: time per rule and in all, for the first run
ever (the backlog), the next day's run, that day again (nothing new) and a full re-scan (every
rule's whole window again, each task refused by its unique key). In this process, against the
bench database, like ``manage.py run_reminders``. Budget: under 60 s on PostgreSQL at 1 M
customers / 1.2 M vehicles / 200,000 open leads.

Standalone: ``DATABASE_URL=... python -m bench.reminders [YYYY-MM-DD]``.
"""

from __future__ import annotations

import datetime
import os
import sys
from typing import Any

TITLE = "Daily reminder run"


def _runs(today: datetime.date) -> list[Any]:
    """The backlog (the first run ever, for the day before), then the day's run, the same day
    again, and a full re-scan."""
    from autocrm.activities.reminders.engine import run_reminders

    return [
        run_reminders(today=today - datetime.timedelta(days=1)),
        run_reminders(today=today),
        run_reminders(today=today),
        run_reminders(today=today, full=True),
    ]


def _counts() -> dict[str, int]:
    from autocrm.activities.models import Task
    from autocrm.customers.models import Customer
    from autocrm.sales.choices import OPEN_STATUSES
    from autocrm.sales.models import Lead
    from autocrm.vehicles.models import Ownership, Vehicle

    return {
        "customers": Customer.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "current owners": Ownership.objects.filter(role="owner", ended_on__isnull=True).count(),
        "open leads": Lead.objects.filter(status__in=OPEN_STATUSES).count(),
        "tasks before": Task.objects.count(),
    }


def measure(bench: Any = None, today: datetime.date | None = None) -> dict[str, Any]:
    from django.utils import timezone

    from autocrm.activities.reminders.rules import rule_label

    today = today or timezone.localdate()
    counts = _counts()
    runs = _runs(today)
    rows = []
    for outcomes in zip(*(run.rules for run in runs), strict=True):
        row = [rule_label(outcomes[0].key)]
        for outcome in outcomes:
            row += [f"{outcome.created:,}", f"{outcome.seconds:.2f} s"]
        rows.append(row)
    total = ["**all rules**"]
    for run in runs:
        total += [f"{run.created:,}", f"**{run.seconds:.2f} s**"]
    rows.append(total)
    described = ", ".join(f"{value:,} {name}" for name, value in counts.items())
    return {
        "title": TITLE,
        "description": (
            f"`run_reminders` over {described}: every rule as INSERT ... SELECT ... ON CONFLICT "
            "DO NOTHING, consent checked in SQL. *Backlog*: the first run ever (for the day "
            f"before {today.isoformat()}), creating the tasks of every open lead and every "
            "occurrence of the catch-up week at once; *daily*: the next day's run (new periods, "
            "new occurrences, new quiet leads); *again*: the same day a second time (each rule "
            "reads only what came after its last run: nothing new); *full*: every rule's whole "
            "window again, the unique dedupe key refusing every task that exists. Budget: the "
            "daily run under 60 s on PostgreSQL."
        ),
        "header": [
            "rule",
            "backlog: new",
            "backlog",
            "daily: new",
            "daily",
            "again: new",
            "again",
            "full: new",
            "full",
        ],
        "rows": rows,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autocrm.settings")
    import django

    django.setup()
    today = datetime.date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else None
    section = measure(None, today)
    print(section["description"])
    for row in [section["header"], *section["rows"]]:
        print(" | ".join(str(cell) for cell in row))


if __name__ == "__main__":
    main()
