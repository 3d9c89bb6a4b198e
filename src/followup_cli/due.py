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

The ranking is computed in SQL over the pending callbacks (one indexed pass), so the
cost follows the rows due, not the history; the details (reasons, contact) are then
read only for the rows shown.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from followup_cli.session import Session
from followup_cli.vocab import REASONS

# Reasons for which the decision-maker is the preferred contact: satisfaction and
# complaint-outcome calls.
DECISION_REASONS = {"event", "second-level", "ticket-verify"}
TERMS = ("overdue", "grade", "reason", "reasons", "open_tickets", "level2", "retry", "unreachable")


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
    reasons: list[dict[str, Any]] = field(default_factory=list)
    terms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "contact": self.contact,
            "phone": self.phone,
            "due_on": self.due_on,
            "days_overdue": self.days_overdue,
            "assignee": self.assignee,
            "role": self.role,
            "urgency": self.urgency,
            "open_tickets": self.open_tickets,
            "unreachable": self.unreachable,
            "reasons": self.reasons,
            "terms": self.terms,
        }


@dataclass
class DueFilter:
    on: date
    days: int = 0
    staff: str | None = None
    role: str | None = None
    grade: int | None = None
    overdue: bool = False
    limit: int | None = None


@dataclass
class DueList:
    rows: list[DueRow]
    total: int  # customers matching, before --limit


def _num(value: Any) -> str:
    return repr(float(value))


def _ranking_sql(session: Session, flt: DueFilter) -> tuple[str, dict[str, Any]]:
    """One row per customer with each urgency term as a column, ordered by urgency."""
    u = session.config["urgency"]
    weights = u["reason"]
    reason_case = (
        "CASE cb.reason "
        + " ".join(f"WHEN '{k}' THEN {_num(weights[k])}" for k in REASONS if k in weights)
        + " ELSE 0.0 END"
    )
    end = (flt.on + timedelta(days=flt.days)).isoformat()
    grace = int(session.config["planning"]["greeting_grace_days"])
    greeting_cut = (flt.on - timedelta(days=grace)).isoformat()
    pending = (
        "cb.status = 'pending' AND cb.due_on <= :end"
        " AND NOT (cb.reason IN ('holiday', 'birthday') AND cb.due_on < :greeting_cut)"
    )
    params: dict[str, Any] = {"end": end, "greeting_cut": greeting_cut, "on": flt.on.isoformat()}
    where = ["c.archived = 0"]
    if flt.grade is not None:
        where.append("c.grade = :grade")
        params["grade"] = flt.grade
    if flt.overdue:
        where.append("d.first_due < :on")
    if flt.staff or flt.role:
        match = []
        if flt.staff:
            match.append("x.assignee = :staff")
            params["staff"] = flt.staff
        if flt.role:
            match.append("x.role = :role")
            params["role"] = flt.role
        where.append(
            "EXISTS (SELECT 1 FROM callbacks x WHERE x.customer_id = d.customer_id"
            " AND x.status = 'pending' AND x.due_on <= :end AND " + " AND ".join(match) + ")"
        )
    late = "max(CAST(julianday(:on) - julianday(d.first_due) AS INTEGER), 0)"
    terms = {
        "overdue": f"{_num(u['overdue_day'])} * min({late}, {int(u['overdue_cap_days'])})",
        "grade": f"{_num(u['grade'])} * (6 - c.grade)",
        "reason": "d.reason_weight",
        "reasons": f"{_num(u['extra_reason'])} * (d.n - 1)",
        "open_tickets": f"{_num(u['open_ticket'])} * coalesce(t.n, 0)",
        "level2": f"CASE WHEN d.max_level = 2 THEN {_num(u['level2'])} ELSE 0.0 END",
        "retry": f"{_num(u['retry'])} * d.max_attempts",
        "unreachable": f"CASE WHEN c.unreachable THEN {_num(u['unreachable'])} ELSE 0.0 END",
    }
    columns = ", ".join(f"round({expr}, 2) AS t_{name}" for name, expr in terms.items())
    sql = (
        "WITH d AS (SELECT cb.customer_id, min(cb.due_on) AS first_due, count(*) AS n,"
        " max(cb.level) AS max_level, max(cb.attempts) AS max_attempts,"
        f" max({reason_case}) AS reason_weight"
        # Only the pending callbacks due up to the window, whatever the planner guesses
        # from a small table: this keeps the cost to the rows due, not the history.
        f" FROM callbacks cb INDEXED BY callbacks_pending_due WHERE {pending}"
        " GROUP BY cb.customer_id),"
        " t AS (SELECT customer_id, count(*) AS n FROM tickets WHERE status != 'closed'"
        " GROUP BY customer_id),"
        " r AS (SELECT d.customer_id, d.first_due, c.code, c.name, c.grade, c.phone,"
        f" c.unreachable, coalesce(t.n, 0) AS open_tickets, {late} AS days_overdue, {columns}"
        " FROM d JOIN customers c ON c.id = d.customer_id"
        " LEFT JOIN t ON t.customer_id = d.customer_id"
        f" WHERE {' AND '.join(where)})"
        " SELECT *, round(" + " + ".join(f"t_{name}" for name in terms) + ", 2) AS urgency,"
        " count(*) OVER () AS total FROM r ORDER BY urgency DESC, first_due, code"
    )
    if flt.limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = flt.limit
    return sql, params


def due_list(session: Session, flt: DueFilter) -> DueList:
    """The rows of the due list for `flt`, ranked (read-only; one snapshot)."""
    sql, params = _ranking_sql(session, flt)
    with session.read() as conn:
        ranked = conn.execute(sql, params).fetchall()
        if not ranked:
            return DueList([], 0)
        ids = json.dumps([r["customer_id"] for r in ranked])
        reasons: dict[int, list[sqlite3.Row]] = {}
        for cb in conn.execute(
            "SELECT id, customer_id, due_on, reason, level, detail, role, assignee, attempts"
            " FROM callbacks WHERE status = 'pending' AND due_on <= :end"
            " AND NOT (reason IN ('holiday', 'birthday') AND due_on < :greeting_cut)"
            " AND customer_id IN (SELECT value FROM json_each(:ids))"
            " ORDER BY customer_id, due_on, id",
            {**params, "ids": ids},
        ):
            reasons.setdefault(cb["customer_id"], []).append(cb)
        contacts: dict[int, list[sqlite3.Row]] = {}
        for ct in conn.execute(
            "SELECT customer_id, name, phone, role, is_primary FROM contacts"
            " WHERE customer_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (ids,),
        ):
            contacts.setdefault(ct["customer_id"], []).append(ct)
    tier = session.config.tier
    rows = [
        _row(
            r,
            reasons.get(r["customer_id"], []),
            contacts.get(r["customer_id"], []),
            flt,
            tier(r["grade"]),
        )
        for r in ranked
    ]
    return DueList(rows, int(ranked[0]["total"]))


def pick_contact(contacts: list[sqlite3.Row], reasons: set[str]) -> sqlite3.Row | None:
    """Primary contact; the decision-maker first for satisfaction and complaint calls."""
    if not contacts:
        return None
    decision = [c for c in contacts if c["role"] == "decision-maker"]
    primary = [c for c in contacts if c["is_primary"]]
    order = (decision + primary) if reasons & DECISION_REASONS else (primary + decision)
    return (order or contacts)[0]


def _row(
    r: sqlite3.Row,
    callbacks: list[sqlite3.Row],
    contacts: list[sqlite3.Row],
    flt: DueFilter,
    tier: str,
) -> DueRow:
    reasons = [
        {
            "callback_id": cb["id"],
            "reason": cb["reason"],
            "due_on": cb["due_on"],
            "level": cb["level"],
            "detail": cb["detail"],
            "role": cb["role"],
            "assignee": cb["assignee"],
            "attempts": cb["attempts"],
        }
        for cb in callbacks
    ]
    lead = reasons[0] if reasons else {"assignee": None, "role": None}
    if flt.staff or flt.role:
        lead = next(
            (
                x
                for x in reasons
                if (flt.staff is None or x["assignee"] == flt.staff)
                and (flt.role is None or x["role"] == flt.role)
            ),
            lead,
        )
    contact = pick_contact(contacts, {x["reason"] for x in reasons})
    return DueRow(
        customer={
            "id": r["customer_id"],
            "code": r["code"],
            "name": r["name"],
            "grade": r["grade"],
            "tier": tier,
        },
        contact=(
            {"name": contact["name"], "phone": contact["phone"], "role": contact["role"]}
            if contact is not None
            else None
        ),
        phone=(contact["phone"] if contact is not None and contact["phone"] else r["phone"]),
        due_on=r["first_due"],
        days_overdue=int(r["days_overdue"]),
        assignee=lead["assignee"],
        role=lead["role"],
        urgency=float(r["urgency"]),
        open_tickets=int(r["open_tickets"]),
        unreachable=bool(r["unreachable"]),
        reasons=reasons,
        terms={name: float(r[f"t_{name}"]) for name in TERMS},
    )
