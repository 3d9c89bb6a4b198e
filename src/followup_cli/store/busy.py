"""A database held by another process: how long to wait, how to tell, what to say."""

from __future__ import annotations

import os
import sqlite3

from followup_cli.support.errors import DatabaseBusy
from followup_cli.support.i18n import _

DEFAULT_BUSY_TIMEOUT_MS = 10_000


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


# A write that a read command does on the side (the day's greeting roll) waits this
# long for the lock, then gives up: the read goes on, and a later command does it.
SIDE_WRITE_WAIT_MS = 100


def begin_unless_busy(conn: sqlite3.Connection, wait_ms: int = SIDE_WRITE_WAIT_MS) -> bool:
    """BEGIN IMMEDIATE waiting at most `wait_ms` for the write lock (the connection's
    own busy timeout restored after); False, with no transaction open, if another
    process holds the lock."""
    # SQLite-only: PRAGMA busy_timeout. A second engine uses its lock_timeout setting.
    conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            return False
        raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    return True
