"""Bulk loads without indexes: the definitions come back exactly, and they still guard the data."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from autocrm.core.bulkload import BulkWriter, indexes_deferred
from autocrm.customers.models import ContactPoint, Customer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="indexes are only deferred on PostgreSQL"
    ),
]

TABLES = [Customer._meta.db_table, ContactPoint._meta.db_table]


def _definitions() -> set[Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [TABLES]
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [TABLES],
        )
        return indexes | set(cursor.fetchall())


def test_the_indexes_and_constraints_come_back_as_they_were() -> None:
    before = _definitions()
    assert any("UNIQUE" in str(row) for row in before)
    with transaction.atomic(), indexes_deferred([Customer, ContactPoint]):
        during = _definitions()
        _load_full("C900000001")
    assert _definitions() == before
    # only the primary keys (and the cheap CHECK constraints) stayed during the load
    kept = {name for name, definition in during if not definition.startswith("CHECK")}
    assert kept == {f"{table}_pkey" for table in TABLES}


def test_a_load_that_breaks_a_unique_constraint_fails_and_leaves_nothing() -> None:
    before = _definitions()
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        indexes_deferred([Customer, ContactPoint]),
    ):
        _load_full("C900000001", "C900000001")
    assert _definitions() == before
    assert not Customer.objects.filter(number="C900000001").exists()


def _load_full(*numbers: str) -> None:
    """Customers with every NOT NULL column, as the demo seeder writes them."""
    from autocrm.customers.seeds import _CUSTOMER_COLUMNS

    now = "2026-01-01 00:00:00+00"
    defaults: dict[str, Any] = {
        "kind": "individual", "name": "测试", "name_folded": "测试", "name_initials": "cs",
        "status": "prospect", "purchase_type": "private", "interest_level": "",
        "owner_club_member": False, "owner_club_since": None, "manager_id": None,
        "city_id": None, "gender": "", "birth_date": None, "marital_status": "",
        "household_size": None, "family_notes": "", "occupation": "", "nationality": "",
        "education": "", "income_band": "", "hobbies": "", "lifestyle": "",
        "id_number_encrypted": "", "id_number_hash": "", "id_number_masked": "",
        "credit_code": None, "industry": "", "company_size": "", "preferred_channel": "",
        "preferred_time": "any", "max_contacts_per_month": None, "notes": "",
        "merged_into_id": None, "is_active": True, "version": 1, "created_at": now,
        "updated_at": now,
    }  # fmt: skip
    customers = BulkWriter(Customer, _CUSTOMER_COLUMNS)
    for offset, number in enumerate(numbers):
        row = {**defaults, "id": 900_000 + offset, "number": number}
        customers.add(*(row[column] for column in _CUSTOMER_COLUMNS))
    customers.flush()
