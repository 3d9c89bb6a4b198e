"""The morning report cron mails: work due by assignee, SLA breaches, the day's
escalations, the day's new complaints and whom they were reported to, new early
warnings, and the notices that failed for good since yesterday."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from followup_cli.domain.callbacks.due import DueFilter, due_list
from followup_cli.domain.complaints.early_warning import count_open_emergencies
from followup_cli.domain.complaints.tickets import list_tickets
from followup_cli.domain.notify import outbox
from followup_cli.domain.reports.queries import (
    ticket_escalations_on,
    tickets_reported_on,
    warnings_raised_on,
)
from followup_cli.domain.session import Session
from followup_cli.domain.texts import english, message, read, record


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
    # Notices that gave up (notify.max_attempts) since yesterday: nobody heard of them.
    failed_notices: list[dict[str, Any]] = field(default_factory=list)

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
            "failed_notices": self.failed_notices,
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
    failed = [
        {
            "id": r["id"],
            "cause": r["cause"],
            "ticket": r["ticket_id"],
            "customer": r["customer_code"],
            "recipient": r["recipient"],
            "channel": r["channel"],
            "attempts": r["attempts"],
            "last_error": r["last_error"],
            "text": read(r["text"], r["text_message"]),
        }
        for r in outbox.failed_since(conn, today - timedelta(days=1))
    ]
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
        failed_notices=failed,
    )
