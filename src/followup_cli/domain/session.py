"""A session: the open database, the effective config, and the date the action happens on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from followup_cli.store import read_transaction, write_transaction
from followup_cli.support.config import Config
from followup_cli.support.dates import timestamp

# The name the system's own actions are recorded under (shown as 系统 in Chinese);
# `staff add` refuses it as a staff name.
SYSTEM = "system"


@dataclass
class Session:
    conn: sqlite3.Connection
    config: Config
    today: date
    now: datetime  # timezone-aware; its date is `today`
    # Who acts, for history: the staff member a command names (--by, default
    # FOLLOWUP_STAFF; the CLI checks the name before anything is written), else the
    # system: cron's automatic steps (escalate --auto, early warnings, the daily roll)
    # and whatever no person asked for.
    actor: str = SYSTEM

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with write_transaction(self.conn) as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with read_transaction(self.conn) as conn:
            yield conn

    @property
    def stamp(self) -> str:
        return timestamp(self.now)


def moment(today: date | None, wall: datetime | None = None) -> tuple[date, datetime]:
    """`today` (given by --today, or the clock) and an aware `now` on that date."""
    wall = (wall or datetime.now()).astimezone()
    if today is None:
        return wall.date(), wall
    return today, datetime.combine(today, wall.timetz())
