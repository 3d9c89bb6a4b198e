"""A session: the open database, the effective config, and the date the action happens on."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from followup_cli.store import read_transaction, write_transaction
from followup_cli.support.config import Config
from followup_cli.support.dates import timestamp


@dataclass
class Session:
    conn: sqlite3.Connection
    config: Config
    today: date
    now: datetime  # timezone-aware; its date is `today`

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

    @property
    def actor(self) -> str:
        """Who is acting, for history: FOLLOWUP_STAFF, else the login name."""
        name = os.environ.get("FOLLOWUP_STAFF", "").strip()
        if name:
            return name
        try:
            # Only a write with no --by/FOLLOWUP_STAFF asks the system who is logged in.
            import getpass

            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


def moment(today: date | None, wall: datetime | None = None) -> tuple[date, datetime]:
    """`today` (given by --today, or the clock) and an aware `now` on that date."""
    wall = (wall or datetime.now()).astimezone()
    if today is None:
        return wall.date(), wall
    return today, datetime.combine(today, wall.timetz())
