"""The callbacks table's one writer (store/migrations.py aside, which owns the schema).

Every change to a callback row is one named function here, one statement or one
set-wise group; the rules that decide what to write (planning.py, calls, tickets, staff)
call them inside the caller's write transaction. Time is an argument: each function
takes the day it acts on and the stamp it writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from followup_cli.domain.texts import Message, columns
from followup_cli.store.engines import stage_row


@dataclass
class Planned:
    """One callback to plan: built by the planner (planning.py), inserted here."""

    customer_id: int
    due_on: date
    reason: str
    source: str
    plan_key: str
    planned_on: date
    level: int = 1
    role: str | None = None
    assignee: str | None = None
    detail: Message | None = None
    event_id: int | None = None
    ticket_id: int | None = None
    contact_id: int | None = None
    parent_id: int | None = None


INSERT_COLUMNS = (
    "customer_id, due_on, reason, source, plan_key, level, role, assignee, detail,"
    " detail_message, event_id, ticket_id, contact_id, parent_id, planned_on, created_at,"
    " updated_at"
)
INSERT_MARKS = ", ".join("?" * len(INSERT_COLUMNS.split(",")))
# An existing plan_key is left alone unless the system had cancelled it: then revived.
REVIVE_CANCELLED = (
    "ON CONFLICT (plan_key) DO UPDATE SET status = 'pending', due_on = excluded.due_on,"
    " assignee = excluded.assignee, attempts = 0, closed_on = NULL, note = NULL,"
    " updated_at = excluded.updated_at WHERE callbacks.status = 'cancelled'"
)


def marks(values: Sequence[object]) -> str:
    """One `?` per value, for an `IN (...)` list."""
    return ", ".join("?" for _ in values)


def id_scope(column: str, ids: Sequence[int] | None) -> tuple[str, tuple[int, ...]]:
    """A WHERE fragment limiting `column` to `ids` (None: no limit), and its parameters."""
    if ids is None:
        return "1 = 1", ()
    return f"{column} IN ({marks(ids)})", tuple(ids)


# -- planned callbacks -------------------------------------------------------------


def insert_planned(conn: sqlite3.Connection, planned: Sequence[Planned], stamp: str) -> int:
    """Insert what was planned, in one batch; an existing plan_key is left alone unless
    the system had cancelled it, in which case it is revived with the new date. Returns
    the rows inserted or revived."""
    if not planned:
        return 0
    before = conn.total_changes
    conn.executemany(
        f"INSERT INTO callbacks ({INSERT_COLUMNS}) VALUES ({INSERT_MARKS}) {REVIVE_CANCELLED}",
        [
            (
                p.customer_id,
                p.due_on.isoformat(),
                p.reason,
                p.source,
                p.plan_key,
                p.level,
                p.role,
                p.assignee,
                *columns(p.detail),
                p.event_id,
                p.ticket_id,
                p.contact_id,
                p.parent_id,
                p.planned_on.isoformat(),
                stamp,
                stamp,
            )
            for p in planned
        ],
    )
    return conn.total_changes - before


def insert_event_plans(
    conn: sqlite3.Connection, stage: str, plans: str, after_id: int, role: str, stamp: str
) -> int:
    """Insert, in one INSERT ... SELECT, the event callbacks an import staged in
    `temp.{plans}` (rows of `temp.{stage}` by number, see Planner.stage_event_plans) for
    the events with an id above `after_id` (the ones just inserted), matched by their
    natural key; returns how many were inserted or revived."""
    return conn.execute(
        f"INSERT INTO callbacks ({INSERT_COLUMNS})"
        " SELECT e.customer_id, p.due_on, 'event', 'event', 'event:' || e.id || ':' || p.step,"
        " 1, ?, p.assignee, p.detail, p.detail_message, e.id, NULL, NULL, NULL, p.planned_on,"
        " ?, ?"
        f" FROM temp.{plans} p JOIN temp.{stage} s ON {stage_row(conn, 's')} = p.row"
        " JOIN events e ON e.customer_id = s.customer_id AND e.kind = s.kind"
        " AND e.date = s.date AND e.ref = s.ref"
        f" WHERE e.id > ? ORDER BY e.id {REVIVE_CANCELLED}",
        (role, stamp, stamp, after_id),
    ).rowcount


def event_plans_with_ids(
    conn: sqlite3.Connection, stage: str, plans: str, after_id: int, into: str
) -> None:
    """Outside the write lock, once the events are in: the plans of `stage_event_plans`
    for the events with an id above `after_id`, with each one's event and customer, into
    the temp table `into` in event order (what `insert_event_plans_run` writes later).
    SQLite's alone (rowids, json_each): on a server an import writes its plans in its
    transaction."""
    conn.execute(f"DROP TABLE IF EXISTS temp.{into}")
    conn.execute(
        f"CREATE TEMP TABLE {into} AS SELECT e.id AS event_id, e.customer_id, p.step,"
        " p.due_on, p.planned_on, p.assignee, p.detail, p.detail_message"
        f" FROM temp.{plans} p JOIN temp.{stage} s ON {stage_row(conn, 's')} = p.row"
        " JOIN events e ON e.customer_id = s.customer_id AND e.kind = s.kind"
        " AND e.date = s.date AND e.ref = s.ref"
        " WHERE e.id > ? ORDER BY e.id, p.rowid",
        (after_id,),
    )


def insert_event_plans_run(
    conn: sqlite3.Connection,
    table: str,
    first: int,
    last: int,
    role: str,
    stamp: str,
    passed_over: Sequence[int],
) -> int:
    """Inside a short write transaction after a large events import's file: the plans
    in `temp.{table}` (event_plans_with_ids) of the events first..last inserted as
    `insert_event_plans` inserts them, but for the customers archived since and those
    `passed_over` (planned meanwhile the plain way: owed.plan_owed_events_of), and for
    an event deleted since. Returns how many were inserted or revived."""
    return conn.execute(
        f"INSERT INTO callbacks ({INSERT_COLUMNS})"
        " SELECT m.customer_id, m.due_on, 'event', 'event',"
        " 'event:' || m.event_id || ':' || m.step, 1, ?, m.assignee, m.detail,"
        " m.detail_message, m.event_id, NULL, NULL, NULL, m.planned_on, ?, ?"
        f" FROM temp.{table} m JOIN events e ON e.id = m.event_id"
        " JOIN customers c ON c.id = m.customer_id AND c.archived = 0"
        " WHERE m.event_id BETWEEN ? AND ?"
        " AND m.customer_id NOT IN (SELECT value FROM json_each(?))"
        f" ORDER BY m.event_id, m.rowid {REVIVE_CANCELLED}",
        (role, stamp, stamp, first, last, json.dumps(list(passed_over))),
    ).rowcount


def pending_between(
    conn: sqlite3.Connection, role: str, first: date, last: date, copied: str | None = None
) -> dict[date, int]:
    """The pending callbacks of `role` due on each day from `first` to `last`: the
    workload a first periodic callback is levelled against (one range of the partial
    index callbacks_pending_role_due). `copied`: on an import's private copy
    (transfer/rehearsal.py), the temp table of the customers whose callbacks it holds;
    the other customers' are counted in the real table."""
    span = (role, first.isoformat(), last.isoformat())
    counts = {
        date.fromisoformat(day): n
        for day, n in conn.execute(
            "SELECT due_on, count(*) FROM callbacks WHERE status = 'pending' AND role = ?"
            " AND due_on BETWEEN ? AND ? GROUP BY due_on",
            span,
        )
    }
    if copied is not None:
        for day, n in conn.execute(
            # SQLite-only: `main.`, the real table beside its temp copy (no copy elsewhere).
            "SELECT due_on, count(*) FROM main.callbacks WHERE status = 'pending' AND role = ?"
            f" AND due_on BETWEEN ? AND ? AND customer_id NOT IN (SELECT id FROM temp.{copied})"
            " GROUP BY due_on",
            span,
        ):
            counted = date.fromisoformat(day)
            counts[counted] = counts.get(counted, 0) + n
    return counts


# -- closing -----------------------------------------------------------------------


def complete(
    conn: sqlite3.Connection, ids: Sequence[int], call_id: int, day: date, stamp: str
) -> None:
    """The callbacks `ids`, in that order, done by the call `call_id` on `day`."""
    complete_many(conn, [(call_id, day.isoformat(), stamp, i) for i in ids])


def complete_many(conn: sqlite3.Connection, done: Sequence[tuple[int, str, str, int]]) -> None:
    """`complete` for several calls: (call id, day, stamp, callback id), in order."""
    conn.executemany(
        "UPDATE callbacks SET status = 'done', call_id = ?, closed_on = ?, updated_at = ?"
        " WHERE id = ?",
        done,
    )


def skip(
    conn: sqlite3.Connection, callback_id: int, why: str, by: str, day: date, stamp: str
) -> None:
    """A callback skipped by hand on `day` by `by`, with the reason given."""
    conn.execute(
        "UPDATE callbacks SET status = 'skipped', note = ?, closed_on = ?, changed_by = ?,"
        " updated_at = ? WHERE id = ?",
        (why, day.isoformat(), by, stamp, callback_id),
    )


def cancel_pending_visits(
    conn: sqlite3.Connection, customer_ids: Sequence[int] | None, day: date, stamp: str
) -> None:
    """The pending visits of these customers (None: all) cancelled to be planned again."""
    scope, params = id_scope("customer_id", customer_ids)
    conn.execute(
        "UPDATE callbacks SET status = 'cancelled', note = 'replanned', closed_on = ?,"
        f" updated_at = ? WHERE status = 'pending' AND reason = 'visit' AND {scope}",
        (day.isoformat(), stamp, *params),
    )


def cancel_missed_greetings(
    conn: sqlite3.Connection, due_before: date, day: date, stamp: str
) -> int:
    """Pending greetings due before `due_before` cancelled on `day`; returns how many."""
    return conn.execute(
        "UPDATE callbacks SET status = 'cancelled', note = 'greeting missed',"
        " closed_on = ?, updated_at = ? WHERE status = 'pending'"
        " AND reason IN ('holiday', 'birthday') AND due_on < ?",
        (day.isoformat(), stamp, due_before.isoformat()),
    ).rowcount


def cancel_anniversary_greetings(
    conn: sqlite3.Connection, anniversary_ids: Sequence[int], day: date, stamp: str
) -> None:
    """The pending greetings of these anniversaries (removed from their customer)
    cancelled on `day`."""
    conn.executemany(
        "UPDATE callbacks SET status = 'cancelled', note = 'anniversary removed', closed_on = ?,"
        " updated_at = ? WHERE status = 'pending' AND reason = 'holiday'"
        " AND plan_key LIKE 'anniversary:' || ? || ':%'",
        [(day.isoformat(), stamp, i) for i in anniversary_ids],
    )


def cancel_customer(
    conn: sqlite3.Connection, customer_id: int, why: str, day: date, stamp: str
) -> int:
    """Every pending callback of a customer cancelled with the note `why`."""
    return conn.execute(
        "UPDATE callbacks SET status = 'cancelled', note = ?, closed_on = ?, updated_at = ?"
        " WHERE customer_id = ? AND status = 'pending'",
        (why, day.isoformat(), stamp, customer_id),
    ).rowcount


def cancel_reanchored_yearly(
    conn: sqlite3.Connection, customer_id: int, keep_planned_on: date, day: date, stamp: str
) -> None:
    """A reached call re-anchors the yearly floor: the customer's pending yearly callback
    is cancelled unless it is already planned for `keep_planned_on`."""
    conn.execute(
        "UPDATE callbacks SET status = 'cancelled', note = 're-anchored by a reached call',"
        " closed_on = ?, updated_at = ? WHERE customer_id = ? AND status = 'pending'"
        " AND reason = 'yearly' AND planned_on != ?",
        (day.isoformat(), stamp, customer_id, keep_planned_on.isoformat()),
    )


def cancel_reanchored_yearly_many(
    conn: sqlite3.Connection, reanchored: Sequence[tuple[str, str, int]]
) -> None:
    """The yearly callbacks `cancel_reanchored_yearly` would cancel, found already: (the
    call's day, stamp, callback id)."""
    conn.executemany(
        "UPDATE callbacks SET status = 'cancelled', note = 're-anchored by a reached call',"
        " closed_on = ?, updated_at = ? WHERE id = ?",
        reanchored,
    )


def cancel_contact_greetings(
    conn: sqlite3.Connection, contact_id: int, day: date, stamp: str
) -> int:
    """The pending birthday greetings of a contact who left, cancelled on `day`."""
    return conn.execute(
        "UPDATE callbacks SET status = 'cancelled', note = 'contact left', closed_on = ?,"
        " updated_at = ? WHERE contact_id = ? AND status = 'pending' AND reason = 'birthday'",
        (day.isoformat(), stamp, contact_id),
    ).rowcount


def reroute_from_contact(
    conn: sqlite3.Connection, contact_id: int, day: date, stamp: str
) -> tuple[int, int]:
    """An erased contact's pending callbacks: their birthday greetings cancelled (the
    birthday is gone), the others no longer tied to them (the due list picks the next
    contact of callback_order). (cancelled, re-routed)."""
    cancelled = conn.execute(
        "UPDATE callbacks SET status = 'cancelled', note = 'contact erased', closed_on = ?,"
        " updated_at = ? WHERE contact_id = ? AND status = 'pending' AND reason = 'birthday'",
        (day.isoformat(), stamp, contact_id),
    ).rowcount
    rerouted = conn.execute(
        "UPDATE callbacks SET contact_id = NULL, updated_at = ?"
        " WHERE contact_id = ? AND status = 'pending'",
        (stamp, contact_id),
    ).rowcount
    return cancelled, rerouted


def cancel_for_ticket(conn: sqlite3.Connection, ticket_id: int, day: date, stamp: str) -> int:
    """A reopened ticket's pending callbacks (its verification) cancelled on `day`."""
    return conn.execute(
        "UPDATE callbacks SET status = 'cancelled', note = 'ticket reopened', closed_on = ?,"
        " updated_at = ? WHERE ticket_id = ? AND status = 'pending'",
        (day.isoformat(), stamp, ticket_id),
    ).rowcount


# -- moving and assigning ------------------------------------------------------------


def retry(conn: sqlite3.Connection, ids: Sequence[int], due_on: date, stamp: str) -> None:
    """A call that missed: the callbacks `ids` count one more attempt and come back
    on `due_on`; an appointment's time is gone with it (its place is kept)."""
    retry_many(conn, [(due_on.isoformat(), stamp, i) for i in ids])


def retry_many(conn: sqlite3.Connection, retried: Sequence[tuple[str, str, int]]) -> None:
    """`retry` for several calls: (the day they come back, stamp, callback id)."""
    conn.executemany(
        "UPDATE callbacks SET attempts = attempts + 1, due_on = ?, appointment_at = NULL,"
        " updated_at = ? WHERE id = ?",
        retried,
    )


def reschedule(
    conn: sqlite3.Connection,
    callback_id: int,
    due_on: date,
    by: str,
    stamp: str,
    appointment_at: str | None = None,
) -> None:
    """A callback moved by hand to `due_on` by `by`; a booked one keeps its place, its
    appointment moved to `appointment_at` (the same hour on the new day)."""
    conn.execute(
        "UPDATE callbacks SET due_on = ?, appointment_at = ?, changed_by = ?, updated_at = ?"
        " WHERE id = ?",
        (due_on.isoformat(), appointment_at, by, stamp, callback_id),
    )


def book(
    conn: sqlite3.Connection,
    callback_id: int,
    at: str,
    place: str | None,
    by: str,
    stamp: str,
) -> None:
    """An appointment made with the customer (seed 003 预约回访时间和地点): the callback due
    on the appointment's day (`at`, a timestamp on the office's clock), at `place` (a
    place given before is kept when none is given)."""
    conn.execute(
        "UPDATE callbacks SET due_on = substr(?, 1, 10), appointment_at = ?,"
        " appointment_place = coalesce(?, appointment_place), changed_by = ?, updated_at = ?"
        " WHERE id = ?",
        (at, at, place, by, stamp, callback_id),
    )


def assign_unassigned(conn: sqlite3.Connection, role: str, name: str, stamp: str) -> int:
    """The pending callbacks of `role` that nobody had, given to `name`."""
    return conn.execute(
        "UPDATE callbacks SET assignee = ?, updated_at = ? WHERE status = 'pending'"
        " AND role = ? AND assignee IS NULL",
        (name, stamp, role),
    ).rowcount


# -- an import's calls, settled on a private copy (transfer/rehearsal.py) --------


@dataclass(frozen=True)
class IdShift:
    """Where rows written on an import's private copy of the tables go in the real ones:
    ids above `last_call` / `last_callback` (new on the copy) move up by `calls` /
    `callbacks`, past the rows other clerks wrote meanwhile."""

    last_call: int
    calls: int
    last_callback: int
    callbacks: int

    def call(self, column: str) -> str:
        """SQL: the call id in `column`, moved if it is new."""
        return (
            f"CASE WHEN {column} > {int(self.last_call)}"
            f" THEN {column} + {int(self.calls)} ELSE {column} END"
        )

    def callback(self, column: str) -> str:
        """SQL: the callback id in `column`, moved if it is new."""
        return (
            f"CASE WHEN {column} > {int(self.last_callback)}"
            f" THEN {column} + {int(self.callbacks)} ELSE {column} END"
        )

    def plan_key(self, column: str) -> str:
        """SQL: a plan_key naming a new call (`retry:CALL`), moved with it."""
        number = f"CAST(substr({column}, 7) AS INTEGER)"
        return (
            f"CASE WHEN {column} LIKE 'retry:%' AND {number} > {int(self.last_call)}"
            f" THEN 'retry:' || ({number} + {int(self.calls)}) ELSE {column} END"
        )


def _moved(conn: sqlite3.Connection, ids: IdShift, alias: str) -> tuple[list[str], list[str]]:
    """The callbacks' columns and, for each, the rehearsed value with its ids moved; a
    call of the import is left out (NULL) until `link_rehearsed_calls`."""
    names = [r[1] for r in conn.execute("PRAGMA main.table_info(callbacks)")]
    moved = {
        "id": ids.callback(f"{alias}.id"),
        "parent_id": ids.callback(f"{alias}.parent_id"),
        "call_id": f"CASE WHEN {alias}.call_id > {int(ids.last_call)} THEN NULL"
        f" ELSE {alias}.call_id END",
        "plan_key": ids.plan_key(f"{alias}.plan_key"),
    }
    return names, [moved.get(n, f'{alias}."{n}"') for n in names]


def apply_rehearsed_changes(conn: sqlite3.Connection, changes: str, ids: IdShift) -> None:
    """The callbacks a rehearsed import changed (completed, brought back, cancelled,
    revived), from `temp.{changes}`: first those it closed, then those left pending, so
    that the one-pending-visit rule holds after each statement."""
    names, values = _moved(conn, ids, "d")
    # Only the columns some row changes: every index on a column set is rewritten.
    differs = ", ".join(f'total(d."{n}" IS NOT m."{n}")' for n in names)
    counts = conn.execute(
        f"SELECT {differs} FROM temp.{changes} AS d JOIN main.callbacks AS m ON m.id = d.id"
    ).fetchone()
    changed = {n for n, k in zip(names, counts, strict=True) if k} - {"id"}
    sets = ", ".join(f'"{n}" = {v}' for n, v in zip(names, values, strict=True) if n in changed)
    if not sets:
        return
    for pending in (0, 1):
        conn.execute(
            f"UPDATE main.callbacks AS m SET {sets} FROM temp.{changes} AS d"
            " WHERE m.id = d.id AND (d.status = 'pending') = ?",
            (pending,),
        )


def insert_rehearsed(conn: sqlite3.Connection, planned: str, ids: IdShift) -> int:
    """The callbacks a rehearsed import planned, from `temp.{planned}`, ids moved. The
    rows are read in the temp table's order, which is id order (`rehearsal._keep_deltas`
    writes it so): no sort of a few hundred thousand rows inside the write lock."""
    names, values = _moved(conn, ids, "d")
    return conn.execute(
        f"INSERT INTO main.callbacks ({', '.join(names)})"
        f" SELECT {', '.join(values)} FROM temp.{planned} AS d ORDER BY d.rowid"
    ).rowcount


def insert_rehearsed_run(
    conn: sqlite3.Connection, planned: str, first: int, last: int, shift: int, *, by: str = "id"
) -> int:
    """The callbacks a rehearsed import planned, from `temp.{planned}`, whose `by` (their
    id, or their customer_id) is first..last (none names a callback or a call of the
    import), after the rest of the import (held back: transfer/rehearsal.py): their ids
    moved by `shift` as the rest's were, where no row has them yet (others' rows are
    numbered past the table's last id, so those ids stay free); else numbered past the
    table's last id, in their order."""
    if by not in ("id", "customer_id"):
        raise ValueError(by)
    rows = f"FROM temp.{planned} AS d WHERE d.{by} BETWEEN ? AND ?"
    taken = conn.execute(
        f"SELECT 1 FROM main.callbacks WHERE id IN (SELECT d.id + {int(shift)} {rows}) LIMIT 1",
        (first, last),
    ).fetchone()
    names, values = _moved(conn, IdShift(2**62, 0, 2**62, 0), "d")  # (nothing moved)
    if taken is None:
        values[names.index("id")] = f"d.id + {int(shift)}"
    else:
        top = int(conn.execute("SELECT coalesce(max(id), 0) FROM main.callbacks").fetchone()[0])
        values[names.index("id")] = f"{top} + row_number() OVER (ORDER BY d.id)"
    return conn.execute(
        f"INSERT INTO main.callbacks ({', '.join(names)}) SELECT {', '.join(values)} {rows}"
        " ORDER BY d.id",
        (first, last),
    ).rowcount


def link_rehearsed_calls(conn: sqlite3.Connection, tables: Sequence[str], ids: IdShift) -> None:
    """The callbacks of `temp.{tables}` completed by one of the import's calls, linked to
    it once it is written."""
    rows = " UNION ALL ".join(
        f"SELECT id, call_id FROM temp.{t} WHERE call_id > {int(ids.last_call)}" for t in tables
    )
    conn.execute(
        f"UPDATE main.callbacks AS m SET call_id = d.call_id + {int(ids.calls)} FROM ({rows}) AS d"
        f" WHERE m.id = {ids.callback('d.id')}"
    )
