"""Opening the database: location, permissions, PRAGMAs, schema check, transactions.

One SQLite file in WAL mode, foreign keys on, a busy timeout, every write in a
`BEGIN IMMEDIATE` transaction (one per user action). The hot path imports only
sqlite3: migrations (and sqlite-utils) are loaded only when the schema is behind.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from followup_cli.store.busy import busy_error, busy_timeout_ms, is_busy
from followup_cli.store.damage import refuse_damaged
from followup_cli.store.files import (
    check_file,
    create_file,
    refuse_network_filesystem,
    restrict_permissions,
)
from followup_cli.store.schema import SCHEMA_VERSION
from followup_cli.support.errors import StorageError
from followup_cli.support.i18n import _


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "followup" / "followup.db"


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        str(path),
        timeout=busy_timeout_ms() / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.row_factory = sqlite3.Row
    try:
        # SQLite-only: PRAGMA. A second engine sets its lock wait, journal, foreign-key
        # enforcement, durability and cache through its own connection settings.
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = -{os.environ.get('FOLLOWUP_CACHE_KIB', '32000')}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_busy(exc):
            raise busy_error() from None
        raise StorageError(
            _("{path} cannot be opened as a database: {error}").format(path=path, error=exc),
            _("The file may be corrupt. Restore the latest backup (see `followup db backup`)."),
        ) from None
    if str(mode).lower() != "wal":
        conn.close()
        raise StorageError(
            _("{path}: cannot switch the database to WAL mode (got {mode})").format(
                path=path, mode=mode
            )
        )
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The number of migrations applied to the database (0 for a new file)."""
    # SQLite-only: PRAGMA user_version. A second engine keeps the number in a table
    # (the `_migrations` rows already name each step applied).
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def open_database(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open (or with `create`, create) the database at `path`, schema brought up to date."""
    path = path.expanduser()
    exists = check_file(path)
    if exists or path.parent.is_dir():
        refuse_network_filesystem(path)
    if not exists:
        if not create:
            raise StorageError(
                _("no database at {path}").format(path=path),
                _("Run `followup init` to create it, or point --db / FOLLOWUP_DB at your file."),
            )
        create_file(path)
    elif not os.access(path, os.R_OK):
        raise StorageError(_("cannot read {path}: permission denied").format(path=path))
    elif not create and path.stat().st_size == 0:
        raise StorageError(
            _("{path} is not a followup database (it is empty)").format(path=path),
            _("Run `followup init` to set it up, or point --db at your followup database."),
        )
    conn = connect(path)
    try:
        version = schema_version(conn)
        if version != SCHEMA_VERSION:
            # Only a database behind this release pays for importing the migrations
            # (and sqlite-utils): opening a current one stays on the hot path.
            from followup_cli.store.migrations import migrate

            migrate(conn, path, version, create=create)
    except BaseException:
        conn.close()
        raise
    restrict_permissions(path)
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One user action: BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise busy_error() from None
        raise
    try:
        refuse_damaged(conn)  # store/damage.py: a damaged file is refused before a write
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if is_busy(exc):
            raise busy_error() from None
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
