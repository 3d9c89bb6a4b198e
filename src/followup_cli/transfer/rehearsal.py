"""A calls import settled before the write lock, on a private copy (issue 16, "Load").

Settling a call is the longest rule of the tool (log.py: which callbacks it completes
or brings back, the level-2 checks and visits it plans, the yearly floor it re-anchors,
the unreachable flag), and an import settles its calls one by one, in time order. Done
inside the write lock, a 20k-call file locked every clerk out for seconds. So:

1. Rehearse (no write lock): in one read snapshot of the database, the rows the calls
   can touch — the file's customers, their calls and callbacks, and every pending
   callback (the workload that levels a first visit) — are copied into temp tables of
   the same names and constraints. SQLite resolves a table name to the temp schema
   first, so the very code of `log-call` (`record_call`) settles the file's calls on the
   copy, and an authorizer refuses any write to the real tables meanwhile. What changed
   is kept as delta tables (new calls, new callbacks, changed callbacks, changed
   customers) and the copies are dropped.
2. Write (BEGIN IMMEDIATE): a fingerprint of the rows the rehearsal read (the file's
   customers, their calls, callbacks, events and contacts, and the staff) is read again.
   If a clerk touched one of them meanwhile, the rehearsal is redone (at most
   `REHEARSALS` times; then the calls are settled the plain way, inside the lock).
   Otherwise the deltas are applied with a few INSERT/UPDATE ... SELECT statements, the
   ids of new rows moved past those other clerks wrote meanwhile.

The plain way (`writing.settle_calls` inside the lock) stays beside it, and a test holds
that both leave the same rows.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from followup_cli.domain.callbacks import store as callbacks
from followup_cli.domain.calls import log as calls
from followup_cli.domain.customers import records as customers
from followup_cli.domain.session import Session
from followup_cli.store.compare import columns_differ

REHEARSALS = 3
PLACEHOLDER = "(rehearsal: the last id)"
SHADOWED = ("customers", "calls", "callbacks")
AFFECTED = "_rehearsal_customers"
DELTAS = {
    "calls_new": "_rehearsed_calls",
    "callbacks_new": "_rehearsed_callbacks",
    "callbacks_changed": "_rehearsed_callback_changes",
    "customers_changed": "_rehearsed_customer_changes",
    "customers_new": "_rehearsed_customers",
}


class RehearsalUnsupported(Exception):
    """The schema is not the one the rehearsal knows how to copy (settle the plain way)."""


@dataclass
class Rehearsal:
    """What a rehearsal read and wrote: the ids the database had then, the fingerprint
    of the rows it read, and the callbacks it planned."""

    kind: str
    last_call: int
    last_callback: int
    last_customer: int
    fingerprint: tuple[Any, ...]
    planned: int


# -- the snapshot ---------------------------------------------------------------------


def fingerprint(conn: sqlite3.Connection, kind: str) -> tuple[Any, ...]:
    """What a clerk's write to one of the file's customers would change: counts, sums and
    latest stamps over their rows in the real tables (`main.`), and over the staff; for
    a customers import, over every customer (new codes are drawn from them all)."""
    scope = f"customer_id IN (SELECT id FROM temp.{AFFECTED})"
    parts = [
        "SELECT count(*), total(id), total(status = 'pending'), total(attempts),"
        " max(updated_at), total(julianday(due_on)), total(coalesce(call_id, 0)),"
        " total(length(coalesce(assignee, ''))), total(length(coalesce(role, '')))"
        f" FROM main.callbacks WHERE {scope}",
        f"SELECT count(*), total(id), max(created_at) FROM main.calls WHERE {scope}",
        "SELECT count(*), total(archived), total(unreachable), total(grade), max(updated_at),"
        " total(length(coalesce(owner, '')) + length(coalesce(department, '')))"
        f" FROM main.customers WHERE id IN (SELECT id FROM temp.{AFFECTED})",
        f"SELECT count(*), total(id) FROM main.events WHERE {scope}",
        f"SELECT count(*), total(id), max(updated_at) FROM main.contacts WHERE {scope}",
        "SELECT count(*), total(active), max(updated_at) FROM main.staff",
    ]
    if kind == "customers":
        parts.append("SELECT count(*), max(id), max(updated_at), max(name_key) FROM main.customers")
    return tuple(tuple(conn.execute(sql).fetchone()) for sql in parts)


def _last_id(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) FROM main.{table}").fetchone()[0])


def _shadow_ddl(conn: sqlite3.Connection, table: str) -> list[str]:
    """The statements that create a temp table like main's `table` (its constraints
    and indexes; foreign keys left to the real tables)."""
    row = conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    ddl, found = re.subn(r"^CREATE TABLE \"?\w+\"?", f"CREATE TEMP TABLE {table}", row[0])
    if found != 1:
        raise RehearsalUnsupported(table)
    ddl = re.sub(r"\s+REFERENCES\s+\w+\s*\([^)]*\)", "", ddl)
    statements = [ddl]
    for (sql,) in conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL",
        (table,),
    ):
        index, n = re.subn(r"^CREATE (UNIQUE )?INDEX (\w+)", r"CREATE \1INDEX temp.\2", sql)
        if n != 1:
            raise RehearsalUnsupported(table)
        statements.append(index)
    return statements


def _copy(conn: sqlite3.Connection, stage: str, kind: str) -> tuple[int, int]:
    """The private copy: the file's customers and their rows, every pending callback; for
    a customers import, every customer."""
    conn.execute(f"DROP TABLE IF EXISTS temp.{AFFECTED}")
    affected = (
        f"SELECT DISTINCT customer_id AS id FROM temp.{stage}"
        if kind == "calls"
        else f"SELECT id FROM main.customers WHERE code IN (SELECT code FROM temp.{stage})"
    )
    conn.execute(f"CREATE TEMP TABLE {AFFECTED} AS {affected}")
    conn.execute(f"CREATE UNIQUE INDEX temp.{AFFECTED}_id ON {AFFECTED} (id)")
    for table in SHADOWED:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    for table in SHADOWED:
        for sql in _shadow_ddl(conn, table):
            conn.execute(sql)
    inside = f"IN (SELECT id FROM temp.{AFFECTED})"
    every = kind == "customers"
    conn.execute(
        f"INSERT INTO temp.customers SELECT * FROM main.customers WHERE {'1' if every else 'id'}"
        f" {'' if every else inside}"
    )
    conn.execute(f"INSERT INTO temp.calls SELECT * FROM main.calls WHERE customer_id {inside}")
    conn.execute(
        "INSERT INTO temp.callbacks SELECT * FROM main.callbacks"
        f" WHERE customer_id {inside} OR status = 'pending'"
    )
    last_call, last_callback = _last_id(conn, "calls"), _last_id(conn, "callbacks")
    # New rows on the copy take the ids the real tables would give them (the last id
    # plus one): a placeholder holds each table's last id, on no customer (0), closed.
    conn.execute(
        "INSERT OR IGNORE INTO temp.calls (id, customer_id, at, day, outcome, created_at)"
        " VALUES (?, 0, '', '', 'no-answer', '')",
        (last_call,),
    )
    conn.execute(
        "INSERT OR IGNORE INTO temp.callbacks (id, customer_id, due_on, reason, source,"
        " plan_key, status, planned_on, created_at, updated_at)"
        f" VALUES (?, 0, '', 'retry', 'call', '{PLACEHOLDER}', 'cancelled', '', '', '')",
        (last_callback,),
    )
    return last_call, last_callback


def _refuse_real_writes(
    action: int, table: str | None, _column: str | None, database: str | None, _by: str | None
) -> int:
    """The rehearsal's authorizer: no write reaches a real table."""
    writes = (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE)
    if action in writes and database == "main":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _keep_deltas(
    conn: sqlite3.Connection, last_call: int, last_callback: int, last_customer: int
) -> None:
    """What the rehearsal changed, kept under other names; the copies dropped."""
    for name in DELTAS.values():
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
    conn.execute(
        f"CREATE TEMP TABLE {DELTAS['calls_new']} AS SELECT * FROM temp.calls WHERE id > ?",
        (last_call,),
    )
    conn.execute(
        f"CREATE TEMP TABLE {DELTAS['callbacks_new']} AS"
        " SELECT * FROM temp.callbacks WHERE id > ? ORDER BY id",
        (last_callback,),
    )
    cols = [r[1] for r in conn.execute("PRAGMA main.table_info(callbacks)") if r[1] != "id"]
    conn.execute(
        f"CREATE TEMP TABLE {DELTAS['callbacks_changed']} AS SELECT t.* FROM temp.callbacks t"
        f" JOIN main.callbacks m ON m.id = t.id WHERE t.id <= ?"
        f" AND t.customer_id IN (SELECT id FROM temp.{AFFECTED}) AND ({columns_differ(cols, 't', 'm')})",
        (last_callback,),
    )
    cols = [r[1] for r in conn.execute("PRAGMA main.table_info(customers)") if r[1] != "id"]
    conn.execute(
        f"CREATE TEMP TABLE {DELTAS['customers_changed']} AS SELECT t.* FROM temp.customers t"
        f" JOIN main.customers m ON m.id = t.id WHERE {columns_differ(cols, 't', 'm')}"
    )
    conn.execute(
        f"CREATE TEMP TABLE {DELTAS['customers_new']} AS"
        " SELECT * FROM temp.customers WHERE id > ? ORDER BY id",
        (last_customer,),
    )
    for table in SHADOWED:
        conn.execute(f"DROP TABLE temp.{table}")


def drop_copies(conn: sqlite3.Connection) -> None:
    """The copies, if a failed rehearsal left them (they would hide the real tables)."""
    for table in SHADOWED:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


# -- the two phases -------------------------------------------------------------------


def rehearse(
    session: Session,
    stage: str,
    kind: str,
    settle: Callable[[sqlite3.Connection], int],
) -> Rehearsal:
    """Run `settle(conn)` (the plain write of a calls or customers import, returning the
    callbacks it planned) on a private copy, outside the write lock. A write that would
    reach a real table (a stale holiday cache, say) makes it RehearsalUnsupported."""
    conn = session.conn
    try:
        with session.read():
            last_call, last_callback = _copy(conn, stage, kind)
            last_customer = _last_id(conn, "customers")
            before = fingerprint(conn, kind)
            conn.set_authorizer(_refuse_real_writes)
            try:
                planned = settle(conn)
            except sqlite3.DatabaseError as exc:
                if "not authorized" in str(exc):
                    raise RehearsalUnsupported(str(exc)) from None
                raise
            finally:
                conn.set_authorizer(None)
            _keep_deltas(conn, last_call, last_callback, last_customer)
    finally:
        drop_copies(conn)
    return Rehearsal(kind, last_call, last_callback, last_customer, before, planned)


def still_current(conn: sqlite3.Connection, rehearsal: Rehearsal) -> bool:
    """Inside the write transaction: whether the rows the rehearsal read are as it read
    them (if not, write nothing and rehearse again)."""
    return fingerprint(conn, rehearsal.kind) == rehearsal.fingerprint


def apply_rehearsal(conn: sqlite3.Connection, rehearsal: Rehearsal) -> None:
    """Inside the write transaction, once `still_current`: write what the rehearsal
    settled, in a few set-wise statements."""
    shift_calls = _last_id(conn, "calls") - rehearsal.last_call
    shift_callbacks = _last_id(conn, "callbacks") - rehearsal.last_callback
    ids = callbacks.IdShift(
        rehearsal.last_call, shift_calls, rehearsal.last_callback, shift_callbacks
    )
    # Calls and callbacks refer to each other, and each key is checked as it is written
    # (deferred, SQLite would search the tables for every row): the callbacks first,
    # without the new calls that completed them, then the calls, then those links.
    changed, new = DELTAS["callbacks_changed"], DELTAS["callbacks_new"]
    if rehearsal.kind == "customers":
        customers.apply_rehearsed(conn, DELTAS["customers_changed"], DELTAS["customers_new"])
    callbacks.apply_rehearsed_changes(conn, changed, ids)
    callbacks.insert_rehearsed(conn, new, ids)
    calls.insert_rehearsed(conn, DELTAS["calls_new"], ids)
    callbacks.link_rehearsed_calls(conn, (changed, new), ids)
    if rehearsal.kind == "calls":
        customers.apply_rehearsed_flags(conn, DELTAS["customers_changed"])
