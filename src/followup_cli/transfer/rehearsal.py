"""A calls import settled before the write lock, on a private copy (issue 16, "Load").

Settling a call is the longest rule of the tool (log.py: which callbacks it completes
or brings back, the level-2 checks and visits it plans, the yearly floor it re-anchors,
the unreachable flag), and an import settles its calls one by one, in time order. Done
inside the write lock, a 20k-call file locked every clerk out for seconds. So:

1. Rehearse (no write lock): in one read snapshot of the database, the rows the calls
   can touch — the file's customers, their calls and callbacks — are copied into temp
   tables of the same names and constraints (the workload that levels a first visit
   counts the other customers' pending callbacks in the real table, in that snapshot).
   SQLite resolves a table name to the temp schema first, so the very code of
   `log-call` (`record_call`) settles the file's calls on the copy, and an authorizer
   refuses any write to the real tables meanwhile. What changed
   is kept as delta tables (new calls, new callbacks, changed callbacks, changed
   customers) and the copies are dropped.
2. Write (BEGIN IMMEDIATE): if another process committed since the snapshot (PRAGMA
   data_version), a print of each of the file's customers' rows (its calls, callbacks,
   events, contacts and record) is read again and compared with the one the rehearsal
   read. What the rehearsal settled for a customer a clerk wrote to meanwhile is
   dropped, the rest applied with a few INSERT/UPDATE ... SELECT statements (the ids of
   new rows moved past those others wrote meanwhile), and that customer's rows are
   settled again the plain way, on its rows as they are now: a clerk's few calls cost
   the lock a few milliseconds, not another rehearsal. When what every customer depends
   on changed (the staff; for a customers import, a customer added), or more than
   `SETTLE_AGAIN_AT_MOST` customers did, nothing is written and the file is rehearsed
   again (at most `REHEARSALS` times; then it is written the plain way, inside the lock).

The plain way (`writing.settle_calls` inside the lock) stays beside it, and a test holds
that both leave the same rows.
"""

from __future__ import annotations

import re
import sqlite3
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from followup_cli.domain.callbacks import store as callbacks
from followup_cli.domain.calls import log as calls
from followup_cli.domain.customers import records as customers
from followup_cli.domain.session import Session
from followup_cli.store.compare import columns_differ
from followup_cli.store.engines import is_server

REHEARSALS = 3
# A customers import whose new customers' rehearsed callbacks are at least this many
# writes them after the file, LATER_CHUNK at most per short transaction (about 0.3 s
# here), the customers owed them recorded (domain/callbacks/owed.py).
LATER_AT_LEAST = 20_000
LATER_CHUNK = 25_000
LATER = "_rehearsed_callbacks_later"
# A calls import's re-anchored yearly floors, held back the same way: the new yearly
# contacts and the cancellations of those they replace, and the customers they are of
# (with the last of the file's calls: a clerk's call after it re-anchors it again).
YEARLY_LATER = "_rehearsed_yearly_later"
YEARLY_CHANGES_LATER = "_rehearsed_yearly_changes_later"
YEARLY_HELD = "_rehearsal_yearly_held"
REANCHORED = "re-anchored by a reached call"  # (callbacks.cancel_reanchored_yearly's note)
# More of the file's customers than this changed meanwhile: rehearse again rather than
# settle them one by one inside the write lock.
SETTLE_AGAIN_AT_MOST = 500
PLACEHOLDER = "(rehearsal: the last id)"
SHADOWED = ("customers", "calls", "callbacks")
AFFECTED = "_rehearsal_customers"
PRINTS = "_rehearsal_prints"
DELTAS = {
    "calls_new": "_rehearsed_calls",
    "callbacks_new": "_rehearsed_callbacks",
    "callbacks_changed": "_rehearsed_callback_changes",
    "customers_changed": "_rehearsed_customer_changes",
    "customers_new": "_rehearsed_customers",
}


@dataclass
class Plan:
    """An import written by rehearsal: `on_copy(conn)` writes it on the private copy; `again(ids)` writes the rows of these customers
    the plain way, inside the write lock; `plain()` writes the whole file so; `first()`,
    inside the lock, before what was rehearsed is applied."""

    kind: str
    stage: str
    on_copy: Callable[[sqlite3.Connection], object]
    again: Callable[[list[int]], None]
    plain: Callable[[], None]
    first: Callable[[], None] | None = None


class RehearsalUnsupported(Exception):
    """The schema is not the one the rehearsal knows how to copy (settle the plain way)."""


@dataclass
class Rehearsal:
    """What a rehearsal read: the ids the database had then, the print of what every
    customer depends on, and the database's data version (the file's customers' prints
    are in `temp.{PRINTS}`)."""

    kind: str
    last_call: int
    last_callback: int
    last_customer: int
    shared: tuple[Any, ...]
    data_version: int


# -- the snapshot ---------------------------------------------------------------------


def shared_print(conn: sqlite3.Connection, kind: str) -> tuple[Any, ...]:
    """What every customer's settling reads: the staff (who plans, who is on duty); for
    a customers import also the customers' count, last id and names (new codes are
    drawn from them all, and a new name must not be taken meanwhile)."""
    parts = ["SELECT count(*), total(active), max(updated_at) FROM main.staff"]
    if kind == "customers":
        parts.append("SELECT count(*), max(id), max(name_key) FROM main.customers")
    # SQLite-only: PRAGMA schema_version, which any change of the tables' DDL moves: the
    # rows rehearsed were checked against the copy's constraints (`checked_on_the_copy`).
    parts.append("PRAGMA main.schema_version")
    return tuple(tuple(conn.execute(sql).fetchone()) for sql in parts)


@contextmanager
def checked_on_the_copy(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside the write lock, while rehearsed rows are written to the real tables: their
    CHECK constraints are not evaluated again. Each row was written on the private copy,
    whose tables have the real ones' CHECK constraints (`_shadow_ddl`), and the
    real tables' DDL is the one the copy was made from (`shared_print` holds the schema
    version, else the file is rehearsed again). What is written here moves ids only,
    which no CHECK reads. NOT NULL, UNIQUE, foreign keys and triggers still apply. The
    saving: CHECKs cost about a third of inserting 100k calls (bench/README.md)."""
    # SQLite-only: PRAGMA ignore_check_constraints (this connection, to the block's end).
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        conn.execute("PRAGMA ignore_check_constraints = OFF")


def _customer_prints(conn: sqlite3.Connection, table: str) -> None:
    """`temp.{table}`: for each of the file's customers, a few counts, sums and latest
    stamps over its rows in the real tables (`main.`): what a clerk's write to that
    customer (a call, a ticket, an edit, an event, a contact) changes."""
    inside = f"IN (SELECT id FROM temp.{AFFECTED})"
    conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    conn.execute(
        f"CREATE TEMP TABLE {table} AS"
        " SELECT 'callbacks' AS part, customer_id AS id, count(*) AS n, total(id) AS a,"
        " total(status = 'pending') AS b, total(attempts) AS c, max(updated_at) AS d,"
        " total(julianday(due_on)) AS e, total(coalesce(call_id, 0)) AS f,"
        " total(length(coalesce(assignee, '')) + length(coalesce(role, ''))) AS g"
        f" FROM main.callbacks WHERE customer_id {inside} GROUP BY customer_id"
        " UNION ALL SELECT 'calls', customer_id, count(*), total(id), max(created_at),"
        f" NULL, NULL, NULL, NULL, NULL FROM main.calls WHERE customer_id {inside}"
        " GROUP BY customer_id"
        " UNION ALL SELECT 'customers', id, 1, archived, unreachable, grade, updated_at,"
        " owner, department, name FROM main.customers WHERE id"
        f" {inside}"
        " UNION ALL SELECT 'events', customer_id, count(*), total(id), NULL, NULL, NULL,"
        f" NULL, NULL, NULL FROM main.events WHERE customer_id {inside} GROUP BY customer_id"
        " UNION ALL SELECT 'contacts', customer_id, count(*), total(id), max(updated_at),"
        f" NULL, NULL, NULL, NULL, NULL FROM main.contacts WHERE customer_id {inside}"
        " GROUP BY customer_id"
    )


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
    """The private copy: the file's customers and their rows; for a customers import,
    every customer."""
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
    indexes: list[str] = []
    for table in SHADOWED:
        create, *more = _shadow_ddl(conn, table)
        conn.execute(create)
        indexes.extend(more)
    inside = f"IN (SELECT id FROM temp.{AFFECTED})"
    every = kind == "customers"
    conn.execute(
        f"INSERT INTO temp.customers SELECT * FROM main.customers WHERE {'1' if every else 'id'}"
        f" {'' if every else inside}"
    )
    conn.execute(f"INSERT INTO temp.calls SELECT * FROM main.calls WHERE customer_id {inside}")
    # The file's customers' callbacks; the others' pending ones are counted where they
    # are when a first visit is levelled against them (`Session.copied`).
    conn.execute(
        f"INSERT INTO temp.callbacks SELECT * FROM main.callbacks WHERE customer_id {inside}"
    )
    # The indexes made after the rows are in: one sort each, not an insert per row into
    # each (bench office, 765k callbacks: 7.2 s copied into an indexed table, 4.7 s so).
    for sql in indexes:
        conn.execute(sql)
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
    """What the rehearsal changed, kept under other names; the copies dropped. The new
    rows are kept in id order, so that the write phase reads them in their tables' order
    (`ORDER BY rowid`) and SQLite sorts nothing inside the write lock."""
    for name in DELTAS.values():
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
    conn.execute(
        f"CREATE TEMP TABLE {DELTAS['calls_new']} AS SELECT * FROM temp.calls WHERE id > ? ORDER BY id",
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
    settle: Callable[[sqlite3.Connection], object],
) -> Rehearsal:
    """Run `settle(conn)` (the plain write of a calls or customers import) on a private
    copy, outside the write lock. A write that would
    reach a real table (a stale holiday cache, say) makes it RehearsalUnsupported.
    On a PostgreSQL server the import is written the plain way: the rehearsal's
    shadow tables and authorizer are SQLite's (and the server's writers do not wait on
    one file's lock for long)."""
    conn = session.conn
    if is_server(conn):
        raise RehearsalUnsupported("a PostgreSQL server")
    try:
        with session.read():
            last_call, last_callback = _copy(conn, stage, kind)
            last_customer = _last_id(conn, "customers")
            version = data_version(conn)
            shared = shared_print(conn, kind)
            _customer_prints(conn, PRINTS)
            conn.set_authorizer(_refuse_real_writes)
            session.copied = AFFECTED
            try:
                settle(conn)
            except sqlite3.DatabaseError as exc:
                if "not authorized" in str(exc):
                    raise RehearsalUnsupported(str(exc)) from None
                raise
            finally:
                conn.set_authorizer(None)
                session.copied = None
            _keep_deltas(conn, last_call, last_callback, last_customer)
    finally:
        drop_copies(conn)
    return Rehearsal(kind, last_call, last_callback, last_customer, shared, version)


def data_version(conn: sqlite3.Connection) -> int:
    # SQLite-only: PRAGMA data_version changes when another connection commits.
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def changed_customers(conn: sqlite3.Connection, rehearsal: Rehearsal) -> list[int] | None:
    """Inside the write transaction: the file's customers whose rows changed since the
    rehearsal read them (another process wrote to them meanwhile); None when what every
    customer depends on changed (rehearse again). Nothing committed meanwhile: none."""
    if data_version(conn) == rehearsal.data_version:
        return []
    if shared_print(conn, rehearsal.kind) != rehearsal.shared:
        return None
    now = f"{PRINTS}_now"
    _customer_prints(conn, now)
    changed = [
        int(r[0])
        for r in conn.execute(
            f"SELECT id FROM (SELECT * FROM temp.{PRINTS} EXCEPT SELECT * FROM temp.{now})"
            f" UNION SELECT id FROM (SELECT * FROM temp.{now} EXCEPT SELECT * FROM temp.{PRINTS})"
            " ORDER BY id"
        )
    ]
    conn.execute(f"DROP TABLE temp.{now}")
    return changed


def forget_customers(conn: sqlite3.Connection, ids: list[int]) -> None:
    """What the rehearsal settled for these customers, dropped (they are settled again,
    inside the write lock, on their rows as they are now). Every row the rehearsal
    wrote stays with its customer: a call, its callbacks, a retry naming the call."""
    if not ids:
        return
    conn.execute("DROP TABLE IF EXISTS temp._rehearsal_forget")
    conn.execute("CREATE TEMP TABLE _rehearsal_forget (id INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO temp._rehearsal_forget VALUES (?)", [(i,) for i in ids])
    for key in ("calls_new", "callbacks_new", "callbacks_changed"):
        conn.execute(
            f"DELETE FROM temp.{DELTAS[key]}"
            " WHERE customer_id IN (SELECT id FROM temp._rehearsal_forget)"
        )
    conn.execute(
        f"DELETE FROM temp.{DELTAS['customers_changed']}"
        " WHERE id IN (SELECT id FROM temp._rehearsal_forget)"
    )


def apply_rehearsal(conn: sqlite3.Connection, rehearsal: Rehearsal) -> callbacks.IdShift:
    """Inside the write transaction, once the changed customers are forgotten: write
    what the rehearsal settled, in a few set-wise statements; returns how its ids moved."""
    shift_calls = _last_id(conn, "calls") - rehearsal.last_call
    shift_callbacks = _last_id(conn, "callbacks") - rehearsal.last_callback
    ids = callbacks.IdShift(
        rehearsal.last_call, shift_calls, rehearsal.last_callback, shift_callbacks
    )
    # Calls and callbacks refer to each other, and each key is checked as it is written
    # (deferred, SQLite would search the tables for every row): the callbacks first,
    # without the new calls that completed them, then the calls, then those links.
    changed, new = DELTAS["callbacks_changed"], DELTAS["callbacks_new"]
    with checked_on_the_copy(conn):
        if rehearsal.kind == "customers":
            customers.apply_rehearsed(conn, DELTAS["customers_changed"], DELTAS["customers_new"])
        callbacks.apply_rehearsed_changes(conn, changed, ids)
        callbacks.insert_rehearsed(conn, new, ids)
        calls.insert_rehearsed(conn, DELTAS["calls_new"], ids)
        callbacks.link_rehearsed_calls(conn, (changed, new), ids)
        if rehearsal.kind == "calls":
            customers.apply_rehearsed_flags(conn, DELTAS["customers_changed"])
    return ids


# -- a large customers import's callbacks, after it -----------------------------------


def hold_back_new_customers_callbacks(conn: sqlite3.Connection, rehearsal: Rehearsal) -> int:
    """Outside the lock, after a customers import's rehearsal: its new customers'
    callbacks moved from the rows written with the file to `temp.{LATER}` (in id order),
    if they are LATER_AT_LEAST or more and none names another callback or a call;
    returns how many (0: all are written with the file)."""
    conn.execute(f"DROP TABLE IF EXISTS temp.{LATER}")
    if rehearsal.kind != "customers":
        return 0
    new = DELTAS["callbacks_new"]
    count, linked = conn.execute(
        f"SELECT count(*), total(parent_id IS NOT NULL OR call_id IS NOT NULL) FROM temp.{new}"
        " WHERE customer_id > ?",
        (rehearsal.last_customer,),
    ).fetchone()
    if count < LATER_AT_LEAST or linked:
        return 0
    conn.execute(
        f"CREATE TEMP TABLE {LATER} AS SELECT * FROM temp.{new} WHERE customer_id > ? ORDER BY id",
        (rehearsal.last_customer,),
    )
    conn.execute(f"CREATE INDEX temp.{LATER}_id ON {LATER} (id)")
    conn.execute(f"DELETE FROM temp.{new} WHERE customer_id > ?", (rehearsal.last_customer,))
    return int(count)


@dataclass(frozen=True)
class Chunk:
    """One short transaction of held-back callbacks: those of the new customers
    `first`..`last`, which are exactly the rehearsed ids `first_id`..`last_id`."""

    first: int
    last: int
    first_id: int
    last_id: int


def later_chunks(conn: sqlite3.Connection, first: int, last: int) -> list[Chunk]:
    """Outside the lock: the held-back callbacks of new customers first..last cut into
    chunks of about LATER_CHUNK rows, each cut where every row before it is of a
    customer before every customer of a row after it (the planner plans customers in
    batches, each batch's visits and then its greetings: the cuts fall between
    batches). A chunk is then a run of rehearsed ids and a run of customers, and its
    rows keep their rehearsed ids, moved past those others wrote meanwhile: with
    nobody writing beside it, the ids are those of one transaction."""
    # (Arrays of 64-bit ints, not lists of rows: half a million rows take 12 MB.)
    ids, customers = array("q"), array("q")
    for row_id, customer in conn.execute(f"SELECT id, customer_id FROM temp.{LATER} ORDER BY id"):
        ids.append(int(row_id))
        customers.append(int(customer))
    if not ids:
        return []
    after_min = array("q", bytes(8 * len(ids)))  # the smallest customer of the rows after
    smallest = last + 1
    for i in range(len(ids) - 1, -1, -1):
        after_min[i] = smallest
        smallest = min(smallest, customers[i])
    chunks: list[Chunk] = []
    start, start_customer, seen_max = 0, first, first - 1
    for i in range(len(ids)):
        seen_max = max(seen_max, customers[i])
        end_of_all = i == len(ids) - 1
        clean = seen_max < after_min[i]
        if end_of_all or (clean and i + 1 - start >= LATER_CHUNK):
            through = last if end_of_all else seen_max
            chunks.append(Chunk(start_customer, through, ids[start], ids[i]))
            start, start_customer = i + 1, through + 1
    return chunks


def touched_meanwhile(conn: sqlite3.Connection, first: int, last: int) -> list[int]:
    """Inside the lock: the new customers first..last that another process wrote to
    since the import wrote them (their record changed, or a row of theirs exists: a
    call, a callback, an event, a contact, a ticket)."""
    cols = [r[1] for r in conn.execute("PRAGMA main.table_info(customers)") if r[1] != "id"]
    rows = " UNION ".join(
        f"SELECT customer_id FROM main.{table} WHERE customer_id BETWEEN :first AND :last"
        for table in ("callbacks", "calls", "events", "contacts", "tickets")
    )
    return [
        int(r[0])
        for r in conn.execute(
            f"SELECT m.id FROM main.customers m JOIN temp.{DELTAS['customers_new']} t"
            " ON t.id = m.id WHERE m.id BETWEEN :first AND :last AND"
            f" ({columns_differ(cols, 't', 'm')}) UNION {rows} ORDER BY 1",
            {"first": first, "last": last},
        )
    ]


def forget_later(conn: sqlite3.Connection, ids: list[int]) -> None:
    """The held-back callbacks of these customers dropped (they are planned again, the
    plain way, on their rows as they are now)."""
    _forget_held(conn, {LATER: "customer_id"}, ids)


def _forget_held(conn: sqlite3.Connection, tables: dict[str, str], ids: list[int]) -> None:
    """The rows of these customers (the column naming them, per temp table) deleted."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for table, column in tables.items():
            conn.execute(f"DELETE FROM temp.{table} WHERE {column} IN ({marks})", chunk)


def drop_later(conn: sqlite3.Connection) -> None:
    conn.execute(f"DROP TABLE IF EXISTS temp.{LATER}")


# -- a large calls import's re-anchored yearly floors, after it ------------------------


def hold_back_reanchored_yearly(conn: sqlite3.Connection, rehearsal: Rehearsal) -> int:
    """Outside the lock, after a calls import's rehearsal: for each customer whose yearly
    rows in it are only the re-anchoring of its floor (its pending yearly contact
    cancelled by a reached call, a new one planned, none completed by a call), those
    rows moved out of the ones written with the file, if they are LATER_AT_LEAST or
    more; returns how many (0: all are written with the file)."""
    for table in (YEARLY_LATER, YEARLY_CHANGES_LATER, YEARLY_HELD):
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    if rehearsal.kind != "calls":
        return 0
    new, changed = DELTAS["callbacks_new"], DELTAS["callbacks_changed"]
    # (A yearly contact a call of the file names, as the callback it was about, or that
    # another callback names, is written with the file: so are its customer's.)
    named = (
        f"id NOT IN (SELECT callback_id FROM temp.{DELTAS['calls_new']}"
        " WHERE callback_id IS NOT NULL) AND id NOT IN (SELECT parent_id FROM"
        f" temp.{new} WHERE parent_id IS NOT NULL)"
    )
    conn.execute(
        f"CREATE TEMP TABLE {YEARLY_HELD} AS SELECT customer_id AS id FROM ("
        " SELECT customer_id, (call_id IS NULL AND parent_id IS NULL"
        f" AND {named}) AS plain FROM temp.{new} WHERE reason = 'yearly'"
        " UNION ALL SELECT customer_id, (status = 'cancelled' AND call_id IS NULL"
        f" AND note = :why AND {named}) FROM temp.{changed} WHERE reason = 'yearly'"
        ") GROUP BY customer_id HAVING min(plain) = 1 ORDER BY customer_id",
        {"why": REANCHORED},
    )
    conn.execute(f"CREATE UNIQUE INDEX temp.{YEARLY_HELD}_id ON {YEARLY_HELD} (id)")
    held = f"reason = 'yearly' AND customer_id IN (SELECT id FROM temp.{YEARLY_HELD})"
    count = conn.execute(
        f"SELECT (SELECT count(*) FROM temp.{new} WHERE {held})"
        f" + (SELECT count(*) FROM temp.{changed} WHERE {held})"
    ).fetchone()[0]
    if count < LATER_AT_LEAST:
        conn.execute(f"DROP TABLE temp.{YEARLY_HELD}")
        return 0
    # The cancellations keep the stamp of the row they cancel as it was: a clerk who
    # changed that row meanwhile is seen (`yearly_touched`).
    conn.execute(
        f"CREATE TEMP TABLE {YEARLY_CHANGES_LATER} AS SELECT d.*, m.updated_at AS was_updated_at"
        f" FROM temp.{changed} d JOIN main.callbacks m ON m.id = d.id WHERE d.reason = 'yearly'"
        f" AND d.customer_id IN (SELECT id FROM temp.{YEARLY_HELD}) ORDER BY d.customer_id, d.id"
    )
    conn.execute(
        f"CREATE TEMP TABLE {YEARLY_LATER} AS SELECT * FROM temp.{new} WHERE {held} ORDER BY id"
    )
    conn.execute(f"CREATE INDEX temp.{YEARLY_LATER}_customer ON {YEARLY_LATER} (customer_id)")
    conn.execute(
        f"CREATE INDEX temp.{YEARLY_CHANGES_LATER}_customer ON {YEARLY_CHANGES_LATER} (customer_id)"
    )
    conn.execute(f"DELETE FROM temp.{new} WHERE {held}")
    conn.execute(f"DELETE FROM temp.{changed} WHERE {held}")
    return int(count)


def forget_held_yearly(conn: sqlite3.Connection, ids: list[int]) -> None:
    """These customers' held-back yearly rows dropped (settled again the plain way)."""
    held = {YEARLY_LATER: "customer_id", YEARLY_CHANGES_LATER: "customer_id", YEARLY_HELD: "id"}
    _forget_held(conn, held, ids)


def yearly_runs(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """Outside the lock: the held customers in runs (first id, last id) of about
    LATER_CHUNK held rows."""
    counts = dict(
        conn.execute(
            f"SELECT customer_id, count(*) FROM (SELECT customer_id FROM temp.{YEARLY_LATER}"
            f" UNION ALL SELECT customer_id FROM temp.{YEARLY_CHANGES_LATER}) GROUP BY 1"
        ).fetchall()
    )
    runs: list[tuple[int, int]] = []
    first, rows = None, 0
    ids = [int(r[0]) for r in conn.execute(f"SELECT id FROM temp.{YEARLY_HELD} ORDER BY id")]
    for i, customer in enumerate(ids):
        first = customer if first is None else first
        rows += int(counts.get(customer, 0))
        if rows >= LATER_CHUNK or i == len(ids) - 1:
            runs.append((first, customer))
            first, rows = None, 0
    return runs


def yearly_touched(conn: sqlite3.Connection, first: int, last: int, last_call: int) -> list[int]:
    """Inside the lock: the held customers first..last another process wrote to since
    the rehearsal, so that their held rows would be wrong: the yearly contact to cancel
    changed or gone, another one pending, the customer archived, or a call after the
    file's last one."""
    return [
        int(r[0])
        for r in conn.execute(
            f"SELECT h.id FROM temp.{YEARLY_HELD} h WHERE h.id BETWEEN :first AND :last AND ("
            f" EXISTS (SELECT 1 FROM temp.{YEARLY_CHANGES_LATER} d JOIN main.callbacks m"
            " ON m.id = d.id WHERE d.customer_id = h.id AND (m.status != 'pending'"
            " OR m.updated_at IS NOT d.was_updated_at))"
            " OR EXISTS (SELECT 1 FROM main.callbacks m WHERE m.customer_id = h.id"
            " AND m.status = 'pending' AND m.reason = 'yearly' AND m.id NOT IN"
            f" (SELECT id FROM temp.{YEARLY_CHANGES_LATER} WHERE customer_id = h.id))"
            " OR EXISTS (SELECT 1 FROM main.customers c WHERE c.id = h.id AND c.archived)"
            " OR EXISTS (SELECT 1 FROM main.calls k WHERE k.customer_id = h.id"
            " AND k.id > :last_call)) ORDER BY h.id",
            {"first": first, "last": last, "last_call": last_call},
        )
    ]


def drop_held_yearly(conn: sqlite3.Connection) -> None:
    for table in (YEARLY_LATER, YEARLY_CHANGES_LATER, YEARLY_HELD):
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
