"""Each staff member's callback record (callbacks weigh in service evaluation)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from followup_cli.domain.reports.period import Period
from followup_cli.domain.reports.queries import (
    callbacks_by_assignee,
    calls_by_caller,
    complaints_by_event_staff,
    event_scores,
    events_by_staff,
    overdue_callbacks_by_assignee,
    staff_members,
)
from followup_cli.domain.session import Session


@dataclass
class StaffReport:
    period: Period
    rows: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"report": "staff", "period": self.period.as_dict(), "staff": self.rows}


def staff_report(session: Session, period: Period) -> StaffReport:
    conn = session.conn
    record: dict[str, dict[str, Any]] = {}
    for name, role in staff_members(conn):
        record[name] = {
            "staff": name,
            "role": role,
            "assigned": 0,
            "done": 0,
            "done_on_time": 0,
            "on_time_pct": None,
            "overdue_now": 0,
            "calls": 0,
            "reached": 0,
            "events": 0,
            "avg_satisfaction": None,
            "complaints": 0,
        }
    for who, assigned, done, on_time in callbacks_by_assignee(conn, period):
        if who in record:
            r = record[who]
            r["assigned"], r["done"], r["done_on_time"] = assigned, done, on_time
            r["on_time_pct"] = round(100 * on_time / assigned, 1) if assigned else None
    for who, n in overdue_callbacks_by_assignee(conn, session.today):
        if who in record:
            record[who]["overdue_now"] = n
    for who, calls, reached in calls_by_caller(conn, period):
        if who in record:
            record[who]["calls"], record[who]["reached"] = calls, reached
    for who, n in events_by_staff(conn, period):
        if who in record:
            record[who]["events"] = n
    scores: dict[str, list[int]] = defaultdict(list)
    for who, score in event_scores(conn, period):
        scores[who].append(score)
    for who, values in scores.items():
        if who in record:
            record[who]["avg_satisfaction"] = round(sum(values) / len(values), 2)
    for who, n in complaints_by_event_staff(conn, period):
        if who in record:
            record[who]["complaints"] = n
    return StaffReport(period, list(record.values()))
