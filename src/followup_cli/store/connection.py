"""Opening the database: location, permissions, PRAGMAs, schema check, transactions.

One SQLite file in WAL mode, foreign keys on, a busy timeout, every write in a
`BEGIN IMMEDIATE` transaction (one per user action). The hot path imports only
sqlite3: migrations (and sqlite-utils) are loaded only when the schema is behind.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from followup_cli.errors import DatabaseBusy, StorageError
from followup_cli.i18n import _

SQLITE_HEADER = b"SQLite format 3\x00"
SCHEMA_VERSION = 4  # the number of migrations in store.migrations; checked by a test
DEFAULT_BUSY_TIMEOUT_MS = 10_000


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "followup" / "followup.db"


def busy_timeout_ms() -> int:
    raw = os.environ.get("FOLLOWUP_BUSY_TIMEOUT_MS", "")
    return int(raw) if raw.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


def is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def busy_error() -> DatabaseBusy:
    return DatabaseBusy(
        _(
            "the database is busy: another followup process held it for more than {seconds} s"
        ).format(seconds=f"{busy_timeout_ms() / 1000:g}"),
        _("Nothing was written. Try again in a moment (cron may simply retry)."),
    )


NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "fuse.sshfs"}
MOUNTS = Path("/proc/self/mounts")


def filesystem_type(path: Path, mounts: Path | None = None) -> str | None:
    """The type of the filesystem holding `path` (Linux /proc/self/mounts), if known."""
    try:
        lines = (mounts or MOUNTS).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = str(path.resolve())
    best, kind = "", None
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, parts[2]
    return kind


def refuse_network_filesystem(path: Path) -> None:
    """SQLite's locking is unreliable on network filesystems: refuse them outright."""
    kind = filesystem_type(path.parent if not path.exists() else path)
    if kind in NETWORK_FILESYSTEMS:
        raise StorageError(
            _(
                "{path} is on a network filesystem ({kind}); SQLite's locking is not safe there"
            ).format(path=path, kind=kind),
            _("Keep the database on a local disk; share reports and exports instead."),
        )


def _check_file(path: Path) -> bool:
    """True if `path` exists and is a SQLite file (or empty); errors otherwise."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StorageError(
            _("cannot read {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise StorageError(
            _("{path} is a folder, not a database file").format(path=path),
            _("Point --db at a file inside it."),
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(
            _("cannot read {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    if head and head != SQLITE_HEADER:
        raise StorageError(
            _("{path} is not a SQLite database").format(path=path),
            _("Check --db / FOLLOWUP_DB; followup leaves this file untouched."),
        )
    return True


def _create_file(path: Path) -> None:
    parent = path.parent
    if not parent.is_dir():
        raise StorageError(
            _("the folder {path} does not exist").format(path=parent),
            _("Create it first, or choose another --db path."),
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StorageError(
            _("cannot write in the folder {path}").format(path=parent),
            _("Choose a --db path in a folder you can write to."),
        )
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StorageError(
            _("cannot create {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    os.close(fd)


def restrict_permissions(path: Path) -> None:
    """Database, WAL and shared-memory files: owner read/write only (0600)."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if stat.S_IMODE(candidate.stat().st_mode) != 0o600:
                os.chmod(candidate, 0o600)
        except (FileNotFoundError, PermissionError):
            continue


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        str(path),
        timeout=busy_timeout_ms() / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.row_factory = sqlite3.Row
    try:
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


def open_database(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open (or with `create`, create) the database at `path`, schema brought up to date."""
    path = path.expanduser()
    exists = _check_file(path)
    if exists or path.parent.is_dir():
        refuse_network_filesystem(path)
    if not exists:
        if not create:
            raise StorageError(
                _("no database at {path}").format(path=path),
                _("Run `followup init` to create it, or point --db / FOLLOWUP_DB at your file."),
            )
        _create_file(path)
    elif not os.access(path, os.R_OK):
        raise StorageError(_("cannot read {path}: permission denied").format(path=path))
    elif not create and path.stat().st_size == 0:
        raise StorageError(
            _("{path} is not a followup database (it is empty)").format(path=path),
            _("Run `followup init` to set it up, or point --db at your followup database."),
        )
    conn = connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
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


def backup_to(conn: sqlite3.Connection, dest: Path) -> None:
    """SQLite's online backup into `dest` (created 0600), safe while others write."""
    dest = dest.expanduser()
    if dest.exists():
        raise StorageError(
            _("{path} already exists").format(path=dest),
            _("Choose a new file name for the backup."),
        )
    _create_file(dest)
    target = sqlite3.connect(str(dest))
    try:
        conn.backup(target)
    except sqlite3.Error as exc:
        target.close()
        dest.unlink(missing_ok=True)
        if is_busy(exc):
            raise busy_error() from None
        raise StorageError(
            _("backup to {path} failed: {error}").format(path=dest, error=exc)
        ) from None
    target.close()
    os.chmod(dest, 0o600)
