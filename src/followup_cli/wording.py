"""The English templates of the texts the tool writes (callback details, escalation
reasons and notes, ticket history, early-warning indicators, report texts).

Each is the template of a message code in `followup_cli.texts`, which stores the code
and its parameters and renders them in the reader's language; the zh_CN catalog
translates the templates.
"""

from __future__ import annotations

import re

from followup_cli.i18n import ENGLISH, N_, _, current_language

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
