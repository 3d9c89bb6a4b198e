"""A database held by another process: how long to wait, how to tell, what to say."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
import time
from typing import Any

try:
    import fcntl
except ImportError:  # (Windows: no flock; a long writer then always leaves the lock free)
    fcntl = None  # type: ignore[assignment]

from followup_cli.store.meta import get_meta
from followup_cli.support.errors import DatabaseBusy
from followup_cli.support.i18n import _, label

DEFAULT_BUSY_TIMEOUT_MS = 10_000


def busy_timeout_ms() -> int:
    raw = os.environ.get("FOLLOWUP_BUSY_TIMEOUT_MS", "")
    return int(raw) if raw.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


def is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# What a server's "try the transaction again" says inside the busy error's text
# (engines/postgres.py: a serialization failure, a deadlock broken by aborting us).
TRY_AGAIN = "the server asks to try again"


def is_retriable(exc: BaseException) -> bool:
    """A busy error that running the command again may cure (the server aborted this
    transaction to break a deadlock, or could not serialise it); a lock held past the
    busy timeout is not (it is held still)."""
    if isinstance(exc, DatabaseBusy):
        return exc.retriable
    return is_busy(exc) and TRY_AGAIN in str(exc)


def busy_error(cause: BaseException | None = None) -> DatabaseBusy:
    """The one busy error; `cause`, the error it replaces (kept: whether it is
    retriable)."""
    error = DatabaseBusy(
        _(
            "the database is busy: another followup process held it for more than {seconds} s"
        ).format(seconds=f"{busy_timeout_ms() / 1000:g}"),
        _("Nothing was written. Try again in a moment (cron may simply retry)."),
    )
    error.retriable = cause is not None and is_retriable(cause)
    return error


# A writer that writes in many short transactions (an import's last steps) leaves the
# lock free at least this long before taking it again: many times as long as a waiting
# write takes between two looks at the lock (POLL_S below; SQLite's own busy handler
# sleeps up to 100 ms), so that a clerk waiting for it gets it even on a busy machine
# (SQLite's lock is not fair: a writer that took it again at once would keep it from
# them to the end).
YIELD_S = 0.12
# ... and at most this long, however long it last held it: every write waiting then
# looks for the lock every POLL_S and gets it well within this (a long first
# transaction, 1,000,000 events' 4 s, would otherwise leave the lock idle as long).
LEAVE_FREE_AT_MOST_S = 0.5


# -- writers waiting --------------------------------------------------------------------
#
# SQLite's lock says nothing of who waits for it. A write that finds it held says so by
# holding a shared flock on the file "<database>-waiting" (made once, beside the -wal and
# -shm files, never through a link) for as long as it waits; a writer of many short
# transactions leaves the lock free between two (`leave_free`) only while that file is
# locked: alone (an import at night, the office's first load), it goes straight on,
# and the sleeps that were there for clerks who were not there no longer slow it.
WAITING_SUFFIX = "-waiting"


def _waiting_path(conn: Any) -> str | None:
    """The waiting file of the database of `conn` (None: in memory, or on a server)."""
    if getattr(conn, "engine", "sqlite") != "sqlite" or fcntl is None:
        return None
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return None
    return f"{row[2]}{WAITING_SUFFIX}" if row and row[2] else None


def _open_waiting(path: str, create: bool) -> int | None:
    """The waiting file opened (made, with `create`), or None: missing, not a regular
    file (a link, a FIFO planted there), or not to be opened."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    if create:
        flags |= os.O_CREAT
    try:
        fd = os.open(path, flags, 0o600)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def announce_waiting(conn: Any) -> int | None:
    """Say that a write waits for the lock (a shared flock on the waiting file, held
    until the returned descriptor is closed); None if it cannot be said."""
    path = _waiting_path(conn)
    fd = None if path is None else _open_waiting(path, create=True)
    if fd is None:
        return None
    try:
        # (waits only while a long writer looks: it holds the file alone for an instant)
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        return None
    return fd


def others_waiting(conn: Any) -> bool:
    """Does a write of another connection wait for the lock now? (True when it cannot be
    told: the lock is then left free, as for a waiting clerk.)"""
    if getattr(conn, "engine", "sqlite") != "sqlite":
        return False  # (a server queues its waiters fairly itself)
    path = _waiting_path(conn)
    if path is None:
        return fcntl is None
    if not os.path.lexists(path):
        return False
    fd = _open_waiting(path, create=False)
    if fd is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # (the lock, if taken, goes with it)
    return False


def leave_free(conn: Any, held: float | None, at_most: float = LEAVE_FREE_AT_MOST_S) -> None:
    """Between two of a long writer's short transactions: while another write waits,
    the lock left free as long as the last one held it (YIELD_S at least, `at_most` at
    most); nobody waiting, nothing."""
    if others_waiting(conn):
        time.sleep(max(YIELD_S, min(held or 0.0, at_most)))


# A write that a read command does on the side (the day's greeting roll) waits this
# long for the lock, then gives up: the read goes on, and a later command does it.
SIDE_WRITE_WAIT_MS = 100


def begin_unless_busy(conn: sqlite3.Connection, wait_ms: int = SIDE_WRITE_WAIT_MS) -> bool:
    """BEGIN IMMEDIATE waiting at most `wait_ms` for the write lock (the connection's
    own busy timeout restored after); False, with no transaction open, if another
    process holds the lock."""
    # PostgreSQL tries its advisory lock instead.
    if getattr(conn, "engine", "sqlite") == "postgresql":
        return bool(conn.try_begin_write())  # type: ignore[attr-defined]
    started = time.monotonic()
    try:
        _begin_in_turn(conn, wait_ms / 1000)
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            return False
        raise
    LOCK_WAITS.append(time.monotonic() - started)
    return True


# -- an import writing ---------------------------------------------------------------
#
# An import's write phase holds the write lock for as long as writing its rows takes:
# about 0.1 s per 1,000 rows, more on a busy machine (100k calls or customers: 6–15 s),
# past the busy timeout. Before it, the import records itself under this meta key (a
# short transaction of its own) and removes the record in its write transaction: a
# command that finds the database busy while a live import is recorded waits on, saying
# so once, rather than fail (the import is the one thing it may wait for so long).
IMPORT_WRITING_KEY = "import_writing"
LONGEST_IMPORT_WAIT_S = 600  # then it gives up as any busy command does (exit 75)


def import_record(conn: Any, kind: str, path: str, rows: int, stamp: str) -> str:
    """The meta value an import writes before its write phase: its process and machine,
    and on a server its session there (clerks at other machines look that up)."""
    record: dict[str, Any] = {
        "pid": os.getpid(),
        "host": this_host(),
        "kind": kind,
        "file": os.path.basename(path),
        "rows": rows,
        "since": stamp,
    }
    if getattr(conn, "engine", "sqlite") == "postgresql":
        record["session"] = conn.session_id()
    return json.dumps(record, ensure_ascii=False)


def this_host() -> str:
    return os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")


def import_writing(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The import recorded as writing, if it is still there (a crashed import's record
    is ignored): on a server, its session connected; else its process alive on this
    machine (one on another machine cannot be told, and is not waited for). None
    otherwise, or when the record cannot be read."""
    try:
        raw = get_meta(conn, IMPORT_WRITING_KEY)
    except sqlite3.Error:
        return None
    try:
        found = json.loads(raw) if raw else None
        if not isinstance(found, dict):
            return None
        pid = int(found["pid"])
        session = found.get("session")
        session = None if session is None else int(session)
    except (ValueError, TypeError, KeyError):
        return None
    if session is not None and getattr(conn, "engine", "sqlite") == "postgresql":
        try:
            mine = session == conn.session_id()  # type: ignore[attr-defined]
            alive = not mine and conn.session_alive(session)  # type: ignore[attr-defined]
        except sqlite3.Error:
            return None
        return found if alive else None
    if found.get("host", this_host()) != this_host():
        return None
    if pid <= 0 or pid == os.getpid() or not process_alive(pid):
        return None
    return found


def tell_waiting_for(holder: dict[str, Any]) -> None:
    """The one line a write says, on stderr, as it starts waiting for an import."""
    print(
        _(
            "waiting for an import to finish writing: {kind} from {file}"
            " ({rows} rows, process {pid}); nothing is lost by waiting"
        ).format(
            kind=label("table", holder.get("kind", "?")),
            file=holder.get("file", "?"),
            rows=holder.get("rows", "?"),
            pid=holder.get("pid", "?"),
        ),
        file=sys.stderr,
        flush=True,
    )


def process_alive(pid: int) -> bool:
    """Whether a process `pid` runs on this machine (a record's writer)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return True


# The write transactions this process committed: a command is run again after the
# server's "try again" only while this is empty (nothing of it is kept yet).
COMMITS: list[float] = []


# How long each write of this process waited for the write lock (BEGIN until it held
# it), in seconds: `--debug` prints the longest as the command ends (cli/app.py), and
# bench/load.py reads it to tell a wait for the lock from a wait for the CPU.
LOCK_WAITS: list[float] = []
# And how long each of its write transactions held the lock (BEGIN to COMMIT or
# ROLLBACK; store/connection.write_transaction).
LOCK_HOLDS: list[float] = []


# A write on one customer beside others of its kind, on a server (postgres.py); SQLite
# has one writer at a time, and such a write is BEGIN IMMEDIATE there.
SHARED_BEGIN = "BEGIN SHARED WRITE"


# A write waiting for SQLite's lock looks again this often. SQLite's own busy handler
# sleeps longer the longer it has waited (1, 2, 5 ... ms, then 100 ms between looks),
# so a clerk who has waited half a second looks every 100 ms while a newcomer looks
# at once: measured beside ten clerks (bench/load.py), holds of 0.1 s left writers
# waiting 1 s. Looking every few milliseconds whatever the wait, the one who has
# waited longest has the same chance as the newest (a failed look costs microseconds).
POLL_S = 0.004


def _begin_in_turn(conn: sqlite3.Connection, wait_s: float) -> None:
    """SQLite's BEGIN IMMEDIATE, looking for the write lock every POLL_S for up to
    `wait_s` (the connection's own busy timeout restored after, for the other waits
    SQLite may do: a checkpoint, a read of a file being recovered). Raises the busy
    error as BEGIN does when it gives up."""
    # SQLite-only: PRAGMA busy_timeout.
    conn.execute("PRAGMA busy_timeout = 0")
    waiting: int | None = None  # (the waiting file, once the lock was found held)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise
            if waiting is None:
                announced = announce_waiting(conn)
                waiting = -1 if announced is None else announced
            time.sleep(POLL_S)
    finally:
        if waiting is not None and waiting >= 0:
            os.close(waiting)
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")


def begin_write(conn: sqlite3.Connection, *, shared: bool = False) -> None:
    """BEGIN IMMEDIATE (`shared`: on a server, SHARED_BEGIN), waiting the busy timeout
    for the write lock; and while a live import is writing (`import_writing`), on until
    it has written (at most LONGEST_IMPORT_WAIT_S), with one line on stderr saying what
    it waits for. Raises the busy error (sqlite3.OperationalError) as BEGIN does when
    it gives up."""
    server = getattr(conn, "engine", "sqlite") == "postgresql"
    statement = SHARED_BEGIN if shared and server else "BEGIN IMMEDIATE"
    started = time.monotonic()
    told = False
    while True:
        try:
            if server:
                conn.execute(statement)
            else:
                _begin_in_turn(conn, busy_timeout_ms() / 1000)
            LOCK_WAITS.append(time.monotonic() - started)
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() - started > LONGEST_IMPORT_WAIT_S:
                raise
            holder = import_writing(conn)
            if holder is None:
                raise
            if not told:
                tell_waiting_for(holder)
                told = True
