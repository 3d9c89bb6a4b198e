"""Key-account visit reports and their review (seed 003, 大客户回访的工作流程: "(7)整理
回访记录…提炼主要结论" and "(8)主管领导审阅").

The report lists the reached calls to customers of `[visit_reports] tiers` (grades 1–3
by default) that are visits (channel visit, or completing or naming a visit callback) or
carry findings (a visit callback: the one the call was logged against), with their findings and review; a report not reviewed more than
`review_within_days` days after the call is overdue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from followup_cli.domain.reports.queries import visit_report_calls
from followup_cli.domain.session import Session

DEFAULT_DAYS = 30  # without --from: the last 30 days

# A report's review status.
REVIEWED = "reviewed"
WAITING = "waiting"
OVERDUE = "overdue"


@dataclass
class VisitRow:
    call_id: int
    day: str
    at: str
    customer_code: str
    customer_name: str
    grade: int
    caller: str
    channel: str
    contact: str | None
    findings: str | None
    review: str  # reviewed | waiting | overdue
    days_waiting: int | None  # unreviewed: days since the call
    reviewed_by: str | None
    reviewed_at: str | None
    review_note: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class VisitsReport:
    since: date
    until: date
    review_within_days: int
    rows: list[VisitRow]

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.review == OVERDUE)

    @property
    def waiting(self) -> int:
        return sum(1 for r in self.rows if r.review != REVIEWED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.since.isoformat(),
            "to": self.until.isoformat(),
            "review_within_days": self.review_within_days,
            "waiting": self.waiting,
            "overdue": self.overdue,
            "visits": [r.to_dict() for r in self.rows],
        }


def visits_report(session: Session, since: date | None, until: date | None) -> VisitsReport:
    """The key accounts' visit reports from `since` (default: 30 days ago) to `until`
    (default: today), oldest first."""
    cfg = session.config["visit_reports"]
    until = until or session.today
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    within = int(cfg["review_within_days"])
    grades = [g for g in range(1, 6) if session.config.tier(g) in cfg["tiers"]]
    with session.read() as conn:
        found = visit_report_calls(conn, since, until, grades)
    rows = []
    for r in found:
        waited = (session.today - date.fromisoformat(r["day"])).days
        status = REVIEWED if r["reviewed_by"] else (OVERDUE if waited > within else WAITING)
        rows.append(
            VisitRow(
                r["id"],
                r["day"],
                r["at"],
                r["code"],
                r["name"],
                r["grade"],
                r["caller"],
                r["channel"],
                r["contact"],
                r["findings"],
                status,
                None if status == REVIEWED else waited,
                r["reviewed_by"],
                r["reviewed_at"],
                r["note"],
            )
        )
    return VisitsReport(since, until, within, rows)
