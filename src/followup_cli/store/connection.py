"""Opening the database: location, permissions, PRAGMAs, schema check, transactions.

One SQLite file in WAL mode, foreign keys on, a busy timeout, every write in a
`BEGIN IMMEDIATE` transaction (one per user action). The hot path imports only
sqlite3: migrations (and sqlite-utils) are loaded only when the schema is behind.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from followup_cli.store.busy import (
    COMMITS,
    LOCK_HOLDS,
    LONGEST_IMPORT_WAIT_S,
    begin_unless_busy,
    begin_write,
    busy_error,
    busy_timeout_ms,
    import_writing,
    is_busy,
    tell_waiting_for,
)
from followup_cli.store.damage import refuse_damaged
from followup_cli.store.engines import is_server
from followup_cli.store.files import (
    check_file,
    create_file,
    exposure_warning,
    on_read_only_filesystem,
    owner_name,
    read_only_reason,
    refuse_network_filesystem,
    restrict_permissions,
)
from followup_cli.store.identity import APPLICATION_ID, Identity, identify
from followup_cli.store.schema import SCHEMA_VERSION
from followup_cli.support.errors import FollowupError, StorageError, disk_full, is_disk_full
from followup_cli.support.i18n import _


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "followup" / "followup.db"


def is_readonly_error(exc: BaseException) -> bool:
    """SQLite could not write: the file, its folder or its -wal/-shm files are read-only."""
    return isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc).lower()


def _unusable(path: Path, exc: sqlite3.DatabaseError) -> StorageError:
    if is_disk_full(exc) or ("disk i/o error" in str(exc).lower() and _no_room(path)):
        # A full disk at open: SQLite cannot make the -wal or -shm beside the file, and
        # says only "disk I/O error". The file is not corrupt: say what is wrong.
        return disk_full(str(path))
    return StorageError(
        _("{path} cannot be opened as a database: {error}").format(path=path, error=exc),
        _("The file may be corrupt. Restore the latest backup (see `followup db backup`)."),
    )


def _no_room(path: Path) -> bool:
    """Whether the filesystem holding `path` has less room left than one -shm file."""
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 32 * 1024


class ReadOnlyConnection(sqlite3.Connection):
    """A connection opened with SQLite's mode=ro: what `is_read_only` tells. (Not PRAGMA
    query_only, which would also refuse the TEMP tables an import stages its rows in.)"""


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection with followup's settings; `read_only` opens with SQLite's mode=ro
    (immutable on a read-only filesystem, where no one can change the file and no -shm
    can be made) and refuses writes. The journal mode is left as it is."""
    target, uri = str(path), False
    if read_only:
        immutable = "&immutable=1" if on_read_only_filesystem(path) else ""
        target, uri = f"{path.resolve().as_uri()}?mode=ro{immutable}", True
    conn = sqlite3.connect(
        target,
        timeout=busy_timeout_ms() / 1000,
        isolation_level=None,
        check_same_thread=False,
        uri=uri,
        factory=ReadOnlyConnection if read_only else sqlite3.Connection,
    )
    conn.row_factory = sqlite3.Row
    try:
        # SQLite-only: PRAGMA. A second engine sets its lock wait, journal, foreign-key
        # enforcement, durability and cache through its own connection settings.
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = -{os.environ.get('FOLLOWUP_CACHE_KIB', '32000')}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_busy(exc):
            raise busy_error() from None
        raise (_unreadable(path, exc) if read_only else _unusable(path, exc)) from None
    return conn


def _unreadable(path: Path, exc: sqlite3.DatabaseError) -> FollowupError:
    """Why a read-only open failed."""
    if is_busy(exc):
        return busy_error()
    if is_readonly_error(exc) or "unable to open" in str(exc).lower():
        return _cannot_read_beside(path)
    return _unusable(path, exc)


def use_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch a (writable, identified) followup database to WAL mode, once for good."""
    # SQLite-only: PRAGMA journal_mode. A second engine has no journal mode to set.
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode != "wal":
        mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
    if mode != "wal":
        raise StorageError(
            _("{path}: cannot switch the database to WAL mode (got {mode})").format(
                path=path, mode=mode
            )
        )


def schema_version(conn: sqlite3.Connection) -> int:
    """The number of migrations applied to the database (0 for a new file)."""
    # SQLite-only: PRAGMA user_version. PostgreSQL keeps the number in a table (the
    # `_migrations` rows already name each step applied: store/engines/pg_schema.py).
    if is_server(conn):
        return int(conn.execute("SELECT count(*) FROM _migrations").fetchone()[0])
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def is_read_only(conn: sqlite3.Connection) -> bool:
    """True for a database opened read-only (followup may not write the file)."""
    return isinstance(conn, ReadOnlyConnection)


def write_if_free(conn: sqlite3.Connection, work: Callable[[], bool]) -> bool:
    """A write a read does on the side (the day's roll, bringing warnings up to date):
    `work` runs in one transaction only if the database is writable and the write lock
    is free within a moment (`begin_unless_busy`); a read never fails or waits for it.
    Returns what `work` returned, or False when it did not run."""
    if is_read_only(conn) or not begin_unless_busy(conn):
        return False
    try:
        done = work()
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return done


def database_file(conn: sqlite3.Connection) -> Path:
    # SQLite-only: PRAGMA database_list names the main database's file.
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return Path(row[2])
    return Path()


def read_only_error(conn: sqlite3.Connection) -> StorageError:
    path = database_file(conn)
    reason = read_only_reason(path) or _(
        "SQLite may not write {path} or its -wal/-shm files"
    ).format(path=path)
    return StorageError(
        _("the database is read-only: {reason}").format(reason=reason),
        _(
            "Nothing was written. Reading still works; to change data, have the file and"
            " its folder made writable for you (e.g. `chmod u+w FILE`), or work on a copy."
        ),
    )


def open_database(
    path: Path, *, create: bool = False, warn: Callable[[str], None] | None = None
) -> sqlite3.Connection:
    """Open (or with `create`, create) the database at `path`, schema brought up to date.

    Nothing is written before the file is known to be followup's. A database followup
    may not write (see store.files.read_only_reason) is opened read-only, unchanged: a
    read works, a write is refused. `warn` hears one line if others may read the file."""
    path = path.expanduser()
    exists = check_file(path)
    if exists or path.parent.is_dir():
        refuse_network_filesystem(path)
    created = False
    if not exists:
        if not create:
            raise StorageError(
                _("no database at {path}").format(path=path),
                _("Run `followup init` to create it, or point --db / FOLLOWUP_DB at your file."),
            )
        created = create_file(path)
    elif not os.access(path, os.R_OK):
        raise StorageError(
            _("cannot read {path}: permission denied (it belongs to {owner})").format(
                path=path, owner=owner_name(path.stat().st_uid)
            ),
            _(
                "Ask whoever manages the file to let you read it, or point --db at your own database."
            ),
        )
    elif not create and path.stat().st_size == 0:
        raise StorageError(
            _("{path} is not a followup database (it is empty)").format(path=path),
            _("Run `followup init` to set it up, or point --db at your followup database."),
        )
    reason = None if created else read_only_reason(path)
    conn = _open_read_only(path, reason) if reason else _open_writable(path, create=create)
    if created:
        restrict_permissions(path)
    elif warn is not None and (warning := exposure_warning(path)):
        warn(warning)
    return conn


def _open_writable(path: Path, *, create: bool) -> sqlite3.Connection:
    """Identify (reading only), switch to WAL, migrate or mark as followup's."""
    conn = connect(path)
    try:
        try:
            found = _identified(conn, path, create=create)
            use_wal(conn, path)
        except sqlite3.OperationalError as exc:
            if not is_readonly_error(exc):
                raise
            # The file looked writable but SQLite may not write beside it (a -shm
            # left by another user, say): read it as it is.
            conn.close()
            return _open_read_only(
                path,
                _("SQLite may not write {path} or its -wal/-shm files").format(path=path),
            )
        if found.version != SCHEMA_VERSION:
            # Only a database behind this release pays for importing the migrations
            # (and sqlite-utils): opening a current one stays on the hot path.
            from followup_cli.store.migrations import migrate

            migrate(conn, path, found.version, create=create)
        elif not found.marked:
            mark_as_followup(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_busy(exc):
            raise busy_error() from None
        raise _unusable(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _identified(conn: sqlite3.Connection, path: Path, *, create: bool) -> Identity:
    return identify(conn, path, create=create, known=SCHEMA_VERSION)


def _open_read_only(path: Path, reason: str) -> sqlite3.Connection:
    """A read-only connection to a current followup database: no journal switch, no
    migration, nothing written."""
    conn = connect(path, read_only=True)
    try:
        found = _identified(conn, path, create=False)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _unreadable(path, exc) from None
    except BaseException:
        conn.close()
        raise
    if found.version != SCHEMA_VERSION:
        conn.close()
        raise StorageError(
            _(
                "{path} is read-only and its schema (v{version}) is older than this"
                " followup's (v{known}): it cannot be upgraded ({reason})"
            ).format(path=path, version=found.version, known=SCHEMA_VERSION, reason=reason),
            _(
                "Make it writable once (e.g. `chmod u+w FILE`) and run any command: it is"
                " backed up, then upgraded. Make it read-only again afterwards if you wish."
            ),
        )
    return conn


def _cannot_read_beside(path: Path) -> StorageError:
    """A WAL database whose -shm does not exist and may not be made: SQLite cannot read
    it (https://www.sqlite.org/wal.html#readonly)."""
    return StorageError(
        _(
            "cannot read {path}: SQLite needs to create {name}-shm in its folder {folder},"
            " and you may not write there"
        ).format(path=path, name=path.name, folder=path.parent),
        _(
            "Have its folder made writable for you, or copy the database to a folder of"
            " yours to read it."
        ),
    )


def mark_as_followup(conn: sqlite3.Connection) -> None:
    """Set the application id on a current database from before it was set: quietly
    skipped if the database is busy (the next open tries again)."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
        # SQLite-only: PRAGMA application_id, the header field naming the file's program.
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if not is_busy(exc):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")


# An import goes once over every index of a large file: SQLite's page cache at 8 MiB
# does it as fast as at the commands' 32 MiB (1,000,000 events into the bench's office:
# 39.8 s and 38.7 s, 2026-12-04) in 45 MiB less memory, under issue 20's 100 MiB. A
# command's reads keep the larger cache (a full due table sorts 47,000 rows in it: 15%
# slower at 8 MiB).
IMPORT_CACHE_KIB = 8000


def use_import_cache(conn: sqlite3.Connection) -> None:
    """The import's page cache on this connection (SQLite's; a server sizes its own)."""
    if getattr(conn, "engine", "sqlite") == "sqlite":
        conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")


@contextmanager
def write_transaction(
    conn: sqlite3.Connection, *, shared: bool = False
) -> Iterator[sqlite3.Connection]:
    """One user action: BEGIN IMMEDIATE ... COMMIT, rolled back on any error; refused
    (nothing written) on a read-only database. `shared`: an action on one customer,
    which on a server writes beside others of its kind once it holds that customer's
    lock (`lock_customer`, before it reads what it will change)."""
    if is_read_only(conn):
        raise read_only_error(conn)
    try:
        begin_write(conn, shared=shared)  # (waits on while an import writes: store/busy.py)
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise busy_error(exc) from None
        if is_readonly_error(exc):
            raise read_only_error(conn) from None
        raise
    started = time.monotonic()
    try:
        try:
            if not is_server(conn):
                refuse_damaged(conn)  # store/damage.py: a damaged file is refused before a write
            yield conn
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if is_readonly_error(exc):
                raise read_only_error(conn) from None
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if is_busy(exc):
                raise busy_error(exc) from None
            if is_readonly_error(exc):
                raise read_only_error(conn) from None
            raise
        COMMITS.append(time.monotonic())
    finally:
        LOCK_HOLDS.append(time.monotonic() - started)  # (from BEGIN to its end: --debug)


def writes_beside_others(conn: sqlite3.Connection) -> bool:
    """Whether a shared write on this connection runs beside other writers (a server);
    SQLite's writer is always alone."""
    return is_server(conn)


def lock_customer(conn: sqlite3.Connection, customer_id: int) -> None:
    """In a shared write: hold this customer's lock to the end of the transaction (a
    server; SQLite's write lock already holds every customer)."""
    if is_server(conn):
        try:
            _lock_customer_on_server(conn, customer_id)
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise busy_error(exc) from None
            raise


def _lock_customer_on_server(conn: sqlite3.Connection, customer_id: int) -> None:
    """The customer's lock at once if it is free; else, if an import holds it (one
    writing beside clerks: its file's customers), waiting on for the import as a write
    on SQLite does (store/busy.py: saying so once, LONGEST_IMPORT_WAIT_S at most); else
    the busy timeout."""
    try:
        conn.lock_customer(customer_id, wait_ms=0)  # type: ignore[attr-defined]
        return
    except sqlite3.OperationalError as exc:
        if not is_busy(exc):
            raise
    holder = import_writing(conn)
    if holder is None:
        conn.lock_customer(customer_id)  # type: ignore[attr-defined]
        return
    tell_waiting_for(holder)
    conn.lock_customer(customer_id, wait_ms=LONGEST_IMPORT_WAIT_S * 1000)  # type: ignore[attr-defined]


def lock_customers_in(conn: sqlite3.Connection, table: str, column: str) -> None:
    """In a shared write: hold the locks of every customer `table.column` names (an
    import's staged rows; `table` a temp table) to the end of the transaction (on a
    server; SQLite's write lock already holds every customer)."""
    if not is_server(conn):
        return
    try:
        conn.lock_customers_in(table, column)  # type: ignore[attr-defined]
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise busy_error(exc) from None
        raise


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A consistent snapshot for a command that reads several tables."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def open_read_only(path: Path) -> sqlite3.Connection | None:
    """The database at `path` opened read-only, waiting at most a moment for a lock, no
    migration run; None if there is no file. For shell completion, which must answer at
    once and never change anything."""
    path = path.expanduser()
    if not path.is_file():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
    conn.row_factory = sqlite3.Row
    return conn
