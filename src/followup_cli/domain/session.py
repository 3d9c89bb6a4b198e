"""A session: the open database, the effective config, and the date the action happens on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

from followup_cli.store import (
    lock_customer,
    lock_customers_in,
    read_transaction,
    write_transaction,
    writes_beside_others,
)
from followup_cli.support.config import Config
from followup_cli.support.dates import office_now, shown_time, timestamp

# The name the system's own actions are recorded under (shown as 系统 in Chinese);
# `staff add` refuses it as a staff name.
SYSTEM = "system"


@dataclass
class Session:
    conn: sqlite3.Connection
    config: Config
    today: date  # the office's date (config `timezone`), not the machine's
    now: datetime  # timezone-aware, on the office's clock; its date is `today`
    # True when --today / FOLLOWUP_TODAY named the day (backfill, tests): `now` then
    # holds the wall clock's time of day on that date, which says nothing of that day.
    today_given: bool = False
    # Who acts, for history: the staff member a command names (--by, default
    # FOLLOWUP_STAFF; the CLI checks the name before anything is written), else the
    # system: cron's automatic steps (escalate --auto, early warnings, the daily roll)
    # and whatever no person asked for.
    actor: str = SYSTEM
    # In a one-customer write beside other writers: the customers it holds (whose due
    # marks it settles); None otherwise.
    _locked: list[int] | None = field(default=None, repr=False)
    # While an import is rehearsed on a private copy (transfer/rehearsal.py): the temp
    # table of the customers whose rows the copy holds (the workload of the others'
    # callbacks is read from the real table); None otherwise.
    copied: str | None = field(default=None, repr=False)

    @contextmanager
    def write(
        self, *, one_customer: bool = False, customers_in: str | None = None
    ) -> Iterator[sqlite3.Connection]:
        """One action's write transaction. `one_customer`: the action writes to one
        customer's rows alone and says which (`lock_customer`) before it reads what it
        changes; on a server it then writes beside clerks on other customers.
        `customers_in`: an import writing to the customers a temp table's `customer_id`
        names, and to no other's: on a server it holds their locks from the start and
        writes beside clerks on other customers (the many due marks it makes are
        settled after it, by `tidy`)."""
        shared = one_customer or customers_in is not None
        with write_transaction(self.conn, shared=shared) as conn:
            beside = shared and writes_beside_others(conn)
            self._locked = [] if beside else None
            if beside and customers_in is not None:
                # (none of them is settled here: `tidy` settles them after)
                lock_customers_in(conn, customers_in, "customer_id")
            try:
                yield conn
                # The due list's state, kept in the same transaction (the import's many
                # marks are settled after it instead: callbacks/due_summary.py); beside
                # other writers, only the marks of the customers this one holds.
                from followup_cli.domain.callbacks.due_summary import settle_after_write

                settle_after_write(conn, self.config, self._locked)
            finally:
                self._locked = None

    def lock_customer(self, conn: sqlite3.Connection, customer_id: int) -> None:
        """In a `write(one_customer=True)`: the customer this action writes to, held to
        its end (another clerk's write to the same customer waits for it)."""
        lock_customer(conn, customer_id)
        if self._locked is not None:
            self._locked.append(customer_id)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with read_transaction(self.conn) as conn:
            yield conn

    @property
    def stamp(self) -> str:
        return timestamp(self.now)

    @property
    def zone(self) -> tzinfo:
        """The office's time zone: what "today" and the times on screens are read in."""
        return self.config.zone

    def shown_time(self, stamp: str | None) -> str:
        """A stored timestamp as screens show it: the office's clock to the minute, and
        `today 21:11` on the session's day (see support.dates.shown_time)."""
        return shown_time(stamp, self.zone, self.today)

    @property
    def latest(self) -> datetime:
        """The latest moment something can already have happened: now; on a day given
        by --today, the last second of that day (its clock time is unknown)."""
        if self.today_given:
            return datetime.combine(self.today, time(23, 59, 59), tzinfo=self.now.tzinfo)
        return self.now


def moment(today: date | None, zone: tzinfo, wall: datetime | None = None) -> tuple[date, datetime]:
    """`today` (given by --today, or the office's date on the clock) and an aware `now`
    on the office's clock (`zone`) on that date. The machine's TZ plays no part: a
    server on UTC at 17:00 on 12-01 is already at 01:00 on 12-02 in Shanghai."""
    wall = office_now(zone, wall)
    if today is None:
        return wall.date(), wall
    return today, datetime.combine(today, wall.timetz())
