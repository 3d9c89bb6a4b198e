"""Escalation: a stalled complaint climbs its tier's ladder, by hand or from cron.

Each SLA breach climbs one rung and sets a new deadline, so running `escalate --auto`
twice on a day changes nothing. A rung with no staff member is passed over (and the
notice says so); past the ladder's last rung a ticket escalated by hand goes on to its
tier's emergency route and then the gm (`chain_for`): an escalation always lands on a
named person, or is refused saying who to add. Every step is recorded in `escalations`
and in the ticket's history; cron's steps as the system.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain.complaints import escalation_log
from followup_cli.domain.complaints.early_warning import (
    findings_before_writing,
    record_emergencies,
)
from followup_cli.domain.complaints.notices import Notice
from followup_cli.domain.complaints.tickets import (
    climb_chain,
    get_ticket_row,
    history,
    is_breached,
    ladder_for,
    route,
    set_escalation,
    sla_deadline,
)
from followup_cli.domain.notify.causes import escalation_cause
from followup_cli.domain.notify.digest import due_digests, queue_digests
from followup_cli.domain.notify.outbox import queue_notice
from followup_cli.domain.session import SYSTEM, Session
from followup_cli.domain.staff.roster import pick_staff
from followup_cli.domain.texts import Message, Text, joined, message, read
from followup_cli.support.errors import NotFound, Refused, UsageError
from followup_cli.support.i18n import _, label
from followup_cli.support.workdays import WorkCalendar, load_calendar


def escalate_ticket(
    session: Session, ticket_id: int, reason: str | None = None, to_role: str | None = None
) -> Notice:
    """A manual step: one rung up the ladder, or straight to `to_role`."""
    if to_role is not None and to_role not in session.config.staff_roles:
        raise UsageError(
            _("'{role}' is not a role").format(role=to_role),
            _("Roles: {roles}").format(roles=", ".join(session.config.staff_roles)),
        )
    # What the person typed, checked before the write lock (ESC, bidi... refused).
    reason = fields.text(reason, "reason")
    with session.write() as conn:
        row = get_ticket_row(conn, ticket_id)
        if row["status"] == "closed":
            raise Refused(
                _("ticket #{id} is closed; there is nothing to escalate").format(id=ticket_id)
            )
        calendar = load_calendar(conn, session.today, store=True)
        why: Text = reason or message("escalation.by_hand")
        return _climb(session, conn, calendar, row, why, to_role, auto=False)


def _climb(
    session: Session,
    conn: sqlite3.Connection,
    calendar: WorkCalendar,
    row: sqlite3.Row,
    reason: Text,
    to_role: str | None,
    *,
    auto: bool,
    dry_run: bool = False,
) -> Notice:
    customer = conn.execute(
        "SELECT code, name, grade, department FROM customers WHERE id = ?", (row["customer_id"],)
    ).fetchone()
    if customer is None:
        raise orphan_ticket(row)
    tier, tier_ladder = ladder_for(session, customer["grade"])
    current = int(row["escalation_level"])
    # A major or critical ticket with the deputy GM in charge climbs from there to the gm.
    ladder, chain = climb_chain(
        session, tier, tier_ladder, row["severity"], current, row["escalated_role"]
    )
    # A ticket nobody holds (its rung had no staff) goes first to whoever holds its rung now.
    start = current + 1 if row["escalated_to"] else current
    note: Message | None = None
    if to_role is not None:
        person = pick_staff(conn, to_role, customer["department"])
        if person is None:
            raise NotFound(
                _("no staff member has the role {role}").format(role=label("role", to_role)),
                _("Add one with `followup staff add NAME --role {role}`.").format(role=to_role),
            )
        level = chain.index(to_role) if to_role in chain else current
        role: str | None = to_role
    elif auto and current + 1 >= len(ladder) and row["escalated_to"]:
        # cron climbs the ladder only; at its top (or past it) it reminds
        level, role, person = current, row["escalated_role"], row["escalated_to"]
        note = message("escalation.top_rung")
    elif start >= len(chain):
        if auto:
            return _unrouted(row, customer, tier, chain[-1:], reason)
        top = label("role", chain[-1]) if chain else _("none")
        raise Refused(
            _("ticket #{id} is already at the top rung ({role}) of the {tier} ladder").format(
                id=row["id"], role=top, tier=label("tier", tier)
            ),
            _("Name someone outside the ladder with --to ROLE, or resolve the ticket."),
        )
    else:
        routing = route(conn, chain, start, customer["department"])
        if routing.person is None:
            if auto:
                return _unrouted(row, customer, tier, chain[start:], reason)
            raise Refused(*_nobody_above(row["id"], chain[start:]))
        level, role, person = routing.level, routing.role, routing.person
        notes: list[Message] = []
        if routing.skipped:
            notes.append(message("escalation.rungs_skipped", roles=list(routing.skipped)))
        if level >= len(ladder):
            notes.append(message("escalation.past_the_ladder", tier=tier, role=role or ""))
        if notes:
            note = notes[0] if len(notes) == 1 else joined(notes)
    due_by = sla_deadline(session, calendar, row["severity"], session.today).isoformat()
    notice = _ticket_notice(
        row,
        customer,
        tier,
        level=level,
        role=role,
        person=person,
        due_by=due_by,
        reason=reason,
        note=note,
    )
    if dry_run:
        return notice
    set_escalation(conn, row["id"], level, role, person, due_by, session.stamp)
    escalation_id = escalation_log.record_climb(
        conn,
        row["id"],
        row["customer_id"],
        level,
        role,
        person,
        reason,
        auto,
        note,
        session.today,
        session.stamp,
    )
    cause = escalation_cause(
        escalation_id,
        row["id"],
        row["customer_id"],
        (customer["code"], customer["name"]),
        role,
        notice.summary,
        row["severity"],
        reason,
        due_by,
    )
    queue_notice(session, conn, cause, person)
    history(
        conn,
        session,
        row["id"],
        "escalate",
        field_name="escalated_to",
        before=f"{row['escalated_role']} {row['escalated_to'] or ''}".strip(),
        after=f"{role} {person or ''}".strip(),
        note=message("escalation.with_note", reason=reason, note=note) if note else reason,
        actor=SYSTEM if auto else None,
    )
    return notice


def orphan_ticket(row: sqlite3.Row) -> Refused:
    return Refused(
        _("ticket #{id} cannot be escalated: its customer #{customer} is missing").format(
            id=row["id"], customer=row["customer_id"]
        ),
        _("The customer was deleted outside followup; `followup db check` lists what to do."),
    )


def _nobody_above(ticket_id: int, roles: list[str]) -> tuple[str, str]:
    """Why a ticket cannot climb: no staff holds any role above it; and who to add."""
    return (
        _("ticket #{id} cannot be escalated: nobody holds a role above it ({roles})").format(
            id=ticket_id, roles=", ".join(label("role", r) for r in roles)
        ),
        _("Add one with `followup staff add NAME --role {role}`, or name a role with --to ROLE.")
        .format(role=roles[0]),
    )  # fmt: skip


def _unrouted(
    row: sqlite3.Row, customer: sqlite3.Row, tier: str, above: list[str], reason: Text
) -> Notice:
    """cron found a breach with nobody at all to take it (`above`: the roles it could go
    to): the ticket is left as it is (it breaches again tomorrow), and the notice says
    who to add."""
    return _ticket_notice(
        row,
        customer,
        tier,
        level=None,
        role=None,
        person=None,
        due_by=row["due_by"],
        reason=reason,
        note=message("escalation.nobody_above", role=above[0] if above else ""),
    )


def escalate_auto(session: Session, *, dry_run: bool = False) -> list[Notice]:
    """For cron: climb one rung for every ticket past its deadline; queue each
    assignee's due digest of the day (issue 19)."""
    notices: list[Notice] = []
    # The early-warning findings scan the office: read before the write lock.
    found = None if dry_run else findings_before_writing(session)
    digests = [] if dry_run else due_digests(session)
    with session.read() if dry_run else session.write() as conn:
        calendar = load_calendar(conn, session.today, store=not dry_run)
        rows = conn.execute(
            "SELECT t.* FROM tickets t WHERE t.status IN ('open', 'resolved') AND t.due_by < ?"
            # A ticket whose customer was deleted outside followup is passed over (an
            # escalation must name its customer); `followup db check` lists it.
            " AND EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id)"
            " ORDER BY t.due_by, t.id",
            (session.today.isoformat(),),
        ).fetchall()
        for row in rows:
            if not is_breached(row["status"], row["due_by"], row["notified_at"], session.today):
                continue
            code = (
                "escalation.breach_resolution"
                if row["status"] == "open"
                else "escalation.breach_telling"
            )
            reason = message(code, date=row["due_by"])
            notices.append(
                _climb(session, conn, calendar, row, reason, None, auto=True, dry_run=dry_run)
            )
        notices.extend(record_emergencies(session, conn, dry_run=dry_run, found=found))
        if not dry_run:
            queue_digests(session, conn, digests)
    return notices


def _ticket_notice(row: sqlite3.Row, customer: sqlite3.Row, tier: str, **step: Any) -> Notice:
    """The notice of one step on ticket `row` (from where it stands to `step`)."""
    return Notice(
        kind="ticket",
        ticket_id=row["id"],
        customer_code=customer["code"],
        customer_name=customer["name"],
        tier=tier,
        severity=row["severity"],
        summary=read(row["summary"], row["summary_message"]) or "",
        from_role=row["escalated_role"],
        from_level=int(row["escalation_level"]),
        **step,
    )
