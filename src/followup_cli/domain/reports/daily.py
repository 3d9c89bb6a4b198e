"""The morning report cron mails: work due by assignee, SLA breaches, the day's
escalations, the day's new complaints and whom they were reported to, and new early
warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from followup_cli.domain.callbacks.due import DueFilter, due_list
from followup_cli.domain.complaints.early_warning import count_open_emergencies
from followup_cli.domain.complaints.tickets import list_tickets
from followup_cli.domain.reports.queries import (
    ticket_escalations_on,
    tickets_reported_on,
    warnings_raised_on,
)
from followup_cli.domain.session import Session
from followup_cli.domain.texts import english, message, record


@dataclass
class DailyReport:
    day: date
    customers_due: int
    callbacks_due: int
    callbacks_overdue: int
    by_assignee: list[dict[str, Any]] = field(default_factory=list)
    breaches: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    reported: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    emergencies_open: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "daily",
            "date": self.day.isoformat(),
            "customers_due": self.customers_due,
            "callbacks_due": self.callbacks_due,
            "callbacks_overdue": self.callbacks_overdue,
            "by_assignee": self.by_assignee,
            "breaches": self.breaches,
            "escalations": self.escalations,
            "reported": self.reported,
            "new_warnings": self.warnings,
            "emergencies_open": self.emergencies_open,
        }


UNASSIGNED = message("report.unassigned")


def daily_report(session: Session) -> DailyReport:
    today = session.today
    rows = due_list(session, DueFilter(on=today)).rows
    per: dict[str, dict[str, Any]] = {}
    due_today = overdue = 0
    for row in rows:
        seen: set[str] = set()
        for reason in row.reasons:
            who = reason.assignee or UNASSIGNED
            entry = per.setdefault(
                english(who), {"assignee": who, "due_today": 0, "overdue": 0, "customers": 0}
            )
            if reason.due_on < today.isoformat():
                entry["overdue"] += 1
                overdue += 1
            else:
                entry["due_today"] += 1
                due_today += 1
            if english(who) not in seen:
                entry["customers"] += 1
                seen.add(english(who))
    by_assignee = sorted(
        per.values(), key=lambda e: (-e["overdue"] - e["due_today"], english(e["assignee"]))
    )
    breaches = [
        {
            "ticket_id": t.id,
            "customer_code": t.customer_code,
            "customer_name": t.customer_name,
            "severity": t.severity,
            "status": t.status,
            "due_by": t.due_by,
            "with": t.escalated_to or t.escalated_role,
            "summary": t.summary,
        }
        for t in list_tickets(session, "open", overdue=True)
    ]
    conn = session.conn
    escalations = [record(r, "reason") for r in ticket_escalations_on(conn, today)]
    # New complaints, each reported at once to the sales manager (seed 001: 立即向销售经理汇报).
    reported = [record(r, "note", "summary") for r in tickets_reported_on(conn, today)]
    warnings = [record(r, "reason") for r in warnings_raised_on(conn, today)]
    emergencies = count_open_emergencies(session, conn, today)
    return DailyReport(
        day=today,
        customers_due=len(rows),
        callbacks_due=due_today,
        callbacks_overdue=overdue,
        by_assignee=by_assignee,
        breaches=breaches,
        escalations=escalations,
        reported=reported,
        warnings=warnings,
        emergencies_open=emergencies,
    )
