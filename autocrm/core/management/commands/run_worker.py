from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the background task worker of the configured task backend: the database queue "
        "(db_worker) or Redis through RQ (rqworker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")

    def handle(self, *args: Any, burst: bool, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend == "django_tasks_rq.RQBackend":
            extra = ["--burst"] if burst else []
            call_command("rqworker", "default", "--job-class", "django_tasks_rq.Job", *extra)
        elif backend == "django_tasks_db.DatabaseBackend":
            call_command("db_worker", *(["--batch"] if burst else []))
        else:
            self.stderr.write(f"The task backend {backend} runs tasks without a worker.")
