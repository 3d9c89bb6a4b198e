"""Dated backups in a folder that rotate and prove themselves, and restoring one.

`backup_into` writes `followup-2026-12-01T0730.db` (the office's clock) into a folder
with SQLite's online backup, 0600, and verifies the copy itself, not the source:
`PRAGMA integrity_check`, that it is a followup database, and its schema version. Beside
it goes `….db.sha256`, the copy's checksum: a byte flipped later (a failing disk, a bad
copy to the NAS) is found by `verify_backup` even where SQLite's checks see nothing.
Only then are the oldest good backups beyond `keep` deleted; a copy that fails is
removed and the older backups are all kept.

`restore_backup` checks the backup the same way, takes the write lock of the current
database (refused, exit 75, while another process writes), keeps the current file as
`NAME.before-restore-<time>` (0600, an online copy), and renames a complete, synced copy
of the backup over the database: at any moment the file is either the old one or the
new one, never a mix. An older-schema backup is then upgraded as on any open.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from glob import escape as glob_escape
from pathlib import Path

from followup_cli.store.busy import busy_error, busy_timeout_ms, is_busy
from followup_cli.store.files import SQLITE_HEADER, check_file
from followup_cli.store.identity import APPLICATION_ID, OWN_TABLES
from followup_cli.store.schema import SCHEMA_VERSION
from followup_cli.support.errors import StorageError, UsageError, disk_full, is_disk_full
from followup_cli.support.i18n import _
from followup_cli.support.output_files import staged_file, sync_file, sync_folder

PREFIX = "followup-"
# followup-2026-12-01T0730.db, and -2, -3 ... for a second backup in the same minute.
NAME = re.compile(r"^followup-(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(?:-(\d+))?\.db$")
CHECKSUM_SUFFIX = ".sha256"


@dataclass
class Verdict:
    """What checking one backup file found: `problem` is None when it verifies."""

    path: Path
    schema_version: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class BackupFile:
    """One dated backup in a folder, as `db backups` lists it."""

    path: Path
    taken: str  # 2026-12-01 07:30, the office's clock (from the name)
    size: int
    verdict: Verdict

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.path.name,
            "taken": self.taken,
            "size": self.size,
            "schema_version": self.verdict.schema_version,
            "verifies": self.verdict.ok,
            "problem": self.verdict.problem,
        }


@dataclass
class BackupRun:
    """What `backup_into` did: the new backup, those deleted beyond `keep`, and those
    found that do not verify (never counted as good; kept for a person to look at,
    unless older than every backup kept)."""

    path: Path
    verdict: Verdict
    deleted: list[Path] = field(default_factory=list)
    bad: list[Verdict] = field(default_factory=list)


# -- checking a backup ------------------------------------------------------------------


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + CHECKSUM_SUFFIX)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_only(path: Path) -> sqlite3.Connection:
    # immutable: a backup is read as the bytes it is, no -wal or -shm made beside it.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def verify_backup(path: Path, *, checksum: bool = True) -> Verdict:
    """Whether `path` is a sound followup database this release can open: its
    checksum (when a `.sha256` is beside it), SQLite's integrity check, followup's
    application id (or tables) and a schema version from 1 to this release's."""
    verdict = Verdict(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        verdict.problem = _("cannot read it: {error}").format(error=exc.strerror)
        return verdict
    if head != SQLITE_HEADER:
        verdict.problem = _("not a SQLite database")
        return verdict
    sidecar = checksum_path(path)
    if checksum and sidecar.is_file():
        try:
            expected = sidecar.read_text(encoding="ascii").split()[0]
        except (OSError, UnicodeDecodeError, IndexError):
            expected = ""
        if expected != file_digest(path):
            verdict.problem = _(
                "its checksum does not match {name}: the file changed after the backup"
            ).format(name=sidecar.name)
            return verdict
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        verdict.problem = _("cannot be opened: {error}").format(error=exc)
        return verdict
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        verdict.schema_version = version
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id != APPLICATION_ID and not (app_id == 0 and tables >= OWN_TABLES):
            verdict.problem = _("not a followup database")
        elif not 1 <= version <= SCHEMA_VERSION:
            verdict.problem = _(
                "schema v{version}, which this followup (v{known}) cannot open"
            ).format(version=version, known=SCHEMA_VERSION)
        else:
            verdict.problem = _integrity(conn)
    except sqlite3.DatabaseError as exc:
        verdict.problem = _("damaged: {error}").format(error=exc)
    finally:
        conn.close()
    return verdict


def _integrity(conn: sqlite3.Connection) -> str | None:
    """SQLite's integrity check on the copy: None if it says ok, else its first line."""
    lines = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(5)")]
    if lines == ["ok"]:
        return None
    return _("the integrity check failed: {problem}").format(problem=lines[0])


# -- dated backups in a folder -----------------------------------------------------------


def dated_backups(folder: Path) -> list[Path]:
    """The folder's dated backups (`followup-YYYY-MM-DDTHHMM.db`), oldest first."""
    found = [
        p
        for p in folder.glob(glob_escape(PREFIX) + "*.db")
        if NAME.match(p.name) and p.is_file() and not p.is_symlink()
    ]
    return sorted(found, key=lambda p: backup_order(p.name))


def _taken(path: Path) -> str:
    m = NAME.match(path.name)
    assert m is not None
    return f"{m.group(1)} {m.group(2)}:{m.group(3)}"


def list_backups(folder: Path) -> list[BackupFile]:
    """Every dated backup in `folder`, oldest first, each verified."""
    _check_folder(folder)
    return [
        BackupFile(p, _taken(p), p.stat().st_size, verify_backup(p)) for p in dated_backups(folder)
    ]


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise StorageError(
            _("the folder {path} does not exist").format(path=folder),
            _("Create it first (e.g. `mkdir -p {path}`), or give another folder.").format(
                path=folder
            ),
        )


def backup_name(folder: Path, now: datetime, suffix: str = ".db") -> Path:
    """`followup-2026-12-01T0730.db` in `folder`, or -2, -3 ... if that is taken (a
    server's dump: `.dump`)."""
    stem = f"{PREFIX}{now:%Y-%m-%dT%H%M}"
    candidate = folder / f"{stem}{suffix}"
    n = 1
    while os.path.lexists(candidate) or os.path.lexists(checksum_path(candidate)):
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def backup_into(
    conn: sqlite3.Connection, folder: Path, now: datetime, keep: int | None
) -> BackupRun:
    """A dated, verified backup of `conn`'s database in `folder`; then, with `keep`, the
    oldest good backups beyond the newest `keep` deleted. A copy that does not verify
    is removed, nothing else is deleted, and StorageError says why (exit 1)."""
    folder = folder.expanduser()
    _check_folder(folder)
    dest = backup_name(folder, now)
    verdict = _write_verified(conn, dest)
    if not verdict.ok:
        raise StorageError(
            _("the backup did not verify: {problem}").format(problem=verdict.problem),
            _(
                "It was removed and no older backup was deleted. Run `followup db check`,"
                " and check the disk holding {folder}."
            ).format(folder=folder),
        )
    run = BackupRun(dest, verdict)
    if keep is None:
        return run
    good: list[Path] = []
    bad: list[Verdict] = []
    for path in reversed(dated_backups(folder)):  # newest first
        found = verdict if path == dest else verify_backup(path)
        if found.ok:
            good.append(path)
        else:
            bad.append(found)
    kept, beyond = good[:keep], good[keep:]
    oldest_kept = kept[-1].name if kept else ""
    for path in beyond:
        _remove_backup(path)
        run.deleted.append(path)
    for found in bad:
        if backup_order(found.path.name) < backup_order(oldest_kept):
            _remove_backup(found.path)
            run.deleted.append(found.path)
        else:
            run.bad.append(found)
    return run


def backup_order(name: str) -> tuple[str, str, str, int]:
    """A dated backup's place in time (its name's date, hour, minute and number)."""
    m = NAME.match(name)
    if m is None:
        return ("", "", "", 0)
    return (m.group(1), m.group(2), m.group(3), int(m.group(4) or 1))


def _remove_backup(path: Path) -> None:
    path.unlink(missing_ok=True)
    checksum_path(path).unlink(missing_ok=True)


def _write_verified(conn: sqlite3.Connection, dest: Path) -> Verdict:
    """The online backup into a 0600 temp file beside `dest`, made a plain
    (rollback-journal) file, verified, given its checksum, and only then named `dest`.
    A copy that does not verify is removed: nothing is named like a backup."""
    try:
        with staged_file(dest) as tmp:
            target = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                conn.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
            except sqlite3.Error as exc:
                if is_busy(exc):
                    raise busy_error() from None
                if is_disk_full(exc):
                    raise disk_full(str(dest)) from None
                raise StorageError(
                    _("backup to {path} failed: {error}").format(path=dest, error=exc)
                ) from None
            finally:
                target.close()
            verdict = verify_backup(tmp, checksum=False)
            verdict.path = dest
            if not verdict.ok:
                raise _Unsound(verdict)
            digest = file_digest(tmp)
            with staged_file(checksum_path(dest)) as side:
                side.write_text(f"{digest}  {dest.name}\n", encoding="ascii")
    except _Unsound as failed:
        return failed.verdict
    return verdict


class _Unsound(Exception):
    """The copy did not verify: raised to leave the staged file unpublished."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.problem)
        self.verdict = verdict


# -- restore -------------------------------------------------------------------------------


@dataclass
class Restored:
    """What `restore_backup` did: the backup's schema version, and where the database
    as it was is kept (None when there was none)."""

    backup: Path
    schema_version: int
    kept: Path | None


def before_restore_path(db: Path, now: datetime) -> Path:
    """`NAME.before-restore-2026-12-01T0730` beside the database (-2, -3 if taken)."""
    stem = f"{db.name}.before-restore-{now:%Y-%m-%dT%H%M}"
    candidate = db.with_name(stem)
    n = 1
    while os.path.lexists(candidate):
        n += 1
        candidate = db.with_name(f"{stem}-{n}")
    return candidate


def _restore_temp_prefix(db: Path) -> str:
    # A dot file never taken for a database or a backup; removed by the next restore.
    return f".{db.name}.restore.tmp"


def remove_stale_restore_temps(db: Path) -> None:
    pattern = glob_escape(_restore_temp_prefix(db)) + "*"
    for stale in db.parent.glob(pattern):
        if stale.is_file() and not stale.is_symlink():
            stale.unlink(missing_ok=True)


def restorable(db: Path, backup: Path) -> Verdict:
    """The backup's verdict if it may be put in place of the database at `db`; refused
    otherwise (a missing file, the database itself, a backup that does not verify)."""
    if not backup.is_file():
        raise StorageError(
            _("no backup file at {path}").format(path=backup),
            _("List the backups with `followup db backups DIR`."),
        )
    if db.exists() and os.path.samefile(db, backup):
        raise UsageError(
            _("{path} is the database itself, not a backup").format(path=backup),
            _("Give a backup file, e.g. from `followup db backups DIR`."),
        )
    verdict = verify_backup(backup)
    if not verdict.ok:
        raise StorageError(
            _("{path} cannot be restored: {problem}").format(path=backup, problem=verdict.problem),
            _("Nothing was changed. Choose another backup (`followup db backups DIR`)."),
        )
    return verdict


def restore_backup(db: Path, backup: Path, now: datetime) -> Restored:
    """Put `backup` in place of the database at `db` (see the module docstring).
    Refusals come before anything is changed: a backup that does not verify, the
    database itself, a writer holding the lock (exit 75)."""
    db, backup = db.expanduser(), backup.expanduser()
    verdict = restorable(db, backup)
    assert verdict.schema_version is not None
    exists = check_file(db)
    if not db.parent.is_dir():
        _check_folder(db.parent)
    remove_stale_restore_temps(db)
    holder = _lock(db) if exists else None
    try:
        kept = None
        if holder is not None:
            kept = before_restore_path(db, now)
            _online_copy(db, kept)
        fd, name = tempfile.mkstemp(prefix=_restore_temp_prefix(db), dir=db.parent)
        os.close(fd)
        tmp = Path(name)
        try:
            source = _read_only(backup)
            target = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
                source.close()
            sync_file(tmp)
            if exists:
                _keep_mode(db, tmp)
            os.replace(tmp, db)  # the one step that changes what `db` is
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        sync_folder(db.parent)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(str(db)) from None
        raise StorageError(
            _("cannot restore into {path}: {error}").format(path=db, error=exc.strerror or exc),
            _("The database was not changed."),
        ) from None
    finally:
        if holder is not None:
            _release(holder)
    return Restored(backup, verdict.schema_version, kept)


def _lock(db: Path) -> sqlite3.Connection:
    """The database's write lock, held until the swap is done: no write is lost in
    between. Another process writing past the busy timeout: refused (exit 75). The WAL
    is checkpointed into the file first, so the copy kept and the file replaced hold
    everything committed."""
    conn = sqlite3.connect(str(db), timeout=busy_timeout_ms() / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        conn.close()
        if is_busy(exc):
            raise busy_error() from None
        raise StorageError(
            _("{path} cannot be opened as a database: {error}").format(path=db, error=exc)
        ) from None
    return conn


def _release(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def _online_copy(db: Path, dest: Path) -> None:
    """The current database copied to `dest` (0600), by a reader of its own: the
    connection holding the write lock may not be a backup's source (SQLite says
    "locked"), and no one else can write meanwhile."""
    with staged_file(dest) as tmp:
        source = sqlite3.connect(str(db), timeout=busy_timeout_ms() / 1000)
        target = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.Error as exc:
            if is_disk_full(exc):
                raise disk_full(str(dest)) from None
            raise StorageError(
                _("backup to {path} failed: {error}").format(path=dest, error=exc)
            ) from None
        finally:
            target.close()
            source.close()


def _keep_mode(db: Path, tmp: Path) -> None:
    """The restored file keeps the database's mode (a group-shared 0660 stays so)."""
    os.chmod(tmp, stat.S_IMODE(db.stat().st_mode))
