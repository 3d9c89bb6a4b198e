"""Unresolved complaints: age, SLA state, escalation, owner, and whether the customer
has been told the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from followup_cli.domain.complaints.tickets import list_tickets
from followup_cli.domain.session import Session
from followup_cli.domain.texts import Message, message


@dataclass
class ComplaintsReport:
    day: date
    tickets: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"report": "complaints", "date": self.day.isoformat(), "tickets": self.tickets}


def sla_state(status: str, due_by: str | None, told: bool, today: date) -> Message:
    """Where the ticket stands against its deadline (JSON prints it in English)."""
    if status == "resolved" and told:
        return message("report.ready_to_close")
    step = message("report.step_resolve" if status == "open" else "report.step_tell")
    if due_by is None:
        return step
    late = (today - date.fromisoformat(due_by)).days
    if late > 0:
        return message("report.sla_breached", n=late, step=step)
    if late == 0:
        return message("report.sla_due_today", step=step)
    return message("report.sla_left", n=-late, step=step)


def complaints_report(session: Session) -> ComplaintsReport:
    today = session.today
    out: list[dict[str, Any]] = []
    for t in list_tickets(session, "open"):
        out.append(
            {
                "ticket_id": t.id,
                "customer_code": t.customer_code,
                "customer_name": t.customer_name,
                "tier": t.tier,
                "opened_on": t.opened_on,
                "age_days": t.age_days,
                "category": t.category,
                "severity": t.severity,
                "status": t.status,
                "due_by": t.due_by,
                "sla": sla_state(t.status, t.due_by, t.told, today),
                "breached": t.overdue,
                "escalation_level": t.escalation_level,
                "escalated_role": t.escalated_role,
                "escalated_to": t.escalated_to,
                "owner": t.owner,
                "told": t.told,
                "summary": t.summary,
            }
        )
    out.sort(key=lambda r: (not r["breached"], -int(r["age_days"]), int(r["ticket_id"])))
    return ComplaintsReport(today, out)
