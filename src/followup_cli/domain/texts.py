"""What the tool writes for people, as a message code plus parameters, rendered in the
reader's language when it is shown.

A `Message` is a code (`"escalation.rungs_skipped"`) and parameters (`{"roles":
["marketing_director"]}`). Its template is the English text in TEMPLATES below, so
the catalog's zh_CN translations are the Chinese. A parameter named after a vocabulary
(`role`, `tier`, ...) holds the stored value and is shown through `i18n.label`; a
parameter may hold another message; any other string is data (a name, a date, what a
user typed) and is shown as it is.

In the database a message sits in its own column (`detail_message`, `note_message`,
...) as JSON, `{"code": "...", "params": {...}}`, beside the text column, which holds
its English rendering (what JSON, CSV and export print). A row with no message is
text a person typed: it is shown as typed, in every language. `read` gives a row's
column back as a `Text`: the message, or the typed text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, TypeAlias

from followup_cli.support.i18n import ENGLISH, N_, _, current_language, in_language, label

# code -> English template, translated through the catalog.
TEMPLATES: dict[str, str] = {
    # callback details
    "callback.event": N_("{kind} {what} (+{offset})"),
    "callback.event_in_use": N_("{kind} {what} (+{offset} from going into use on {in_use})"),
    "callback.anniversary": N_("anniversary: {label} ({day})"),
    "callback.anniversary_unlabelled": N_("anniversary ({day})"),
    "callback.visit_etiquette": N_(
        "{visit}; etiquette: bring company materials, a modest keepsake"
    ),
    "callback.second_level": N_("check of the {kind} {date} callback {ref}"),
    "callback.visit": N_("{role} visit (every {offset})"),
    "callback.yearly": N_("yearly contact"),
    "callback.holiday": N_("{holiday} greeting ({date})"),
    "callback.birthday": N_("birthday of {name} ({day})"),
    "callback.retry": N_("call back: {outcome} on {date}"),
    "callback.verify": N_("did the fix hold? ticket #{id}: {summary}"),
    # escalation reasons and notes
    "escalation.by_hand": N_("escalated by hand"),
    "escalation.breach_resolution": N_("SLA breached: resolution was due by {date}"),
    "escalation.breach_telling": N_("SLA breached: telling the customer was due by {date}"),
    "escalation.top_rung": N_("already at the top rung: reminder"),
    "escalation.rungs_skipped": N_("no staff for {roles}: passed to the next rung up"),
    "escalation.nobody_above": N_("nobody holds any rung above: add staff for {role}"),
    "escalation.past_the_ladder": N_("past the top rung of the {tier} ladder: passed to {role}"),
    "escalation.with_note": N_("{reason} ({note})"),
    "warning.emergency": N_("emergency early warning ({tier} customer)"),
    "warning.emergency_record": N_("emergency early warning: {indicators}"),
    "warning.no_staff_holds": N_("no staff holds {role}"),
    "warning.passed_to": N_("no staff holds {role}: passed to {person}"),
    "warning.cleared": N_("warning cleared"),
    "warning.office_emergency": N_("emergency early warning (office-wide indicator)"),
    "warning.climbed": N_("warning #{id} not acknowledged by {date}: climbed from {person}"),
    # customer history
    "customer.regraded": N_(
        "grade {old} → {new} from value: {amount} yuan from {since} to {until},"
        " rank {rank} of {ranked}"
    ),
    "customer.regraded_none": N_(
        "grade {old} → {new} from value: no amount from {since} to {until}"
    ),
    # the erasure log (`db prune`: the retention rule, 个人信息保护法 Art. 19)
    "erasure.retention": N_(
        "archived since {day}, kept longer than {n} years (`privacy.retain_archived_years`)"
    ),
    # ticket history and generated tickets
    "ticket.routed_to_person": N_("{tier} customer, {severity}: routed to {role} ({person})"),
    "ticket.routed_to": N_("{tier} customer, {severity}: routed to {role}"),
    "ticket.no_staff_for": N_("no staff for {roles}"),
    "ticket.answered_no": N_("Customer answered no: {question}"),
    "ticket.reported_to": N_("reported at once to the {role} {person}"),
    "ticket.report_nobody": N_("not reported: no staff holds {role}; add one"),
    "ticket.return_unconditional": N_(
        "return or exchange within {window} of the {kind} of {date}: unconditional by policy"
    ),
    "ticket.return_late": N_(
        "return or exchange more than {window} after the {kind} of {date}:"
        " needs a leader's approval"
    ),
    "ticket.return_no_purchase": N_(
        "return or exchange with no sale or parts on record: needs a leader's approval"
    ),
    "ticket.approval_withdrawn": N_("new proposed handling: the approval by {person} is withdrawn"),
    # what a return or exchange's prepared answer says of the policy (made when shown)
    "return.unconditional": N_(
        "By policy the return or exchange is unconditional: the goods came within {window}."
    ),
    "return.approval": N_(
        "The goods came more than {window} ago (or no sale or parts is on record): the"
        " return or exchange needs a leader's approval before we confirm it."
    ),
    # early-warning indicators
    "indicator.open_tickets": N_("{n} open complaints"),
    "indicator.critical_open": N_("a critical complaint is open"),
    "indicator.tickets_in_period": N_("{n} complaints in {days} days"),
    "indicator.low_satisfaction": N_("last satisfaction {n}/5"),
    "indicator.overdue": N_("callbacks overdue {n} days"),
    "indicator.unreachable": N_("unreachable"),
    "indicator.no_relationship_manager": N_("no relationship manager (no owner)"),
    "indicator.key_people_left": N_(
        "no person in charge or decision-maker is left: update the contacts"
    ),
    "indicator.office.open_tickets": N_("{n} complaints open in the office (threshold {limit})"),
    "indicator.office.complaints_per_100_events": N_(
        "{n} complaints per 100 service events in {days} days (threshold {limit})"
    ),
    "indicator.office.low_satisfaction_pct": N_(
        "{n}% of customers last rated satisfaction {score} or lower (threshold {limit}%)"
    ),
    "indicator.office.overdue_callbacks_pct": N_(
        "{n}% of due callbacks overdue more than {days} days (threshold {limit}%)"
    ),
    "indicator.office.uncontacted_pct": N_(
        "{n}% of core and important customers not contacted in their visit interval"
        " (threshold {limit}%)"
    ),
    # notices (the outbox, issue 19): a title, then one line per part
    "notice.escalated": N_("Complaint #{id} is escalated to you ({role})"),
    "notice.new_ticket": N_("New complaint #{id}: reported to you at once ({role})"),
    "notice.approval": N_("Complaint #{id} awaits your approval"),
    "notice.warning": N_("Early warning #{id}: you are responsible ({role})"),
    "notice.warning_emergency": N_("Emergency early warning #{id}: you are responsible ({role})"),
    "notice.warning_climbed": N_("Early warning #{id} not acknowledged: it is now yours ({role})"),
    "notice.customer": N_("Customer: {code} {name}"),
    "notice.office": N_("Office-wide indicator"),
    "notice.summary": N_("Complaint: {summary}"),
    "notice.severity": N_("Severity: {severity}"),
    "notice.reason": N_("Why: {reason}"),
    "notice.due": N_("Due by: {date}"),
    "notice.indicator": N_("Indicator: {indicator}"),
    "notice.acknowledge": N_("Record the measure taken: `followup warning ack {id} --by NAME`"),
    "notice.resolution": N_("Proposed handling: {resolution}"),
    "notice.digest": N_("Your callbacks on {date}: {due} due today, {overdue} overdue"),
    "notice.digest_item": N_("{code} {name}: {detail} (due {date})"),
    "notice.digest_how": N_("The whole list: `followup due --staff {name}`"),
    "notice.test": N_("Test notice from followup for {name}"),
    "notice.test_how": N_("This channel reaches you: escalations and warnings will arrive here."),
    "notice.approve": N_("Approve it: `followup ticket approve {id} --by NAME`"),
    # report texts (made when a report is read, never stored)
    "report.ready_to_close": N_("told: ready to close"),
    "report.step_resolve": N_("resolve"),
    "report.step_tell": N_("tell the customer"),
    "report.sla_breached": N_("BREACHED {n}d ({step})"),
    "report.sla_due_today": N_("due today ({step})"),
    "report.sla_left": N_("{n}d left ({step})"),
    "report.said_no": N_("no: {question}"),
    "report.level1_call": N_("level-1 call by {name}"),
    "report.levels_differ": N_("{key}: level 1 {first}, level 2 {second}"),
    "report.unassigned": N_("(unassigned)"),
}
# Texts joined into one: "; " in English, "；" in Chinese (empty parts left out there).
JOINED = "joined"

# Parameters holding a stored value: the vocabulary that gives its words.
LABELLED = {
    "kind": "event_kind",
    "role": "role",
    "tier": "tier",
    "severity": "severity",
    "outcome": "outcome",
    "holiday": "holiday",
    # a discrepancy between the level-1 and level-2 calls: the field (or question key)
    # and the two answers (yes/no, or scores)
    "key": "field",
    "first": "answer",
    "second": "answer",
}
SUMMARY_CUT = 60  # a ticket's summary in a callback's detail: its first 60 characters


class Message:
    """A text the tool wrote: a code and its parameters (JSON values or messages)."""

    __slots__ = ("code", "params")

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        if code != JOINED and code not in TEMPLATES:
            raise KeyError(f"no message {code!r}")
        self.code = code
        self.params: dict[str, Any] = dict(params or {})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.code == other.code and self.params == other.params

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Message({self.code!r}, {self.params!r})"

    def __str__(self) -> str:
        return render(self)

    def data(self) -> dict[str, Any]:
        """The stored shape: {"code": ..., "params": {...}} (nested messages likewise)."""
        return {"code": self.code, "params": {k: _encode(v) for k, v in self.params.items()}}


Text: TypeAlias = Message | str


def message(code: str, /, **params: Any) -> Message:
    return Message(code, params)


def joined(parts: Iterable[Text]) -> Message:
    """Texts read as one, "; " between them (in English)."""
    return Message(JOINED, {"parts": list(parts)})


# -- rendering -----------------------------------------------------------------------


def render(text: Text | None, language: str | None = None) -> str:
    """`text` as it reads in `language` (the interface language if None): a message
    through its template, typed text as typed, None as ""."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if language is not None and language != current_language():
        with in_language(language):
            return _render(text)
    return _render(text)


def english(text: Text | None) -> str:
    """The English rendering: what JSON, CSV and the text columns hold."""
    return render(text, ENGLISH)


def _render(m: Message) -> str:
    if m.code == JOINED:
        parts = [_param("part", p) for p in m.params["parts"]]
        if current_language() == ENGLISH:
            return "; ".join(parts)
        return "；".join(p for p in parts if p)
    values = {k: _param(k, v) for k, v in m.params.items()}
    return _(TEMPLATES[m.code]).format(**values)


def _param(name: str, value: Any) -> str:
    if isinstance(value, Message):
        return _render(value)
    if value is None:
        return ""
    if name == "summary":
        return _param("part", value)[:SUMMARY_CUT]
    if name == "roles":
        words = [label("role", r) for r in value]
        return (", " if current_language() == ENGLISH else "、").join(words)
    if name == "role" and value == "nobody":
        return _("nobody")
    if name in LABELLED:
        return label(LABELLED[name], value)
    if name in ("offset", "window"):
        return interval_text(str(value))
    if name == "question":
        return _(str(value))
    return str(value)


# -- storing -------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return value.data()
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return Message(value["code"], {k: _decode(v) for k, v in value["params"].items()})
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(text: Text | None) -> str | None:
    """The message column of `text`: its JSON, or None for typed text (and None)."""
    if isinstance(text, Message):
        return json.dumps(text.data(), ensure_ascii=False, separators=(",", ":"))
    return None


def loads(stored: str) -> Message:
    decoded = _decode(json.loads(stored))
    if not isinstance(decoded, Message):
        raise ValueError(f"not a stored message: {stored[:40]!r}")
    return decoded


def columns(text: Text | None) -> tuple[str | None, str | None]:
    """What a row stores for `text`: (the text column, the message column)."""
    if text is None:
        return None, None
    if isinstance(text, Message):
        try:
            # (the class in the key too: 1, 1.0 and True are equal keys, other JSON)
            key = tuple((k, v.__class__, v) for k, v in text.params.items())
            return _stored(text.code, key)
        except TypeError:  # a parameter that is a list or a message: not remembered
            return english(text), dumps(text)
    return text, None


@lru_cache(maxsize=4096)
def _stored(code: str, params: tuple[tuple[str, type, Any], ...]) -> tuple[str, str | None]:
    """`columns` of a message of plain parameters, remembered: an import plans the same
    visit and yearly texts for thousands of customers. `_plain_stored` is the plain
    version; tests/test_texts.py holds the two equal."""
    return _plain_stored(Message(code, {k: v for k, _class, v in params}))


def _plain_stored(m: Message) -> tuple[str, str | None]:
    return english(m), dumps(m)


def read(text: str | None, stored: str | None) -> Text | None:
    """A row's text back: its message when it has one, else the text as typed."""
    return loads(stored) if stored else text


def record(row: Any, *names: str) -> dict[str, Any]:
    """A row (with `<name>_message` selected beside each text column `name`) as a dict
    whose `name` holds its `Text` and no message column."""
    data = dict(row)
    for name in names:
        data[name] = read(data[name], data.pop(name + "_message"))
    return data


def shown(text: str | None, stored: str | None) -> str:
    """A row's text as the reader sees it: in English the text column (the message's
    English rendering, or what was typed); otherwise the message rendered, or the
    typed text as typed."""
    if stored is None or current_language() == ENGLISH:
        return text or ""
    return _render(loads(stored))


_INTERVAL = re.compile(r"(\d+)([dwmy])")
_UNITS = {"d": N_("{n} days"), "w": N_("{n} weeks"), "m": N_("{n} months"), "y": N_("{n} years")}


def interval_text(text: str) -> str:
    """An interval as written in config (3d, 1w, 6m, 1y), in the interface language."""
    language = current_language()
    if language == ENGLISH:
        return text
    return _interval_in(text, language)


@lru_cache(maxsize=256)
def _interval_in(text: str, language: str) -> str:
    """`interval_text` in `language` (the current one): a due list says "2 days" for
    tens of thousands of callbacks, and there are a few intervals."""
    found = _INTERVAL.fullmatch(text.strip())
    if not found:
        return text
    return _(_UNITS[found.group(2)]).format(n=int(found.group(1)))
