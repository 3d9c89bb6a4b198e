"""The `meta` table: small named values the program keeps for itself (cache stamps,
the day greetings were last rolled forward)."""

import sqlite3

# The due list's maintained state (domain/callbacks/due_summary.py): "<day> <rules>". It
# is kept by triggers; a database found without one of them has its state dropped
# (store/checks.restore_schema), to be built again.
DUE_SUMMARY_KEY = "due_summary"


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Inside the caller's write transaction."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def delete_meta(conn: sqlite3.Connection, key: str) -> None:
    """Inside the caller's write transaction."""
    conn.execute("DELETE FROM meta WHERE key = ?", (key,))
