""" "My day" for the busiest salesperson (the most open tasks due today or overdue, after the
reminder rules ran over the whole dataset): the page, the same list through the API, and the
dealer manager's team view, with the bare SQL of the personal list.

Standalone (against a running server): ``DATABASE_URL=... python -m bench.my_day HOST:PORT``.
"""

from __future__ import annotations

import sys
from typing import Any

from bench.customer_360 import session_cookie
from bench.harness import http_get, load, milliseconds, not_available, route_exists, time_sql

TITLE = '"My day" at size'
PAGE = "/activities/my-day/"
API = "/api/v1/tasks"


def busiest_salesperson() -> tuple[Any, int] | None:
    """The salesperson with the most open tasks due up to today, and that number."""
    from django.db.models import Count
    from django.utils import timezone

    from autocrm.accounts.choices import Role
    from autocrm.activities.models import Task

    row = (
        Task.objects.filter(
            status="open", due_on__lte=timezone.localdate(), assignee__role=Role.SALESPERSON
        )
        .values("assignee")
        .annotate(count=Count("pk"))
        .order_by("-count")
        .first()
    )
    if row is None:
        return None
    from autocrm.accounts.models import User

    return User.objects.get(pk=row["assignee"]), row["count"]


def _timings(address: str, path: str, headers: dict[str, str], marker: bytes, total: int) -> Any:
    def request() -> None:
        status, body = http_get(address, path, headers)
        if status != 200 or marker not in body:
            raise RuntimeError(f"{path} answered {status}: {body[:200]!r}")

    return load(request, total=total, concurrency=1, warm_up=5)


def _bare_sql(user: Any) -> Any:
    """The personal list's query as the page sends it, without HTTP, Django or rendering."""
    from django.utils import timezone

    from autocrm.activities.planning import MY_DAY_ROW_LIMIT, _day_order, tasks_visible

    today = timezone.localdate()
    rows = tasks_visible(user).filter(assignee_id=user.pk, status="open", due_on__lte=today)
    first = _day_order(rows, today)[: MY_DAY_ROW_LIMIT + 1]  # as the page asks
    sql, params = first.query.sql_with_params()
    return time_sql(sql, params, total=200)


def measure(bench: Any) -> dict[str, Any]:
    from django.utils import timezone

    from autocrm.accounts.choices import Role
    from autocrm.accounts.models import User
    from autocrm.activities.planning import MY_DAY_ROW_LIMIT, TEAM_TASK_LIMIT

    if not route_exists(PAGE) or not route_exists(API):
        return not_available(TITLE, "The my-day page or the task API is missing.")
    found = busiest_salesperson()
    if found is None:
        return not_available(TITLE, "No salesperson has open tasks (run the reminder rules).")
    user, count = found
    manager = User.objects.filter(
        dealer_id=user.dealer_id, role=Role.DEALER_MANAGER, is_active=True
    ).first()
    total = max(50, bench.requests // 10)
    page_headers = {"Cookie": session_cookie(user.username), "Accept-Language": "zh-hans"}
    page = _timings(bench.address, PAGE, page_headers, b'data-testid="task-row"', total)
    today = timezone.localdate().isoformat()
    api_path = f"{API}?mine=true&status=open&due_until={today}&limit=100"
    api_headers = {"Authorization": f"Bearer {bench.token(user.username)}"}
    api = _timings(bench.address, api_path, api_headers, b'"items"', total)
    rows = [
        ["page (salesperson)", milliseconds(page.p50), milliseconds(page.percentile(0.95)),
         milliseconds(page.p99)],
        ["API, first 100 (salesperson)", milliseconds(api.p50),
         milliseconds(api.percentile(0.95)), milliseconds(api.p99)],
    ]  # fmt: skip
    if manager is not None:
        team_headers = {"Cookie": session_cookie(manager.username), "Accept-Language": "zh-hans"}
        team = _timings(bench.address, f"{PAGE}?view=team", team_headers, b"task-row", total)
        rows.append(["team view (dealer manager)", milliseconds(team.p50),
                     milliseconds(team.percentile(0.95)), milliseconds(team.p99)])  # fmt: skip
    bare = _bare_sql(user)
    rows.append(["bare SQL: the personal list", milliseconds(bare.p50),
                 milliseconds(bare.percentile(0.95)), milliseconds(bare.p99)])  # fmt: skip
    return {
        "title": TITLE,
        "description": (
            f"`GET {PAGE}` for the salesperson with the most open tasks due today or overdue "
            f"({count:,}, after the daily reminder run over the whole dataset), `GET {API}` "
            "with the same filters (first 100 by due date) with a bearer token, and the dealer "
            f"manager's team view (at most {TEAM_TASK_LIMIT} tasks; the page draws the "
            f"{MY_DAY_ROW_LIMIT} most urgent); {total} requests each from one client "
            "on loopback (the server's whole time). Budget: under 150 ms."
        ),
        "header": ["", "p50", "p95", "p99"],
        "rows": rows,
    }


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autocrm.settings")
    django.setup()
    from bench.run import Bench

    environment = dict(os.environ)
    section = measure(Bench(sys.argv[1], environment, 500, 1))
    print(section["description"])
    for row in [section["header"], *section["rows"]]:
        print(" | ".join(row))


if __name__ == "__main__":
    main()
