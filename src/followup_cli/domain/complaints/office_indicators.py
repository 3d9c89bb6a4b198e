"""Office-wide early-warning indicators (seed 001: 总量预警指标、比例预警指标): totals and
shares over the whole customer file, each measured by one set-based query, so an office
of 100,000 customers costs a handful of index scans, never a loop over its customers.

Each figure trips its breach threshold ([warnings.office] `name`) or its approach
threshold (`name_approach`) when it is at or above it. A share needs at least
`min_base` customers, callbacks or events under it: below that it is not measured.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from followup_cli.support.config import Config
from followup_cli.support.dates import Interval, add_months

OFFICE_INDICATORS = (
    "office.open_tickets",
    "office.complaints_per_100_events",
    "office.low_satisfaction_pct",
    "office.overdue_callbacks_pct",
    "office.uncontacted_pct",
)


@dataclass(frozen=True)
class Figure:
    indicator: str  # office.<setting name>
    value: float
    base: int  # what the figure is measured over (customers, callbacks, events)


def office_figures(config: Config, conn: sqlite3.Connection, today: date) -> list[Figure]:
    """Every office-wide figure measurable today (a share over too small a base is left
    out), rounded to one decimal."""
    cfg = config["warnings"]
    office = cfg["office"]
    minimum = int(office["min_base"])
    day = today.isoformat()
    figures: list[Figure] = []

    (open_total,) = conn.execute("SELECT count(*) FROM tickets WHERE status != 'closed'").fetchone()
    figures.append(Figure("office.open_tickets", float(open_total), int(open_total)))

    since = (today - timedelta(days=int(cfg["tickets_in_days"]))).isoformat()
    (complaints,) = conn.execute(
        "SELECT count(*) FROM tickets WHERE opened_on > ? AND opened_on <= ?", (since, day)
    ).fetchone()
    (services,) = conn.execute(
        "SELECT count(*) FROM events WHERE kind = 'service' AND date > ? AND date <= ?",
        (since, day),
    ).fetchone()
    if services >= minimum:
        figures.append(
            Figure("office.complaints_per_100_events", _share(complaints, services), services)
        )

    # Each active customer's last satisfaction score (the latest call that has one), in
    # standard SQL both engines read: a window numbering each customer's calls.
    low, rated = conn.execute(
        "SELECT sum(CASE WHEN score <= ? THEN 1 ELSE 0 END), count(*) FROM"
        " (SELECT c.satisfaction AS score, row_number() OVER"
        " (PARTITION BY c.customer_id ORDER BY c.at DESC) AS latest"
        " FROM calls c JOIN customers k ON k.id = c.customer_id"
        " WHERE k.archived = 0 AND c.satisfaction IS NOT NULL AND c.day <= ?) AS scored"
        " WHERE latest = 1",
        (int(cfg["low_satisfaction"]), day),
    ).fetchone()
    if rated >= minimum:
        figures.append(Figure("office.low_satisfaction_pct", _share(low or 0, rated), rated))

    late = (today - timedelta(days=int(office["overdue_callbacks_days"]))).isoformat()
    overdue, due = conn.execute(
        "SELECT sum(CASE WHEN due_on < ? THEN 1 ELSE 0 END), count(*) FROM callbacks WHERE status = 'pending' AND due_on <= ?",
        (late, day),
    ).fetchone()
    if due >= minimum:
        figures.append(Figure("office.overdue_callbacks_pct", _share(overdue or 0, due), due))

    uncontacted, watched = _uncontacted(config, conn, today)
    if watched >= minimum:
        figures.append(Figure("office.uncontacted_pct", _share(uncontacted, watched), watched))
    return figures


def _uncontacted(config: Config, conn: sqlite3.Connection, today: date) -> tuple[int, int]:
    """Core and important customers (on file longer than their interval) not reached by
    anyone within the longest visit interval the matrix sets for their grade: (how
    many, of how many)."""
    total = watched = 0
    for grade_key, matrix in config["visits"].items():
        grade = int(grade_key)
        if config.tier(grade) not in ("core", "important") or not matrix:
            continue
        longest = max(
            (config.interval(every, f"visits.{grade}.{role}") for role, every in matrix.items()),
            key=lambda i: i.approx_days,
        )
        cutoff = _before(longest, today).isoformat()
        not_reached, counted = conn.execute(
            "SELECT sum(CASE WHEN EXISTS (SELECT 1 FROM calls k WHERE k.customer_id = c.id"
            " AND k.outcome = 'reached' AND k.day > ? AND k.day <= ?) THEN 0 ELSE 1 END),"
            " count(*)"
            " FROM customers c WHERE c.archived = 0 AND c.grade = ? AND c.created_at < ?",
            (cutoff, today.isoformat(), grade, cutoff),
        ).fetchone()
        total += not_reached or 0
        watched += counted
    return total, watched


def _before(interval: Interval, day: date) -> date:
    """`day` minus the interval (month steps clipped to the month end)."""
    if interval.unit == "d":
        return day - timedelta(days=interval.count)
    if interval.unit == "w":
        return day - timedelta(weeks=interval.count)
    return add_months(day, -interval.count * (12 if interval.unit == "y" else 1))


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def thresholds(config: Config, indicator: str) -> tuple[float, float]:
    """An office indicator's (breach, approach) thresholds."""
    office = config["warnings"]["office"]
    name = indicator.removeprefix("office.")
    return float(office[name]), float(office[name + "_approach"])
