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
from followup_cli.store.connection import write_if_free
from followup_cli.store.meta import get_meta, set_meta

ROLLED_KEY = "greetings_rolled_on"


def roll_forward(session: Session) -> bool:
    """Roll the day forward unless it was rolled today or the database is busy; returns
    whether it ran. Skipped quietly on a read-only database (a read must not fail for
    want of writing)."""
    today = session.today.isoformat()
    conn = session.conn
    if get_meta(conn, ROLLED_KEY) == today:
        return False
    # Only the day's first run loads the planner (start-up of every later `due`).
    from followup_cli.domain.callbacks.planning import Planner

    def roll() -> bool:
        if get_meta(conn, ROLLED_KEY) == today:
            return False  # another process rolled it meanwhile
        planner = Planner(session, conn)
        planner.expire_greetings()
        planner.plan_greetings(None)
        planner.flush()
        set_meta(conn, ROLLED_KEY, today)
        return True

    # Busy (another process is writing) or read-only: the next command rolls.
    return write_if_free(conn, roll)
