"""The day's roll: once a day, missed greetings are dropped and those coming into the
horizon planned. It runs when `due` or `report daily` first run on a day; every later
run only reads the date of the last roll, without loading the planner.

A read never fails for the roll: when another process holds the write lock (a long
import), the roll waits a moment (`SIDE_WRITE_WAIT_MS`) and is skipped, and the next
command rolls. What it would plan is greetings coming into the horizon weeks ahead, so
the due list shown meanwhile is right for everything planned.
"""

from __future__ import annotations

from followup_cli.domain.session import Session
from followup_cli.store.busy import begin_unless_busy
from followup_cli.store.connection import is_read_only
from followup_cli.store.meta import get_meta, set_meta

ROLLED_KEY = "greetings_rolled_on"


def roll_forward(session: Session) -> bool:
    """Roll the day forward unless it was rolled today or the database is busy; returns
    whether it ran. Skipped quietly on a read-only database (a read must not fail for
    want of writing)."""
    if is_read_only(session.conn):
        return False
    today = session.today.isoformat()
    conn = session.conn
    if get_meta(conn, ROLLED_KEY) == today:
        return False
    # Only the day's first run loads the planner (start-up of every later `due`).
    from followup_cli.domain.callbacks.planning import Planner

    if not begin_unless_busy(conn):
        return False  # another process is writing: the next command rolls
    try:
        if get_meta(conn, ROLLED_KEY) == today:
            conn.execute("ROLLBACK")
            return False
        planner = Planner(session, conn)
        planner.expire_greetings()
        planner.plan_greetings(None)
        planner.flush()
        set_meta(conn, ROLLED_KEY, today)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return True
