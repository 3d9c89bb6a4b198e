"""Validation and normalisation of single field values, shared by the CLI and imports.

Every function takes the raw text (from an option or a CSV cell) and either returns
the value to store or raises InvalidValue naming the field and what was expected.
"""

from __future__ import annotations

import re
import unicodedata

from followup_cli.support.controls import find_control
from followup_cli.support.errors import InvalidValue
from followup_cli.support.i18n import N_, _
from followup_cli.support.patterns import Pattern

MAX_TEXT = 20_000
MAX_NAME = 200
MAX_CODE = 40
# The largest id or row count SQLite can hold (a signed 64-bit INTEGER): a bigger one is
# refused or found missing, never sent to SQLite (OverflowError).
ID_MAX = 2**63 - 1

# What an error echoes of a value the user gave: no more than this many characters
# (a 128 KiB argument is not printed back whole).
ECHOED_AT_MOST = 80


def echoed(text: str) -> str:
    """`text` as an error shows it: cut at ECHOED_AT_MOST characters, saying how long."""
    if len(text) <= ECHOED_AT_MOST:
        return text
    return f"{text[:ECHOED_AT_MOST]}…({len(text):,})"


_CN_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_SCIENTIFIC = Pattern(r"[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+")
_EXCEL_FLOAT = Pattern(r"[0-9]{5,}\.0+")
_PHONE = Pattern(
    r"\+?[0-9(][0-9 ()\-]*[0-9]"
    r"(\s*(?:ext\.?|x|转|分机|#)\s*[0-9]{1,6})?",
    re.IGNORECASE,
)
_EMAIL = Pattern(r"[^@\s]+@[^@\s]+\.[^@\s.]+")

PHONE_EXPECTED = N_("a phone number: digits, with +, spaces, dashes, brackets or an extension")
EXCEL_MANGLED = N_(
    "a phone number as text; this looks like a number Excel turned into {form} "
    "(format the column as Text in Excel and export again)"
)


EXCEL_MANGLED_CODE = N_(
    "a customer code as text; this looks like a code Excel turned into {form} "
    "(format the column as Text in Excel and export again)"
)


def _excel_mangled(form: str, message: str = EXCEL_MANGLED) -> str:
    """What an Excel-damaged value should have been: a phone number, or (EXCEL_MANGLED_CODE)
    a customer code."""
    return _(message).format(form=form)


def normalise(value: str) -> str:
    """NFKC (full-width digits, letters and spaces to ASCII) and outer spaces removed."""
    return unicodedata.normalize("NFKC", value).strip()


def text(value: str | None, field: str, *, max_length: int = MAX_TEXT) -> str | None:
    """Free text: kept as written (outer spaces removed); empty means no value."""
    if value is None:
        return None
    cleaned = value.strip()
    if not cleaned:
        return None
    if find_control(cleaned) is not None:  # ESC, C1, bidi, zero-width: support/controls.py
        raise InvalidValue(field, _shorten(value), _("text without control characters (NUL...)"))
    if len(cleaned) > max_length:
        raise InvalidValue(field, _shorten(value), _("at most {n} characters").format(n=max_length))
    return cleaned


def required_text(value: str | None, field: str, *, max_length: int = MAX_NAME) -> str:
    cleaned = text(value, field, max_length=max_length)
    if cleaned is None:
        raise InvalidValue(field, value or "", _("a value (it cannot be empty)"))
    return cleaned


def name(value: str | None, field: str = "name") -> str:
    """A person's or company's name: one line, outer and doubled spaces tidied."""
    cleaned = required_text(value, field, max_length=MAX_NAME)
    if "\n" in cleaned or "\r" in cleaned or "\t" in cleaned:
        raise InvalidValue(field, _shorten(cleaned), _("a name on one line"))
    return cleaned


def code(value: str | None, field: str = "code") -> str:
    """A customer code: text (leading zeros kept), no spaces inside."""
    if value is None:
        raise InvalidValue(field, "", _("a customer code"))
    if value.isascii() and value.isalnum() and len(value) <= MAX_CODE:
        return value  # the common case, already normal: C000123, 007
    cleaned = normalise(value)
    if not cleaned:
        raise InvalidValue(field, value, _("a customer code (it cannot be empty)"))
    if _SCIENTIFIC.fullmatch(cleaned):
        raise InvalidValue(
            field,
            value,
            _excel_mangled(_("scientific notation (1.23E+11)"), EXCEL_MANGLED_CODE),
        )
    if _EXCEL_FLOAT.fullmatch(cleaned):
        raise InvalidValue(
            field, value, _excel_mangled(_("a decimal (12345.0)"), EXCEL_MANGLED_CODE)
        )
    if any(ch.isspace() for ch in cleaned) or find_control(cleaned) is not None:
        raise InvalidValue(field, value, _("a code without spaces"))
    if len(cleaned) > MAX_CODE:
        raise InvalidValue(field, value, _("a code of at most {n} characters").format(n=MAX_CODE))
    return cleaned


def grade(value: str | int | None, field: str = "grade") -> int:
    """1–5, also written 一级 … 五级 or 1级."""
    expected = N_("a grade from 1 (most important) to 5, or 一级 … 五级")
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 5:
            return value
        raise InvalidValue(field, value, _(expected))
    cleaned = normalise(value or "") if isinstance(value, str) or value is None else str(value)
    if cleaned.endswith("级"):
        cleaned = cleaned[:-1]
    cleaned = str(_CN_GRADES.get(cleaned, cleaned))
    if cleaned in {"1", "2", "3", "4", "5"}:
        return int(cleaned)
    raise InvalidValue(field, value, _(expected))


def phone(value: str | None, field: str = "phone") -> str | None:
    """Phones stay text. Full-width digits are normalised; Excel-mangled numbers refused."""
    if value is None:
        return None
    cleaned = normalise(value)
    if not cleaned:
        return None
    if _SCIENTIFIC.fullmatch(cleaned):
        raise InvalidValue(field, value, _excel_mangled(_("scientific notation (1.38E+10)")))
    if _EXCEL_FLOAT.fullmatch(cleaned):
        raise InvalidValue(field, value, _excel_mangled(_("a decimal (13800138000.0)")))
    if not _PHONE.fullmatch(cleaned) or sum(ch.isdigit() for ch in cleaned) < 5:
        raise InvalidValue(field, value, _(PHONE_EXPECTED))
    if sum(ch.isdigit() for ch in cleaned) > 20:
        raise InvalidValue(
            field, value, _("{phone} (at most 20 digits)").format(phone=_(PHONE_EXPECTED))
        )
    return cleaned


def email(value: str | None, field: str = "email") -> str | None:
    if value is None:
        return None
    cleaned = normalise(value)
    if not cleaned:
        return None
    if not _EMAIL.fullmatch(cleaned) or len(cleaned) > 254:
        raise InvalidValue(field, value, _("an email address like name@example.com"))
    return cleaned


# An event's amount (金额, yuan): what a sale or a job brought in, at most this much (a
# larger figure is a typo or a misplaced column), in yuan and fen (two decimals).
MAX_AMOUNT = 1_000_000_000
_AMOUNT = Pattern(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?|[0-9]+(\.[0-9]{1,2})?|\.[0-9]{1,2}")
AMOUNT_EXPECTED = N_(
    "an amount in yuan from 0 to {most}, at most two decimals (e.g. 385000 or 1,250.50)"
)


def amount(value: str | float | int | None, field: str = "amount") -> float | None:
    """An amount in yuan: 0 … MAX_AMOUNT, two decimals at most; ¥/￥ before or 元 after
    and thousands commas allowed. Empty means no amount. Negative, NaN, infinity,
    scientific notation (what Excel makes of a long number) and words are refused."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidValue(field, value, _(AMOUNT_EXPECTED).format(most=f"{MAX_AMOUNT:,}"))
    if isinstance(value, int | float):
        cleaned = repr(value)
    else:
        cleaned = normalise(value)
        if not cleaned:
            return None
    for mark in ("¥", "￥"):
        cleaned = cleaned.removeprefix(mark).strip()
    cleaned = cleaned.removesuffix("元").strip()
    if not _AMOUNT.fullmatch(cleaned):
        raise InvalidValue(
            field, _shorten(str(value)), _(AMOUNT_EXPECTED).format(most=f"{MAX_AMOUNT:,}")
        )
    number = float(cleaned.replace(",", ""))
    if number > MAX_AMOUNT:
        raise InvalidValue(
            field, _shorten(str(value)), _(AMOUNT_EXPECTED).format(most=f"{MAX_AMOUNT:,}")
        )
    return round(number, 2)


def amount_text(value: float | None) -> str | None:
    """An amount in yuan as files and screens show it: two decimals (385000.00)."""
    return None if value is None else f"{value:.2f}"


def whole_number(low: int, high: int) -> str:
    """What a score field expects."""
    return _("a whole number from {low} to {high}").format(low=low, high=high)


def flag(value: str | bool | None, field: str) -> bool:
    """yes/no in English or Chinese, 1/0, true/false."""
    if isinstance(value, bool):
        return value
    cleaned = normalise(value or "").lower()
    if cleaned in {"", "0", "no", "n", "false", "否", "不是"}:
        return False
    if cleaned in {"1", "yes", "y", "true", "是", "√", "✓"}:
        return True
    raise InvalidValue(field, value, _("yes or no (also 是/否, 1/0)"))


def is_record_id(value: str) -> bool:
    """Whether `value` is ASCII digits naming an id SQLite can hold (1 … ID_MAX)."""
    return (
        value.isascii()
        and value.isdigit()
        and len(value) <= len(str(ID_MAX))
        and 0 < int(value) <= ID_MAX
    )


def record_id(field: str, value: str, expected: str) -> int:
    """A record's id as typed (12 or #12, full-width digits too), one SQLite can hold;
    else InvalidValue naming `field` and what was `expected`."""
    text = normalise(value).lstrip("#")
    if not is_record_id(text):
        raise InvalidValue(field, value, expected)
    return int(text)


MAX_SEARCH = MAX_NAME  # a search looks for part of a name, code or phone


def search_text(value: str | None, field: str = "search") -> str | None:
    """What to look for: text of at most MAX_SEARCH characters (SQLite's LIKE caps a
    pattern at 50,000 bytes; nothing stored that long is searched for)."""
    return text(value, field, max_length=MAX_SEARCH)


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit] + "…"
