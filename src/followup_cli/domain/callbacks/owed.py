"""Callbacks owed to the new customers of a large customers import (issue 16, "Load").

A file of 100,000 new customers plans half a million callbacks (visits on each grade's
rhythm, the yearly floor, greetings); writing them and their indexes takes this machine
5–6 s, which no clerk should wait behind. So such an import writes the file itself —
every customer, new and changed, and the callbacks of the customers it changed — in one
transaction, and with it this record: the ids of the new customers whose callbacks are
still to be written (meta `callbacks_owed`: the first and the last id, and the process
writing them). It then writes their callbacks as its rehearsal planned them
(transfer/rehearsal.py), a few thousand customers per short transaction, moving the
first id on in each; a clerk's command gets the lock between two of them.

Nothing is lost if the import is killed meanwhile: the record names customers who have
no callbacks yet, and the next `due` (its tidy step, `plan_owed`) or import plans them
the plain way (`Planner.plan_customers`, what the import itself would have done), in
batches, once the process named in the record is gone. While owed, a customer is in
the file and every list, without its planned callbacks: for a second or two while the
import runs, or until the next command after a killed one.

A large calls import does the same with the yearly floor its reached calls re-anchor
(each customer's pending yearly contact cancelled and planned again a year after the
call: 76,000 customers' for a file of 100,000 calls): the calls and the rest of their
settling in one transaction, the re-anchoring after it in short ones, the customers
still waiting recorded (meta `yearly_owed`: a range of customer ids, the ids of the
file's calls, the process); a recovery re-anchors each on its last reached call
(`reanchor_owed`), as settling that call does.

A large events import does it with its new events' callbacks (a file of 1,000,000
events plans some 240,000; inserting them takes this machine about 3 s): the events in
one transaction, their callbacks after it in short ones (meta `event_callbacks_owed`:
the first and the last event id still owed, the process, and the customers others
planned meanwhile). A clerk's one-customer write on a customer with events still owed
plans them first, the plain way (`hold_customer`, which every such write calls),
and records the customer, which the import then passes over: the clerk's call settles
the event's callback as it would after the whole file. A recovery plans the rest the
plain way (`plan_owed_events`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import date

from followup_cli.domain.session import Session
from followup_cli.store.busy import process_alive
from followup_cli.store.meta import delete_meta, get_meta, set_meta

OWED_KEY = "callbacks_owed"
YEARLY_OWED_KEY = "yearly_owed"
EVENTS_OWED_KEY = "event_callbacks_owed"
# New customers planned the plain way per batch of a recovery (one short transaction).
PLAN_BATCH = 2000


@dataclass(frozen=True)
class Owed:
    first: int  # the new customers first..last (ids) are owed their callbacks
    last: int
    pid: int  # the process writing them (the import)

    @property
    def writer_alive(self) -> bool:
        return self.pid != os.getpid() and process_alive(self.pid)


@dataclass(frozen=True)
class YearlyOwed(Owed):
    first_call: int = 0  # the file's calls: ids first_call..last_call
    last_call: int = -1


@dataclass(frozen=True)
class EventsOwed(Owed):
    """The events first..last (ids) are owed their callbacks, but for those of the
    customers `planned`: planned meanwhile by another command, the plain way."""

    planned: tuple[int, ...] = ()


def owed(conn: sqlite3.Connection) -> Owed | None:
    """The record, if there is one that reads (an unreadable one is dropped by the next
    `plan_owed`, as nothing could be planned from it)."""
    raw = get_meta(conn, OWED_KEY)
    if raw is None:
        return None
    try:
        found = json.loads(raw)
        return Owed(int(found["first"]), int(found["last"]), int(found["pid"]))
    except (ValueError, TypeError, KeyError):
        return Owed(0, -1, 0)


def yearly_owed(conn: sqlite3.Connection) -> YearlyOwed | None:
    """The calls import's record (as `owed`)."""
    raw = get_meta(conn, YEARLY_OWED_KEY)
    if raw is None:
        return None
    try:
        found = json.loads(raw)
        return YearlyOwed(
            int(found["first"]),
            int(found["last"]),
            int(found["pid"]),
            int(found["calls"][0]),
            int(found["calls"][1]),
        )
    except (ValueError, TypeError, KeyError, IndexError):
        return YearlyOwed(0, -1, 0)


def events_owed(conn: sqlite3.Connection) -> EventsOwed | None:
    """The events import's record (as `owed`)."""
    raw = get_meta(conn, EVENTS_OWED_KEY)
    if raw is None:
        return None
    try:
        found = json.loads(raw)
        return EventsOwed(
            int(found["first"]),
            int(found["last"]),
            int(found["pid"]),
            tuple(int(c) for c in found["planned"]),
        )
    except (ValueError, TypeError, KeyError):
        return EventsOwed(0, -1, 0)


def record_events_owed(
    conn: sqlite3.Connection,
    first: int,
    last: int,
    planned: tuple[int, ...] = (),
    pid: int | None = None,
) -> None:
    """Inside the caller's write transaction: the events first..last are owed their
    callbacks, but for those of the customers `planned` (none left: the record removed).
    `pid`: the process writing them (by default this one)."""
    if first > last:
        delete_meta(conn, EVENTS_OWED_KEY)
        return
    record = {
        "first": first,
        "last": last,
        "pid": os.getpid() if pid is None else pid,
        "planned": sorted(set(planned)),
    }
    set_meta(conn, EVENTS_OWED_KEY, json.dumps(record))


def hold_customer(session: Session, conn: sqlite3.Connection, customer_id: int) -> None:
    """In a one-customer write (`session.write(one_customer=True)`), before it reads what
    it changes: the customer's lock held to its end (Session.lock_customer), and its
    events a large import has written but not yet planned planned first
    (`plan_owed_events_of`), so that the action sees their callbacks."""
    session.lock_customer(conn, customer_id)
    plan_owed_events_of(session, conn, customer_id)


def plan_owed_events_of(session: Session, conn: sqlite3.Connection, customer_id: int) -> None:
    """Inside a one-customer write (`hold_customer`): the customer's events still owed
    their callbacks planned the plain way, and the customer recorded as planned (the
    import writing the rest passes over it)."""
    found = events_owed(conn)
    if found is None or found.last < found.first or customer_id in found.planned:
        return
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM events WHERE customer_id = ? AND id BETWEEN ? AND ? ORDER BY id",
            (customer_id, found.first, found.last),
        )
    ]
    if not ids:
        return
    # Only a write beside a large events import loads the planner here.
    from followup_cli.domain.callbacks.planning import Planner

    Planner(session, conn).plan_events(ids)
    record_events_owed(conn, found.first, found.last, (*found.planned, customer_id), found.pid)


def plan_owed_events(session: Session, counted: list[int]) -> bool:
    """As `plan_owed`, for an events import's callbacks: up to PLAN_BATCH of the events
    it recorded planned the plain way (but those of the customers planned meanwhile)."""
    conn = session.conn
    found = events_owed(conn)
    if found is None or found.writer_alive:
        counted.append(0)
        return True
    last = min(found.last, found.first + PLAN_BATCH - 1)
    skipped = set(found.planned)
    ids = [
        int(event_id)
        for event_id, customer_id in conn.execute(
            "SELECT id, customer_id FROM events WHERE id BETWEEN ? AND ? ORDER BY id",
            (found.first, last),
        )
        if int(customer_id) not in skipped
    ]
    if ids:
        # Only a recovery loads the planner (the due list's start-up).
        from followup_cli.domain.callbacks.planning import Planner

        Planner(session, conn).plan_events(ids)
    record_events_owed(conn, last + 1, found.last, found.planned, found.pid)
    counted.append(max(len(ids), 1))
    return True


def record_owed(conn: sqlite3.Connection, first: int, last: int) -> None:
    """Inside the caller's write transaction: customers first..last are owed their
    callbacks (none left: the record removed)."""
    if first > last:
        delete_meta(conn, OWED_KEY)
        return
    set_meta(conn, OWED_KEY, json.dumps({"first": first, "last": last, "pid": os.getpid()}))


def record_yearly_owed(
    conn: sqlite3.Connection, first: int, last: int, calls: tuple[int, int]
) -> None:
    """Inside the caller's write transaction: the customers first..last with a reached
    call among the file's (`calls`: its first and last id) may wait for their yearly
    floor to be re-anchored (none left: the record removed)."""
    if first > last:
        delete_meta(conn, YEARLY_OWED_KEY)
        return
    record = {"first": first, "last": last, "pid": os.getpid(), "calls": list(calls)}
    set_meta(conn, YEARLY_OWED_KEY, json.dumps(record))


def reanchor_yearly(session: Session, conn: sqlite3.Connection, ids: list[int]) -> None:
    """Inside a write transaction: each of these customers' yearly floor anchored on its
    last reached call, as settling that call does (log.py): a pending yearly contact
    planned otherwise cancelled, then the customer's plan completed (a customer whose
    floor is already there is left as it is)."""
    if not ids:
        return
    # Only a recovery or a clerk's write meanwhile loads the planner.
    from followup_cli.domain.callbacks.planning import Planner
    from followup_cli.domain.callbacks.store import cancel_reanchored_yearly

    planner = Planner(session, conn)
    yearly = planner.interval(session.config["planning"]["yearly_interval"], "yearly_interval")
    marks = ", ".join("?" for _ in ids)
    for customer_id, day in conn.execute(
        "SELECT customer_id, max(day) FROM calls WHERE outcome = 'reached'"
        f" AND customer_id IN ({marks}) GROUP BY customer_id",
        ids,
    ).fetchall():
        last = date.fromisoformat(str(day))
        cancel_reanchored_yearly(conn, int(customer_id), yearly.after(last), last, session.stamp)
    planner.plan_customers(ids)


def plan_owed(session: Session, counted: list[int]) -> bool:
    """Inside a write transaction (due_keeping.tidy): plan the callbacks of up to
    PLAN_BATCH owed customers the plain way, if the import that owes them is gone;
    appends how many were planned (0: none owed, or their import is still writing)."""
    conn = session.conn
    found = owed(conn)
    if found is None or found.writer_alive:
        counted.append(0)
        return True
    last = min(found.last, found.first + PLAN_BATCH - 1)
    # (Planning is idempotent: a customer's pending visits and yearly contact, and a
    # greeting the day's roll planned meanwhile, are left as they are.)
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM customers WHERE id BETWEEN ? AND ? ORDER BY id", (found.first, last)
        )
    ]
    if ids:
        # Only a recovery loads the planner (the due list's start-up).
        from followup_cli.domain.callbacks.planning import Planner

        Planner(session, conn).plan_customers(ids)
    record_owed(conn, last + 1, found.last)
    counted.append(max(len(ids), 1))
    return True


def reanchor_owed(session: Session, counted: list[int]) -> bool:
    """As `plan_owed`, for a calls import's yearly floors: up to PLAN_BATCH of the
    customers it recorded, re-anchored the plain way (`reanchor_yearly`)."""
    conn = session.conn
    found = yearly_owed(conn)
    if found is None or found.writer_alive:
        counted.append(0)
        return True
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT DISTINCT customer_id FROM calls WHERE id BETWEEN ? AND ?"
            " AND outcome = 'reached' AND customer_id BETWEEN ? AND ?"
            f" ORDER BY customer_id LIMIT {PLAN_BATCH}",
            (found.first_call, found.last_call, found.first, found.last),
        )
    ]
    reanchor_yearly(session, conn, ids)
    done_to = ids[-1] if len(ids) == PLAN_BATCH else found.last
    record_yearly_owed(conn, done_to + 1, found.last, (found.first_call, found.last_call))
    counted.append(max(len(ids), 1))
    return True
