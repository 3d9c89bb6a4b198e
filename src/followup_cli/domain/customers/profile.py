"""The customer profile behind `customer show`: everything known about one customer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from followup_cli.domain.contacts.records import Contact, contacts_of
from followup_cli.domain.customers.anniversaries import Anniversary, anniversaries_of
from followup_cli.domain.customers.history import history_of
from followup_cli.domain.customers.records import Customer, resolve_customer
from followup_cli.domain.session import Session
from followup_cli.domain.texts import english, record

RECENT = 10


@dataclass
class CustomerProfile:
    customer: Customer
    contacts: list[Contact]  # still there
    events: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    callbacks: list[dict[str, Any]]
    # Calls since the last reached one (all of them, if none was): what flagged the
    # customer unreachable; the next reached call clears both.
    failed_in_a_row: int = 0
    anniversaries: list[Anniversary] = field(default_factory=list)
    # Contacts who left (seed 003: 人事变动), kept apart: never called.
    past_contacts: list[Contact] = field(default_factory=list)
    # Changes recorded in the customer's history (a grade set from value), newest first.
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.customer.to_dict(),
            "failed_calls_in_a_row": self.failed_in_a_row,
            "anniversaries": [a.to_dict() for a in self.anniversaries],
            "contacts": [c.to_dict() for c in self.contacts],
            "past_contacts": [c.to_dict() for c in self.past_contacts],
            "events": self.events,
            "calls": self.calls,
            "tickets": self.tickets,
            "pending_callbacks": self.callbacks,
            "history": [{**h, "detail": english(h["detail"])} for h in self.history],
        }


def customer_profile(session: Session, ref: str) -> CustomerProfile:
    with session.read() as conn:
        customer = resolve_customer(session, ref)
        cid = customer.id
        events = [
            dict(r)
            for r in conn.execute(
                "SELECT e.id, e.kind, e.date, e.ref, e.machine, e.staff, e.result, e.note,"
                " e.in_use, k.name AS contact, e.amount FROM events e"
                " LEFT JOIN contacts k ON k.id = e.contact_id"
                " WHERE e.customer_id = ? ORDER BY e.date DESC, e.id DESC LIMIT ?",
                (cid, RECENT),
            )
        ]
        calls = [
            dict(r)
            for r in conn.execute(
                "SELECT calls.id, at, caller AS by, channel, outcome, satisfaction, recommend,"
                " repurchase, calls.note, contacts.name AS contact FROM calls"
                " LEFT JOIN contacts ON contacts.id = calls.contact_id"
                " WHERE calls.customer_id = ? ORDER BY at DESC, calls.id DESC LIMIT ?",
                (cid, RECENT),
            )
        ]
        tickets = [
            record(r, "summary")
            for r in conn.execute(
                "SELECT id, opened_on, category, severity, status, summary, summary_message,"
                " owner, due_by, escalation_level, notified_at FROM tickets WHERE customer_id = ?"
                " ORDER BY status = 'closed', opened_on DESC, id DESC LIMIT ?",
                (cid, RECENT),
            )
        ]
        callbacks = [
            record(r, "detail")
            for r in conn.execute(
                "SELECT id, due_on, reason, level, role, assignee, attempts, detail, detail_message,"
                " appointment_at, appointment_place"
                " FROM callbacks WHERE customer_id = ? AND status = 'pending'"
                " ORDER BY due_on, id",
                (cid,),
            )
        ]
        failed = conn.execute(
            "SELECT count(*) FROM calls WHERE customer_id = ? AND outcome != 'reached' AND at >"
            " coalesce((SELECT max(at) FROM calls WHERE customer_id = ? AND outcome = 'reached'),"
            " '')",
            (cid, cid),
        ).fetchone()[0]
        contacts = contacts_of(session, cid)
        anniversaries = anniversaries_of(conn, cid)
        history = history_of(conn, cid, RECENT)
    return CustomerProfile(
        customer,
        [c for c in contacts if c.left_on is None],
        events,
        calls,
        tickets,
        callbacks,
        int(failed),
        anniversaries,
        [c for c in contacts if c.left_on is not None],
        history,
    )
