"""The day's roll: once a day, missed greetings are dropped and those coming into the
horizon planned. It runs when `due`, `report daily` or `escalate --auto` first run on a
day; every later run only reads the date of the last roll, without loading the planner.
"""

from __future__ import annotations

from followup_cli.domain.session import Session
from followup_cli.store.connection import is_read_only
from followup_cli.store.meta import get_meta, set_meta

ROLLED_KEY = "greetings_rolled_on"


def roll_forward(session: Session) -> bool:
    """Roll the day forward unless it was rolled today; returns whether it ran. Skipped
    quietly on a read-only database (a read must not fail for want of writing)."""
    if is_read_only(session.conn):
        return False
    today = session.today.isoformat()
    if get_meta(session.conn, ROLLED_KEY) == today:
        return False
    # Only the day's first run loads the planner (start-up of every later `due`).
    from followup_cli.domain.callbacks.planning import Planner

    with session.write() as conn:
        if get_meta(conn, ROLLED_KEY) == today:
            return False
        planner = Planner(session, conn)
        planner.expire_greetings()
        planner.plan_greetings(None)
        planner.flush()
        set_meta(conn, ROLLED_KEY, today)
    return True
