"""A PostgreSQL database behind the part of sqlite3.Connection that followup uses.

`connect(url)` gives a `PgConnection`: execute / executemany / cursor, rows that read by
index and by name (as sqlite3.Row), `in_transaction`, `total_changes`, commit /
rollback / close, each statement translated from SQLite's dialect by pg_sql's rules.
The session runs in autocommit, as followup's SQLite connections do (isolation_level
None): transactions are the BEGIN ... COMMIT the store writes, and `BEGIN IMMEDIATE`
(SQLite's write lock) is BEGIN and the advisory lock that serialises followup's writes.
A clerk's write to one customer (`BEGIN SHARED WRITE`, store.connection) shares that
lock with the others of its kind and takes the customer's own (`lock_customer`), so
clerks on different customers never wait for each other; the lone writers (an import,
escalate --auto, a migration, everything not on one customer) wait for them and they
for it. Ids are numbered as SQLite numbers them by the lone writer, from sequences
beside other writers (pg_sql.row_numbering).

Errors come out as sqlite3's classes (IntegrityError for a constraint or a trigger's
refusal, OperationalError "database is locked" for a lock wait or a serialization
failure), so the store's one handler reads both engines. psycopg is imported only here,
and this module only when a PostgreSQL URL is given.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus

from followup_cli.store.busy import TRY_AGAIN
from followup_cli.store.engines import pg_sql
from followup_cli.store.engines.urls import shown_url
from followup_cli.support.errors import DatabaseBusy, StorageError
from followup_cli.support.i18n import _

ENGINE = "postgresql"
# The advisory lock every write transaction takes (BEGIN IMMEDIATE's SQLite write
# lock): 'FOLU', followup's application id.
WRITE_LOCK = 0x464F4C55
# A customer's lock, in a shared write, is its row's (SELECT ... FOR UPDATE): a row lock
# is kept in the row itself, so an import holds its 100k customers' as a clerk holds
# one (advisory locks live in a table of the server's shared memory, about 6,400 by
# default: "out of shared memory" long before that).


class Row(tuple[Any, ...]):
    """A result row read by position or by column name, as sqlite3.Row."""

    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"No item with that key: {key}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"_names": names, "__slots__": ()})


# -- values as SQLite gives and takes them ---------------------------------------------


class _UnknownIntDumper(Dumper):
    """Integers (and truth values, as 1 and 0) sent untyped, as SQLite takes them: the
    server reads each as the column or expression it meets needs."""

    oid = 0

    def dump(self, obj: Any) -> bytes:
        return str(int(obj)).encode()


class _IntBoolLoader(Loader):
    """A truth value read as SQLite gives it: 1 or 0."""

    def load(self, data: Any) -> int:
        return 1 if bytes(data) == b"t" else 0


class _NumberLoader(Loader):
    """numeric (what sum() of integers and round() give) as an int when whole, as
    SQLite's integer sum is; else a float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if any(c in text for c in ".eEN") else int(text)


class _JsonTextLoader(Loader):
    """JSON as text, as SQLite's json functions give it (the stores parse it)."""

    def load(self, data: Any) -> str:
        return bytes(data).decode()


def _adapt(conn: psycopg.Connection[Any]) -> None:
    adapters = conn.adapters
    adapters.register_dumper(int, _UnknownIntDumper)
    adapters.register_dumper(bool, _UnknownIntDumper)
    adapters.register_loader("bool", _IntBoolLoader)
    adapters.register_loader("numeric", _NumberLoader)
    adapters.register_loader("json", _JsonTextLoader)
    adapters.register_loader("jsonb", _JsonTextLoader)


# -- errors ----------------------------------------------------------------------------

BUSY_STATES = {"55P03", "40001", "40P01", "57014"}  # lock not available, serialization,
# deadlock, statement cancelled by lock_timeout/statement_timeout
# Of those, the server's "try the transaction again": a serialization failure, and a
# deadlock the server broke by aborting this transaction. The command is run again
# (cli/app.py) if it had committed nothing yet.
RETRIABLE_STATES = {"40001", "40P01"}


def _as_sqlite(exc: psycopg.Error) -> sqlite3.Error:
    """A psycopg error as the sqlite3 error followup's handlers read."""
    state = exc.sqlstate or ""
    message = exc.diag.message_primary or str(exc).strip()
    if state in RETRIABLE_STATES:
        return sqlite3.OperationalError(f"database is locked ({TRY_AGAIN}: {message})")
    if state in BUSY_STATES:
        return sqlite3.OperationalError(f"database is locked ({message})")
    if isinstance(exc, pg_errors.UniqueViolation):
        column = _constraint_columns(exc)
        return sqlite3.IntegrityError(f"UNIQUE constraint failed: {column}")
    if isinstance(exc, pg_errors.ForeignKeyViolation):
        return sqlite3.IntegrityError("FOREIGN KEY constraint failed")
    if isinstance(exc, pg_errors.NotNullViolation):
        table = exc.diag.table_name or "?"
        return sqlite3.IntegrityError(
            f"NOT NULL constraint failed: {table}.{exc.diag.column_name or '?'}"
        )
    if isinstance(exc, pg_errors.CheckViolation):
        return sqlite3.IntegrityError(f"CHECK constraint failed: {exc.diag.constraint_name}")
    if state.startswith("23"):
        return sqlite3.IntegrityError(message)
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(message)
    return sqlite3.DatabaseError(message)


def _noted(exc: sqlite3.Error, statement: str) -> sqlite3.Error:
    """The statement the server refused, for --debug's traceback."""
    exc.add_note("PostgreSQL statement: " + statement)
    return exc


def _constraint_columns(exc: psycopg.Error) -> str:
    detail = exc.diag.message_detail or ""
    table = exc.diag.table_name or "?"
    found = re.match(r"Key \((.+?)\)=", detail)
    if not found:
        return f"{table}.?"
    return ", ".join(f"{table}.{c.strip()}" for c in found[1].split(","))


# -- the connection ----------------------------------------------------------------------


class PgCursor:
    """A cursor with sqlite3's surface: lastrowid, rowcount, rows by name."""

    def __init__(self, owner: PgConnection) -> None:
        self._owner = owner
        self._cur = owner.raw.cursor()
        self.lastrowid: int | None = None
        self.arraysize = 1
        self.row_factory: Any = None  # as sqlite3's: row_factory(cursor, tuple)

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def description(self) -> Any:
        return self._cur.description

    def execute(self, sql: str, params: Any = ()) -> PgCursor:
        self._owner.run(self, sql, params)
        return self

    def executemany(self, sql: str, seq: Iterable[Any]) -> PgCursor:
        self._owner.run_many(self, sql, seq)
        return self

    def _maker(self) -> Any:
        if self.row_factory is not None:
            factory = self.row_factory
            return lambda row: factory(self, tuple(row))
        return self._owner.row_class(self._cur.description or ())

    def _wrap(self, row: Any) -> Any:
        if row is None or self._cur.description is None:
            return row
        return self._maker()(row)

    def fetchone(self) -> Any:
        if self._cur.description is None:
            return None
        return self._wrap(self._cur.fetchone())

    def fetchall(self) -> list[Any]:
        if self._cur.description is None:
            return []
        make = self._maker()
        return [make(r) for r in self._cur.fetchall()]

    def fetchmany(self, size: int | None = None) -> list[Any]:
        if self._cur.description is None:
            return []
        make = self._maker()
        return [make(r) for r in self._cur.fetchmany(size or self.arraysize)]

    def __iter__(self) -> Iterator[Any]:
        if self._cur.description is None:
            return iter(())
        make = self._maker()
        return (make(r) for r in self._cur)

    def close(self) -> None:
        self._cur.close()


ROWID = "\x00rowid:"  # (a step of our own, not a statement: _add_rowid)
NUMBERING = "\x00numbering:"  # (another: _number_rows, once the table exists)
INSERT_INTO = re.compile(r"\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(?:main\.)?(\w+)", re.I)
PRAGMA = re.compile(r"\s*PRAGMA\b", re.I)
BEGIN_IMMEDIATE = re.compile(r"\s*BEGIN\s+IMMEDIATE\s*;?\s*$", re.I)
BEGIN = re.compile(r"\s*BEGIN(?:\s+DEFERRED|\s+TRANSACTION)?\s*;?\s*$", re.I)
# store.connection's write on one customer, beside others of its kind (not SQLite's).
SHARED_BEGIN = re.compile(r"\s*BEGIN\s+SHARED\s+WRITE\s*$", re.I)
END = re.compile(r"\s*(?:COMMIT|ROLLBACK)\s*;?\s*$", re.I)
DROP_TRIGGER = re.compile(r'\s*DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?"?(\w+)"?\s*;?\s*$', re.I)


class PgConnection:
    """A followup database on a PostgreSQL server (see the module's docstring)."""

    engine = ENGINE

    def __init__(self, raw: psycopg.Connection[Any], url: str, lock_timeout_ms: int) -> None:
        self.raw = raw
        self.url = url
        self.row_factory: Any = None  # rows always read by index and by name
        self.total_changes = 0
        self.lock_timeout_ms = lock_timeout_ms
        self._identity_tables: set[str] | None = None
        self._column_types: dict[str, str] | None = None
        self._row_classes: dict[tuple[str, ...], type[Row]] = {}
        self.pending_references: list[tuple[str, str, str, str]] = []
        # In a lone writer's transaction (BEGIN IMMEDIATE): its COMMIT sets the
        # sequences first (pg_sql.sync_sequences).
        self._lone_writer = False
        # In a shared write (SHARED_BEGIN): other writers run beside it.
        self.shared_write = False

    # sqlite3.Connection's surface -------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def cursor(self) -> PgCursor:
        return PgCursor(self)

    def execute(self, sql: str, params: Any = ()) -> PgCursor:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, seq: Iterable[Any]) -> PgCursor:
        return self.cursor().executemany(sql, seq)

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, kind: Any, _value: Any, _tb: Any) -> None:
        """As sqlite3's `with conn:`: commit (or roll back) what is open; not closed."""
        if kind is None:
            self.commit()
        else:
            self.rollback()

    def session_id(self) -> int:
        """This connection's session on the server (its backend's pid there): what an
        import records as writing, for clerks on other machines to look up."""
        return int(self.raw.info.backend_pid)

    def session_alive(self, session: int) -> bool:
        """Is the server session `session` connected (an import recorded as writing,
        from whichever machine)?"""
        found = self.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ?", (session,))
        return found.fetchone() is not None

    def try_begin_write(self) -> bool:
        """BEGIN and the write lock if it is free at once; False, no transaction open,
        if another process holds it (busy.begin_unless_busy)."""
        self.execute("BEGIN")
        got = self.raw.execute(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK})").fetchone()
        if got is not None and got[0]:
            self._lone_writer = True
            return True
        self.execute("ROLLBACK")
        return False

    def lock_customer(self, customer_id: int, wait_ms: int | None = None) -> None:
        """In a shared write: the customer's lock, held to the end of the transaction
        (another clerk writing to the same customer waits, up to the lock timeout, or
        `wait_ms`; 0: not at all, raising the busy error with the transaction still
        usable)."""
        lock = "SELECT id FROM customers WHERE id = %s FOR UPDATE"
        try:
            if wait_ms == 0:
                self.raw.execute("SAVEPOINT customer_lock")
                try:
                    self.raw.execute(lock + " NOWAIT", (int(customer_id),))
                except psycopg.Error:
                    self.raw.execute("ROLLBACK TO SAVEPOINT customer_lock")
                    raise
                finally:
                    self.raw.execute("RELEASE SAVEPOINT customer_lock")
                return
            if wait_ms is not None:
                self.raw.execute(f"SET LOCAL lock_timeout = {int(wait_ms)}")
            self.raw.execute(lock, (int(customer_id),))
            if wait_ms is not None:
                self.raw.execute(f"SET LOCAL lock_timeout = {int(self.lock_timeout_ms)}")
        except psycopg.Error as exc:
            raise _as_sqlite(exc) from None

    def lock_customers_in(self, table: str, column: str) -> None:
        """In a shared write: the locks of every customer `table.column` names (an
        import's staged rows), taken in id order (two such writers never deadlock; a
        clerk holds one)."""
        try:
            self.raw.execute(
                f"SELECT c.id FROM customers c WHERE c.id IN (SELECT {column} FROM {table})"
                " ORDER BY c.id FOR UPDATE OF c"
            )
        except psycopg.Error as exc:
            raise _as_sqlite(exc) from None

    def numbering_behind(self) -> list[str]:
        """The tables numbered the way before sequences (a database made by an earlier
        release): their numbering is made again by `renew_numbering`."""
        cur = self.raw.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = c.relname || '_numbered' AND NOT EXISTS (SELECT 1 FROM"
            " pg_class s WHERE s.relname = c.relname || '_ids' AND s.relkind = 'S'"
            " AND s.relnamespace = c.relnamespace) ORDER BY 1"
        )
        return [str(r[0]) for r in cur.fetchall()]

    def renew_numbering(self, tables: Iterable[str]) -> None:
        """Inside a lone writer's transaction: these tables numbered as this release
        numbers them (their sequences set when it commits)."""
        for table in tables:
            for statement in pg_sql.row_numbering(table, self.natural_keys(table)):
                self.raw.execute(placeholders_free(statement))
        self._identity_tables = None

    def natural_keys(self, table: str) -> list[list[str]]:
        """The columns of each unique constraint of `table` but its id: what an upsert's
        ON CONFLICT names (pg_sql.row_numbering)."""
        cur = self.raw.execute(
            "SELECT array_agg(a.attname::text ORDER BY k.n) FROM pg_constraint c"
            " CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
            " WHERE c.conrelid = %s::regclass AND c.contype = 'u' GROUP BY c.oid ORDER BY c.oid",
            (table,),
        )
        return [list(r[0]) for r in cur.fetchall()]

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        """SQLite's user functions: none is needed here (see the store that asks)."""

    # running statements --------------------------------------------------------------

    def row_class(self, description: Sequence[Any]) -> type[Row]:
        names = tuple(d.name for d in description)
        made = self._row_classes.get(names)
        if made is None:
            made = self._row_classes[names] = _row_class(names)
        return made

    def run(self, cursor: PgCursor, sql: str, params: Any) -> None:
        statements = self._statements(sql)
        if statements is None:
            return
        try:
            for text, returning in statements:
                if text.startswith(ROWID):
                    self._add_rowid(text[len(ROWID) :])
                    continue
                if text.startswith(NUMBERING):
                    self.renew_numbering([text[len(NUMBERING) :]])
                    continue
                cursor._cur.execute(text, _params(params))
                if returning:
                    found = cursor._cur.fetchone()
                    cursor.lastrowid = int(found[0]) if found else None
                if cursor._cur.rowcount > 0 and _changes(text):
                    self.total_changes += cursor._cur.rowcount
        except psycopg.Error as exc:
            raise _noted(_as_sqlite(exc), text) from None
        self._add_pending_references()

    def run_many(self, cursor: PgCursor, sql: str, seq: Iterable[Any]) -> None:
        text = pg_sql.translate(sql)
        rows = [_params(p) for p in seq]
        if not rows:
            return
        try:
            cursor._cur.executemany(text, rows)
        except psycopg.Error as exc:
            raise _noted(_as_sqlite(exc), text) from None
        if cursor._cur.rowcount > 0:
            self.total_changes += cursor._cur.rowcount

    def _statements(self, sql: str) -> list[tuple[str, bool]] | None:
        """What one SQLite statement is on the server: [(text, returns an id)], or None
        for a statement that means nothing there (a PRAGMA)."""
        if PRAGMA.match(sql):
            return None
        if BEGIN_IMMEDIATE.match(sql):
            self._lone_writer, self.shared_write = True, False
            timeout = int(self.lock_timeout_ms)
            return [
                ("BEGIN", False),
                (f"SET LOCAL lock_timeout = {timeout}", False),
                (f"SELECT pg_advisory_xact_lock({WRITE_LOCK})", False),
            ]
        if SHARED_BEGIN.match(sql):
            self._lone_writer, self.shared_write = False, True
            timeout = int(self.lock_timeout_ms)
            return [
                ("BEGIN", False),
                (f"SET LOCAL lock_timeout = {timeout}", False),
                (f"SET LOCAL {pg_sql.WRITERS_SETTING} = '{pg_sql.SHARED_WRITERS}'", False),
                (f"SELECT pg_advisory_xact_lock_shared({WRITE_LOCK})", False),
            ]
        if BEGIN.match(sql):
            self._lone_writer = self.shared_write = False
            return [("BEGIN ISOLATION LEVEL REPEATABLE READ", False)]
        if END.match(sql):
            lone, self._lone_writer, self.shared_write = self._lone_writer, False, False
            if lone and sql.strip().upper().startswith("COMMIT"):
                sync = pg_sql.sync_sequences(self.identity_tables())
                if sync is not None:
                    return [(placeholders_free(sync), False), (sql, False)]
            return [(sql, False)]
        if (drop := DROP_TRIGGER.match(sql)) is not None:
            return self._drop_trigger(drop[1])
        if re.match(r"\s*CREATE\s+TRIGGER\b", sql, re.I):
            made = pg_sql.trigger_function(sql)
            if made is None:
                raise sqlite3.OperationalError(f"cannot translate trigger: {sql[:80]}")
            return [(placeholders_free(s), False) for s in made]
        if (table := pg_sql.CREATE_TABLE.match(sql)) is not None:
            statements: list[tuple[str, bool]] = [(self._create_table(table[1], sql), False)]
            if re.match(r"\s*CREATE\s+TEMP", sql, re.I) and re.search(
                r"\bAS\s+SELECT\b", sql, re.I
            ):
                statements.append((ROWID + table[1], False))
            if pg_sql.NUMBERED.search(sql) and not re.match(r"\s*CREATE\s+TEMP", sql, re.I):
                statements.append((NUMBERING + table[1], False))
            return statements
        text = pg_sql.translate(sql)
        insert = INSERT_INTO.match(sql)
        if (
            insert is not None
            and "RETURNING" not in text.upper()
            and insert[1].lower() in self.identity_tables()
        ):
            return [(text + " RETURNING id", True)]
        return [(text, False)]

    def identity_tables(self) -> set[str]:
        """The tables whose `id` the server numbers (what lastrowid reads back)."""
        if self._identity_tables is None:
            cur = self.raw.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE t.tgname = c.relname || '_numbered'"
            )
            self._identity_tables = {str(r[0]) for r in cur.fetchall()}
        return self._identity_tables

    def _create_table(self, name: str, sql: str) -> str:
        self._identity_tables = None
        if re.match(r"\s*CREATE\s+TEMP", sql, re.I) and " AS " not in sql.upper():
            sql = pg_sql.typed_columns(sql, self.column_types())
        known = self.table_names()
        text, later = pg_sql.split_references(sql, known | {name.lower()})
        self.pending_references += [(name, *r) for r in later]
        return pg_sql.placeholders(pg_sql.column_types(pg_sql.schema_names(text)))

    def _add_pending_references(self) -> None:
        if not self.pending_references:
            return
        known = self.table_names()
        still = []
        for table, column, target, target_column in self.pending_references:
            if target in known:
                self.raw.execute(
                    f"ALTER TABLE {table} ADD FOREIGN KEY ({column})"
                    f" REFERENCES {target} ({target_column}) DEFERRABLE INITIALLY IMMEDIATE"
                )
            else:
                still.append((table, column, target, target_column))
        self.pending_references = still

    def _add_rowid(self, table: str) -> None:
        """SQLite's rowid on a temp table made AS SELECT: the order its rows went in
        (unless it copied a rowid from the table it was made from)."""
        has = self.raw.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema LIKE 'pg_temp%%'"
            " AND table_name = %s AND column_name = 'rowid'",
            (table,),
        ).fetchone()
        if has is None:
            self.raw.execute(f"ALTER TABLE pg_temp.{table} ADD COLUMN rowid BIGSERIAL")

    def column_types(self) -> dict[str, str]:
        """Each column name of followup's tables and its type (the most used one), for
        a temp table's columns SQLite lets go untyped."""
        if self._column_types is None:
            cur = self.raw.execute(
                "SELECT column_name, data_type, count(*) FROM information_schema.columns"
                " WHERE table_schema = current_schema() GROUP BY column_name, data_type"
                " ORDER BY count(*)"
            )
            self._column_types = {str(r[0]): str(r[1]) for r in cur.fetchall()}
        return self._column_types

    def table_names(self) -> set[str]:
        cur = self.raw.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {str(r[0]).lower() for r in cur.fetchall()}

    def schema_objects(self) -> set[str]:
        """The names of the indexes and triggers in the database (store/checks.py)."""
        cur = self.raw.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            " UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        )
        return {str(r[0]) for r in cur.fetchall()}

    def _drop_trigger(self, name: str) -> list[tuple[str, bool]]:
        found = self.raw.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = %s AND NOT t.tgisinternal",
            (name,),
        ).fetchone()
        if found is None:
            return []
        return [(f"DROP TRIGGER {name} ON {found[0]}", False)]


def placeholders_free(sql: str) -> str:
    """A statement run with no parameters: its `%` doubled as psycopg expects."""
    return sql.replace("%", "%%")


def _params(params: Any) -> Any:
    if isinstance(params, dict):
        return params
    return tuple(params) if params is not None else ()


def _changes(text: str) -> bool:
    return bool(re.match(r"\s*(INSERT|UPDATE|DELETE)\b", text, re.I))


# -- opening -------------------------------------------------------------------------------


def host_of(url: str) -> str:
    """The server a URL names, as a person reads it (a socket folder or host:port)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return shown_url(url)
    host = str(info.get("host") or "localhost")
    port = info.get("port")
    return f"{host}:{port}" if port else host


def connect(url: str, lock_timeout_ms: int) -> PgConnection:
    """A connection to the server `url` names (libpq's URL; PG* variables and
    ~/.pgpass are libpq's own), or a StorageError / DatabaseBusy saying why not."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
        ports = str(info.get("port") or "").split(",")
        if not all(p.strip().isdigit() for p in ports if p.strip()):
            raise psycopg.ProgrammingError(f"invalid port: {info.get('port')}")
    except psycopg.Error as exc:
        raise StorageError(
            _("{url} is not a valid PostgreSQL URL: {error}").format(
                url=shown_url(url), error=_first_line(str(exc))
            ),
            _("Give it as `postgresql://USER@HOST:5432/DATABASE` (libpq's form)."),
        ) from None
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise _connection_error(url, exc) from None
    except psycopg.Error as exc:
        raise StorageError(
            _("cannot connect to PostgreSQL at {host}: {error}").format(
                host=host_of(url), error=_first_line(str(exc))
            )
        ) from None
    _adapt(raw)
    raw.execute("SET TimeZone = 'UTC'")
    raw.execute("SET client_min_messages = warning")
    return PgConnection(raw, url, lock_timeout_ms)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text


def _connection_error(url: str, exc: psycopg.OperationalError) -> StorageError | DatabaseBusy:
    text = str(exc)
    lowered = text.lower()
    host = host_of(url)
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return StorageError(
            _("PostgreSQL at {host} refused the login: {reason}").format(
                host=host, reason=_reason(text)
            ),
            _("Check the user and password (the URL, PGPASSWORD or ~/.pgpass)."),
        )
    if "does not exist" in lowered and "database" in lowered:
        return StorageError(
            _("PostgreSQL at {host}: {reason}").format(host=host, reason=_reason(text)),
            _("Create the database first (e.g. `createdb followup`), then run `followup init`."),
        )
    busy = DatabaseBusy(
        _("cannot reach PostgreSQL at {host}: {reason}").format(host=host, reason=_reason(text)),
        _("Nothing was written. Check that the server is running and reachable; try again."),
    )
    return busy


def _reason(text: str) -> str:
    """libpq's last line (FATAL: ... or the socket's error), without a password."""
    line = _first_line(text)
    line = re.sub(r"^connection failed:\s*", "", line)
    return re.sub(r'connection to server (on socket|at) "[^"]*"[^:]*:\s*', "", line).strip()
