"""The reports' SQL, one function per query, each returning its rows; the report modules
keep the arithmetic and the shaping. This is the reports' side of the seam a second
database engine will use: the SQL is standard where SQLite allows it, and each
SQLite-only construct is marked. Dates are ISO `YYYY-MM-DD` text, so BETWEEN compares
them as dates.

Some queries read tables another concept owns (staff, callbacks, escalations); they stay
here, read-only, until those concepts' stores offer them."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from followup_cli.domain.reports.period import Period


def _span(period: Period) -> tuple[str, str]:
    return period.start.isoformat(), period.end.isoformat()


# categories ----------------------------------------------------------------------------


class CategoryCount(NamedTuple):
    category: str
    tickets: int


def ticket_counts_by_category(conn: sqlite3.Connection, period: Period) -> list[CategoryCount]:
    """Tickets opened in the period, per category."""
    return [
        CategoryCount(*r)
        for r in conn.execute(
            "SELECT category, count(*) FROM tickets WHERE opened_on BETWEEN ? AND ?"
            " GROUP BY category",
            _span(period),
        )
    ]


# daily ---------------------------------------------------------------------------------


def ticket_escalations_on(conn: sqlite3.Connection, day: date) -> list[sqlite3.Row]:
    """The day's ticket escalations, oldest first; `reason` with its `reason_message`."""
    return conn.execute(
        "SELECT e.ticket_id, c.code AS customer_code, c.name AS customer_name, e.level,"
        " e.role, e.staff, e.reason, e.reason_message, e.auto FROM escalations e"
        " JOIN customers c ON c.id = e.customer_id WHERE e.kind = 'ticket' AND e.day = ?"
        " ORDER BY e.id",
        (day.isoformat(),),
    ).fetchall()


def tickets_reported_on(conn: sqlite3.Connection, day: date) -> list[sqlite3.Row]:
    """The tickets opened on the day with the notice each sent at once to the sales
    manager (`reported_to` empty when nobody held the role: `note` says so), oldest first."""
    return conn.execute(
        "SELECT t.id AS ticket_id, c.code AS customer_code, c.name AS customer_name,"
        " t.severity, t.owner, h.after AS reported_to, h.note, h.note_message,"
        " t.summary, t.summary_message FROM ticket_history h"
        " JOIN tickets t ON t.id = h.ticket_id JOIN customers c ON c.id = t.customer_id"
        " WHERE h.action = 'report' AND t.opened_on = ? ORDER BY h.id",
        (day.isoformat(),),
    ).fetchall()


def warnings_raised_on(conn: sqlite3.Connection, day: date) -> list[sqlite3.Row]:
    """The early warnings first raised on the day, oldest first."""
    return conn.execute(
        "SELECT c.code AS customer_code, c.name AS customer_name, e.role, e.staff,"
        " e.reason, e.reason_message FROM escalations e JOIN customers c ON c.id = e.customer_id"
        " WHERE e.kind = 'warning' AND e.day = ? AND e.warning_key <> '' ORDER BY e.id",
        (day.isoformat(),),
    ).fetchall()


# discrepancies -------------------------------------------------------------------------


def answered_event_calls(conn: sqlite3.Connection, period: Period) -> list[sqlite3.Row]:
    """Calls in the period with recorded answers that closed a callback about a service
    event, with the event's record: id, day, caller, answers (JSON text), kind, date,
    ref, staff, result, code, name; by day."""
    return conn.execute(
        "SELECT DISTINCT k.id, k.day, k.caller, k.answers, e.kind, e.date, e.ref, e.staff,"
        " e.result, c.code, c.name FROM calls k JOIN callbacks cb ON cb.call_id = k.id"
        " JOIN events e ON e.id = cb.event_id JOIN customers c ON c.id = k.customer_id"
        " WHERE k.answers IS NOT NULL AND k.day BETWEEN ? AND ? ORDER BY k.day, k.id",
        _span(period),
    ).fetchall()


def second_level_calls(conn: sqlite3.Connection, period: Period) -> list[sqlite3.Row]:
    """Done level-2 checks called in the period beside the level-1 call they check:
    id, day, caller, a2/s2 and a1/s1 (answers, satisfaction), caller1, the event's kind,
    date, ref, staff, result (NULL without an event), code, name; by day."""
    return conn.execute(
        "SELECT k2.id, k2.day, k2.caller, k2.answers AS a2, k2.satisfaction AS s2,"
        " k1.answers AS a1, k1.satisfaction AS s1, k1.caller AS caller1, e.kind, e.date,"
        " e.ref, e.staff, e.result, c.code, c.name FROM callbacks l2"
        " JOIN calls k2 ON k2.id = l2.call_id JOIN callbacks l1 ON l1.id = l2.parent_id"
        " JOIN calls k1 ON k1.id = l1.call_id LEFT JOIN events e ON e.id = l2.event_id"
        " JOIN customers c ON c.id = l2.customer_id"
        " WHERE l2.level = 2 AND l2.status = 'done' AND k2.day BETWEEN ? AND ?"
        " ORDER BY k2.day, k2.id",
        _span(period),
    ).fetchall()


# satisfaction --------------------------------------------------------------------------


class SatisfactionResponse(NamedTuple):
    day: str
    caller: str
    satisfaction: int | None
    recommend: int | None
    kind: str | None  # the event's kind; None for a call about no event


def satisfaction_responses(conn: sqlite3.Connection, period: Period) -> list[SatisfactionResponse]:
    """Reached calls in the period that gave a score or a recommendation, by day."""
    return [
        SatisfactionResponse(*r)
        for r in conn.execute(
            "SELECT k.day, k.caller, k.satisfaction, k.recommend, e.kind FROM calls k"
            " LEFT JOIN callbacks cb ON cb.id = k.callback_id"
            " LEFT JOIN events e ON e.id = cb.event_id"
            " WHERE k.outcome = 'reached' AND k.day BETWEEN ? AND ?"
            " AND (k.satisfaction IS NOT NULL OR k.recommend IS NOT NULL) ORDER BY k.day",
            _span(period),
        )
    ]


# staff ---------------------------------------------------------------------------------


class StaffMember(NamedTuple):
    name: str
    role: str


class CallbackTally(NamedTuple):
    assignee: str
    assigned: int
    done: int
    done_on_time: int


class CallTally(NamedTuple):
    caller: str
    calls: int
    reached: int


class StaffCount(NamedTuple):
    staff: str
    total: int


class StaffScore(NamedTuple):
    staff: str
    satisfaction: int


def staff_members(conn: sqlite3.Connection) -> list[StaffMember]:
    """Everyone on the staff list, by role and name."""
    return [
        StaffMember(*r) for r in conn.execute("SELECT name, role FROM staff ORDER BY role, name")
    ]


def callbacks_by_assignee(conn: sqlite3.Connection, period: Period) -> list[CallbackTally]:
    """Per assignee, the callbacks due in the period (cancelled ones left out), how many
    are done, and how many were done by their due day."""
    return [
        CallbackTally(*r)
        for r in conn.execute(
            "SELECT assignee, count(*),"
            " sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END),"
            " sum(CASE WHEN status = 'done' AND closed_on <= due_on THEN 1 ELSE 0 END)"
            " FROM callbacks"
            " WHERE assignee IS NOT NULL AND status <> 'cancelled' AND due_on BETWEEN ? AND ?"
            " GROUP BY assignee",
            _span(period),
        )
    ]


def overdue_callbacks_by_assignee(conn: sqlite3.Connection, today: date) -> list[StaffCount]:
    """Per assignee, pending callbacks due before today (greetings and unassigned ones
    left out)."""
    return [
        StaffCount(*r)
        for r in conn.execute(
            "SELECT assignee, count(*) FROM callbacks WHERE assignee IS NOT NULL"
            " AND status = 'pending' AND due_on < ? AND reason NOT IN ('holiday', 'birthday')"
            " GROUP BY assignee",
            (today.isoformat(),),
        )
    ]


def calls_by_caller(conn: sqlite3.Connection, period: Period) -> list[CallTally]:
    """Per caller, the calls made in the period and how many reached someone."""
    return [
        CallTally(*r)
        for r in conn.execute(
            "SELECT caller, count(*), sum(CASE WHEN outcome = 'reached' THEN 1 ELSE 0 END)"
            " FROM calls WHERE day BETWEEN ? AND ? GROUP BY caller",
            _span(period),
        )
    ]


def events_by_staff(conn: sqlite3.Connection, period: Period) -> list[StaffCount]:
    """Per staff member, the service events dated in the period (those with no staff
    member left out)."""
    return [
        StaffCount(*r)
        for r in conn.execute(
            "SELECT staff, count(*) FROM events WHERE staff IS NOT NULL AND date BETWEEN ? AND ?"
            " GROUP BY staff",
            _span(period),
        )
    ]


def event_scores(conn: sqlite3.Connection, period: Period) -> list[StaffScore]:
    """The satisfaction given on level-1 calls in the period about a service event, once
    per call and event, with the event's staff member."""
    return [
        StaffScore(*r)
        for r in conn.execute(
            # Standard SQL allows e.staff and k.satisfaction beside GROUP BY k.id, e.id
            # because both ids are primary keys (PostgreSQL accepts it); an engine without
            # that rule needs the two columns added to the GROUP BY.
            "SELECT e.staff, k.satisfaction FROM calls k JOIN callbacks cb ON cb.call_id = k.id"
            " JOIN events e ON e.id = cb.event_id WHERE k.satisfaction IS NOT NULL"
            " AND e.staff IS NOT NULL AND k.day BETWEEN ? AND ? AND cb.level = 1"
            " GROUP BY k.id, e.id",
            _span(period),
        )
    ]


def complaints_by_event_staff(conn: sqlite3.Connection, period: Period) -> list[StaffCount]:
    """Per staff member, the tickets opened in the period from a call about one of their
    events."""
    return [
        StaffCount(*r)
        for r in conn.execute(
            "SELECT e.staff, count(DISTINCT t.id) FROM tickets t JOIN calls k ON k.id = t.call_id"
            " JOIN callbacks cb ON cb.call_id = k.id JOIN events e ON e.id = cb.event_id"
            " WHERE e.staff IS NOT NULL AND t.opened_on BETWEEN ? AND ? GROUP BY e.staff",
            _span(period),
        )
    ]


# value (report value, customer regrade) ------------------------------------------------


def customer_amounts(conn: sqlite3.Connection, since: date, until: date) -> list[sqlite3.Row]:
    """Each active customer (id, code, name, grade) and the sum of the amounts of their
    events dated from `since` to `until` (`amount`, 0 without any), the highest first,
    then by code."""
    return conn.execute(
        "SELECT c.id, c.code, c.name, c.grade, coalesce(sum(e.amount), 0) AS amount"
        " FROM customers c LEFT JOIN events e ON e.customer_id = c.id"
        " AND e.date BETWEEN ? AND ? AND e.amount IS NOT NULL"
        " WHERE c.archived = 0 GROUP BY c.id ORDER BY amount DESC, c.code",
        (since.isoformat(), until.isoformat()),
    ).fetchall()


# visit reports (report visits) ----------------------------------------------------------


def visit_report_calls(
    conn: sqlite3.Connection, since: date, until: date, grades: list[int]
) -> list[sqlite3.Row]:
    """The reached calls from `since` to `until` to customers of `grades` that are visits
    (channel visit, or logged against a visit callback) or carry findings, with their
    review (reviewed_by, reviewed_at, note: NULL when none), oldest first."""
    marks = ", ".join("?" for _grade in grades) or "NULL"
    return conn.execute(
        "SELECT k.id, k.day, k.at, c.code, c.name, c.grade, k.caller, k.channel,"
        " ct.name AS contact, k.findings, r.reviewed_by, r.reviewed_at, r.note"
        " FROM calls k JOIN customers c ON c.id = k.customer_id"
        " LEFT JOIN contacts ct ON ct.id = k.contact_id"
        " LEFT JOIN call_reviews r ON r.call_id = k.id"
        f" WHERE k.day BETWEEN ? AND ? AND k.outcome = 'reached' AND c.grade IN ({marks})"
        " AND (k.channel = 'visit' OR k.findings IS NOT NULL OR EXISTS (SELECT 1 FROM"
        " callbacks b WHERE b.id = k.callback_id AND b.reason = 'visit'))"
        " ORDER BY k.at, k.id",
        (since.isoformat(), until.isoformat(), *grades),
    ).fetchall()
