"""The due list: exactly today's work, one row per customer, most urgent first.

Every pending reason of a customer due up to the window is merged into one row, so one
call covers them all. Urgency is a sum of documented terms (config `[urgency]`):

    overdue      overdue_day × min(days overdue, overdue_cap_days)
    grade        grade × (6 − customer grade)
    reason       the highest `urgency.reason` weight among the row's reasons
    reasons      extra_reason × (number of reasons − 1)
    open_tickets open_ticket × open complaints
    level2       level2 if a supervisor's second-level check is among the reasons
    retry        retry × the most failed attempts on one of the reasons
    unreachable  unreachable if the customer is flagged unreachable
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from followup_cli.session import Session

# Reasons for which the decision-maker is the preferred contact: satisfaction and
# complaint-outcome calls.
DECISION_REASONS = {"event", "second-level", "ticket-verify"}


@dataclass
class DueReason:
    callback_id: int
    reason: str
    due_on: str
    level: int
    detail: str | None
    role: str | None
    assignee: str | None
    attempts: int


@dataclass
class DueRow:
    customer: dict[str, Any]
    contact: dict[str, Any] | None
    phone: str | None
    due_on: str
    days_overdue: int
    assignee: str | None
    role: str | None
    urgency: float
    open_tickets: int
    unreachable: bool
    reasons: list[DueReason] = field(default_factory=list)
    terms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DueFilter:
    on: date
    days: int = 0
    staff: str | None = None
    role: str | None = None
    grade: int | None = None
    overdue: bool = False
    limit: int | None = None


def due_list(session: Session, flt: DueFilter) -> list[DueRow]:
    """The rows of the due list for `flt` (read-only; one snapshot)."""
    end = (flt.on + timedelta(days=flt.days)).isoformat()
    grace = int(session.config["planning"]["greeting_grace_days"])
    greeting_cut = (flt.on - timedelta(days=grace)).isoformat()
    with session.read() as conn:
        rows = conn.execute(
            "SELECT cb.id, cb.customer_id, cb.due_on, cb.reason, cb.level, cb.detail, cb.role,"
            " cb.assignee, cb.attempts, c.code, c.name, c.grade, c.phone, c.unreachable"
            " FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
            " WHERE cb.status = 'pending' AND cb.due_on <= ? AND c.archived = 0"
            " AND NOT (cb.reason IN ('holiday', 'birthday') AND cb.due_on < ?)"
            + (" AND c.grade = ?" if flt.grade is not None else "")
            + " ORDER BY cb.customer_id, cb.due_on, cb.id",
            (end, greeting_cut, *([flt.grade] if flt.grade is not None else [])),
        ).fetchall()
        groups: dict[int, list[sqlite3.Row]] = {}
        for r in rows:
            groups.setdefault(r["customer_id"], []).append(r)
        if flt.staff or flt.role:
            groups = {
                cid: rs
                for cid, rs in groups.items()
                if any(_matches(r, flt.staff, flt.role) for r in rs)
            }
        if not groups:
            return []
        ids = json.dumps(list(groups))
        tickets = dict(
            conn.execute(
                "SELECT customer_id, count(*) FROM tickets WHERE status != 'closed'"
                " AND customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id",
                (ids,),
            ).fetchall()
        )
        contacts: dict[int, list[sqlite3.Row]] = {}
        for ct in conn.execute(
            "SELECT customer_id, name, phone, role, is_primary FROM contacts"
            " WHERE customer_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (ids,),
        ):
            contacts.setdefault(ct["customer_id"], []).append(ct)
    result = [
        _row(session, flt, rs, tickets.get(cid, 0), contacts.get(cid, []))
        for cid, rs in groups.items()
    ]
    if flt.overdue:
        result = [r for r in result if r.days_overdue > 0]
    result.sort(key=lambda r: (-r.urgency, r.due_on, r.customer["code"]))
    if flt.limit is not None:
        result = result[: flt.limit]
    return result


def _matches(row: sqlite3.Row, staff: str | None, role: str | None) -> bool:
    return (staff is None or row["assignee"] == staff) and (role is None or row["role"] == role)


def pick_contact(contacts: list[sqlite3.Row], reasons: set[str]) -> sqlite3.Row | None:
    """Primary contact; the decision-maker first for satisfaction and complaint calls."""
    if not contacts:
        return None
    decision = [c for c in contacts if c["role"] == "decision-maker"]
    primary = [c for c in contacts if c["is_primary"]]
    order = (decision + primary) if reasons & DECISION_REASONS else (primary + decision)
    return (order or contacts)[0]


def _row(
    session: Session,
    flt: DueFilter,
    rows: list[sqlite3.Row],
    open_tickets: int,
    contacts: list[sqlite3.Row],
) -> DueRow:
    first = rows[0]
    reasons = [
        DueReason(
            callback_id=r["id"],
            reason=r["reason"],
            due_on=r["due_on"],
            level=r["level"],
            detail=r["detail"],
            role=r["role"],
            assignee=r["assignee"],
            attempts=r["attempts"],
        )
        for r in rows
    ]
    earliest = min(r.due_on for r in reasons)
    days_overdue = max((flt.on - date.fromisoformat(earliest)).days, 0)
    lead = next((r for r in reasons if _matches_reason(r, flt)), reasons[0])
    contact = pick_contact(contacts, {r.reason for r in reasons})
    terms = urgency_terms(
        session, reasons, first["grade"], days_overdue, open_tickets, bool(first["unreachable"])
    )
    grade = first["grade"]
    return DueRow(
        customer={
            "id": first["customer_id"],
            "code": first["code"],
            "name": first["name"],
            "grade": grade,
            "tier": session.config.tier(grade),
        },
        contact=(
            {"name": contact["name"], "phone": contact["phone"], "role": contact["role"]}
            if contact is not None
            else None
        ),
        phone=(contact["phone"] if contact is not None and contact["phone"] else first["phone"]),
        due_on=earliest,
        days_overdue=days_overdue,
        assignee=lead.assignee,
        role=lead.role,
        urgency=round(sum(terms.values()), 2),
        open_tickets=open_tickets,
        unreachable=bool(first["unreachable"]),
        reasons=reasons,
        terms=terms,
    )


def _matches_reason(reason: DueReason, flt: DueFilter) -> bool:
    if flt.staff is None and flt.role is None:
        return False
    return (flt.staff is None or reason.assignee == flt.staff) and (
        flt.role is None or reason.role == flt.role
    )


def urgency_terms(
    session: Session,
    reasons: list[DueReason],
    grade: int,
    days_overdue: int,
    open_tickets: int,
    unreachable: bool,
) -> dict[str, float]:
    u = session.config["urgency"]
    weights = u["reason"]
    terms = {
        "overdue": float(u["overdue_day"]) * min(days_overdue, int(u["overdue_cap_days"])),
        "grade": float(u["grade"]) * (6 - grade),
        "reason": max(float(weights.get(r.reason, 0.0)) for r in reasons),
        "reasons": float(u["extra_reason"]) * (len(reasons) - 1),
        "open_tickets": float(u["open_ticket"]) * open_tickets,
        "level2": float(u["level2"]) if any(r.level == 2 for r in reasons) else 0.0,
        "retry": float(u["retry"]) * max(r.attempts for r in reasons),
        "unreachable": float(u["unreachable"]) if unreachable else 0.0,
    }
    return {k: round(v, 2) for k, v in terms.items()}
