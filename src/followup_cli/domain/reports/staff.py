"""Each staff member's callback record (callbacks weigh in service evaluation)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from followup_cli.domain.reports.period import Period
from followup_cli.domain.session import Session


@dataclass
class StaffReport:
    period: Period
    rows: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"report": "staff", "period": self.period.as_dict(), "staff": self.rows}


def staff_report(session: Session, period: Period) -> StaffReport:
    conn = session.conn
    span = (period.start.isoformat(), period.end.isoformat())
    today = session.today.isoformat()
    record: dict[str, dict[str, Any]] = {}
    for name, role in conn.execute("SELECT name, role FROM staff ORDER BY role, name"):
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
    for who, assigned, done, on_time in conn.execute(
        "SELECT assignee, count(*), sum(status = 'done'),"
        " sum(status = 'done' AND closed_on <= due_on) FROM callbacks"
        " WHERE assignee IS NOT NULL AND status != 'cancelled' AND due_on BETWEEN ? AND ?"
        " GROUP BY assignee",
        span,
    ):
        if who in record:
            r = record[who]
            r["assigned"], r["done"], r["done_on_time"] = assigned, done, on_time
            r["on_time_pct"] = round(100 * on_time / assigned, 1) if assigned else None
    for who, n in conn.execute(
        "SELECT assignee, count(*) FROM callbacks WHERE status = 'pending' AND due_on < ?"
        " AND reason NOT IN ('holiday', 'birthday') GROUP BY assignee",
        (today,),
    ):
        if who in record:
            record[who]["overdue_now"] = n
    for who, calls, reached in conn.execute(
        "SELECT caller, count(*), sum(outcome = 'reached') FROM calls WHERE day BETWEEN ? AND ?"
        " GROUP BY caller",
        span,
    ):
        if who in record:
            record[who]["calls"], record[who]["reached"] = calls, reached
    for who, n in conn.execute(
        "SELECT staff, count(*) FROM events WHERE date BETWEEN ? AND ? GROUP BY staff", span
    ):
        if who in record:
            record[who]["events"] = n
    scores: dict[str, list[int]] = defaultdict(list)
    for who, score in conn.execute(
        "SELECT e.staff, k.satisfaction FROM calls k JOIN callbacks cb ON cb.call_id = k.id"
        " JOIN events e ON e.id = cb.event_id WHERE k.satisfaction IS NOT NULL"
        " AND k.day BETWEEN ? AND ? AND cb.level = 1 GROUP BY k.id, e.id",
        span,
    ):
        scores[who].append(score)
    for who, values in scores.items():
        if who in record:
            record[who]["avg_satisfaction"] = round(sum(values) / len(values), 2)
    for who, n in conn.execute(
        "SELECT e.staff, count(DISTINCT t.id) FROM tickets t JOIN calls k ON k.id = t.call_id"
        " JOIN callbacks cb ON cb.call_id = k.id JOIN events e ON e.id = cb.event_id"
        " WHERE t.opened_on BETWEEN ? AND ? GROUP BY e.staff",
        span,
    ):
        if who in record:
            record[who]["complaints"] = n
    return StaffReport(period, list(record.values()))
