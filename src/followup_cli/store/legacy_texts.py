"""Reading back the English sentences that schema v3 and earlier stored for generated
texts, once, when migration m004 turns them into messages (`followup_cli.domain.texts`).

Nothing else uses this: screens render the stored message. A text is read as a
message only when the message's English rendering gives the stored text back exactly,
and only with the codes its column could hold, so what a person typed ("unreachable;
call after 3pm") is never taken for a template and stays as typed.
"""

from __future__ import annotations

import re
from functools import cache

from followup_cli.domain.texts import JOINED, TEMPLATES, Message, Text, english, joined

# The codes each stored column may hold (most specific first).
CALLBACK_DETAIL = tuple(code for code in TEMPLATES if code.startswith("callback."))
TICKET_SUMMARY = ("ticket.answered_no",)
OPENING_NOTE = ("ticket.routed_to_person", "ticket.routed_to", "ticket.no_staff_for")
ESCALATION_REASON = (
    "escalation.by_hand",
    "escalation.breach_resolution",
    "escalation.breach_telling",
)
ESCALATION_NOTE = (
    "escalation.top_rung",
    "escalation.rungs_skipped",
    "escalation.nobody_above",
    "warning.no_staff_holds",
)
INDICATORS = tuple(code for code in TEMPLATES if code.startswith("indicator."))
WARNING_REASON = ("warning.emergency_record", "warning.cleared")

# Parameters that may hold any text (a question from config, what a person typed).
_FREE = {"question", "summary", "reason"}
_NUMBERS = {"n", "days", "id"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Parameters holding another generated text, and the codes it may be.
_NESTED = {
    "indicators": INDICATORS,
    "note": ESCALATION_NOTE,
}


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


def _one(text: str, codes: tuple[str, ...]) -> Message | None:
    for code in codes:
        found = _pattern(TEMPLATES[code]).fullmatch(text)
        if found is None:
            continue
        params: dict[str, object] = {}
        groups = found.groupdict()
        if any("; " in v for k, v in groups.items() if k not in _NESTED and k not in _FREE):
            continue  # only free text holds "; ": these are texts joined
        if not all(groups[k].isdigit() for k in _NUMBERS if k in groups):
            continue
        for name, value in groups.items():
            if name in _NESTED:
                params[name] = read_text(value, _NESTED[name])
            elif name == "roles":
                params[name] = value.split(", ")
            elif name in _NUMBERS:
                params[name] = int(value)
            else:
                params[name] = value
        candidate = Message(code, params)
        if english(candidate) == text:
            return candidate
    return None


def read_text(text: str, codes: tuple[str, ...]) -> Text:
    """`text` as the message of one of `codes` that renders it exactly, or parts joined
    by "; " each read so; else `text` itself (typed by a person)."""
    found = _one(text, codes)
    if found is not None:
        return found
    if "; " in text:
        parts = [_one(part, codes) or part for part in text.split("; ")]
        if any(isinstance(p, Message) for p in parts):
            candidate = joined(parts)
            if english(candidate) == text:
                return candidate
    return text


def read_with_note(text: str, reasons: tuple[str, ...], notes: tuple[str, ...]) -> Text:
    """An escalation's history note: its reason (a message of `reasons`, or typed),
    optionally followed by " (note)" holding a note of `notes`."""
    if text.endswith(")"):
        at = text.find(" (")
        while at != -1:
            note = read_text(text[at + 2 : -1], notes)
            if isinstance(note, Message):
                reason = read_text(text[:at], reasons)
                candidate = Message("escalation.with_note", {"reason": reason, "note": note})
                if english(candidate) == text:
                    return candidate
            at = text.find(" (", at + 1)
    return read_text(text, reasons)


def read_warning_reason(text: str) -> Text:
    """An early warning's recorded reason: its indicators, or "warning cleared"."""
    return read_text(text, WARNING_REASON)


__all__ = [
    "CALLBACK_DETAIL",
    "ESCALATION_NOTE",
    "ESCALATION_REASON",
    "INDICATORS",
    "JOINED",
    "OPENING_NOTE",
    "TICKET_SUMMARY",
    "read_text",
    "read_warning_reason",
    "read_with_note",
]
