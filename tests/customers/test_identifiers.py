"""Identifier validation with hypothesis: valid values pass in every accepted spelling, corrupted
ones fail with a message naming what is wrong."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from autocrm.customers import identifiers
from tests.customers.conftest import full_width

MOBILE_PREFIXES = ["130", "135", "138", "139", "150", "158", "186", "199"]

mobiles = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(MOBILE_PREFIXES),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
birth_dates = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2005, 12, 31))
resident_ids = st.builds(
    lambda born, sequence: (
        (body := f"110105{born:%Y%m%d}{sequence:03d}") + ric.calc_check_digit(body + "0")
    ),
    birth_dates,
    st.integers(min_value=0, max_value=999),
)


def _organisation_code(digits: str) -> str:
    """An organisation code (GB 11714): 8 digits and their check character."""
    total = sum(int(c) * w for c, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return digits + ("X" if check == 10 else "0" if check == 11 else str(check))


credit_codes = st.builds(
    lambda digits: (body := f"91310000{_organisation_code(digits)}") + uscc.calc_check_digit(body),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


def _spell(digits: str, style: int) -> str:
    """The same number as people type it."""
    return [
        digits,
        f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}",
        f"0086-{digits[:3]}-{digits[3:7]}-{digits[7:]}",
        full_width(digits),
        f"\uff08+86\uff09{digits}",
    ][style]


@given(mobiles, st.integers(min_value=0, max_value=4))
def test_mobiles_in_any_spelling_normalise_to_e164(digits: str, style: int) -> None:
    assert identifiers.normalise_phone(_spell(digits, style)) == f"+86{digits}"


@given(mobiles, st.sampled_from("a#x*"))
def test_a_phone_with_a_letter_names_the_character(digits: str, bad: str) -> None:
    with pytest.raises(ValidationError) as error:
        identifiers.normalise_phone(digits[:5] + bad + digits[5:])
    assert error.value.messages == [f"A phone number cannot contain “{bad}”."]


@given(resident_ids, st.booleans(), st.booleans())
def test_valid_id_numbers_pass_in_any_spelling(number: str, wide: bool, spaced: bool) -> None:
    typed = number.lower()
    if spaced:
        typed = f"{typed[:6]} {typed[6:14]}-{typed[14:]}"
    if wide:
        typed = full_width(typed)
    assert identifiers.validate_resident_id(typed) == number


@given(resident_ids, st.integers(min_value=0, max_value=10))
def test_a_wrong_check_digit_names_the_expected_one(number: str, shift: int) -> None:
    digits = "0123456789X"
    wrong = digits[(digits.index(number[-1]) + 1 + shift % 10) % 11]
    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id(number[:-1] + wrong)
    assert error.value.messages == [
        f"The check digit of this ID number should be {number[-1]}, not {wrong}."
    ]


@given(resident_ids, st.integers(min_value=0, max_value=16), st.sampled_from("A?Z"))
def test_a_bad_character_in_an_id_number_is_named(number: str, at: int, bad: str) -> None:
    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id(number[:at] + bad + number[at + 1 :])
    assert error.value.messages == [
        f"An ID number has 17 digits and a digit or X at the end; “{bad}” is not allowed."
    ]


def test_an_id_number_of_the_wrong_length_says_how_long_it_is() -> None:
    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id("11010519900307")
    assert error.value.messages == ["An ID number has 18 characters; this one has 14."]


@given(credit_codes, st.booleans())
def test_valid_credit_codes_pass(code: str, lower: bool) -> None:
    assert identifiers.validate_credit_code(code.lower() if lower else code) == code


@given(credit_codes)
def test_a_wrong_credit_code_check_character_is_named(code: str) -> None:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    wrong = alphabet[(alphabet.index(code[-1]) + 1) % len(alphabet)]
    with pytest.raises(ValidationError) as error:
        identifiers.validate_credit_code(code[:-1] + wrong)
    assert error.value.messages == [
        f"The check character of this credit code should be {code[-1]}, not {wrong}."
    ]
