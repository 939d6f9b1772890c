"""Turning a rule's queryset into tasks with one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``
(SQLite and PostgreSQL): no rows travel through Python, and a task whose ``dedupe_key`` exists
already is skipped by the unique constraint, so running a rule twice inserts nothing new.

A rule's queryset annotates each candidate row with the columns below (``TASK_COLUMNS``); the
insert adds the constants, the assignee's dealer (the task's scope) and the keys
(``dedupe_key = "<source>:<source_key>"``), and leaves out rows without an active assignee.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.activities.choices import TaskStatus
from autocrm.activities.models import Task

# What a rule's queryset annotates: r_<name> for each of these.
TASK_COLUMNS = (
    "title",
    "kind",
    "priority",
    "due_on",
    "assignee",
    "customer",
    "vehicle",
    "source_key",
)


@dataclass(frozen=True)
class Batch:
    """One insert of a rule: ``rows`` annotated with ``r_<column>``. With ``to_managers`` the
    tasks go to every active dealer manager of the dealer in ``r_record_dealer`` instead of
    ``r_assignee`` (one task each, the manager's id appended to the source key)."""

    rows: QuerySet[Any]
    to_managers: bool = False


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def without_jit() -> None:
    """PostgreSQL's JIT compiles these one-off statements for 2-3 s each (measured on the
    large data) and gains nothing back: turn it off for the run's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def insert_tasks(source: str, batch: Batch) -> int:
    """Insert the batch's tasks; returns how many were new."""
    names = [f"r_{column}" for column in TASK_COLUMNS]
    if batch.to_managers:
        names.append("r_record_dealer")
    # No ORDER BY: the models' default orderings would make PostgreSQL walk an index or sort.
    inner, inner_params = batch.rows.order_by().values(*names).query.sql_with_params()
    task = Task._meta
    user = _quote(User._meta.db_table)
    if batch.to_managers:
        assignee = "u.id"
        source_key = "src.r_source_key || ':' || CAST(u.id AS VARCHAR(20))"
        join = (
            f"JOIN {user} u ON u.dealer_id = src.r_record_dealer AND u.role = %s "
            "AND u.is_active = %s"
        )
        join_params: list[Any] = [Role.DEALER_MANAGER, True]
    else:
        assignee = "src.r_assignee"
        source_key = "src.r_source_key"
        join = f"JOIN {user} u ON u.id = src.r_assignee AND u.is_active = %s"
        join_params = [True]
    columns = [
        "title", "notes", "kind", "priority", "due_on", "status", "assignee_id", "dealer_id",
        "customer_id", "vehicle_id", "source", "source_key", "dedupe_key", "outcome",
        "created_at", "version",
    ]  # fmt: skip
    values = [
        "src.r_title", "%s", "src.r_kind", "src.r_priority", "src.r_due_on", "%s", assignee,
        "u.dealer_id", "src.r_customer", "src.r_vehicle", "%s", source_key,
        f"%s || {source_key}", "%s", "%s", "1",
    ]  # fmt: skip
    value_params: list[Any] = ["", TaskStatus.OPEN, source, f"{source}:", "", timezone.now()]
    sql = (
        f"INSERT INTO {_quote(task.db_table)} ({', '.join(_quote(c) for c in columns)}) "
        f"SELECT {', '.join(values)} FROM ({inner}) src {join} WHERE TRUE "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*value_params, *inner_params, *join_params])
        return max(cursor.rowcount, 0)
