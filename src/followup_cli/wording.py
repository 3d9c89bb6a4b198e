"""Texts the domain writes as data, and how they read in the interface language.

Some texts are data: a callback's `detail`, an escalation's `reason`, a ticket history
note, an early-warning indicator, a report's SLA state. They are stored (or printed as
JSON) in English, the same whatever the language. Each is built from one of the
templates below, so a table can read it back (`localize`) and show it in the
interface language: placeholders holding stored values are shown through `label`.
Free text (a user's note) matches no template and is shown as written.
"""

from __future__ import annotations

import re
from functools import cache

from followup_cli.i18n import ENGLISH, N_, _, current_language, label

# -- callback details ----------------------------------------------------------------
EVENT_DETAIL = N_("{kind} {what} (+{offset})")
SECOND_LEVEL_DETAIL = N_("check of the {kind} {date} callback {ref}")
VISIT_DETAIL = N_("{role} visit (every {offset})")
YEARLY_DETAIL = N_("yearly contact")
HOLIDAY_DETAIL = N_("{holiday} greeting ({date})")
BIRTHDAY_DETAIL = N_("birthday of {name} ({day})")
RETRY_DETAIL = N_("call back: {outcome} on {date}")
VERIFY_DETAIL = N_("did the fix hold? ticket #{id}: {summary}")

# -- escalation reasons and notes ----------------------------------------------------
BY_HAND = N_("escalated by hand")
BREACH_RESOLUTION = N_("SLA breached: resolution was due by {date}")
BREACH_TELLING = N_("SLA breached: telling the customer was due by {date}")
TOP_RUNG = N_("already at the top rung: reminder")
RUNGS_SKIPPED = N_("no staff for {roles}: passed to the next rung up")
NOBODY_ABOVE = N_("nobody holds any rung above: add staff for {role}")
EMERGENCY = N_("emergency early warning ({tier} customer)")
EMERGENCY_RECORD = N_("emergency early warning: {indicators}")
NO_STAFF_HOLDS = N_("no staff holds {role}")
WARNING_CLEARED = N_("warning cleared")
WITH_NOTE = N_("{reason} ({note})")

# -- ticket history and generated tickets --------------------------------------------
ROUTED_TO_PERSON = N_("{tier} customer, {severity}: routed to {role} ({person})")
ROUTED_TO = N_("{tier} customer, {severity}: routed to {role}")
NO_STAFF_FOR = N_("no staff for {roles}")
ANSWERED_NO = N_("Customer answered no: {question}")

# -- early-warning indicators --------------------------------------------------------
OPEN_TICKETS = N_("{n} open complaints")
CRITICAL_OPEN = N_("a critical complaint is open")
TICKETS_IN_PERIOD = N_("{n} complaints in {days} days")
LOW_SATISFACTION = N_("last satisfaction {n}/5")
OVERDUE = N_("callbacks overdue {n} days")
UNREACHABLE = N_("unreachable")

# -- report texts --------------------------------------------------------------------
READY_TO_CLOSE = N_("told: ready to close")
STEP_RESOLVE = N_("resolve")
STEP_TELL = N_("tell the customer")
SLA_BREACHED = N_("BREACHED {n}d ({step})")
SLA_DUE_TODAY = N_("due today ({step})")
SLA_LEFT = N_("{n}d left ({step})")
SAID_NO = N_("no: {question}")
LEVEL1_CALL = N_("level-1 call by {name}")
LEVELS_DIFFER = N_("{key}: level 1 {first}, level 2 {second}")
UNASSIGNED = N_("(unassigned)")

# Most specific first: the first template that matches the whole text is used.
TEMPLATES = (
    EVENT_DETAIL,
    SECOND_LEVEL_DETAIL,
    VISIT_DETAIL,
    YEARLY_DETAIL,
    HOLIDAY_DETAIL,
    BIRTHDAY_DETAIL,
    RETRY_DETAIL,
    VERIFY_DETAIL,
    BY_HAND,
    BREACH_RESOLUTION,
    BREACH_TELLING,
    TOP_RUNG,
    RUNGS_SKIPPED,
    NOBODY_ABOVE,
    EMERGENCY,
    EMERGENCY_RECORD,
    NO_STAFF_HOLDS,
    WARNING_CLEARED,
    ROUTED_TO_PERSON,
    ROUTED_TO,
    NO_STAFF_FOR,
    ANSWERED_NO,
    OPEN_TICKETS,
    CRITICAL_OPEN,
    TICKETS_IN_PERIOD,
    LOW_SATISFACTION,
    OVERDUE,
    UNREACHABLE,
    READY_TO_CLOSE,
    STEP_RESOLVE,
    STEP_TELL,
    SLA_BREACHED,
    SLA_DUE_TODAY,
    SLA_LEFT,
    SAID_NO,
    LEVEL1_CALL,
    LEVELS_DIFFER,
    UNASSIGNED,
    WITH_NOTE,
)

# Placeholders holding a stored value: the vocabulary it comes from.
_LABELLED = {
    "kind": "event_kind",
    "role": "role",
    "tier": "tier",
    "severity": "severity",
    "outcome": "outcome",
    "holiday": "holiday",
}
# Placeholders holding another generated text.
_NESTED = {"indicators", "reason", "note", "step"}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_INTERVAL = re.compile(r"(\d+)([dwmy])")
_UNITS = {"d": N_("{n} days"), "w": N_("{n} weeks"), "m": N_("{n} months"), "y": N_("{n} years")}


def interval_text(text: str) -> str:
    """An interval as written in config (3d, 1w, 6m, 1y), in the interface language."""
    if current_language() == ENGLISH:
        return text
    found = _INTERVAL.fullmatch(text.strip())
    if not found:
        return text
    return _(_UNITS[found.group(2)]).format(n=int(found.group(1)))


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for found in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : found.start()]))
        parts.append(f"(?P<{found.group(1)}>.*?)")
        last = found.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL)


def _value(name: str, value: str) -> str:
    if name == "role" and value == "nobody":
        return _("nobody")
    if name in _LABELLED:
        return label(_LABELLED[name], value)
    if name == "roles":
        return "、".join(label("role", r) for r in value.split(", "))
    if name == "offset":
        return interval_text(value)
    if name == "question":
        return _(value)
    if name in _NESTED:
        return localize(value)
    return value


def localize(text: str | None) -> str:
    """A generated English text (see the templates above) in the interface language;
    any other text unchanged. Texts joined by "; " are read part by part."""
    if text is None:
        return ""
    if current_language() == ENGLISH or not text:
        return text
    if "; " in text:
        parts = [localize(part) for part in text.split("; ")]
        if parts != text.split("; "):
            return "；".join(part for part in parts if part)
    for template in TEMPLATES:
        found = _pattern(template).fullmatch(text)
        if found:
            raw = found.groupdict()
            values = {k: _value(k, v) for k, v in raw.items()}
            if template == WITH_NOTE and values == raw:
                return text  # free text that merely ends in brackets
            return _(template).format(**values)
    return text
