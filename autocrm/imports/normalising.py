"""One source row in, its normalised values (or the reasons it cannot be used) out.

The same rules as the pages and the API (``customers.identifiers``, ``vehicles.vin``), so a value
is understood alike everywhere. A row with any error is not imported at all.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from autocrm.customers import identifiers
from autocrm.imports.columns import KEY
from autocrm.vehicles.vin import check_digit, normalise_plate, validate_vin

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_GENDERS = {
    "男": "male",
    "m": "male",
    "male": "male",
    "女": "female",
    "f": "female",
    "female": "female",
}


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class Incoming:
    """A usable source row: its values as they will be stored, and how to recognise it."""

    row: int
    key: str
    values: dict[str, Any]
    row_hash: str
    errors: list[RowError] = field(default_factory=list)
    # Stored forms derived from the values, outside the row hash; computed while normalising
    # (possibly in the reading process), so that writing only copies them.
    name_initials: str = ""
    id_number_hash: str = ""
    id_number_encrypted: str = ""

    @property
    def name_folded(self) -> str:
        return str(self.values.get("name_folded", ""))

    def __reduce__(self) -> tuple[Any, ...]:
        # Chunks cross from the reading process as plain tuples: a third cheaper to unpickle.
        return (
            Incoming,
            (
                self.row,
                self.key,
                self.values,
                self.row_hash,
                self.errors,
                self.name_initials,
                self.id_number_hash,
                self.id_number_encrypted,
            ),
        )

    @cached_property
    def fingerprint(self) -> str:
        """The incoming identity (folded name, mobile, address), for the review queue."""
        parts = [self.name_folded, self.values.get("mobile", ""), self.values.get("address", "")]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@lru_cache(maxsize=65536)
def parse_date(raw: str) -> datetime.date:
    """A date in one of the forms people write (a file repeats the same dates: remembered)."""
    if _ISO_DATE.fullmatch(raw):
        try:  # what strptime("%Y-%m-%d") answers, a good deal faster
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass
    text = identifiers.fold_width(raw).strip()
    text = text.split("T")[0].split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text) else text
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": raw}, code="date"
    )


def _gender(raw: str) -> str:
    gender = _GENDERS.get(identifiers.fold_width(raw).strip().lower())
    if gender is None:
        raise ValidationError(_("“%(value)s” is not a gender: use 男 or 女.") % {"value": raw})
    return gender


def _mobile(raw: str) -> str:
    number = identifiers.mobile_e164_fast(raw)  # the common case without a full parse per row
    if number is not None:
        return number
    number = identifiers.normalise_phone(raw)
    if not identifiers.is_mobile(number):
        raise ValidationError(_("%(value)s is not a mobile number.") % {"value": raw})
    return number


# field -> function(raw) -> {stored name: value}; each raises ValidationError with the reason.
def _rules() -> dict[str, Any]:
    return {
        "name": lambda raw: {"name": raw.strip()[:200]},
        "company_name": lambda raw: {"company_name": raw.strip()[:200]},
        "mobile": lambda raw: {"mobile": _mobile(raw)},
        "phone": lambda raw: {"phone": identifiers.normalise_phone(raw), "phone_raw": raw.strip()},
        "email": lambda raw: {"email": identifiers.normalise_email(raw)},
        "address": lambda raw: {
            "address": identifiers.normalise_handle(raw)[:255],
            "address_raw": raw.strip()[:255],
        },
        "id_number": lambda raw: {"id_number": identifiers.validate_resident_id(raw)},
        "credit_code": lambda raw: {"credit_code": identifiers.validate_credit_code(raw)},
        "gender": lambda raw: {"gender": _gender(raw)},
        "birth_date": lambda raw: {"birth_date": parse_date(raw).isoformat()},
        "vin": lambda raw: _vin(raw),
        "engine_number": lambda raw: {"engine_number": identifiers.fold_width(raw).strip()[:30]},
        "model_code": lambda raw: {"model_code": identifiers.fold_width(raw).strip().upper()},
        "plate": lambda raw: {"plate": normalise_plate(raw)[:16]},
        "purchase_date": lambda raw: {"purchase_date": parse_date(raw).isoformat()},
        "dealer_code": lambda raw: {"dealer_code": identifiers.fold_width(raw).strip().upper()},
    }


_PLAIN_VIN = re.compile(r"[0-9A-HJ-NPR-Z]{17}")


def _vin(raw: str) -> dict[str, Any]:
    if _PLAIN_VIN.fullmatch(raw) and check_digit(raw) == raw[8]:
        # What validate_vin answers for a clean VIN with the right check digit, without
        # its character-by-character walk.
        return {"vin": raw, "vin_check_digit_ok": True}
    vin = validate_vin(raw)
    return {"vin": vin.value, "vin_check_digit_ok": vin.check_digit_ok}


_RULES = _rules()
# The row hash is over this exact text (what json.dumps(values, sort_keys=True,
# ensure_ascii=False) writes): rows imported before must keep their hash, or a re-import
# would see every row as changed.
_ROW_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def normalise_row(
    number: int, cells: list[str], headers: list[str], mapping: dict[str, str]
) -> Incoming:
    """Normalise one data row (``number`` counts from 1, the header not included)."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    key = ""
    for position, header in enumerate(headers):
        target = mapping.get(header)
        raw = cells[position].strip() if position < len(cells) else ""
        if not target or not raw:
            continue
        if target == KEY:
            key = raw[:100]
            continue
        try:
            values.update(_RULES[target](raw))
        except ValidationError as error:
            errors.append(RowError(number, header, raw, " ".join(error.messages)))
    _complete(number, values, errors, mapping)
    digest = hashlib.sha256(_ROW_JSON.encode(values).encode()).hexdigest()
    incoming = Incoming(
        row=number, key=key or str(number), values=values, row_hash=digest, errors=errors
    )
    if not errors:
        incoming.name_initials = identifiers.name_forms_cached(values["name"])[1]
        id_number = values.get("id_number")
        if id_number:
            incoming.id_number_hash = identifiers.identifier_hash(id_number)
            incoming.id_number_encrypted = identifiers.encrypt_identifier(id_number)
    return incoming


def _complete(
    number: int, values: dict[str, Any], errors: list[RowError], mapping: dict[str, str]
) -> None:
    """Rules across columns: who the customer is, and what follows from the ID number."""
    company = values.pop("company_name", "")
    if values.get("credit_code") or (company and not values.get("name")):
        values["kind"] = "company"
        values["name"] = company or values.get("name", "")
    else:
        values["kind"] = "individual"
    if not values.get("name"):
        column = _column_of(mapping, "name") or _column_of(mapping, "company_name") or ""
        errors.append(RowError(number, column, "", _("A name is required.")))
    else:
        values["name_folded"] = identifiers.name_forms_cached(values["name"])[0]
    id_number = values.get("id_number")
    if id_number:
        values.setdefault(
            "birth_date", identifiers.birth_date_from_resident_id(id_number).isoformat()
        )
        values.setdefault("gender", identifiers.gender_from_resident_id(id_number))


def _column_of(mapping: dict[str, str], target: str) -> str | None:
    return next((header for header, field in mapping.items() if field == target), None)
