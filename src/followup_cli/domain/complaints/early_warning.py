"""Customer early warning (seed 001, 客户预警报告制度).

Indicators are measured per customer and over the whole office from config thresholds
(`findings`): each is breached (突破) or approached (面临突破). `sync_warnings` keeps the
warnings table in step with them inside one write transaction: a new condition raises a
warning with a stable id and a responsible person (routed by tier, [warnings.route]),
a lasting one keeps its id, an ended one is cleared. A breach by a customer of a tier in
`emergency_tiers` (every tier by default) and any office-wide breach or approach is an
emergency (紧急报告); an emergency nobody acknowledged (`acknowledge`) within `ack_days`
working days climbs once to [warnings.climb] (`climb_unacknowledged`, from
`escalate --auto`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain.complaints import escalation_log, warning_store
from followup_cli.domain.complaints.notices import Notice
from followup_cli.domain.complaints.office_indicators import (
    OFFICE_INDICATORS,
    office_figures,
    thresholds,
)
from followup_cli.domain.contacts.records import key_people_gone_ids
from followup_cli.domain.notify.causes import warning_cause
from followup_cli.domain.notify.outbox import queue_notice
from followup_cli.domain.session import Session
from followup_cli.domain.staff.roster import Roster
from followup_cli.domain.texts import Message, message
from followup_cli.store.connection import write_if_free
from followup_cli.support.config import Config
from followup_cli.support.errors import NotFound, Refused
from followup_cli.support.i18n import _
from followup_cli.support.workdays import load_calendar

NO_MANAGER = "no_relationship_manager"
# Seed 003 (及时掌握大客户单位关键职务的人事变动情况): the key people of a core, important or
# key customer ([contacts] key_roles, key_people_tiers) have all left: update the contacts.
KEY_PEOPLE_LEFT = "key_people_left"
STANDING = (NO_MANAGER, KEY_PEOPLE_LEFT)  # standing warnings, never emergencies
OWNER = "owner"  # a route to the customer's owner (客户经理) rather than a role
LEVELS = ("approaching", "breach", "emergency")


@dataclass(frozen=True)
class Finding:
    """A condition measured today: a customer's (or the office's, customer_id None)
    indicator at `stage` (approaching | breach), its figure and the threshold tripped."""

    customer_id: int | None
    indicator: str
    stage: str
    value: float
    threshold: float

    @property
    def key(self) -> tuple[int, str]:
        return (self.customer_id or 0, self.indicator)


@dataclass
class Customer:
    id: int
    code: str
    name: str
    grade: int
    department: str | None
    owner: str | None = None


# -- measuring ---------------------------------------------------------------------------


def customer_findings(config: Config, conn: sqlite3.Connection, today: date) -> list[Finding]:
    """Every active customer's breached or approached indicators (set-based queries that
    return only the customers that trip something)."""
    cfg, near = config["warnings"], config["warnings"]["approach"]
    found: list[Finding] = []

    def grade(
        cid: int, name: str, value: float, breach: bool, approach: bool, at: tuple[float, float]
    ) -> None:
        if breach:
            found.append(Finding(cid, name, "breach", value, at[0]))
        elif approach:
            found.append(Finding(cid, name, "approaching", value, at[1]))

    limit, close = int(cfg["open_tickets"]), int(near["open_tickets"])
    for cid, n, critical in conn.execute(
        "SELECT customer_id, count(*), sum(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END)"
        " FROM tickets"
        " WHERE status != 'closed' GROUP BY customer_id"
    ):
        grade(cid, "open_tickets", n, n >= limit, n >= close, (limit, close))
        if cfg["critical_open"] and critical:
            found.append(Finding(cid, "critical_open", "breach", critical, 1))
    limit, close = int(cfg["tickets_in_period"]), int(near["tickets_in_period"])
    since = (today - timedelta(days=int(cfg["tickets_in_days"]))).isoformat()
    for cid, n in conn.execute(
        "SELECT customer_id, count(*) FROM tickets WHERE opened_on > ? AND opened_on <= ?"
        " GROUP BY customer_id HAVING count(*) >= ?",
        (since, today.isoformat(), min(limit, close)),
    ):
        grade(cid, "tickets_in_period", n, n >= limit, n >= close, (limit, close))
    low, fair = int(cfg["low_satisfaction"]), int(near["low_satisfaction"])
    for cid, score in conn.execute(
        "SELECT customer_id, satisfaction FROM calls c1 WHERE satisfaction IS NOT NULL"
        " AND day <= ? AND customer_id IN"
        " (SELECT customer_id FROM calls WHERE satisfaction <= ?)"
        " AND at = (SELECT max(at) FROM calls c2 WHERE c2.customer_id = c1.customer_id"
        " AND c2.satisfaction IS NOT NULL AND c2.day <= ?)",
        (today.isoformat(), max(low, fair), today.isoformat()),
    ):
        grade(cid, "low_satisfaction", score, score <= low, score <= fair, (low, fair))
    core_days, other_days = int(cfg["overdue_days_core"]), int(cfg["overdue_days"])
    near_core, near_other = int(near["overdue_days_core"]), int(near["overdue_days"])
    earliest_day = min(core_days + 1, other_days + 1, near_core, near_other)
    for cid, earliest, g in conn.execute(
        "SELECT cb.customer_id, min(cb.due_on), c.grade FROM callbacks cb"
        " JOIN customers c ON c.id = cb.customer_id WHERE cb.status = 'pending'"
        " AND cb.due_on <= ? AND cb.reason NOT IN ('holiday', 'birthday')"
        " GROUP BY cb.customer_id, c.grade",
        ((today - timedelta(days=earliest_day)).isoformat(),),
    ):
        overdue = (today - date.fromisoformat(earliest)).days
        core = config.tier(g) == "core"
        at = (core_days, near_core) if core else (other_days, near_other)
        grade(cid, "overdue", overdue, overdue > at[0], overdue >= at[1], at)
    if cfg["unreachable"]:
        for (cid,) in conn.execute(
            "SELECT id FROM customers WHERE unreachable = 1 AND archived = 0"
        ):
            found.append(Finding(cid, "unreachable", "breach", 1, 1))
    found.extend(Finding(cid, NO_MANAGER, "breach", 1, 1) for cid in unmanaged_ids(config, conn))
    found.extend(
        Finding(cid, KEY_PEOPLE_LEFT, "breach", 1, 1) for cid in key_people_gone_ids(config, conn)
    )
    return found


def unmanaged_ids(
    config: Config, conn: sqlite3.Connection, ids: list[int] | None = None
) -> list[int]:
    """Active customers of `relationship_tiers` without an owner (关系经理), of `ids`
    when given, by code."""
    return [cid for cid, _code in _unmanaged(config, conn, ids)]


def _unmanaged(
    config: Config, conn: sqlite3.Connection, ids: list[int] | None
) -> list[tuple[int, str]]:
    tiers = set(config["warnings"]["relationship_tiers"])
    grades = [g for g in range(1, 6) if config.tier(g) in tiers]
    if not grades:
        return []
    sql = (
        "SELECT id, code FROM customers WHERE archived = 0"
        " AND (owner IS NULL OR trim(owner) = '')"
        f" AND grade IN ({', '.join('?' for _ in grades)})"
    )
    params: list[Any] = list(grades)
    if ids is not None:
        # SQLite-only: json_each reads a list of any length as a table.
        sql += " AND id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(ids))
    return [(r[0], r[1]) for r in conn.execute(sql + " ORDER BY code", params)]


def without_relationship_manager(session: Session, customer_id: int | None = None) -> list[str]:
    """Codes of the customers (the one given, or the whole office) that should have a
    relationship manager and have no owner: "为每个核心客户和重要客户选派精干的关系经理"."""
    with session.read() as conn:
        ids = None if customer_id is None else [customer_id]
        return [code for _cid, code in _unmanaged(session.config, conn, ids)]


def office_findings(config: Config, conn: sqlite3.Connection, today: date) -> list[Finding]:
    out: list[Finding] = []
    limits = {name: thresholds(config, name) for name in OFFICE_INDICATORS}
    for figure in office_figures(config, conn, today):
        breach, approach = limits[figure.indicator]
        if figure.value >= breach:
            out.append(Finding(None, figure.indicator, "breach", figure.value, breach))
        elif figure.value >= approach:
            out.append(Finding(None, figure.indicator, "approaching", figure.value, approach))
    return out


def findings(config: Config, conn: sqlite3.Connection, today: date) -> list[Finding]:
    """Everything that trips an indicator today: the office's first, then customers'."""
    return office_findings(config, conn, today) + customer_findings(config, conn, today)


def is_emergency(config: Config, finding: Finding, tier: str | None) -> bool:
    """Office-wide: a breach or an approach. A customer: a breach, in emergency_tiers
    (the missing relationship manager and key people gone are standing warnings, not
    emergencies)."""
    if finding.customer_id is None:
        return True
    return (
        finding.stage == "breach"
        and finding.indicator not in STANDING
        and tier in set(config["warnings"]["emergency_tiers"])
    )


def count_open_emergencies(session: Session, conn: sqlite3.Connection, today: date) -> int:
    """Emergencies open today: each office-wide indicator, and each customer with one."""
    found = findings(session.config, conn, today)
    customers = _customers(conn, {f.customer_id for f in found if f.customer_id})
    office = 0
    with_one: set[int] = set()
    for f in found:
        if f.customer_id is None:
            office += 1
            continue
        c = customers.get(f.customer_id)
        if c is not None and is_emergency(session.config, f, session.config.tier(c.grade)):
            with_one.add(c.id)
    return office + len(with_one)


def _customers(conn: sqlite3.Connection, ids: set[int]) -> dict[int, Customer]:
    """The active customers among `ids`."""
    if not ids:
        return {}
    # SQLite-only: json_each reads a list of any length as a table.
    return {
        r[0]: Customer(*r)
        for r in conn.execute(
            "SELECT id, code, name, grade, department, owner FROM customers WHERE archived = 0"
            " AND id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(ids)),),
        )
    }


# -- routing -----------------------------------------------------------------------------


@dataclass
class Route:
    role: str | None
    person: str | None
    unstaffed: str | None = None  # the routed role nobody holds, when passed over

    def note(self) -> Message | None:
        if self.unstaffed is None:
            return None
        if self.person is None:
            return message("escalation.nobody_above", role=self.unstaffed)
        return message("warning.passed_to", role=self.unstaffed, person=self.person)


class Router:
    """Who receives a warning: the route's role for the tier (`office` for office-wide
    ones), staff of the customer's department first; a role nobody holds passes to the
    last resort (the gm), as escalation does. The roster is read once per role."""

    def __init__(self, config: Config, conn: sqlite3.Connection) -> None:
        self.config, self.conn = config, conn
        self.rosters: dict[str, Roster] = {}
        # the routing tables, read once: scope (a tier, or office) -> role
        self.tables = {t: dict(config["warnings"][t].items()) for t in ("route", "climb")}
        self.staff: dict[str, str] | None = None  # active staff name -> role, when needed

    def _pick(self, role: str, department: str | None) -> str | None:
        if role not in self.rosters:
            self.rosters[role] = Roster.load(self.conn, role)
        return self.rosters[role].pick(role, department)

    def route(self, table: str, scope: str, customer: Customer | None) -> Route:
        """Who takes a warning of `scope` (a tier, or office). `owner` as the role (seed
        001: 大客户…上报营销经理或客户经理) is the customer's owner when they are active
        staff; otherwise it goes to the last resort, as a role nobody holds."""
        role = self.tables[table].get(scope)
        if role is None:
            return Route(None, None)
        department = customer.department if customer else None
        if role == OWNER:
            held = self._owner_role(customer.owner if customer else None)
            if held is not None:
                return Route(held, customer.owner if customer else None)
            person = None
        else:
            person = self._pick(role, department)
        if person:
            return Route(role, person)
        last = str(self.config["escalation"]["last_resort"])
        above = self._pick(last, department)
        if above is None:
            return Route(role, None, role)
        return Route(last, above, role)

    def _owner_role(self, owner: str | None) -> str | None:
        """The role of the active staff member named `owner`, or None."""
        if not owner:
            return None
        if self.staff is None:
            self.staff = {
                name: role
                for name, role in self.conn.execute("SELECT name, role FROM staff WHERE active = 1")
            }
        return self.staff.get(owner)


# -- keeping the table in step -----------------------------------------------------------


@dataclass
class Raised:
    id: int
    finding: Finding
    customer: Customer | None
    tier: str | None
    emergency: bool
    route: Route


def sync_unless_busy(session: Session) -> bool:
    """For a report, which reads: bring the warnings up to date when the write lock is
    free within a moment; on a read-only database, or while another process writes (a
    long import), the report shows the warnings as last recorded rather than fail or
    wait (a read never fails for want of writing). Returns whether it synced."""

    found = findings_before_writing(session)

    def sync() -> bool:
        sync_warnings(session, session.conn, found=found)
        return True

    return write_if_free(session.conn, sync)


def findings_before_writing(session: Session) -> list[Finding]:
    """The findings, read before the write lock is taken: they scan the whole office
    (seconds on a large one), and what is written from them is a few rows. A write
    landing in between shows in the next sync (a warning is a figure of the day)."""
    with session.read() as conn:
        return findings(session.config, conn, session.today)


def sync_warnings(
    session: Session,
    conn: sqlite3.Connection,
    *,
    dry_run: bool = False,
    found: list[Finding] | None = None,
) -> list[Raised]:
    """Raise what is new today, keep what lasts (its figure updated), clear what ended;
    a condition whose stage changed is cleared and raised again (a new breach). Returns
    the warnings raised (ids 0 on a dry run). `found`: the findings, when read before
    the write lock (`findings_before_writing`)."""
    config, today = session.config, session.today
    if found is None:
        found = findings(config, conn, today)
    customers = _customers(conn, {f.customer_id for f in found if f.customer_id})
    current = {
        (r["customer_id"] or 0, r["indicator"]): r for r in warning_store.open_warnings(conn)
    }
    router = Router(config, conn)
    calendar = None
    ack_days = int(config["warnings"]["ack_days"])
    raised: list[Raised] = []
    new: list[warning_store.NewWarning] = []
    updates: list[tuple[int, float]] = []
    ended: list[int] = []
    for f in found:
        customer = customers.get(f.customer_id) if f.customer_id is not None else None
        if f.customer_id is not None and customer is None:
            continue  # archived
        row = current.pop(f.key, None)
        if row is not None and row["stage"] == f.stage:
            if row["value"] != f.value:
                updates.append((row["id"], f.value))
            continue
        if row is not None:
            ended.append(row["id"])
        tier = config.tier(customer.grade) if customer else None
        route = router.route("route", tier or "office", customer)
        emergency = is_emergency(config, f, tier)
        ack_due = None
        if emergency:
            if calendar is None:
                calendar = load_calendar(conn, today, store=not dry_run)
            ack_due = calendar.after_working_days(today, ack_days).isoformat()
        new.append(
            warning_store.NewWarning(
                f.customer_id,
                f.indicator,
                f.stage,
                emergency,
                f.value,
                f.threshold,
                route.role,
                route.person,
                ack_due,
            )  # fmt: skip
        )
        raised.append(Raised(0, f, customer, tier, emergency, route))
    ended.extend(r["id"] for r in current.values())
    if dry_run:
        return raised
    warning_store.clear_warnings(conn, ended, today, session.stamp)
    warning_store.update_values(conn, updates, session.stamp)
    for r, wid in zip(
        raised, warning_store.raise_warnings(conn, new, today, session.stamp), strict=True
    ):
        r.id = wid
        if r.emergency or r.finding.stage == "approaching":
            _queue_warning(
                session, conn, r.id, r.customer, r.route, r.finding, emergency=r.emergency
            )
    return raised


def _queue_warning(
    session: Session,
    conn: sqlite3.Connection,
    warning_id: int,
    customer: Customer | None,
    route: Route,
    finding: Finding,
    *,
    emergency: bool,
    climbed: bool = False,
) -> None:
    """The warning's notice to its responsible person, in the outbox (issue 19)."""
    cause = warning_cause(
        warning_id,
        customer.id if customer else None,
        (customer.code, customer.name) if customer else None,
        route.role,
        describe(finding.indicator, finding.value, finding.threshold, session.config),
        emergency=emergency,
        climbed=climbed,
    )
    queue_notice(session, conn, cause, route.person)


def describe(indicator: str, value: float, threshold: float, config: Config) -> Message:
    """A warning's indicator as one text ("2 open complaints", "12.5% of ...")."""
    cfg = config["warnings"]
    days = int(cfg["tickets_in_days"])
    if indicator.startswith("office."):
        return message(
            "indicator." + indicator,
            n=_figure(value),
            limit=_figure(threshold),
            days=int(cfg["office"]["overdue_callbacks_days"])
            if indicator == "office.overdue_callbacks_pct"
            else days,
            score=int(cfg["low_satisfaction"]),
        )
    return message("indicator." + indicator, n=int(value), days=days)


def _figure(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def record_emergencies(
    session: Session,
    conn: sqlite3.Connection,
    *,
    dry_run: bool = False,
    found: list[Finding] | None = None,
) -> list[Notice]:
    """For `escalate --auto`: sync the warnings, then the emergency report (a notice) of
    each open emergency not yet reported, whoever raised it first (a customer's also
    recorded in `escalations`, where the daily report reads it), and the climbs of
    emergencies nobody acknowledged in time."""
    config = session.config
    raised = sync_warnings(session, conn, dry_run=dry_run, found=found)
    router = Router(config, conn)
    pending: list[tuple[int, Finding, Customer | None, str | None, Route]] = []
    if dry_run:  # what the sync would raise, and what it raised before
        pending = [(0, r.finding, r.customer, r.tier, r.route) for r in raised if r.emergency]
    for row in warning_store.open_warnings(conn):
        if not row["emergency"] or row["reported_on"]:
            continue
        customer = _customer_of(row)
        tier = config.tier(customer.grade) if customer else None
        routed = router.route("route", tier or "office", customer)
        if routed.person != row["responsible"]:  # staff changed since: as it stands
            routed = Route(row["role"], row["responsible"])
        finding = Finding(
            row["customer_id"], row["indicator"], row["stage"], row["value"], row["threshold"]
        )
        pending.append((row["id"], finding, customer, tier, routed))
    notices: list[Notice] = []
    for wid, finding, customer, tier, route in pending:
        text = describe(finding.indicator, finding.value, finding.threshold, config)
        reason = (
            message("warning.emergency", tier=tier) if tier else message("warning.office_emergency")
        )
        notices.append(
            _notice(customer, tier, text, route.role, route.person, reason, route.note())
        )
        if dry_run:
            continue
        warning_store.mark_reported(conn, [wid], session.today, session.stamp)
        if customer is not None:
            escalation_log.record_warning(
                conn,
                customer.id,
                route.role or "",
                route.person,
                message("warning.emergency_record", indicators=text),
                finding.indicator,
                session.today,
                session.stamp,
            )
    notices.extend(climb_unacknowledged(session, conn, dry_run=dry_run))
    return notices


def _customer_of(row: sqlite3.Row) -> Customer | None:
    if row["customer_id"] is None:
        return None
    return Customer(
        row["customer_id"], row["code"], row["name"], row["grade"], row["department"], row["owner"]
    )


def _notice(
    customer: Customer | None,
    tier: str | None,
    text: Message,
    role: str | None,
    person: str | None,
    reason: Message,
    note: Message | None,
) -> Notice:
    return Notice(
        kind="warning",
        ticket_id=None,
        customer_code=customer.code if customer else "",
        customer_name=customer.name if customer else "",
        tier=tier or "",
        severity=None,
        summary=text,
        from_role=None,
        from_level=None,
        level=None,
        role=role,
        person=person,
        due_by=None,
        reason=reason,
        note=note,
    )


def climb_unacknowledged(
    session: Session, conn: sqlite3.Connection, *, dry_run: bool = False
) -> list[Notice]:
    """Each open emergency still unacknowledged after its ack_due day goes, once, to the
    next person on its route ([warnings.climb])."""
    config, today = session.config, session.today
    router = Router(config, conn)
    notices: list[Notice] = []
    for row in warning_store.open_warnings(conn):
        if (
            not row["emergency"]
            or row["acknowledged_by"]
            or row["climbed_on"]
            or not row["ack_due"]
            or row["ack_due"] >= today.isoformat()
        ):
            continue
        customer = _customer_of(row)
        tier = config.tier(customer.grade) if customer else None
        route = router.route("climb", tier or "office", customer)
        text = describe(row["indicator"], row["value"], row["threshold"], config)
        reason = message(
            "warning.climbed",
            id=str(row["id"]),
            date=row["ack_due"],
            person=row["responsible"] or "-",
        )
        notices.append(
            _notice(customer, tier, text, route.role, route.person, reason, route.note())
        )
        if dry_run:
            continue
        warning_store.climb_warning(conn, row["id"], route.role, route.person, today, session.stamp)
        finding = Finding(
            row["customer_id"], row["indicator"], row["stage"], row["value"], row["threshold"]
        )
        _queue_warning(
            session, conn, row["id"], customer, route, finding, emergency=True, climbed=True
        )
        if customer is not None:
            escalation_log.record_warning(
                conn,
                customer.id,
                route.role or "",
                route.person,
                reason,
                row["indicator"],
                today,
                session.stamp,
            )
    return notices


# -- acknowledging -----------------------------------------------------------------------


def acknowledge(session: Session, warning_id: int, action: str | None) -> dict[str, Any]:
    """Record the measure taken on a warning (处理办法及措施) by the acting staff member."""
    measure = fields.required_text(action, "action", max_length=fields.MAX_TEXT)
    with session.write() as conn:
        row = warning_store.warning_row(conn, warning_id)
        if row is None:
            raise NotFound(
                _("no warning #{id}").format(id=warning_id),
                _("See the warnings and their ids with `followup report warnings`."),
            )
        if row["acknowledged_by"]:
            raise Refused(
                _("warning #{id} was already acknowledged by {person} ({when}): {action}").format(
                    id=warning_id,
                    person=row["acknowledged_by"],
                    when=session.shown_time(row["acknowledged_at"]),
                    action=row["action"],
                ),
                _("Its measure stands; record further steps on the customer or its ticket."),
            )
        warning_store.acknowledge_warning(conn, warning_id, session.actor, measure, session.stamp)
        return dict(warning_store.warning_row(conn, warning_id) or {})


def warning_id_arg(value: str) -> int:
    """A warning's id as typed: 12 or #12."""
    return fields.record_id("warning", value, _("a warning number like 12 or #12"))
