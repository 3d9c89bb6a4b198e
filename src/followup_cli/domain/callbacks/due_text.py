"""The due list's rows as text, in the language current when they are made: a row's
reasons as one line ("#12 event L2 try 2: service ..."), a booked appointment, the
contact to ask for, and the cells of a `due --format csv` line (English, whatever the
interface language). Used by
the CLI for what it prints and by the due summary for the lines it keeps
(due_keeping.py), so both read the same."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from followup_cli.domain.texts import shown
from followup_cli.domain.vocabulary import REASONS
from followup_cli.support.dates import shown_time
from followup_cli.support.i18n import ENGLISH, N_, _, current_language, label

if TYPE_CHECKING:
    from followup_cli.domain.callbacks.due import DueCallback, DueContact, DueEntry

CSV_HEADER = (
    "urgency",
    "customer_code",
    "customer_name",
    "grade",
    "contact",
    "contact_role",
    "phone",
    "due_on",
    "days_overdue",
    "assignee",
    "open_tickets",
    "reasons",
    "callback_ids",
    "unreachable",
    # (added after `unreachable`: what the JSON has besides)
    "customer_id",
    "tier",
    "role",
    # (issue 18: why this contact, and the first appointment among the reasons)
    "contact_chosen_as",
    "appointment_at",
    "appointment_place",
)


def csv_cells(e: DueEntry, reasons: ReasonText) -> list[Any]:
    """The cells of a row's `due --format csv` line, as CSV_HEADER names them (in
    English: made inside `english()`)."""
    text, ids, _parts = reasons.read(e.reasons)
    contact = e.contact
    booked = first_appointment(e.reasons)
    return [
        e.urgency,  # (the number as the ranking has it, not the table's 1 decimal)
        e.code,
        e.name,
        e.grade,
        contact.name if contact is not None else None,
        contact.role if contact is not None else None,
        e.phone,
        e.due_on,
        e.days_overdue,
        e.assignee,
        e.open_tickets,
        text,
        " ".join(ids),
        "yes" if e.unreachable else "no",
        e.customer_id,
        e.tier,
        e.role,
        contact.why if contact is not None else None,
        booked.appointment_at if booked is not None else None,
        booked.appointment_place if booked is not None else None,
    ]


def appointment_text(at: str | None, place: str | None, zone: tzinfo | None) -> str:
    """An appointment as screens show it: "booked 2026-12-03 10:00 at 济南项目部" (the
    office's clock), "booked 2026-12-03 10:00", or "at 济南项目部" (a place kept when the
    time was dropped: a missed call)."""
    if at is None:
        return _("at {place}").format(place=place)
    when = shown_time(at, zone) if zone is not None else at[:16].replace("T", " ")
    if place:
        return _("booked {time} at {place}").format(time=when, place=place)
    return _("booked {time}").format(time=when)


def first_appointment(reasons: Sequence[DueCallback]) -> DueCallback | None:
    """The reason booked soonest (`callback book`), or None."""
    booked = [x for x in reasons if x.appointment_at is not None or x.appointment_place]
    if not booked:
        return None
    return min(booked, key=lambda x: (x.appointment_at is None, x.appointment_at or ""))


class ReasonText:
    """A row's reasons as one line of text ("#12 event L2 try 2: service ..."), in the
    interface language current when it is made (its words are looked up once); a booked
    reason says when and where ("#12 visit booked 2026-12-03 10:00 at 工地: ...")."""

    def __init__(self, zone: tzinfo | None = None) -> None:
        self.zone = zone
        self.words = {reason: label("reason", reason) for reason in REASONS}
        self.level2 = " " + _("L2")
        self.attempt = " " + _("try {n}")
        self.with_detail = _("{reason}: {detail}")
        # "{reason}: {detail}" put together by concatenation, unless a translation
        # orders or escapes its placeholders otherwise.
        head, reason, rest = self.with_detail.partition("{reason}")
        between, detail, tail = rest.partition("{detail}")
        plain = reason and detail and not any(c in head + between + tail for c in "{}")
        self.around = (head, between, tail) if plain else None
        # In English a detail reads as its text column holds it (the message's English).
        self.shown = None if current_language() == ENGLISH else shown
        self.between = "; " if current_language() == ENGLISH else "；"

    def __call__(self, reasons: Sequence[DueCallback]) -> str:
        return self.read(reasons)[0]

    def items(self, reasons: Sequence[DueCallback]) -> list[str]:
        """Each reason as its text ("#12 event L2 try 2: service ...")."""
        return self.read(reasons)[2]

    def read(self, reasons: Sequence[DueCallback]) -> tuple[str, list[str], list[str]]:
        """The line, the callback ids as text, and each reason's text."""
        words, shown, around = self.words, self.shown, self.around
        parts = []
        ids = []
        for (
            cb_id,
            _due,
            reason,
            level,
            detail,
            _role,
            _who,
            attempts,
            message,
            _event,
            booked_at,
            place,
        ) in reasons:
            text = words.get(reason)
            if text is None:
                text = label("reason", reason)
            if level == 2 and reason != "second-level":  # (that one says it already)
                text += self.level2
            if attempts:
                text += self.attempt.format(n=attempts + 1)
            if booked_at is not None or place:
                text += " " + appointment_text(booked_at, place, self.zone)
            if detail:
                if shown is not None:
                    detail = shown(detail, message)
                if around is None:
                    text = self.with_detail.format(reason=text, detail=detail)
                else:
                    text = around[0] + text + around[1] + detail + around[2]
            number = str(cb_id)
            ids.append(number)
            parts.append("#" + number + " " + text)
        return self.between.join(parts), ids, parts


# Why a contact was chosen, when their role does not say it (a step of callback_order).
WHY = {"event-contact": N_("event's contact"), "primary": N_("primary contact")}


class ContactText:
    """Whom to ask for, and why (seed 000 选择客户负责人进行回访): "张建国 (person in
    charge)", "李明 (operator, event's contact)", in the interface language."""

    def __init__(self) -> None:
        self.plain = _("{name} ({role})")
        self.because = _("{name} ({role}, {why})")

    def __call__(self, contact: DueContact) -> str:
        return contact_text(contact.name, contact.role, contact.why, self.plain, self.because)


def contact_text(
    name: str, role: str, why: str, plain: str | None = None, because: str | None = None
) -> str:
    """A contact as the due list and the call brief name them: the role, and why they
    were chosen when the role does not say it already."""
    shown_role = label("contact_role", role)
    reason = WHY.get(why)
    if reason is None:  # (chosen for their role, or as the only one there)
        return (plain or _("{name} ({role})")).format(name=name, role=shown_role)
    return (because or _("{name} ({role}, {why})")).format(
        name=name, role=shown_role, why=_(reason)
    )
