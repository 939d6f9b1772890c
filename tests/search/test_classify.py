"""How one search query is understood."""

from __future__ import annotations

import pytest

from autocrm.customers.lookup import Term, TermKind, classify

from .conftest import CREDIT_CODE, RESIDENT_ID, full_width


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("138 1234 5678", [Term(TermKind.PHONE, "+8613812345678")]),
        (full_width("13812345678"), [Term(TermKind.PHONE, "+8613812345678")]),
        ("+86 138-1234-5678", [Term(TermKind.PHONE, "+8613812345678")]),
        ("0086 13812345678", [Term(TermKind.PHONE, "+8613812345678")]),
        ("(010) 6552-9988", [Term(TermKind.PHONE, "+861065529988")]),
        ("lsgpc54u0tf123456", [Term(TermKind.VIN, "LSGPC54U0TF123456")]),
        ("123456", [Term(TermKind.VIN_TAIL, "123456")]),
        ("tf123456", [Term(TermKind.VIN_TAIL, "TF123456")]),
        ("沪A·12345", [Term(TermKind.PLATE, "沪A12345")]),
        ("沪a 12345", [Term(TermKind.PLATE, "沪A12345")]),
        ("粤B D12345", [Term(TermKind.PLATE, "粤BD12345")]),
        ("c123", [Term(TermKind.CUSTOMER_NUMBER, "C000000123")]),
        (RESIDENT_ID.lower(), [Term(TermKind.ID_NUMBER, RESIDENT_ID)]),
        (CREDIT_CODE, [Term(TermKind.CREDIT_CODE, CREDIT_CODE)]),
        ("zsf", [Term(TermKind.INITIALS, "zsf")]),
        ("张三丰", [Term(TermKind.NAME, "张三丰")]),
        ("張 三豐", [Term(TermKind.NAME, "张三丰")]),
        ("12", []),
        ("   ", []),
    ],
)
def test_classify(query: str, expected: list[Term]) -> None:
    assert classify(query) == expected
