"""The notice each cause queues (outbox.Cause): its once-only key and its text, a title
and lines, stored as messages and rendered in the reader's language when sent."""

from __future__ import annotations

from followup_cli.domain.notify.outbox import Cause
from followup_cli.domain.texts import Message, Text, joined, message


def _customer(code: str | None, name: str | None) -> Message:
    return message("notice.customer", code=code or "", name=name or "")


def escalation_cause(
    escalation_id: int,
    ticket_id: int,
    customer_id: int,
    customer: tuple[str | None, str | None],
    role: str | None,
    summary: Text,
    severity: str,
    reason: Text,
    due_by: str,
) -> Cause:
    """A complaint climbed to a new owner (escalations row `escalation_id`)."""
    parts: list[Text] = [
        message("notice.escalated", id=str(ticket_id), role=role or "nobody"),
        _customer(*customer),
        message("notice.summary", summary=summary),
        message("notice.severity", severity=severity),
        message("notice.reason", reason=reason),
        message("notice.due", date=due_by),
    ]
    return Cause("escalation", f"escalation:{escalation_id}", joined(parts), ticket_id, customer_id)


def new_ticket_cause(
    ticket_id: int,
    customer_id: int,
    customer: tuple[str | None, str | None],
    role: str,
    summary: Text,
    severity: str,
    due_by: str,
) -> Cause:
    """A new complaint, reported at once to the sales manager (tickets.report_to)."""
    parts: list[Text] = [
        message("notice.new_ticket", id=str(ticket_id), role=role),
        _customer(*customer),
        message("notice.summary", summary=summary),
        message("notice.severity", severity=severity),
        message("notice.due", date=due_by),
    ]
    return Cause("ticket", f"ticket:{ticket_id}", joined(parts), ticket_id, customer_id)


def approval_cause(
    ticket_id: int,
    customer_id: int,
    customer: tuple[str | None, str | None],
    summary: Text,
    resolution: str,
    proposed_at: str,
) -> Cause:
    """A proposed handling waits for a leader's approval (批示); a new proposal (its
    `proposed_at` stamp) is a new cause."""
    parts: list[Text] = [
        message("notice.approval", id=str(ticket_id)),
        _customer(*customer),
        message("notice.summary", summary=summary),
        message("notice.resolution", resolution=resolution),
        message("notice.approve", id=str(ticket_id)),
    ]
    key = f"approval:{ticket_id}:{proposed_at}"
    return Cause("approval", key, joined(parts), ticket_id, customer_id)


def warning_cause(
    warning_id: int,
    customer_id: int | None,
    customer: tuple[str | None, str | None] | None,
    role: str | None,
    indicator: Message,
    *,
    emergency: bool,
    climbed: bool = False,
) -> Cause:
    """An early warning raised (approaching, or an emergency) for its responsible
    person, or climbed to the next one because nobody acknowledged it."""
    code = (
        "notice.warning_climbed"
        if climbed
        else "notice.warning_emergency"
        if emergency
        else "notice.warning"
    )
    parts: list[Text] = [
        message(code, id=str(warning_id), role=role or "nobody"),
        _customer(*customer) if customer else message("notice.office"),
        message("notice.indicator", indicator=indicator),
        message("notice.acknowledge", id=str(warning_id)),
    ]
    key = f"warning-climb:{warning_id}" if climbed else f"warning:{warning_id}"
    return Cause("warning", key, joined(parts), None, customer_id)
