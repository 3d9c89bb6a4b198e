"""Complaint tickets: open → resolved → closed, and closed only once the customer has
been told the outcome (the seeds' 重过程轻结果: problems collected, customers never told).

`due_by` is always the deadline of the next step: resolving an open ticket, then telling
the customer. Every change is written to `ticket_history`; nothing is ever deleted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.callbacks import store as callbacks
from followup_cli.domain.callbacks.owed import hold_customer
from followup_cli.domain.callbacks.planning import Planner
from followup_cli.domain.customers.missing import missing_customer
from followup_cli.domain.customers.records import locked_customer_row
from followup_cli.domain.events.records import latest_event_of
from followup_cli.domain.notify.causes import approval_cause, new_ticket_cause
from followup_cli.domain.notify.outbox import queue_notice
from followup_cli.domain.session import Session
from followup_cli.domain.staff.records import get_staff
from followup_cli.domain.staff.roster import Roster, pick_staff
from followup_cli.domain.texts import Message, Text, columns, joined, message, read
from followup_cli.support.dates import local_day
from followup_cli.support.errors import InvalidValue, NotFound, Refused
from followup_cli.support.i18n import _, label, listed
from followup_cli.support.workdays import WorkCalendar, load_calendar


@dataclass
class TicketInput:
    summary: Text  # typed, or a message for a ticket a call's answer opened
    category: str
    severity: str
    channel: str | None
    owner: str | None
    details: str | None


def validate_ticket(
    session: Session,
    summary: str | None,
    category: str | None,
    *,
    severity: str | None = None,
    channel: str | None = None,
    owner: str | None = None,
    details: str | None = None,
) -> TicketInput:
    cfg = session.config["tickets"]
    return TicketInput(
        summary=fields.required_text(summary, "summary", max_length=2000),
        category=check_category(session, category),
        severity=check_severity(severity or cfg["default_severity"]),
        channel=(
            vocab.accept("ticket_channel", channel, "channel", cfg["channels"]) if channel else None
        ),
        owner=fields.text(owner, "owner", max_length=fields.MAX_NAME),
        details=fields.text(details, "details"),
    )


def check_category(session: Session, category: str | None) -> str:
    return vocab.accept("category", category, "category", session.config.categories)


def check_severity(severity: str | None) -> str:
    return vocab.accept("severity", severity, "severity")


def ladder_for(session: Session, grade: int) -> tuple[str, list[str]]:
    tier = session.config.tier(grade)
    return tier, list(session.config["escalation"]["ladders"].get(tier, []))


def chain_for(session: Session, tier: str, ladder: list[str]) -> list[str]:
    """Everyone a ticket can climb to: its tier's ladder, then past the last rung the
    tier's emergency route ([warnings.route]) and the last resort (the gm), each role
    once. A role already on the ladder is not climbed to again."""
    chain = list(ladder)
    above = (
        session.config["warnings"]["route"].get(tier),
        session.config["escalation"]["last_resort"],
    )
    for role in above:
        if role and role not in chain:
            chain.append(role)
    return chain


def severe_chain(session: Session, severity: str) -> list[str] | None:
    """A major or critical ticket's climb when `escalation.severe_start_role` is set: the
    deputy GM in charge, then the last resort (the gm). None for other severities, or with
    no start role (then the tier's ladder, from `severe_start_rung`)."""
    esc = session.config["escalation"]
    role = str(esc["severe_start_role"] or "")
    if not role or severity not in esc["severe_severities"]:
        return None
    last = str(esc["last_resort"])
    return [role] if last == role else [role, last]


def climb_chain(
    session: Session, tier: str, ladder: list[str], severity: str, level: int, role: str | None
) -> tuple[list[str], list[str]]:
    """The ladder and the chain a ticket on rung `level` (holding `role`) climbs: the
    severe chain when it stands on it (it went to the deputy GM), else its tier's."""
    severe = severe_chain(session, severity)
    if severe and level < len(severe) and severe[level] == role:
        return severe, severe
    return ladder, chain_for(session, tier, ladder)


def start_rung(session: Session, severity: str, ladder: list[str]) -> int:
    esc = session.config["escalation"]
    rung = int(esc["severe_start_rung"]) if severity in esc["severe_severities"] else 0
    return min(rung, max(len(ladder) - 1, 0))


@dataclass
class Routing:
    level: int
    role: str | None
    person: str | None
    skipped: list[str] = field(default_factory=list)


def route(
    conn: sqlite3.Connection, ladder: list[str], rung: int, department: str | None
) -> Routing:
    """The first rung from `rung` upward that has a staff member; `skipped` names the
    roles passed over for want of staff. With nobody on any of them, `person` is None
    (and `role` the top one)."""

    skipped: list[str] = []
    for level in range(rung, len(ladder)):
        person = pick_staff(conn, ladder[level], department)
        if person:
            return Routing(level, ladder[level], person, skipped)
        skipped.append(ladder[level])
    top = len(ladder) - 1
    return Routing(max(top, 0), ladder[top] if ladder else None, None, skipped)


def route_below(
    conn: sqlite3.Connection,
    ladder: list[str],
    rung: int,
    department: str | None,
    skipped: list[str],
) -> Routing:
    """Nobody at or above `rung`: the nearest staffed rung below it holds the ticket (a
    complaint is never opened to nobody while someone on its ladder can take it). With
    nobody on the whole ladder it waits on its start rung, `person` None."""
    for level in range(rung - 1, -1, -1):
        person = pick_staff(conn, ladder[level], department)
        if person:
            return Routing(level, ladder[level], person, skipped)
    return Routing(rung, ladder[rung] if ladder else None, None, skipped)


def sla_deadline(
    session: Session, calendar: WorkCalendar, severity: str, start: date, *, from_call: bool = False
) -> date:
    """When a ticket of `severity` opened on `start` is due. A problem found on a callback
    is due within `tickets.call_sla_days` whatever its severity, or sooner when its
    severity's SLA is shorter (seed 003: 最好在当天或第二天到现场进行问题处理)."""
    days = int(session.config["tickets"]["sla_days"].get(severity, 3))
    if from_call:
        days = min(days, int(session.config["tickets"]["call_sla_days"]))
    return calendar.after_working_days(start, days)


def history(
    conn: sqlite3.Connection,
    session: Session,
    ticket_id: int,
    action: str,
    *,
    field_name: str | None = None,
    before: Any = None,
    after: Any = None,
    note: Text | None = None,
    actor: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO ticket_history (ticket_id, at, actor, action, field, before, after, note,"
        " note_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ticket_id,
            session.stamp,
            actor or session.actor,
            action,
            field_name,
            None if before is None else str(before),
            None if after is None else str(after),
            *columns(note),
        ),
    )


def insert_ticket(
    session: Session,
    conn: sqlite3.Connection,
    customer: sqlite3.Row,
    data: TicketInput,
    call_id: int | None = None,
    actor: str | None = None,
) -> int:
    """Open a ticket inside the caller's transaction: SLA deadline, routing, history."""

    check_category(session, data.category)
    check_severity(data.severity)
    if data.owner:
        get_staff(conn, data.owner, "--owner")
    calendar = load_calendar(conn, session.today, store=True)
    due_by = sla_deadline(
        session, calendar, data.severity, session.today, from_call=call_id is not None
    )
    tier, ladder = ladder_for(session, customer["grade"])
    routing = _route_new(session, conn, tier, ladder, data.severity, customer["department"])
    owner = data.owner or routing.person
    policy = return_policy(session, conn, customer["id"]) if data.category == "return" else None
    cur = conn.execute(
        "INSERT INTO tickets (customer_id, call_id, opened_on, channel, category, severity,"
        " summary, summary_message, details, owner, status, due_by, escalation_level,"
        " escalated_role, escalated_to, created_at, updated_at, return_policy)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)",
        (
            customer["id"],
            call_id,
            session.today.isoformat(),
            data.channel,
            data.category,
            data.severity,
            *columns(data.summary),
            data.details,
            owner,
            due_by.isoformat(),
            routing.level,
            routing.role,
            routing.person,
            session.stamp,
            session.stamp,
            policy.decision if policy else None,
        ),
    )
    ticket_id = int(cur.lastrowid or 0)
    note: Message = message(
        "ticket.routed_to_person" if routing.person else "ticket.routed_to",
        tier=tier,
        severity=data.severity,
        role=routing.role or "nobody",
        **({"person": routing.person} if routing.person else {}),
    )
    if routing.skipped:
        note = joined([note, message("ticket.no_staff_for", roles=list(routing.skipped))])
    history(conn, session, ticket_id, "open", after="open", note=note, actor=actor)
    reported = _report_at_once(session, conn, ticket_id, customer["department"], actor)
    if reported:
        cause = new_ticket_cause(
            ticket_id,
            customer["id"],
            (customer["code"], customer["name"]),
            str(session.config["tickets"]["report_to"]),
            data.summary,
            data.severity,
            due_by.isoformat(),
        )
        queue_notice(session, conn, cause, reported)
    if policy:
        history(conn, session, ticket_id, "note", note=policy.note, actor=actor)
    return ticket_id


def _route_new(
    session: Session,
    conn: sqlite3.Connection,
    tier: str,
    ladder: list[str],
    severity: str,
    department: str | None,
) -> Routing:
    """Who a new ticket goes to: a major or critical one to the deputy GM in charge
    (`severe_chain`); otherwise, or with nobody holding that role, the first staffed rung
    of its tier's ladder from its start rung upward, else the nearest one below."""
    skipped: list[str] = []
    severe = severe_chain(session, severity)
    if severe:
        person = pick_staff(conn, severe[0], department)
        if person:
            return Routing(0, severe[0], person)
        skipped.append(severe[0])
    chain = chain_for(session, tier, ladder)
    rung = start_rung(session, severity, ladder)
    routing = route(conn, chain, rung, department)
    if routing.person is None:
        routing = route_below(conn, ladder, rung, department, routing.skipped)
    routing.skipped = skipped + routing.skipped
    return routing


def _report_at_once(
    session: Session,
    conn: sqlite3.Connection,
    ticket_id: int,
    department: str | None,
    actor: str | None,
) -> str | None:
    """Every new ticket is reported at once to the sales manager responsible (same
    department as the customer first, then any active one): a notice in its history
    (seed 001: 接到客户的投诉后…应立即向销售经理汇报), and in the outbox for them (the
    caller queues it); who it went to."""
    role = str(session.config["tickets"]["report_to"])
    person = pick_staff(conn, role, department)
    if person:
        note = message("ticket.reported_to", role=role, person=person)
    else:
        note = message("ticket.report_nobody", role=role)
    history(
        conn,
        session,
        ticket_id,
        "report",
        field_name="reported_to",
        after=person,
        note=note,
        actor=actor,
    )
    return person


@dataclass
class ReturnPolicy:
    """What the office's policy says of a return or exchange: `unconditional` within
    `tickets.return_window` of the customer's latest sale or parts, else `approval`."""

    decision: str  # unconditional | approval
    note: Message


RETURN_EVENT_KINDS = ("sale", "parts")


def return_policy(session: Session, conn: sqlite3.Connection, customer_id: int) -> ReturnPolicy:
    """Seed 001 (退换货管理): 客户进货、存货不满3个月的情况下都应该予以退货或调换，无条件满足."""
    window = str(session.config["tickets"]["return_window"])
    latest = latest_event_of(conn, customer_id, RETURN_EVENT_KINDS, session.today)
    if latest is None:
        return ReturnPolicy("approval", message("ticket.return_no_purchase"))
    kind, day = latest
    limit = session.config.interval(window, "tickets.return_window").after(date.fromisoformat(day))
    if session.today <= limit:
        code, decision = "ticket.return_unconditional", "unconditional"
    else:
        code, decision = "ticket.return_late", "approval"
    return ReturnPolicy(decision, message(code, window=window, kind=kind, date=day))


# -- reading -------------------------------------------------------------------


@dataclass
class Ticket:
    id: int
    customer_id: int
    customer_code: str
    customer_name: str
    grade: int
    tier: str
    call_id: int | None
    opened_on: str
    channel: str | None
    category: str
    severity: str
    summary: Text  # as typed, or the message of a ticket a call's answer opened
    details: str | None
    owner: str | None
    status: str
    due_by: str | None
    resolution: str | None
    resolved_at: str | None
    notified_at: str | None
    notified_via: str | None
    customer_response: str | None
    closed_at: str | None
    escalation_level: int
    escalated_role: str | None
    escalated_to: str | None
    approved_by: str | None = None
    approved_at: str | None = None
    return_policy: str | None = None  # unconditional | approval, for a return or exchange
    approval_needed: bool = False
    overdue: bool = False
    age_days: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def told(self) -> bool:
        return self.notified_at is not None


_SELECT = (
    "SELECT t.*, c.code AS customer_code, c.name AS customer_name, c.grade AS grade"
    " FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id"
)


def _from_row(session: Session, row: sqlite3.Row) -> Ticket:
    names = Ticket.__dataclass_fields__
    values = {k: row[k] for k in row.keys() if k in names}  # noqa: SIM118 (Row iterates values)
    if row["customer_code"] is None:  # an orphan: its customer was deleted outside followup
        values.update(customer_code="", customer_name=missing_customer(row["customer_id"]), grade=0)
    values["tier"] = session.config.tier(values["grade"])
    values["summary"] = read(row["summary"], row["summary_message"])
    ticket = Ticket(**values)
    ticket.approval_needed = needs_approval(session, ticket.severity, ticket.return_policy)
    ticket.overdue = is_breached(ticket.status, ticket.due_by, ticket.notified_at, session.today)
    ticket.age_days = (session.today - date.fromisoformat(ticket.opened_on)).days
    return ticket


def is_breached(status: str, due_by: str | None, notified_at: str | None, today: date) -> bool:
    """Past its deadline while waiting for a resolution or for the customer to be told."""
    if status == "closed" or due_by is None:
        return False
    if status == "resolved" and notified_at is not None:
        return False
    return today > date.fromisoformat(due_by)


def get_ticket_row(conn: sqlite3.Connection, ticket_id: int) -> sqlite3.Row:
    row = conn.execute(_SELECT + " WHERE t.id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise NotFound(
            _("no ticket #{id}").format(id=ticket_id), _("See `followup ticket list --status all`.")
        )
    return row  # type: ignore[no-any-return]


def show_ticket(session: Session, ticket_id: int) -> Ticket:
    with session.read() as conn:
        ticket = _from_row(session, get_ticket_row(conn, ticket_id))
        ticket.history = [
            {
                "at": r["at"],
                "actor": r["actor"],
                "action": r["action"],
                "field": r["field"],
                "before": r["before"],
                "after": r["after"],
                "note": read(r["note"], r["note_message"]),
            }
            for r in conn.execute(
                "SELECT at, actor, action, field, before, after, note, note_message"
                " FROM ticket_history WHERE ticket_id = ? ORDER BY id",
                (ticket_id,),
            )
        ]
    return ticket


def list_tickets(
    session: Session,
    status: str = "open",
    overdue: bool = False,
    owner: str | None = None,
    customer_id: int | None = None,
) -> list[Ticket]:
    where: list[str] = []
    params: list[Any] = []
    if status == "open":
        where.append("t.status IN ('open', 'resolved')")
    elif status != "all":
        where.append("t.status = ?")
        params.append(status)
    if owner:
        where.append("(t.owner = ? OR t.escalated_to = ?)")
        params.extend([owner, owner])
    if customer_id is not None:
        where.append("t.customer_id = ?")
        params.append(customer_id)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY t.status = 'closed', t.due_by, t.id"
    tickets = [_from_row(session, r) for r in session.conn.execute(sql, params)]
    if overdue:
        tickets = [t for t in tickets if t.overdue]
    return tickets


def prepared_answer(session: Session, category: str, policy: str | None = None) -> dict[str, Any]:
    """The category's standard response and steps (seed 000: 提前制定应对措施); for a
    return or exchange, `policy` says whether it is unconditional or needs approval."""
    entry = session.config["categories"].get(category, {})
    prepared: dict[str, Any] = {
        "label": entry.get("label", category),
        "answer": entry.get("answer"),
        "steps": list(entry.get("steps", [])),
    }
    if policy is not None:
        window = str(session.config["tickets"]["return_window"])
        code = "return.unconditional" if policy == "unconditional" else "return.approval"
        prepared["policy"] = message(code, window=window)
    return prepared


# -- changing --------------------------------------------------------------------


def open_ticket(session: Session, customer_ref: str, data: TicketInput) -> Ticket:
    with session.write(one_customer=True) as conn:
        customer = locked_customer_row(session, conn, customer_ref)
        ticket_id = insert_ticket(session, conn, customer, data)
    return show_ticket(session, ticket_id)


def _load_for_change(session: Session, conn: sqlite3.Connection, ticket_id: int) -> sqlite3.Row:
    """In a one-customer write: the ticket, its customer's lock held to the end of the
    transaction, as it is once held (a clerk beside this one may have changed it)."""
    row = get_ticket_row(conn, ticket_id)
    hold_customer(session, conn, int(row["customer_id"]))
    return get_ticket_row(conn, ticket_id)


def assign_ticket(session: Session, ticket_id: int, staff_name: str) -> Ticket:
    with session.write(one_customer=True) as conn:
        row = _load_for_change(session, conn, ticket_id)
        member = get_staff(conn, staff_name, "STAFF")
        if row["status"] == "closed":
            raise Refused(
                _("ticket #{id} is closed").format(id=ticket_id),
                _("Reopen it first: `followup ticket reopen {id} --reason ...`.").format(
                    id=ticket_id
                ),
            )
        if row["owner"] != member.name:
            _update(conn, session, ticket_id, {"owner": member.name})
            history(
                conn,
                session,
                ticket_id,
                "assign",
                field_name="owner",
                before=row["owner"],
                after=member.name,
            )
    return show_ticket(session, ticket_id)


def note_ticket(session: Session, ticket_id: int, text: str) -> Ticket:
    note = fields.required_text(text, "note", max_length=fields.MAX_TEXT)
    with session.write(one_customer=True) as conn:
        _load_for_change(session, conn, ticket_id)
        history(conn, session, ticket_id, "note", note=note)
    return show_ticket(session, ticket_id)


def resolve_ticket(session: Session, ticket_id: int, resolution: str) -> Ticket:
    text = fields.required_text(resolution, "resolution", max_length=fields.MAX_TEXT)
    with session.write(one_customer=True) as conn:
        row = _load_for_change(session, conn, ticket_id)
        if row["status"] == "closed":
            raise Refused(
                _("ticket #{id} is closed; it cannot be resolved again").format(id=ticket_id),
                _("Reopen it first: `followup ticket reopen {id} --reason ...`.").format(
                    id=ticket_id
                ),
            )
        calendar = load_calendar(conn, session.today, store=True)
        deadline = sla_deadline(session, calendar, row["severity"], session.today)
        changes: dict[str, Any] = {
            "status": "resolved",
            "resolution": text,
            "resolved_at": session.stamp,
        }
        if row["notified_at"] is None:
            changes["due_by"] = deadline.isoformat()
        if row["approved_by"] is not None:
            # A new proposed handling: the approval given to the old one does not carry over.
            changes.update(approved_by=None, approved_at=None)
        _update(conn, session, ticket_id, changes)
        history(
            conn,
            session,
            ticket_id,
            "resolve",
            field_name="status",
            before=row["status"],
            after="resolved",
            note=text,
        )
        if row["approved_by"] is not None:
            history(
                conn,
                session,
                ticket_id,
                "approve",
                field_name="approved_by",
                before=row["approved_by"],
                note=message("ticket.approval_withdrawn", person=row["approved_by"]),
            )
        if needs_approval(session, row["severity"], row["return_policy"]):
            _approval_waiting(session, conn, get_ticket_row(conn, ticket_id))
    return show_ticket(session, ticket_id)


def _approval_waiting(session: Session, conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    """A proposed handling that needs a leader's approval: a notice to the first who may
    give it (those of the lowest approving role), inside the resolve's transaction."""
    people = approvers_of(session, conn, row)
    if not people:
        return
    cause = approval_cause(
        row["id"],
        row["customer_id"],
        (row["customer_code"], row["customer_name"]),
        read(row["summary"], row["summary_message"]) or "",
        row["resolution"] or "",
        row["resolved_at"] or session.stamp,
    )
    first_role = people[0][1]
    for name, role in people:
        if role == first_role:
            queue_notice(session, conn, cause, name)


# -- approval (批示) -----------------------------------------------------------------


def needs_approval(session: Session, severity: str, policy: str | None) -> bool:
    """A leader approves the proposed handling before the customer is told: for the
    severities in `tickets.approval_severities`, and for a return outside its window."""
    return severity in session.config["tickets"]["approval_severities"] or policy == "approval"


def approver_roles(
    session: Session, chain: list[str], level: int, owner_role: str | None
) -> list[str]:
    """The roles that may approve a ticket on `chain` (at rung `level`) whose owner holds
    `owner_role`: every role above the owner's on the chain (every role from the ticket's
    rung up when the owner's role is not on it), and each of `tickets.approver_roles`
    (lowest first) unless the owner holds it, one after it, or the last resort."""
    roles = chain[chain.index(owner_role) + 1 :] if owner_role in chain else chain[level:]
    extra: list[str] = list(session.config["tickets"]["approver_roles"])
    last = session.config["escalation"]["last_resort"]
    for i, role in enumerate(extra):
        senior = {*extra[i:], last}
        if owner_role not in senior and role not in roles:
            roles.append(role)
    return roles


def approvers_of(
    session: Session, conn: sqlite3.Connection, row: sqlite3.Row
) -> list[tuple[str, str]]:
    """Who may approve ticket `row` now: (name, role) of the active staff holding an
    `approver_roles` role, its owner left out; with nobody such on staff, its owner
    (the top of the office settles its own proposal)."""
    tier, ladder = ladder_for(session, row["grade"])
    _ladder, chain = climb_chain(
        session, tier, ladder, row["severity"], int(row["escalation_level"]), row["escalated_role"]
    )
    owner = row["owner"]
    owner_role: str | None = None
    if owner:
        found = conn.execute("SELECT role FROM staff WHERE name = ?", (owner,)).fetchone()
        owner_role = found[0] if found else None
    roster = Roster.load(conn)
    people: list[tuple[str, str]] = []
    for role in approver_roles(session, chain, int(row["escalation_level"]), owner_role):
        for name, _department in roster.by_role.get(role, []):
            if name != owner and (name, role) not in people:
                people.append((name, role))
    active = {name for members in roster.by_role.values() for name, _dept in members}
    if not people and owner and owner_role and owner in active:
        people.append((owner, owner_role))
    return people


def _who_may(people: list[tuple[str, str]]) -> str:
    return listed(
        [_("{name} ({role})").format(name=name, role=label("role", role)) for name, role in people]
    )


def approve_ticket(session: Session, ticket_id: int, note: str | None = None) -> Ticket:
    """Record the leader's approval (批示) of the proposed handling, by `session.actor`."""
    text = fields.text(note, "note", max_length=fields.MAX_TEXT)
    with session.write(one_customer=True) as conn:
        row = _load_for_change(session, conn, ticket_id)
        if row["status"] == "closed":
            raise Refused(_("ticket #{id} is already closed").format(id=ticket_id))
        if row["status"] != "resolved":
            raise Refused(
                _("ticket #{id} has no proposed handling yet: there is nothing to approve").format(
                    id=ticket_id
                ),
                _("Record it first: `followup ticket resolve {id} --resolution TEXT`.").format(
                    id=ticket_id
                ),
            )
        if row["approved_by"] is not None:
            raise Refused(
                _("ticket #{id} is already approved by {name} ({at})").format(
                    id=ticket_id, name=row["approved_by"], at=session.shown_time(row["approved_at"])
                ),
                _("A new resolution (`ticket resolve`) needs a new approval."),
            )
        people = approvers_of(session, conn, row)
        if session.actor not in {name for name, _role in people}:
            raise Refused(*_not_allowed(ticket_id, session.actor, people))
        _update(
            conn, session, ticket_id, {"approved_by": session.actor, "approved_at": session.stamp}
        )
        history(
            conn,
            session,
            ticket_id,
            "approve",
            field_name="approved_by",
            after=session.actor,
            note=text,
        )
    return show_ticket(session, ticket_id)


def _not_allowed(
    ticket_id: int, actor: str | None, people: list[tuple[str, str]]
) -> tuple[str, str]:
    return (
        _("{name} may not approve ticket #{id}: only someone above its owner may").format(
            name=actor, id=ticket_id
        ),
        _may_approve_hint(ticket_id, people),
    )


def _may_approve_hint(ticket_id: int, people: list[tuple[str, str]]) -> str:
    """Who may approve the ticket, and the command; or who to add when nobody may."""
    if not people:
        return _(
            "Nobody on staff may approve it: add a leader above its owner, e.g."
            " `followup staff add NAME --role gm`."
        )
    return _("May approve: {who}. Then: `followup ticket approve {id} --by NAME`.").format(
        who=_who_may(people), id=ticket_id
    )


def notify_ticket(
    session: Session, ticket_id: int, via: str, response: str | None = None
) -> Ticket:
    """Record that the customer has been told the outcome."""
    channels = session.config["tickets"]["channels"]
    channel = vocab.accept("ticket_channel", via, "via", channels)
    answer = fields.text(response, "response")
    with session.write(one_customer=True) as conn:
        row = _load_for_change(session, conn, ticket_id)
        _record_notice(session, conn, row, channel, answer)
    return show_ticket(session, ticket_id)


def _record_notice(
    session: Session,
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    channel: str,
    response: str | None,
) -> None:
    ticket_id = row["id"]
    if row["status"] == "closed":
        raise Refused(_("ticket #{id} is already closed").format(id=ticket_id))
    if row["status"] != "resolved":
        raise Refused(
            _("ticket #{id} has no resolution yet: there is no outcome to tell").format(
                id=ticket_id
            ),
            _("Resolve it first: `followup ticket resolve {id} --resolution TEXT`.").format(
                id=ticket_id
            ),
        )
    if row["approved_by"] is None and needs_approval(
        session, row["severity"], row["return_policy"]
    ):
        people = approvers_of(session, conn, row)
        raise Refused(
            _(
                "ticket #{id} needs a leader's approval of its proposed handling before the"
                " customer is told"
            ).format(id=ticket_id),
            _may_approve_hint(ticket_id, people),
        )
    _update(
        conn,
        session,
        ticket_id,
        {
            "notified_at": session.stamp,
            "notified_via": channel,
            "customer_response": response,
        },
    )
    history(
        conn,
        session,
        ticket_id,
        "notify",
        field_name="notified_via",
        before=row["notified_via"],
        after=channel,
        note=response,
    )


def close_ticket(session: Session, ticket_id: int, notified_via: str | None = None) -> Ticket:
    """Close a resolved ticket whose outcome the customer has been told; plan the check
    that the problem stayed solved."""

    channel = None
    if notified_via:
        channel = vocab.accept(
            "ticket_channel",
            notified_via,
            "notified-via",
            session.config["tickets"]["channels"],
        )
    with session.write(one_customer=True) as conn:
        row = _load_for_change(session, conn, ticket_id)
        if row["status"] == "closed":
            raise Refused(
                _("ticket #{id} is already closed (on {date})").format(
                    id=ticket_id, date=local_day(row["closed_at"], session.zone) or row["closed_at"]
                )
            )
        if row["notified_at"] is None and channel is not None and row["status"] == "resolved":
            _record_notice(session, conn, row, channel, None)
            row = get_ticket_row(conn, ticket_id)
        unresolved = row["status"] != "resolved"
        untold = row["notified_at"] is None
        if unresolved or untold:
            raise Refused(*_cannot_close(ticket_id, unresolved, untold))
        _update(conn, session, ticket_id, {"status": "closed", "closed_at": session.stamp})
        history(
            conn,
            session,
            ticket_id,
            "close",
            field_name="status",
            before=row["status"],
            after="closed",
        )
        closes = conn.execute(
            "SELECT count(*) FROM ticket_history WHERE ticket_id = ? AND action = 'close'",
            (ticket_id,),
        ).fetchone()[0]
        planner = Planner(session, conn)
        planner.plan_ticket_verify(
            ticket_id, row["customer_id"], closes, read(row["summary"], row["summary_message"])
        )
        planner.flush()
    return show_ticket(session, ticket_id)


def _cannot_close(ticket_id: int, unresolved: bool, untold: bool) -> tuple[str, str]:
    """Why a ticket cannot be closed yet, and the commands that come next."""
    resolve = f"`followup ticket resolve {ticket_id} --resolution TEXT`"
    notify = f"`followup ticket notify {ticket_id} --via phone --response TEXT`"
    if unresolved and untold:
        return (
            _(
                "ticket #{id} cannot be closed: it has no resolution and the customer has not"
                " been told the outcome"
            ).format(id=ticket_id),
            _(
                "Next: {resolve}; then {notify} (or `ticket close --notified-via CHANNEL`"
                " once resolved)."
            ).format(resolve=resolve, notify=notify),
        )
    if unresolved:
        return (
            _("ticket #{id} cannot be closed: it has no resolution").format(id=ticket_id),
            _("Next: {resolve}.").format(resolve=resolve),
        )
    return (
        _("ticket #{id} cannot be closed: the customer has not been told the outcome").format(
            id=ticket_id
        ),
        _("Next: {notify} (or `ticket close --notified-via CHANNEL` once resolved).").format(
            notify=notify
        ),
    )


def reopen_ticket(session: Session, ticket_id: int, reason: str) -> Ticket:
    why = fields.required_text(reason, "reason", max_length=fields.MAX_TEXT)
    with session.write(one_customer=True) as conn:
        row = _load_for_change(session, conn, ticket_id)
        if row["status"] == "open":
            raise Refused(_("ticket #{id} is already open").format(id=ticket_id))
        calendar = load_calendar(conn, session.today, store=True)
        deadline = sla_deadline(session, calendar, row["severity"], session.today)
        _update(
            conn,
            session,
            ticket_id,
            {
                "status": "open",
                "resolution": None,
                "resolved_at": None,
                "notified_at": None,
                "notified_via": None,
                "customer_response": None,
                "closed_at": None,
                "approved_by": None,
                "approved_at": None,
                "due_by": deadline.isoformat(),
            },
        )
        history(
            conn,
            session,
            ticket_id,
            "reopen",
            field_name="status",
            before=row["status"],
            after="open",
            note=why,
        )
        callbacks.cancel_for_ticket(conn, ticket_id, session.today, session.stamp)
    return show_ticket(session, ticket_id)


def _update(
    conn: sqlite3.Connection, session: Session, ticket_id: int, changes: dict[str, Any]
) -> None:
    assignments = ", ".join(f"{k} = ?" for k in changes)
    conn.execute(
        f"UPDATE tickets SET {assignments}, updated_at = ? WHERE id = ?",
        (*changes.values(), session.stamp, ticket_id),
    )


def set_escalation(
    conn: sqlite3.Connection,
    ticket_id: int,
    level: int,
    role: str | None,
    person: str | None,
    due_by: str,
    stamp: str,
) -> None:
    """A ticket's new rung (escalation.py decides it): level, role, who holds it, and the
    deadline that rung has."""
    conn.execute(
        "UPDATE tickets SET escalation_level = ?, escalated_role = ?, escalated_to = ?,"
        " due_by = ?, updated_at = ? WHERE id = ?",
        (level, role, person, due_by, stamp, ticket_id),
    )


def ticket_id_arg(value: str) -> int:
    text = fields.normalise(value).lstrip("#")
    if not (text.isascii() and text.isdigit()):
        raise InvalidValue("ticket", value, _("a ticket number like 12 or #12"))
    number = int(text) if len(text) <= 20 else fields.ID_MAX + 1
    if number > fields.ID_MAX:  # more than SQLite can hold: no such ticket
        raise NotFound(
            _("no ticket #{id}").format(id=text if len(text) <= 40 else text[:40] + "…"),
            _("See `followup ticket list --status all`."),
        )
    return number
