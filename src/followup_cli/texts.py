"""What the tool writes for people, as a message code plus parameters, rendered in the
reader's language when it is shown.

A `Message` is a code (`"escalation.rungs_skipped"`) and parameters (`{"roles":
["marketing_director"]}`). Its template is the English text of `wording`, so the
catalog's zh_CN translations are the Chinese. A parameter named after a vocabulary
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
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from followup_cli import wording as w
from followup_cli.i18n import ENGLISH, _, current_language, in_language, label

# code -> English template (a message of `wording`, translated through the catalog).
TEMPLATES: dict[str, str] = {
    # callback details
    "callback.event": w.EVENT_DETAIL,
    "callback.second_level": w.SECOND_LEVEL_DETAIL,
    "callback.visit": w.VISIT_DETAIL,
    "callback.yearly": w.YEARLY_DETAIL,
    "callback.holiday": w.HOLIDAY_DETAIL,
    "callback.birthday": w.BIRTHDAY_DETAIL,
    "callback.retry": w.RETRY_DETAIL,
    "callback.verify": w.VERIFY_DETAIL,
    # escalation reasons and notes
    "escalation.by_hand": w.BY_HAND,
    "escalation.breach_resolution": w.BREACH_RESOLUTION,
    "escalation.breach_telling": w.BREACH_TELLING,
    "escalation.top_rung": w.TOP_RUNG,
    "escalation.rungs_skipped": w.RUNGS_SKIPPED,
    "escalation.nobody_above": w.NOBODY_ABOVE,
    "escalation.with_note": w.WITH_NOTE,
    "warning.emergency": w.EMERGENCY,
    "warning.emergency_record": w.EMERGENCY_RECORD,
    "warning.no_staff_holds": w.NO_STAFF_HOLDS,
    "warning.cleared": w.WARNING_CLEARED,
    # ticket history and generated tickets
    "ticket.routed_to_person": w.ROUTED_TO_PERSON,
    "ticket.routed_to": w.ROUTED_TO,
    "ticket.no_staff_for": w.NO_STAFF_FOR,
    "ticket.answered_no": w.ANSWERED_NO,
    # early-warning indicators
    "indicator.open_tickets": w.OPEN_TICKETS,
    "indicator.critical_open": w.CRITICAL_OPEN,
    "indicator.tickets_in_period": w.TICKETS_IN_PERIOD,
    "indicator.low_satisfaction": w.LOW_SATISFACTION,
    "indicator.overdue": w.OVERDUE,
    "indicator.unreachable": w.UNREACHABLE,
    # report texts (made when a report is read, never stored)
    "report.ready_to_close": w.READY_TO_CLOSE,
    "report.step_resolve": w.STEP_RESOLVE,
    "report.step_tell": w.STEP_TELL,
    "report.sla_breached": w.SLA_BREACHED,
    "report.sla_due_today": w.SLA_DUE_TODAY,
    "report.sla_left": w.SLA_LEFT,
    "report.said_no": w.SAID_NO,
    "report.level1_call": w.LEVEL1_CALL,
    "report.levels_differ": w.LEVELS_DIFFER,
    "report.unassigned": w.UNASSIGNED,
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
    if name == "offset":
        return w.interval_text(str(value))
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
        return english(text), dumps(text)
    return text, None


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
