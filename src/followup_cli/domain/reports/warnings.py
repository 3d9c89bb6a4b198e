"""`report warnings`: the early warnings standing today (the office's first, with the
figure and the threshold), each with its id, level and responsible person, open,
acknowledged or climbed; and the routine report (seed 001: "常规报告按月或季度进行"):
per month or quarter, the breaches and approaches raised and cleared.

Both bring the warnings table up to date first (one write transaction), so the ids
they show are the ones `warning ack` takes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from followup_cli.domain.complaints import warning_store
from followup_cli.domain.complaints.early_warning import describe, sync_unless_busy
from followup_cli.domain.reports.period import Period, buckets
from followup_cli.domain.session import Session
from followup_cli.support.config import Config


def level_of(row: sqlite3.Row) -> str:
    """approaching | breach | emergency: an emergency is reported at once (紧急报告)."""
    return "emergency" if row["emergency"] else str(row["stage"])


def status_of(row: sqlite3.Row) -> str:
    if row["cleared_on"]:
        return "cleared"
    if row["acknowledged_by"]:
        return "acknowledged"
    if row["climbed_on"]:
        return "climbed"
    return "open"


def warning_record(config: Config, row: sqlite3.Row) -> dict[str, Any]:
    """One warning as the report (and its JSON) shows it."""
    office = row["customer_id"] is None
    return {
        "id": row["id"],
        "scope": "office" if office else "customer",
        "indicator": row["indicator"],
        "level": level_of(row),
        "stage": row["stage"],
        "emergency": bool(row["emergency"]),
        "value": _number(row["value"]),
        "threshold": _number(row["threshold"]),
        "customer_id": row["customer_id"],
        "code": row["code"],
        "name": row["name"],
        "grade": row["grade"],
        "tier": None if office else config.tier(row["grade"]),
        "role": row["role"],
        "responsible": row["responsible"],
        "raised_on": row["raised_on"],
        "cleared_on": row["cleared_on"],
        "ack_due": row["ack_due"],
        "climbed_on": row["climbed_on"],
        "climbed_from": row["climbed_from"],
        "acknowledged_by": row["acknowledged_by"],
        "acknowledged_at": row["acknowledged_at"],
        "action": row["action"],
        "status": status_of(row),
        "text": describe(row["indicator"], row["value"], row["threshold"], config),
    }


def _number(value: float) -> float | int:
    """A figure as JSON shows it: a count as a whole number, a share with its decimal."""
    return int(value) if float(value).is_integer() else value


def _order(r: dict[str, Any]) -> tuple[Any, ...]:
    return (
        r["scope"] != "office",
        not r["emergency"],
        r["stage"] != "breach",
        r["grade"] or 0,
        r["code"] or "",
        r["indicator"],
    )


def current_warnings(session: Session) -> list[dict[str, Any]]:
    """The warnings standing today: office-wide first, then emergencies, breaches,
    approaches; by grade and code. Brought up to date first unless the database is busy
    or read-only (then as last recorded: a report never fails for want of writing)."""
    sync_unless_busy(session)
    with session.read():
        rows = warning_store.open_warnings(session.conn)
    return sorted((warning_record(session.config, r) for r in rows), key=_order)


@dataclass
class RoutinePeriod:
    label: str
    span: Period
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.label,
            **self.span.as_dict(),
            **self.counts,
            "warnings": self.warnings,
        }


def routine_report(session: Session, span: Period, unit: str) -> list[RoutinePeriod]:
    """Per month or quarter of `span`: the breaches and approaches raised (`new`) and
    cleared in it, each warning once per change (brought up to date first, as in
    `current_warnings`)."""
    sync_unless_busy(session)
    with session.read():
        rows = warning_store.warnings_between(session.conn, span.start, span.end)
    out: list[RoutinePeriod] = []
    for label, part in buckets(span, unit):
        period = RoutinePeriod(
            label,
            part,
            {
                "new_breaches": 0,
                "new_approaches": 0,
                "cleared_breaches": 0,
                "cleared_approaches": 0,
            },
        )
        start, end = part.start.isoformat(), part.end.isoformat()
        for row in rows:
            for change, day in (("new", row["raised_on"]), ("cleared", row["cleared_on"])):
                if day is None or not start <= day <= end:
                    continue
                kind = "breaches" if row["stage"] == "breach" else "approaches"
                period.counts[f"{change}_{kind}"] += 1
                period.warnings.append(
                    {"change": change, "day": day, **warning_record(session.config, row)}
                )
        period.warnings.sort(key=lambda r: (r["day"], r["change"] != "new", r["id"]))
        out.append(period)
    return out
