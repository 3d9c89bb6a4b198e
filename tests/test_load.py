"""Nobody locked out (issue 16, "Load"): reads never wait on the write lock, imports
hold it only for a short write phase, and what changed while an import was thinking is
checked again inside that phase."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assertions import ok

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]


def test_due_during_a_long_write_skips_the_daily_roll_and_succeeds(
    office: Run, rows: Rows, db_path: Path
) -> None:
    """The first `due` of a day rolls the greetings forward (a write); while another
    process holds the write lock it skips the roll, shows the list, exits 0."""
    assert rows("SELECT value FROM meta WHERE key = 'greetings_rolled_on'") == []
    before = rows("SELECT count(*) AS n FROM callbacks")[0]["n"]
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        r = office("due", env={"FOLLOWUP_BUSY_TIMEOUT_MS": "3000"})
        waited = time.monotonic() - started
        report = office("report", "daily", env={"FOLLOWUP_BUSY_TIMEOUT_MS": "3000"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    ok(r)
    ok(report)
    assert "C001" in r.stdout
    assert waited < 2.5, waited  # a moment's wait for the roll, not the busy timeout
    # Nothing written: the roll was skipped, so the next command rolls.
    assert rows("SELECT value FROM meta WHERE key = 'greetings_rolled_on'") == []
    assert rows("SELECT count(*) AS n FROM callbacks")[0]["n"] == before
    ok(office("due"))
    assert rows("SELECT value FROM meta WHERE key = 'greetings_rolled_on'") == [
        {"value": "2026-11-23"}
    ]


def test_the_roll_restores_the_busy_timeout(session: Any) -> None:
    from followup_cli.domain.callbacks.daily_roll import roll_forward

    s = session()
    assert roll_forward(s) is True
    assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert not s.conn.in_transaction
    assert roll_forward(s) is False
