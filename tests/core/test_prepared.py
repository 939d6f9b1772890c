"""Fixed statements on hot paths run prepared on PostgreSQL and stay visible in the query log."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.core.prepared import prepared_cursor
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SQL = "SELECT name FROM customers_customer WHERE id = %s"


def test_a_repeated_statement_answers_right_and_is_logged_every_time() -> None:
    customers = [CustomerFactory(name=f"客户{n}") for n in range(8)]

    with CaptureQueriesContext(connection) as queries:
        names = []
        for customer in customers:
            with prepared_cursor() as cursor:
                cursor.execute(SQL, [customer.pk])
                names.append(cursor.fetchone()[0])

    assert names == [f"客户{n}" for n in range(8)]
    assert len(queries) == 8
    assert all("customers_customer" in query["sql"] for query in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_postgresql_prepares_the_statement_after_a_few_runs() -> None:
    customer = CustomerFactory()
    for _ in range(6):
        with prepared_cursor() as cursor:
            cursor.execute(SQL, [customer.pk])
            cursor.fetchall()

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("customers_customer WHERE id = $1" in statement for statement in prepared)
