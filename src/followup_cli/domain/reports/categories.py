"""Complaints by category against the previous period (失误分析: are old problems gone,
are new ones appearing?), sorted for a Pareto chart."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from followup_cli.domain.reports.period import Period
from followup_cli.domain.reports.queries import ticket_counts_by_category
from followup_cli.domain.session import Session


@dataclass
class CategoryRow:
    category: str
    label: str
    count: int
    previous: int
    change: int
    change_pct: float | None
    share_pct: float
    cumulative_pct: float
    status: str  # new | gone | up | down | same


@dataclass
class CategoriesReport:
    period: Period
    previous: Period
    total: int
    previous_total: int
    rows: list[CategoryRow]

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "categories",
            "period": self.period.as_dict(),
            "previous_period": self.previous.as_dict(),
            "total": self.total,
            "previous_total": self.previous_total,
            "categories": [asdict(r) for r in self.rows],
        }


def _counts(session: Session, period: Period) -> dict[str, int]:
    return dict(ticket_counts_by_category(session.conn, period))


def categories_report(session: Session, period: Period, unit: str | None) -> CategoriesReport:
    previous = period.previous(unit)
    now, before = _counts(session, period), _counts(session, previous)
    total = sum(now.values())
    labels = session.config["categories"]
    names = sorted(set(now) | set(before), key=lambda c: (-now.get(c, 0), -before.get(c, 0), c))
    rows: list[CategoryRow] = []
    running = 0
    for name in names:
        count, prev = now.get(name, 0), before.get(name, 0)
        running += count
        if prev == 0:
            status = "new" if count else "same"
        elif count == 0:
            status = "gone"
        else:
            status = "up" if count > prev else "down" if count < prev else "same"
        rows.append(
            CategoryRow(
                category=name,
                label=labels.get(name, {}).get("label", name),
                count=count,
                previous=prev,
                change=count - prev,
                change_pct=round(100 * (count - prev) / prev, 1) if prev else None,
                share_pct=round(100 * count / total, 1) if total else 0.0,
                cumulative_pct=round(100 * running / total, 1) if total else 0.0,
                status=status,
            )
        )
    return CategoriesReport(period, previous, total, sum(before.values()), rows)
