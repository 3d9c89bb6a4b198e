"""Making erased data unreadable in the database file itself, not just unlisted.

SQLite leaves a deleted or rewritten value in the page's free space, in free pages and
in the WAL until they are reused. An erasure writes with `secure_delete` on (freed
space is overwritten with zeros), then `wipe_freed` rebuilds the file (VACUUM: every
page written again from the live rows) and empties the WAL (checkpoint TRUNCATE), so
the erased values are in neither file afterwards. Copies made before (backups, a
`NAME.vN.bak` of an upgrade) keep them until they are rotated out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from followup_cli.store.busy import is_busy
from followup_cli.store.engines import is_server


@contextmanager
def secure_deletes(conn: sqlite3.Connection) -> Iterator[None]:
    """Freed space zeroed while the block runs (SQLite's secure_delete)."""
    # SQLite-only: PRAGMA secure_delete. A second engine vacuums the table instead.
    conn.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        conn.execute("PRAGMA secure_delete = OFF")


def wipe_freed(conn: sqlite3.Connection) -> bool:
    """VACUUM, then the WAL checkpointed and truncated to nothing. False when another
    process kept it from finishing (a reader still on an old snapshot, a writer): the
    erasure stands, and the next erasure (or the same one repeated) wipes again.
    On a PostgreSQL server: VACUUM reclaims the rows' old versions for reuse (the
    server's WAL and base backups keep them as long as its own retention says)."""
    if is_server(conn):
        conn.execute("VACUUM")
        return True
    try:
        with secure_deletes(conn):
            # SQLite-only: VACUUM and PRAGMA wal_checkpoint.
            conn.execute("VACUUM")
            busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            return False
        raise
    return int(busy) == 0
