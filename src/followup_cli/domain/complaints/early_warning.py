"""Customer early warning (seed 001, 客户预警): indicators per customer from config
thresholds; a warning on a core or important customer is an emergency (紧急报告), routed
by tier to the role that must act (core → gm, important → marketing_director, ...).
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from followup_cli.domain.complaints import escalation_log
from followup_cli.domain.complaints.notices import Notice
from followup_cli.domain.session import Session
from followup_cli.domain.staff.roster import pick_staff
from followup_cli.domain.texts import Message, joined, message


@dataclass
class Warning:
    customer_id: int
    code: str
    name: str
    grade: int
    tier: str
    indicators: dict[str, int] = field(default_factory=dict)
    emergency: bool = False
    role: str | None = None
    person: str | None = None
    unstaffed: str | None = None  # the routed role that had no staff, when passed over

    @property
    def key(self) -> str:
        return ",".join(sorted(self.indicators))

    def describe(self, days: int) -> Message:
        """Its indicators, as one text ("a critical complaint is open; ...")."""
        return joined(
            message("indicator." + k, n=v, days=days) for k, v in sorted(self.indicators.items())
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["key"] = self.key
        return data


def compute_warnings(session: Session, conn: sqlite3.Connection, today: date) -> list[Warning]:
    """Every active customer that trips at least one indicator, most severe first."""

    cfg = session.config["warnings"]
    found: dict[int, dict[str, int]] = {}

    def hit(cid: int, name: str, value: int) -> None:
        found.setdefault(cid, {})[name] = value

    # SQLite-only: sum() of a comparison (true counts 1). A second engine needs
    # sum(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END), which SQLite also reads.
    for cid, n, critical in conn.execute(
        "SELECT customer_id, count(*), sum(severity = 'critical') FROM tickets"
        " WHERE status != 'closed' GROUP BY customer_id"
    ):
        if n >= int(cfg["open_tickets"]):
            hit(cid, "open_tickets", n)
        if cfg["critical_open"] and critical:
            hit(cid, "critical_open", critical)
    since = (today - timedelta(days=int(cfg["tickets_in_days"]))).isoformat()
    for cid, n in conn.execute(
        "SELECT customer_id, count(*) FROM tickets WHERE opened_on > ? AND opened_on <= ?"
        " GROUP BY customer_id HAVING count(*) >= ?",
        (since, today.isoformat(), int(cfg["tickets_in_period"])),
    ):
        hit(cid, "tickets_in_period", n)
    low = int(cfg["low_satisfaction"])
    for cid, score in conn.execute(
        "SELECT customer_id, satisfaction FROM calls c1 WHERE satisfaction IS NOT NULL"
        " AND day <= ? AND customer_id IN"
        " (SELECT customer_id FROM calls WHERE satisfaction <= ?)"
        " AND at = (SELECT max(at) FROM calls c2 WHERE c2.customer_id = c1.customer_id"
        " AND c2.satisfaction IS NOT NULL AND c2.day <= ?)",
        (today.isoformat(), low, today.isoformat()),
    ):
        if score <= low:
            hit(cid, "low_satisfaction", score)
    core_days, other_days = int(cfg["overdue_days_core"]), int(cfg["overdue_days"])
    for cid, earliest, grade in conn.execute(
        "SELECT cb.customer_id, min(cb.due_on), c.grade FROM callbacks cb"
        " JOIN customers c ON c.id = cb.customer_id WHERE cb.status = 'pending'"
        " AND cb.due_on < ? AND cb.reason NOT IN ('holiday', 'birthday')"
        " GROUP BY cb.customer_id",
        ((today - timedelta(days=min(core_days, other_days))).isoformat(),),
    ):
        overdue = (today - date.fromisoformat(earliest)).days
        limit = core_days if session.config.tier(grade) == "core" else other_days
        if overdue > limit:
            hit(cid, "overdue", overdue)
    if cfg["unreachable"]:
        for (cid,) in conn.execute(
            "SELECT id FROM customers WHERE unreachable = 1 AND archived = 0"
        ):
            hit(cid, "unreachable", 1)
    if not found:
        return []
    warnings: list[Warning] = []
    marks = ", ".join("?" for _ in found)
    emergency_tiers = set(cfg["emergency_tiers"])
    for c in conn.execute(
        "SELECT id, code, name, grade, department FROM customers"
        f" WHERE archived = 0 AND id IN ({marks})",
        list(found),
    ):
        tier = session.config.tier(c["grade"])
        role, person, unstaffed = _warning_route(session, conn, tier, c["department"])
        warnings.append(
            Warning(
                customer_id=c["id"],
                code=c["code"],
                name=c["name"],
                grade=c["grade"],
                tier=tier,
                indicators=found[c["id"]],
                emergency=tier in emergency_tiers,
                role=role,
                person=person,
                unstaffed=unstaffed,
            )
        )
    warnings.sort(key=lambda w: (not w.emergency, w.grade, -len(w.indicators), w.code))
    return warnings


def _warning_route(
    session: Session, conn: sqlite3.Connection, tier: str, department: str | None
) -> tuple[str | None, str | None, str | None]:
    """Who receives a tier's warning: its route's role, or when nobody holds it the last
    resort (the gm), as escalation does; (role, person, the role passed over)."""
    role = session.config["warnings"]["route"].get(tier)
    person = pick_staff(conn, role, department) if role else None
    if person or role is None:
        return role, person, None
    last = str(session.config["escalation"]["last_resort"])
    above = pick_staff(conn, last, department)
    if above is None:
        return role, None, role
    return last, above, role


def list_warnings(session: Session) -> list[Warning]:
    with session.read() as conn:
        return compute_warnings(session, conn, session.today)


def _routing_note(w: Warning) -> Message | None:
    if w.unstaffed is None:
        return None
    if w.person is None:
        return message("escalation.nobody_above", role=w.unstaffed)
    return message("warning.passed_to", role=w.unstaffed, person=w.person)


def record_emergencies(
    session: Session, conn: sqlite3.Connection, *, dry_run: bool = False
) -> list[Notice]:
    """Record each new emergency once: a customer's emergency is recorded again only when
    its indicators change, or after it has cleared. Returns notices for the new ones."""

    days = int(session.config["warnings"]["tickets_in_days"])
    current = {
        w.customer_id: w for w in compute_warnings(session, conn, session.today) if w.emergency
    }
    last: dict[int, str] = {}
    for cid, key in conn.execute(
        "SELECT customer_id, warning_key FROM escalations e WHERE kind = 'warning'"
        " AND id = (SELECT max(id) FROM escalations e2 WHERE e2.kind = 'warning'"
        " AND e2.customer_id = e.customer_id)"
        # A customer deleted outside followup has no warning to clear (an escalation
        # must name its customer); `followup db check` lists its rows.
        " AND EXISTS (SELECT 1 FROM customers c WHERE c.id = e.customer_id)"
    ):
        last[cid] = key or ""
    notices: list[Notice] = []
    for cid, w in current.items():
        if last.get(cid) == w.key:
            continue
        text = w.describe(days)
        notices.append(
            Notice(
                kind="warning",
                ticket_id=None,
                customer_code=w.code,
                customer_name=w.name,
                tier=w.tier,
                severity=None,
                summary=text,
                from_role=None,
                from_level=None,
                level=None,
                role=w.role,
                person=w.person,
                due_by=None,
                reason=message("warning.emergency", tier=w.tier),
                note=_routing_note(w),
            )
        )
        if not dry_run:
            escalation_log.record_warning(
                conn,
                cid,
                w.role or "",
                w.person,
                message("warning.emergency_record", indicators=text),
                w.key,
                session.today,
                session.stamp,
            )
    if not dry_run:
        for cid, key in last.items():
            if key and cid not in current:
                escalation_log.record_warning(
                    conn,
                    cid,
                    "-",
                    None,
                    message("warning.cleared"),
                    "",
                    session.today,
                    session.stamp,
                )
    return notices
