"""``manage.py run_reminders [--date YYYY-MM-DD] [--rule KEY ...] [--full] [--enqueue]``: the
daily run of the reminder rules, for a scheduler (cron, a systemd timer) to start each night."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autocrm.activities.reminders.keys import RuleKey
from autocrm.core.channels import Channel, working_through


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Run the reminder rules for a day (default: today, local time): each enabled rule "
        "creates the tasks that are due; running it again creates nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, help="the day to run for (YYYY-MM-DD)")
        parser.add_argument(
            "--rule", action="append", choices=RuleKey.values, help="only this rule (repeatable)"
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="look at each rule's whole window again, not only what came since the last run",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="hand the run to the background worker instead of running it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: datetime.date | None = options["date"]
        if options["enqueue"]:
            from autocrm.activities.reminders.jobs import run_daily_reminders

            run_daily_reminders.enqueue(day.isoformat() if day else None)
            self.stdout.write("Reminder run queued.")
            return
        from autocrm.activities.reminders.engine import run_reminders

        with working_through(Channel.SYSTEM):
            result = run_reminders(today=day, only=options["rule"], full=options["full"])
        for outcome in result.rules:
            state = "disabled" if outcome.skipped else f"{outcome.created} new"
            self.stdout.write(f"{outcome.key}: {state} ({outcome.seconds:.2f} s)")
        self.stdout.write(
            f"Reminders for {result.today.isoformat()}: {result.created} new tasks "
            f"in {result.seconds:.1f} s."
        )
