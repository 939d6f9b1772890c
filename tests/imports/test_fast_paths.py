"""The import's fast paths give exactly the answers of the general rules they stand in for: a
value is understood alike by the import, the pages and the API."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from autocrm.customers import identifiers
from autocrm.imports import normalising
from autocrm.vehicles.vin import validate_vin, with_check_digit


def _wide(text: str) -> str:
    """The full-width forms of ASCII characters (the ideographic space for a space)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


FULL_WIDTH = str.maketrans("0123456789+-() ", _wide("0123456789+-() "))


def _full_rules_mobile(raw: str) -> str | None:
    try:
        number = identifiers.normalise_phone(raw)
    except ValidationError:
        return None
    return number if identifiers.is_mobile(number) else None


@st.composite
def typed_mobiles(draw: st.DrawFn) -> str:
    """Numbers the way people type them: prefixes, separators, full width, odd lengths."""
    digits = draw(st.text("0123456789", min_size=9, max_size=12))
    national = draw(st.sampled_from(["1", "1", "1", "0", "2"])) + digits
    pieces = [draw(st.sampled_from(["", "", "+86", "0086", "86", "+86 ", "(+86)", "+1"]))]
    for digit in national:
        pieces.append(draw(st.sampled_from(["", "", "", " ", "-", "(", ")", "\u00a0", "."])))
        pieces.append(digit)
    text = "".join(pieces)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if draw(st.integers(0, 9)) == 0:
        text = text.replace("3", "٣")  # another script's digit
    return text


@settings(max_examples=1500, deadline=None)
@given(typed_mobiles())
def test_the_mobile_fast_path_agrees_with_the_full_rules(raw) -> None:
    fast = identifiers.mobile_e164_fast(raw)
    assert fast is None or fast == _full_rules_mobile(raw)


@pytest.mark.parametrize(
    "raw",
    ["13812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678", "8613812345678",
     _wide("13812345678"), "(+86)13812345678", "17400512345", "16101234567"],
)  # fmt: skip
def test_plain_mobiles_take_the_fast_path(raw) -> None:
    assert identifiers.mobile_e164_fast(raw) == _full_rules_mobile(raw) is not None


def test_numbers_the_fast_path_leaves_get_the_full_rules_answer_and_message() -> None:
    with pytest.raises(ValidationError, match="not a valid Chinese mobile number"):
        normalising._mobile("12012345678")
    with pytest.raises(ValidationError, match="is not a mobile number"):
        normalising._mobile("010-65123456")


NAME_CHARACTERS = "张王李趙錢孫三丰曾单重庆长乐行银导入客户 ·.ab12乐乐乐" + _wide("ABMary")


@settings(max_examples=800, deadline=None)
@given(st.text(NAME_CHARACTERS, max_size=12))
def test_name_forms_are_those_of_fold_name_and_name_initials(name) -> None:
    assert identifiers.name_forms_cached(name) == (
        identifiers.fold_name(name),
        identifiers.name_initials(name),
    )


# Traditional characters, words zhconv converts as a whole (乾隆, 易經·乾), and the
# punctuation its words contain.
SCRIPT_CHARACTERS = "乾隆易經经·。\uff0c「」『』《幹什麼干髮發头頭后後里裡面麵王二ab 12"


@settings(max_examples=1500, deadline=None)
@given(st.text(SCRIPT_CHARACTERS, max_size=12))
def test_converting_run_by_run_gives_the_whole_texts_conversion(text) -> None:
    assert identifiers.to_simplified(text) == identifiers.convert_script(text, "zh-hans")


@settings(max_examples=500, deadline=None)
@given(st.dates(min_value=datetime.date(1900, 1, 1)), st.sampled_from(["%Y-%m-%d", "%Y-%m-%-d"]))
def test_dates_parse_as_before(date, layout) -> None:
    text = date.strftime(layout)
    assert normalising.parse_date(text) == date


@pytest.mark.parametrize("text", ["2024-02-30", "2024-13-01", "0000-01-01"])
def test_impossible_iso_dates_still_get_the_message(text) -> None:
    with pytest.raises(ValidationError, match="is not a date"):
        normalising.parse_date(text)


@settings(max_examples=500, deadline=None)
@given(st.text("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=17, max_size=17), st.booleans())
def test_plain_vins_read_as_validate_vin_reads_them(body, correct) -> None:
    vin = with_check_digit(body) if correct else body
    try:
        expected = validate_vin(vin)
    except ValidationError:
        with pytest.raises(ValidationError):
            normalising._vin(vin)
        return
    assert normalising._vin(vin) == {
        "vin": expected.value,
        "vin_check_digit_ok": expected.check_digit_ok,
    }


def test_the_row_hash_is_the_one_earlier_imports_stored() -> None:
    """A file imported before this version is still "unchanged" when imported again."""
    row = normalising.normalise_row(
        1,
        ["K1", "張三", "13800000003", "11010519491231002X"],
        ["客户编号", "姓名", "手机", "身份证号"],
        {"客户编号": "key", "姓名": "name", "手机": "mobile", "身份证号": "id_number"},
    )

    text = json.dumps(row.values, sort_keys=True, ensure_ascii=False)
    assert row.row_hash == hashlib.sha256(text.encode()).hexdigest()
    assert row.values == {
        "name": "張三",
        "mobile": "+8613800000003",
        "id_number": "11010519491231002X",
        "kind": "individual",
        "name_folded": "张三",
        "birth_date": "1949-12-31",
        "gender": "female",
    }
    assert (row.name_initials, row.id_number_hash) == (
        "zs",
        identifiers.identifier_hash("11010519491231002X"),
    )
    assert identifiers.decrypt_identifier(row.id_number_encrypted) == "11010519491231002X"
