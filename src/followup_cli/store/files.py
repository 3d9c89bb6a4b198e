"""The database file and its copies: where they may live, who may read them, backups.

Files are created 0600 from the first byte; a network filesystem is refused (SQLite's
locking is unreliable there).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from followup_cli.store.busy import busy_error, is_busy
from followup_cli.support.errors import StorageError, disk_full, is_disk_full
from followup_cli.support.i18n import _
from followup_cli.support.output_files import staged_file

SQLITE_HEADER = b"SQLite format 3\x00"
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


def check_file(path: Path) -> bool:
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


def create_file(path: Path) -> None:
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


def backup_to(conn: sqlite3.Connection, dest: Path, *, force: bool = False) -> None:
    """SQLite's online backup into `dest`, safe while others write.

    Written to a 0600 temp file beside `dest` and renamed only when complete; `dest` must
    be missing (or, with `force`, a regular file): never a link, a device or a folder."""
    dest = dest.expanduser()
    with staged_file(dest, force=force) as tmp:
        target = sqlite3.connect(str(tmp))
        try:
            conn.backup(target)
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
