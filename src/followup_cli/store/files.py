"""The database file and its copies: where they may live, who may write them, backups.

Files followup creates (the database, and the -wal/-shm SQLite makes beside it, which
take the database's mode) are 0600 from the first byte; an existing file's mode is never
changed (a shared 0660 file stays shared). A network filesystem is refused (SQLite's
locking is unreliable there: see store.filesystems).

A database is opened read-only when followup may not write it: the file, or the folder
its -wal and -shm files live in, has no write bit for anyone or `access(2)` says we may
not write (another user's file, a read-only filesystem). "No write bit" is the rule that
also holds for root, whom permissions do not stop: `chmod a-w office.db` makes it
read-only for everyone.
"""

from __future__ import annotations

import os
import pwd
import sqlite3
import stat
from pathlib import Path

from followup_cli.store import filesystems
from followup_cli.store.busy import busy_error, is_busy
from followup_cli.support.errors import StorageError, disk_full, is_disk_full
from followup_cli.support.i18n import _
from followup_cli.support.output_files import staged_file, sync_file, sync_folder

SQLITE_HEADER = b"SQLite format 3\x00"


def refuse_network_filesystem(path: Path) -> None:
    """SQLite's locking is unreliable on network filesystems: refuse them outright."""
    kind = filesystems.filesystem_type(path.parent if not path.exists() else path)
    if filesystems.is_network_filesystem(kind):
        raise StorageError(
            _(
                "{path} is on a network filesystem ({kind}); SQLite's locking is not safe there"
            ).format(path=path, kind=kind),
            _("Keep the database on a local disk; share reports and exports instead."),
        )


def owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OSError):
        return str(uid)


def check_file(path: Path) -> bool:
    """True if `path` exists and is a SQLite file (or empty); errors otherwise."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():  # a link to nothing: SQLite would create its target
            raise StorageError(
                _("{path} is a symbolic link to {target}, which does not exist").format(
                    path=path, target=os.readlink(path)
                ),
                _("followup creates no database through a link: give --db the real path."),
            ) from None
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


def create_file(path: Path) -> bool:
    """Create an empty database file, 0600; False if another process made it first."""
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
        return False
    except OSError as exc:
        raise StorageError(
            _("cannot create {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    os.close(fd)
    return True


def restrict_permissions(path: Path) -> None:
    """A database followup has just created, and its WAL and shared-memory files:
    owner read/write only (0600). Never called on an existing file."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if stat.S_IMODE(candidate.lstat().st_mode) != 0o600:
                os.chmod(candidate, 0o600, follow_symlinks=False)
        except (FileNotFoundError, PermissionError, NotImplementedError):
            continue


def exposure_warning(path: Path) -> str | None:
    """A one-line warning, the first time this user opens the file while other users
    may read it (its mode is left as it is: a group-shared file is a choice). Once per
    file and mode: a marker in the user's cache folder remembers it was said."""
    try:
        st = path.stat()
    except OSError:
        return None
    mode = stat.S_IMODE(st.st_mode)
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None
    # Only a database others may read looks for the marker.
    from followup_cli.support.config import cache_dir

    marker = cache_dir() / f"readable-{st.st_dev:x}-{st.st_ino:x}-{mode:o}"
    if marker.exists():
        return None
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # said again next time
    return _(
        "Warning: {path} can be read by other users (mode {mode:04o});"
        " `chmod 600 {path}` if only you should read it"
    ).format(path=path, mode=mode)


def _unwritable(path: Path, st: os.stat_result, access: int) -> bool:
    return not st.st_mode & 0o222 or not os.access(path, access)


def read_only_reason(path: Path) -> str | None:
    """Why followup may not write the (existing) database at `path`, or None if it may."""
    folder = path.parent
    try:
        readonly_fs = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        st, folder_st = path.stat(), folder.stat()
    except OSError:
        return None  # the open that follows says what is wrong
    if readonly_fs:
        return _("{path} is on a read-only filesystem").format(path=path)
    if _unwritable(path, st, os.W_OK):
        if st.st_uid != os.geteuid() and st.st_mode & 0o222:
            return _("{path} belongs to {owner} and you may not write to it").format(
                path=path, owner=owner_name(st.st_uid)
            )
        return _("{path} has no write permission (mode {mode:04o})").format(
            path=path, mode=stat.S_IMODE(st.st_mode)
        )
    if _unwritable(folder, folder_st, os.W_OK | os.X_OK):
        return _("its folder {folder} is read-only for you (mode {mode:04o})").format(
            folder=folder, mode=stat.S_IMODE(folder_st.st_mode)
        )
    return None


def on_read_only_filesystem(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


# -- the backup taken before a migration ------------------------------------------------


def migration_backup_path(path: Path, version: int) -> Path:
    """Where the copy of the database at schema `version` is kept: `NAME.vN.bak`."""
    return path.with_name(f"{path.name}.v{version}.bak")


def _temp_prefix(path: Path, version: int | str) -> str:
    # A dot file that no glob for `*.bak` matches: a half-written copy is never taken
    # for a backup.
    return f".{path.name}.v{version}.bak.tmp"


def remove_stale_backup_temps(path: Path) -> list[Path]:
    """Temp files of earlier backups that were killed before they were complete. Only
    called by the migrator holding the write lock: no other backup of `path` runs."""
    from glob import escape as glob_escape  # (only the migrator's backup needs it)

    removed = []
    pattern = glob_escape(f".{path.name}.v") + "*.bak.tmp*"
    for stale in path.parent.glob(pattern):
        if stale.is_file() or stale.is_symlink():
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


def backup_is_sound(copy: Path, version: int) -> bool:
    """The copy opens, passes SQLite's integrity check and is at schema `version`."""
    try:
        conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return ok and int(conn.execute("PRAGMA user_version").fetchone()[0]) == version
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def migration_backup(path: Path, version: int) -> Path:
    """The database at `path` (schema `version`) copied to `NAME.vN.bak` before it is
    upgraded, unless a sound copy of that version is there already (at most one per
    version). Called by the migrator holding the write lock, so the copy is the state it
    migrates. Written to a 0600 temp file `.NAME.vN.bak.tmpXXXX` in the same folder,
    checked, then renamed: a copy killed half-way is never named like a backup."""
    final = migration_backup_path(path, version)
    remove_stale_backup_temps(path)
    if final.is_symlink() or (final.exists() and not final.is_file()):
        raise StorageError(
            _("{path} is in the way of the backup taken before an upgrade").format(path=final),
            _("Move it away and run the command again; nothing was changed."),
        )
    if final.is_file() and backup_is_sound(final, version):
        return final
    # Only a migration pays for importing tempfile.
    import tempfile

    fd, name = tempfile.mkstemp(prefix=_temp_prefix(path, version), dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        _copy_database(path, tmp)
        if not backup_is_sound(tmp, version):
            raise StorageError(
                _("the backup of {path} taken before the upgrade did not check out").format(
                    path=path
                ),
                _("Nothing was changed. Run `followup db check`, then try again."),
            )
        os.replace(tmp, final)
    except OSError as exc:
        _remove_temp(tmp)
        raise StorageError(
            _("cannot write the backup {path} taken before the upgrade: {error}").format(
                path=final, error=exc.strerror or exc
            ),
            _("Nothing was changed. Free some space in {folder}, then try again.").format(
                folder=path.parent
            ),
        ) from None
    except BaseException:
        _remove_temp(tmp)
        raise
    sync_folder(path.parent)
    return final


def _remove_temp(tmp: Path) -> None:
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)


def _copy_database(path: Path, dest: Path) -> None:
    """SQLite's online backup of `path` into `dest`, as a plain (rollback-journal) file
    synced to disk. A connection of its own: the migrator's holds the write lock, and
    readers may still read beside it."""
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(str(dest), isolation_level=None)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise busy_error() from None
        raise StorageError(
            _("backup to {path} failed: {error}").format(path=dest, error=exc)
        ) from None
    finally:
        target.close()
        source.close()
    sync_file(dest)


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
