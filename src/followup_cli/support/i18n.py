"""The interface language: English by default, Simplified Chinese (zh_CN) for the offices
that work in it.

Only the standard library's gettext runs here (Babel is a development tool: see
`scripts/extract_messages.py`). The catalog `locale/zh_CN/LC_MESSAGES/followup.mo`
ships inside the package and is read once, on the first message translated; when it
is missing the interface stays in English.

What changes with the language: messages, errors and hints, table headers, report
titles, `--help`, and the words shown for stored values (`label`). What never
changes: JSON, CSV output and export headers (unless asked), exit codes, config keys,
stored values, and dates (always 2026-11-22).
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

DOMAIN = "followup"
ENGLISH = "en"
CHINESE = "zh_CN"
LANGUAGES = (ENGLISH, CHINESE)
# Values the `language` setting accepts.
SETTINGS = ("auto", ENGLISH, CHINESE)
# Environment variables that name the locale, in the order gettext reads them.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_language = ENGLISH
_catalogs: dict[str, _gettext.NullTranslations] = {}


def normalise(value: str) -> str | None:
    """`zh`, `zh_CN`, `zh-CN.UTF-8`... -> zh_CN; `en`, `C`, `POSIX`... -> en; else None."""
    text = value.strip().replace("-", "_").lower()
    if text.startswith("zh"):
        return CHINESE
    if text in ("c", "posix") or text.startswith(("en", "c.", "c_")):
        return ENGLISH
    return None


def choose_language(
    config_language: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """FOLLOWUP_LANGUAGE if set; else the config's `language` unless "auto"; else the
    first non-empty of LC_ALL, LC_MESSAGES, LANG: Chinese when it starts with "zh".
    English otherwise, and for anything not understood."""
    env = os.environ if environ is None else environ
    forced = (env.get("FOLLOWUP_LANGUAGE") or "").strip()
    if forced and forced.lower() != "auto":
        return normalise(forced) or ENGLISH
    if config_language and config_language.strip().lower() != "auto":
        return normalise(config_language) or ENGLISH
    for name in LOCALE_VARIABLES:
        value = env.get(name)
        if value:
            return CHINESE if value.lower().startswith("zh") else ENGLISH
    return ENGLISH


def setup_language(config_language: str | None = None) -> str:
    """Decide the interface language (see `choose_language`) and use it from now on."""
    return use_language(choose_language(config_language))


def use_language(language: str) -> str:
    global _language
    _language = language if language in LANGUAGES else ENGLISH
    return _language


def current_language() -> str:
    return _language


@contextmanager
def english() -> Iterator[None]:
    """Run a block in English: CSV and other machine output never change with the language."""
    with in_language(ENGLISH):
        yield


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Run a block in `language`, then go back to the interface language."""
    global _language
    saved = _language
    _language = language if language in LANGUAGES else ENGLISH
    try:
        yield
    finally:
        _language = saved


def catalog_path(language: str) -> str:
    """The compiled catalog shipped in the package (installed or editable alike)."""
    return os.path.join(
        os.path.dirname(os.path.dirname(__file__)),
        "locale",
        language,
        "LC_MESSAGES",
        DOMAIN + ".mo",
    )


def _catalog() -> _gettext.NullTranslations:
    found = _catalogs.get(_language)
    if found is None:
        try:
            with open(catalog_path(_language), "rb") as fh:
                found = _gettext.GNUTranslations(fh)
        except (OSError, ValueError):  # no catalog, or a damaged one: stay in English
            found = _gettext.NullTranslations()
        _catalogs[_language] = found
    return found


def _(message: str) -> str:
    """`message` in the interface language (the English text is the key)."""
    if _language == ENGLISH:
        return message
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _language == ENGLISH:
        return singular if n == 1 else plural
    return _catalog().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    if _language == ENGLISH:
        return message
    return _catalog().pgettext(context, message)


def listed(items: Iterable[str]) -> str:
    """Items read as a list: "a, b, c" in English, "甲、乙、丙" (the enumeration comma
    an office writes between words of a list) in Chinese."""
    return (", " if _language == ENGLISH else "、").join(items)


def N_(message: str) -> str:
    """Mark a string for translation later (`_(text)` where it is shown)."""
    return message


# -- words for stored values ---------------------------------------------------------
#
# Stored values are English (`reached`, `core`, `account_manager`); tables and messages
# show them through `label(kind, value)`, which reads the catalog with the kind as
# context (msgctxt), since one English word may need two readings ("service": an event
# kind 服务, a role 服务工程师). A value without a translation (a category of your own)
# shows as stored. The values listed here, and those of followup_cli.domain.vocabulary, are
# extracted for translation.

VOCABULARY: dict[str, tuple[str, ...]] = {
    # The stored values (roles, event kinds, outcomes, channels, severities, categories,
    # tiers, reasons, statuses) are declared in followup_cli.domain.vocabulary, with the words
    # accepted for them; the ones below are only shown.
    "customer_status": ("active", "archived", "unreachable"),
    "notice": ("ticket", "warning"),
    # An early warning's level, status and change in the routine report.
    "warning_level": ("approaching", "breach", "emergency"),
    "warning_status": ("open", "acknowledged", "climbed", "cleared"),
    "warning_change": ("new", "cleared"),
    # A key question's answer (`fixed=yes`), as the call script reads it back.
    "answer": ("yes", "no"),
    # The terms of a due row's urgency (`due --explain`), from
    # followup_cli.domain.callbacks.urgency.TERMS.
    "urgency_term": (
        "overdue",
        "grade",
        "reason",
        "reasons",
        "open_tickets",
        "level2",
        "retry",
        "unreachable",
    ),
    # The tables of import and export.
    "table": ("customers", "contacts", "staff", "events", "calls", "tickets", "callbacks"),
    "discrepancy": ("record", "level2"),
    # A visit report's review (`report visits`): reviewed, waiting, or overdue (waiting
    # longer than [visit_reports] review_within_days).
    "review": ("reviewed", "waiting", "overdue"),
    "trend": ("new", "up", "down", "same", "gone"),
    "action": (
        "open",
        "assign",
        "note",
        "resolve",
        "notify",
        "close",
        "reopen",
        "escalate",
        "report",
        "approve",
    ),
    "holiday": (
        "New Year's Day",
        "Chinese New Year (Spring Festival)",
        "Dragon Boat Festival",
        "Mid-Autumn Festival",
        "National Day",
        "Qingming Festival",
        "Labor Day",
    ),
    # Field names as they appear in messages ("grade: '9' is not valid; expected ...").
    "field": (
        "code",
        "name",
        "grade",
        "phone",
        "region",
        "industry",
        "owner",
        "department",
        "address",
        "note",
        "role",
        "wechat",
        "email",
        "birthday",
        "primary",
        "kind",
        "date",
        "ref",
        "machine",
        "staff",
        "result",
        "at",
        "by",
        "outcome",
        "channel",
        "contact",
        "satisfaction",
        "recommend",
        "repurchase",
        "answer",
        "answers",
        "complaint",
        "category",
        "severity",
        "summary",
        "details",
        "resolution",
        "status",
        "reason",
        "response",
        "customer_code",
        "ticket",
        "interval",
        "action",
        "in_use",
        "anniversary",
        "amount",
        "findings",
        "call",
    ),
}


def label(kind: str, value: object) -> str:
    """How a stored value of `kind` reads in the interface language ("" for None)."""
    if value is None:
        return ""
    text = str(value)
    if _language == ENGLISH or not text:
        return text
    return _catalog().pgettext(kind, text)
