"""Vehicle identification numbers (ISO 3779 / GB 16735): 17 characters, no I, O or Q, and a check
digit at position 9.

The OEM's own manufacturer codes (``settings.AUTOCRM_OEM_WMIS``) must carry the right check
digit: a wrong one is refused with the digit expected. Other makers' VINs (trade-ins, imports from
regions that do not use the check digit) are accepted, with ``check_digit_ok`` False so the
record carries a visible data-quality flag.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from autocrm.customers.identifiers import fold_width

_TRANSLITERATION = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Vin:
    value: str
    check_digit_ok: bool

    @property
    def wmi(self) -> str:
        return self.value[:3]

    @property
    def tail(self) -> str:
        """The last six characters (the serial number), which people read out on the phone."""
        return self.value[-6:]


def check_digit(vin: str) -> str:
    """The check digit (0-9 or X) a 17-character VIN should carry at position 9."""
    if len(vin) != len(_WEIGHTS):
        raise ValueError("a VIN has 17 characters")
    # map() rather than a generator: the import computes this for every row.
    total = sum(map(operator.mul, map(_TRANSLITERATION.__getitem__, vin), _WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def clean_vin(raw: str) -> str:
    """Upper-case, width folded, separators removed; the characters are not checked yet."""
    return _SEPARATORS.sub("", fold_width(raw or "")).upper()


def validate_vin(raw: str, *, oem_wmis: list[str] | None = None) -> Vin:
    """Parse a VIN, or raise a ValidationError saying exactly what is wrong."""
    vin = clean_vin(raw)
    if len(vin) != 17:
        raise ValidationError(
            _("A VIN has 17 characters; this one has %(count)s.") % {"count": len(vin)},
            code="length",
        )
    for position, char in enumerate(vin, start=1):
        if char in "IOQ":
            raise ValidationError(
                _("A VIN never contains the letter %(character)s (position %(position)s): "
                  "I, O and Q are not used, to avoid confusion with 1 and 0.")
                % {"character": char, "position": position},
                code="forbidden_letter",
            )  # fmt: skip
        if char not in _TRANSLITERATION:
            raise ValidationError(
                _("A VIN contains only digits and capital letters; “%(character)s” at position "
                  "%(position)s is not allowed.")
                % {"character": char, "position": position},
                code="invalid_character",
            )  # fmt: skip
    expected = check_digit(vin)
    matches = vin[8] == expected
    own = oem_wmis if oem_wmis is not None else settings.AUTOCRM_OEM_WMIS
    if not matches and vin[:3] in own:
        raise ValidationError(
            _("The check digit (position 9) of this VIN should be %(expected)s, not %(given)s.")
            % {"expected": expected, "given": vin[8]},
            code="check_digit",
        )
    return Vin(value=vin, check_digit_ok=matches)


def with_check_digit(vin17: str) -> str:
    """``vin17`` with its position 9 replaced by the right check digit (demo data, tests)."""
    vin = vin17.upper()
    return vin[:8] + check_digit(vin) + vin[9:]


def normalise_plate(raw: str) -> str:
    """A licence plate as stored and searched: 沪A·12345 and 沪a 12345 are both 沪A12345."""
    return re.sub(r"[\s·•・.\-]+", "", fold_width(raw or "")).upper()
