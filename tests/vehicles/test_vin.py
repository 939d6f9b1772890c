"""VIN validation, property-based: valid VINs pass, corrupted OEM VINs name the expected check
digit, I/O/Q are refused with their position, other makers' mismatches are flagged."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from autocrm.vehicles.vin import check_digit, normalise_plate, validate_vin, with_check_digit

ALLOWED = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
OEM_WMIS = ["LSG", "LSJ"]

serials = st.text(alphabet=ALLOWED, min_size=14, max_size=14)


def oem_vin(wmi: str, rest: str) -> str:
    return with_check_digit(wmi + rest)


@given(wmi=st.sampled_from(OEM_WMIS), rest=serials)
def test_a_valid_oem_vin_passes_with_its_check_digit(wmi: str, rest: str) -> None:
    vin = oem_vin(wmi, rest)

    parsed = validate_vin(vin, oem_wmis=OEM_WMIS)

    assert parsed.value == vin
    assert parsed.check_digit_ok is True
    assert parsed.tail == vin[-6:]


@given(wmi=st.sampled_from(OEM_WMIS), rest=serials)
def test_spaces_dashes_lower_case_and_full_width_are_cleaned(wmi: str, rest: str) -> None:
    vin = oem_vin(wmi, rest)
    typed = f" {vin[:3].lower()}-{vin[3:9]} {vin[9:]} ".replace("0", "\uff10")  # full-width zero

    assert validate_vin(typed, oem_wmis=OEM_WMIS).value == vin


@given(
    wmi=st.sampled_from(OEM_WMIS),
    rest=serials,
    position=st.integers(min_value=3, max_value=16),
    replacement=st.sampled_from(ALLOWED),
)
def test_any_single_corruption_of_an_oem_vin_is_refused_naming_the_expected_digit(
    wmi: str, rest: str, position: int, replacement: str
) -> None:
    vin = oem_vin(wmi, rest)
    corrupted = vin[:position] + replacement + vin[position + 1 :]
    # Characters with the same transliterated value (A and J) do not change the sum.
    assume(check_digit(corrupted) != corrupted[8])

    with pytest.raises(ValidationError) as refused:
        validate_vin(corrupted, oem_wmis=OEM_WMIS)

    assert refused.value.code == "check_digit"
    message = refused.value.messages[0]
    assert f"should be {check_digit(corrupted)}, not {corrupted[8]}" in message


@given(
    rest=serials,
    position=st.integers(min_value=1, max_value=17),
    letter=st.sampled_from("IOQ"),
)
def test_i_o_and_q_are_refused_with_their_position(rest: str, position: int, letter: str) -> None:
    vin = oem_vin("LSG", rest)
    corrupted = vin[: position - 1] + letter + vin[position:]

    with pytest.raises(ValidationError) as refused:
        validate_vin(corrupted, oem_wmis=OEM_WMIS)

    assert refused.value.code == "forbidden_letter"
    assert f"letter {letter} (position {position})" in refused.value.messages[0]


@given(
    wmi=st.text(alphabet=ALLOWED, min_size=3, max_size=3).filter(lambda w: w not in OEM_WMIS),
    rest=serials,
)
def test_other_makers_wrong_check_digit_is_accepted_and_flagged(wmi: str, rest: str) -> None:
    right = check_digit(wmi + rest)
    wrong = "X" if right != "X" else "0"
    vin = wmi + rest[:5] + wrong + rest[6:]

    parsed = validate_vin(vin, oem_wmis=OEM_WMIS)

    assert parsed.value == vin
    assert parsed.check_digit_ok is False


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("LSGPC54U", "A VIN has 17 characters; this one has 8."),
        ("LSGPC54U0TF00000*", "“*” at position 17 is not allowed"),
    ],
)
def test_wrong_length_and_bad_characters_are_named(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_vin(raw, oem_wmis=OEM_WMIS)

    assert message in refused.value.messages[0]


def test_plates_are_stored_in_one_form() -> None:
    assert normalise_plate("沪a·12345") == normalise_plate("沪A 12345") == "沪A12345"
