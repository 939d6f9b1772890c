from __future__ import annotations

import datetime
from typing import Any

import pytest

from autocrm.customers.identifiers import encrypt_identifier, identifier_hash, mask_resident_id
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    OwnershipFactory,
    PhoneFactory,
    VehicleFactory,
    oem_vin,
)

RESIDENT_ID = "11010519491231002X"
CREDIT_CODE = "91350100M000100Y43"


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def people(network: dict[str, Any]) -> dict[str, Any]:
    """张三丰 of the east dealer (mobile 13812345678, an ID number, a car with plate 沪A12345),
    a company of the east dealer, and 李四 of the west dealer (mobile 13987654321, a car)."""
    zhang = CustomerFactory(
        name="张三丰",
        dealers=[network["east_dealer"]],
        id_number_encrypted=encrypt_identifier(RESIDENT_ID),
        id_number_hash=identifier_hash(RESIDENT_ID),
        id_number_masked=mask_resident_id(RESIDENT_ID),
    )
    PhoneFactory(customer=zhang, value="138 1234 5678")
    car = VehicleFactory(vin=oem_vin(123456), vin_tail=oem_vin(123456)[-6:], plate="沪A12345")
    OwnershipFactory(customer=zhang, vehicle=car, started_on=datetime.date(2024, 5, 1))
    company = CustomerFactory(
        name="福州测试有限公司",
        kind="company",
        credit_code=CREDIT_CODE,
        dealers=[network["east_dealer"]],
    )
    li = CustomerFactory(name="李四", dealers=[network["west_dealer"]])
    PhoneFactory(customer=li, value="13987654321")
    li_car = VehicleFactory(vin=oem_vin(654321), vin_tail=oem_vin(654321)[-6:], plate="川A54321")
    OwnershipFactory(customer=li, vehicle=li_car, started_on=datetime.date(2023, 1, 1))
    for n in range(5):
        InteractionFactory(
            customer=zhang,
            occurred_at=datetime.datetime(2026, 1, 1 + n, 9, tzinfo=datetime.UTC),
            subject=f"来电{n}",
        )
    return {"zhang": zhang, "car": car, "company": company, "li": li, "li_car": li_car}


def full_width(text: str) -> str:
    """``text`` with its digits and Latin letters typed in full width (as Chinese IMEs do)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)
