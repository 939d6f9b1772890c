"""Personal and company identifiers: parsing, normalising, validating, protecting.

Every function that validates raises ``django.core.exceptions.ValidationError`` with a message a
user can act on (what is wrong, and where), never a library's own exception. The same functions
serve forms, the API, the import and the search box, so a value is understood alike everywhere.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from stdnum import numdb
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from zhconv import convert as convert_script

_SEPARATORS = re.compile(r"[\s\-_.()\uff08\uff09/]+")


def fold_width(value: str) -> str:
    """Full-width digits, letters and punctuation become their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", value or "")


# --- names ---------------------------------------------------------------------------------


def fold_name(name: str) -> str:
    """The form two names are compared in: width folded, traditional characters simplified,
    spaces and the middle dot of transliterated names dropped, Latin letters lower-cased."""
    folded = convert_script(fold_width(name), "zh-hans")
    folded = re.sub(r"[\s·•・.]+", "", folded)
    return folded.lower()


def name_initials(name: str) -> str:
    """Pinyin initials of a Chinese name (张三丰 -> zsf); Latin words give their first letters."""
    letters = []
    text = convert_script(fold_width(name), "zh-hans").lower()
    for syllable in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"):
        for part in re.findall(r"[0-9a-z]+", syllable.lower()):
            letters.append(part[0])
    return "".join(letters)[:32]


def looks_like_initials(query: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]{2,8}", query.strip()))


# --- phones --------------------------------------------------------------------------------


def normalise_phone(raw: str, *, region: str | None = None) -> str:
    """The phone number in E.164 (+8613812345678). Accepts full-width digits, spaces, dashes,
    brackets, and the +86 / 0086 prefixes; a number without a country is taken as Chinese."""
    text = fold_width(raw).strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    bad = re.search(r"[^0-9+\s\-().\uff08\uff09/]", text)
    if bad:
        raise ValidationError(
            _("A phone number cannot contain “%(character)s”.") % {"character": bad.group()},
            code="invalid_character",
        )
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or settings.AUTOCRM_DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("“%(value)s” is not a phone number.") % {"value": raw}, code="invalid"
        ) from error
    if not phonenumbers.is_valid_number(number):
        national = str(number.national_number)
        if number.country_code == 86 and national.startswith("1") and len(national) >= 10:
            raise ValidationError(
                _(
                    "%(number)s is not a valid Chinese mobile number: "
                    "11 digits starting with 13 to 19."
                )
                % {"number": national},
                code="invalid_mobile",
            )
        raise ValidationError(
            _("“%(value)s” is not a valid phone number: check the digits and the area code.")
            % {"value": raw},
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def display_phone(e164: str) -> str:
    """A Chinese mobile as people write it (138 1234 5678); other numbers internationally."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    national = str(number.national_number)
    if number.country_code == 86 and len(national) == 11:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --- e-mail and other handles ---------------------------------------------------------------


def normalise_email(raw: str) -> str:
    text = fold_width(raw).strip()
    try:
        validate_email(text)
    except ValidationError as error:
        raise ValidationError(
            _("“%(value)s” is not an e-mail address (name@example.com).") % {"value": raw},
            code="invalid_email",
        ) from error
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_handle(raw: str) -> str:
    """Addresses and other handles: width folded, runs of spaces collapsed, lower-cased Latin."""
    return re.sub(r"\s+", " ", fold_width(raw)).strip().lower()


# --- resident ID numbers (GB 11643) ----------------------------------------------------------

_RIC_BODY = re.compile(r"^\d{17}[\dX]$")


@lru_cache(maxsize=4096)
def _area_known(area: str) -> bool:
    return any(props for _part, props in numdb.get("cn/loc").info(area))


def validate_resident_id(raw: str) -> str:
    """The 18-character resident ID number, upper-case, or a ValidationError naming the fault.

    Checks length, characters, the birth date (a real date, not in the future), the area code
    (it must have existed at some time; numbers keep an area code that was later renamed or
    merged, so the code is not required to have existed in the birth year) and the check digit.
    """
    number = _SEPARATORS.sub("", fold_width(raw)).upper()
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)s.") % {"count": len(number)},
            code="length",
        )
    if not _RIC_BODY.match(number):
        bad = next(
            (c for i, c in enumerate(number) if not (c.isdigit() or (i == 17 and c == "X"))), "?"
        )
        raise ValidationError(
            _(
                "An ID number has 17 digits and a digit or X at the end; "
                "“%(character)s” is not allowed."
            )
            % {"character": bad},
            code="invalid_character",
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not a real date.")
            % {"date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}"},
            code="birth_date",
        ) from error
    if birth > datetime.date.today() or birth.year < 1880:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not possible.")
            % {"date": birth.isoformat()},
            code="birth_date",
        )
    try:
        known = _area_known(number[:6])
    except Exception:  # the area table is a convenience; never let it crash a form
        known = True
    if not known:
        raise ValidationError(
            _("The area code %(area)s in this ID number does not exist.") % {"area": number[:6]},
            code="area",
        )
    expected = stdnum_ric.calc_check_digit(number)
    if number[-1] != expected:
        raise ValidationError(
            _("The check digit of this ID number should be %(expected)s, not %(given)s.")
            % {"expected": expected, "given": number[-1]},
            code="check_digit",
        )
    return number


def birth_date_from_resident_id(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_from_resident_id(number: str) -> str:
    """ "male" or "female": the 17th digit is odd for men."""
    return "male" if int(number[16]) % 2 else "female"


def mask_resident_id(number: str) -> str:
    """110105********002X: the area and the last four characters stay visible."""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[14:]}"


# --- unified social credit codes (GB 32100) ------------------------------------------------------


def validate_credit_code(raw: str) -> str:
    code = _SEPARATORS.sub("", fold_width(raw)).upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)s.")
            % {"count": len(code)},
            code="length",
        )
    try:
        return str(stdnum_uscc.validate(code))
    except stdnum_uscc.InvalidChecksum as error:
        expected = stdnum_uscc.calc_check_digit(code[:-1])
        raise ValidationError(
            _("The check character of this credit code should be %(expected)s, not %(given)s.")
            % {"expected": expected, "given": code[-1]},
            code="check_digit",
        ) from error
    except Exception as error:  # any other fault: format or characters
        raise ValidationError(
            _(
                "“%(value)s” is not a unified social credit code "
                "(digits and capital letters except I, O, S, V, Z)."
            )
            % {"value": raw},
            code="invalid",
        ) from error


# --- protecting identifiers at rest -------------------------------------------------------------


# Identifiers are sealed with AES-256-GCM (authenticated: a changed ciphertext does not
# decrypt), stored as this prefix and the URL-safe base64 of nonce and ciphertext. Values
# stored before were Fernet tokens (AES-CBC with HMAC); they are still read. GCM costs a
# seventh of Fernet per value, which counts for an import of a million ID numbers.
_SEALED = "g1:"
_NONCE_BYTES = 12


@dataclass(frozen=True)
class _Keys:
    fernet: Fernet
    hashing: bytes
    sealing: AESGCM


@lru_cache(maxsize=4)
def _keys(secret: str) -> _Keys:
    def derived(purpose: bytes) -> bytes:
        return hashlib.sha256(b"autocrm-identifier-" + purpose + b":" + secret.encode()).digest()

    return _Keys(
        fernet=Fernet(base64.urlsafe_b64encode(derived(b"encryption"))),
        hashing=derived(b"hash"),
        sealing=AESGCM(derived(b"sealing")),
    )


def encrypt_identifier(value: str) -> str:
    keys = _keys(settings.AUTOCRM_IDENTIFIER_KEY)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + keys.sealing.encrypt(nonce, value.encode(), None)
    return _SEALED + base64.urlsafe_b64encode(sealed).decode()


def decrypt_identifier(token: str) -> str:
    """The identifier in clear; "" for a token that is not ours (or was altered)."""
    keys = _keys(settings.AUTOCRM_IDENTIFIER_KEY)
    try:
        if token.startswith(_SEALED):
            sealed = base64.urlsafe_b64decode(token[len(_SEALED) :])
            nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
            return keys.sealing.decrypt(nonce, ciphertext, None).decode()
        return keys.fernet.decrypt(token.encode()).decode()
    except (InvalidToken, InvalidTag, ValueError):
        return ""


def identifier_hash(value: str) -> str:
    """A keyed hash for exact search: equal numbers give equal hashes, and the database alone
    cannot be used to test guesses without the key."""
    hash_key = _keys(settings.AUTOCRM_IDENTIFIER_KEY).hashing
    return hmac.new(hash_key, value.encode(), hashlib.sha256).hexdigest()


def protected_id_number_fields(number: str) -> dict[str, str]:
    """The Customer columns that hold a validated resident ID number (all empty for "")."""
    if not number:
        return {"id_number_encrypted": "", "id_number_hash": "", "id_number_masked": ""}
    return {
        "id_number_encrypted": encrypt_identifier(number),
        "id_number_hash": identifier_hash(number),
        "id_number_masked": mask_resident_id(number),
    }


# --- fast paths for bulk work (imports) ---------------------------------------------------------
# Each gives exactly the answer of the function it stands in for, only cheaper for the common
# case; where it is unsure it answers None and the caller uses the full function. The import
# calls these a million times a file, where the general functions cost tens of microseconds each.


def _han_runs_pattern() -> re.Pattern[str] | None:
    """pypinyin's own test for a Chinese character (``RE_HANS``, "^(?:[...])+$") as a pattern
    that finds runs of them; None should a pypinyin release write the test differently."""
    from pypinyin.constants import RE_HANS

    pattern = RE_HANS.pattern
    if not (pattern.startswith("^(?:[") and pattern.endswith("])+$")):
        return None
    return re.compile("(" + pattern[len("^(?:") : -len(")+$")] + "+)")


_HAN_RUNS = _han_runs_pattern()


def _characters_outside_han_runs() -> frozenset[str]:
    """The characters of zhconv's simplified-script conversions that are not Chinese
    characters (quotation marks, a few phrases with punctuation): a text holding none of them
    converts run by run of Chinese characters exactly as it converts whole."""
    from zhconv.zhconv import getdict

    if _HAN_RUNS is None:
        return frozenset()
    return frozenset(
        character
        for key in getdict("zh-hans")
        if _HAN_RUNS.fullmatch(key) is None
        for character in key
        if _HAN_RUNS.fullmatch(character) is None
    )


_CONVERTED_OUTSIDE_RUNS = _characters_outside_han_runs()


@lru_cache(maxsize=100_000)
def _simplified_run(run: str) -> str:
    return str(convert_script(run, "zh-hans"))


def to_simplified(text: str) -> str:
    """``convert_script(text, "zh-hans")``, each run of Chinese characters converted once and
    remembered (导入客户12 and 导入客户13 share 导入客户): zhconv matches the longest known
    word at each position, and its words are runs of Chinese characters, but for those of
    ``_CONVERTED_OUTSIDE_RUNS`` (a text with one of those is converted whole)."""
    if _HAN_RUNS is None or not _CONVERTED_OUTSIDE_RUNS.isdisjoint(text):
        return str(convert_script(text, "zh-hans"))
    return "".join(
        _simplified_run(run) if index % 2 else run
        for index, run in enumerate(_HAN_RUNS.split(text))
    )


_LATIN_OR_DIGITS = re.compile(r"[0-9a-z]+")
_NAME_GAPS = re.compile(r"[\s·•・.]+")


def _first_letters(syllables: list[str] | tuple[str, ...]) -> str:
    return "".join(part[0] for s in syllables for part in _LATIN_OR_DIGITS.findall(s.lower()))


@lru_cache(maxsize=100_000)
def _initials_of_run(run: str) -> str:
    """The initials of one run of Chinese characters (pypinyin reads words within a run)."""
    return _first_letters(lazy_pinyin(run, style=Style.FIRST_LETTER, errors="default"))


@lru_cache(maxsize=100_000)
def name_forms_cached(name: str) -> tuple[str, str]:
    """(``fold_name(name)``, ``name_initials(name)``), remembered: a file names the same
    people many times, and both start from the same width-folded, simplified text.

    pypinyin cuts a text into runs of Chinese and of other characters and reads each run on
    its own, keeping the others as they are; so the initials of a name are those of its runs
    in order, and the reading of a run is remembered across names (导入客户12 and 导入客户13
    share the reading of 导入客户)."""
    simplified = to_simplified(fold_width(name))
    folded = _NAME_GAPS.sub("", simplified).lower()
    text = simplified.lower()
    if _HAN_RUNS is None:
        initials = _first_letters(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    else:
        initials = "".join(
            _initials_of_run(run) if index % 2 else _first_letters((run,))
            for index, run in enumerate(_HAN_RUNS.split(text))
        )
    return folded, initials[:32]


_PLAIN_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[0-9]{10})")
# The only separators the fast path removes: ones libphonenumber ignores between digits too.
_PLAIN_MOBILE_SEPARATORS = re.compile(r"[ \-()]")
_SPECIAL_NUMBER_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


_NumberDescription = tuple[re.Pattern[str], tuple[int, ...]]


@dataclass(frozen=True)
class _ChineseNumberRules:
    """libphonenumber's own metadata for China: each type's pattern and possible lengths."""

    general: _NumberDescription | None
    specials: list[_NumberDescription]
    fixed_line: _NumberDescription | None
    mobile: _NumberDescription | None
    same_mobile_and_fixed_line_pattern: bool


def _description(desc: object) -> _NumberDescription | None:
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return None
    return re.compile(pattern), tuple(getattr(desc, "possible_length", None) or ())


@lru_cache(maxsize=1)
def _chinese_number_rules() -> _ChineseNumberRules:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert metadata is not None, "libphonenumber knows China"
    specials = [_description(getattr(metadata, name, None)) for name in _SPECIAL_NUMBER_TYPES]
    return _ChineseNumberRules(
        general=_description(metadata.general_desc),
        specials=[special for special in specials if special is not None],
        fixed_line=_description(metadata.fixed_line),
        mobile=_description(metadata.mobile),
        same_mobile_and_fixed_line_pattern=bool(metadata.same_mobile_and_fixed_line_pattern),
    )


def _matches(national: str, desc: _NumberDescription | None) -> bool:
    if desc is None:
        return False
    pattern, lengths = desc
    if lengths and len(national) not in lengths:
        return False
    return pattern.fullmatch(national) is not None


def _is_chinese_mobile(national: str) -> bool:
    """libphonenumber's number type rules (``number_type``) for a Chinese national number,
    answering whether the type is MOBILE or FIXED_LINE_OR_MOBILE."""
    rules = _chinese_number_rules()
    if not _matches(national, rules.general):
        return False
    if any(_matches(national, special) for special in rules.specials):
        return False
    same_pattern = rules.same_mobile_and_fixed_line_pattern
    if _matches(national, rules.fixed_line):
        return same_pattern or _matches(national, rules.mobile)
    return not same_pattern and _matches(national, rules.mobile)


def mobile_e164_fast(raw: str) -> str | None:
    """The E.164 form of a plainly written Chinese mobile (13812345678, 138 1234 5678,
    +86-138-1234-5678, 0086..., full-width digits) when ``normalise_phone`` would accept it and
    ``is_mobile`` would call it a mobile; None for anything else, which the caller then passes
    to those functions (for their answer or their error message)."""
    plain = _PLAIN_MOBILE.fullmatch(_PLAIN_MOBILE_SEPARATORS.sub("", fold_width(raw).strip()))
    if plain is None:
        return None
    national = plain.group(1)
    return "+86" + national if _is_chinese_mobile(national) else None
