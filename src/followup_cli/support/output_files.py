"""Files a user names for the tool to write (exports, backups, config templates).

A write never follows a link and never replaces what it finds by accident:

- the target is looked at with lstat and refused unless it is missing or a regular file:
  a symbolic link (dangling or not), a folder, a device, a named pipe or a socket is
  left alone;
- an existing regular file is replaced only when the user said `--force`;
- the data goes to a new temp file in the target's folder, created with O_EXCL and mode
  0600 from the first byte (tempfile.mkstemp), is flushed to disk, and only then takes
  the target's name (a hard link when not replacing, so a file appearing meanwhile is
  not overwritten; os.replace otherwise); the temp file is removed on any failure,
  Ctrl-C included.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from followup_cli.support.errors import (
    Refused,
    StorageError,
    UsageError,
    disk_full,
    is_disk_full,
)
from followup_cli.support.i18n import _

STDOUT = "-"


def is_stdout(path: Path | str | None) -> bool:
    """`-` stands for standard output where a command writes data."""
    return path is not None and str(path) == STDOUT


def _not_regular(path: Path, mode: int) -> tuple[str, str] | None:
    """Why `path` (of lstat mode `mode`) may not be written, with what to do; None if it may."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return (
            _("{path} is a symbolic link; followup does not write through links").format(path=path),
            _("Give the path of a new file, not of a link."),
        )
    if stat.S_ISDIR(mode):
        return (
            _("{path} is a folder, not a file").format(path=path),
            _("Give the name of a file inside it."),
        )
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = _("a device")
    elif stat.S_ISFIFO(mode):
        what = _("a named pipe")
    elif stat.S_ISSOCK(mode):
        what = _("a socket")
    else:
        what = _("a special file")
    return (
        _("{path} is {what}; followup writes only regular files").format(path=path, what=what),
        _("Give the name of a new file; it is left untouched."),
    )


# What Linux filesystems take: a name of at most NAME_MAX bytes, a path of at most
# PATH_MAX bytes (with its terminating NUL).
NAME_MAX = 255
PATH_MAX = 4096


def shown_path(path: Path | str, limit: int = 80) -> str:
    """A path as a message shows it: a very long one cut in the middle."""
    text = str(path)
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]


def check_name(path: Path | str) -> None:
    """UsageError (exit 2) for a name the filesystem cannot take: a part longer than
    NAME_MAX bytes, or a path longer than PATH_MAX."""
    raw = os.fsencode(path)
    if len(raw) >= PATH_MAX:
        raise UsageError(
            _("the path {path} is too long ({n} bytes; at most {most})").format(
                path=shown_path(path), n=len(raw), most=PATH_MAX - 1
            ),
            _("Choose a shorter path."),
        )
    for part in raw.split(b"/"):
        if len(part) > NAME_MAX:
            raise UsageError(
                _("the file name {name} is too long ({n} bytes; at most {most})").format(
                    name=shown_path(os.fsdecode(part)), n=len(part), most=NAME_MAX
                ),
                _("Choose a shorter file name."),
            )


def check_target(path: Path, *, force: bool) -> None:
    """Refuse (exit 1) a target that is not a regular file, or that exists without --force."""
    check_name(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StorageError(
            _("cannot write {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    refusal = _not_regular(path, st.st_mode)
    if refusal is not None:
        raise Refused(*refusal)
    if not force:
        raise _exists(path)


def _exists(path: Path) -> Refused:
    return Refused(
        _("{path} already exists").format(path=path),
        _("Choose a new file name, or add --force to replace it."),
    )


def _check_folder(path: Path) -> None:
    parent = path.parent
    if not parent.is_dir():
        raise StorageError(
            _("the folder {path} does not exist").format(path=parent),
            _("Create it first, or choose another path."),
        )


def _publish(tmp: Path, path: Path, *, force: bool) -> None:
    """Give the finished temp file the target's name."""
    check_target(path, force=force)  # again: the target may have changed while writing
    if force:
        os.replace(tmp, path)  # rename replaces a link itself, never what it points to
        return
    try:
        os.link(tmp, path)  # fails if anything took the name meanwhile
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        os.replace(tmp, path)  # a filesystem without hard links: checked just above
        return
    os.unlink(tmp)


def sync_file(path: Path) -> None:
    """`path`'s bytes on the disk (fsync)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """A rename or a new name in `folder` on the disk (fsync of the folder), where the
    filesystem allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def staged_file(path: Path, *, force: bool = False) -> Iterator[Path]:
    """A new empty 0600 file beside `path` to fill (by name); it becomes `path` on success.

    Refusals (exit 1) come before anything is created; on any failure the temp file is
    removed and the target is untouched."""
    check_target(path, force=force)
    _check_folder(path)
    # Only a command that writes a file pays for tempfile (and the random it imports).
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(str(path)) from None
        raise StorageError(
            _("cannot write {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(tmp, path, force=force)
        sync_folder(path.parent)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(str(path)) from None
        raise StorageError(
            _("cannot write {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def open_output(path: Path, *, force: bool = False) -> Iterator[IO[str]]:
    """A text file (UTF-8, newlines as written) that becomes `path` once it is complete."""
    with staged_file(path, force=force) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_NOFOLLOW | os.O_TRUNC)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
