"""Working days: China's public holidays and make-up working days, from the holiday library.

The `holidays` package knows the lunar festivals and the State Council's make-up
working days (调休) offline; nothing here is a hand-written table. Importing it is slow
(bench/README.md, "Costs behind the code"), so the days it yields are cached in the
`calendar` table, keyed by the library's version: a library upgrade refreshes the cache.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from followup_cli.store.engines import writes_alone
from followup_cli.store.meta import get_meta, set_meta

# Years cached around the year in question.
YEARS_BEFORE, YEARS_AFTER = 2, 3
# Bounds on the day-by-day walks: a run of days off, and a count of working days (a
# few years of them; config_schema keeps tickets.sla_days to 0..365).
MAX_DAYS_OFF = 31
MAX_WORKING_DAYS = 3 * 260


@cache
def library_version() -> str:
    spec = find_spec("holidays")
    if spec is None or spec.origin is None:
        return "missing"
    folder = Path(spec.origin).parent
    try:
        text = (folder / "version.py").read_text(encoding="utf-8")
    except OSError:
        return f"mtime-{int((folder / '__init__.py').stat().st_mtime)}"
    m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", text)
    return m.group(1) if m else "unknown"


def library_days(years: range) -> dict[date, tuple[bool, str | None]]:
    """Non-default days in `years`: holidays (not working, with their English name)
    and make-up working days on weekends (working)."""
    # holidays is slow to import: only a year not yet in the calendar table needs it.
    from holidays.countries.china import China

    cn = China(years=list(years), language="en_US")  # type: ignore[no-untyped-call]
    days: dict[date, tuple[bool, str | None]] = {}
    for day, name in cn.items():
        days[day] = (False, str(name))
    for day in cn.weekend_workdays:
        if day.year in years:
            days[day] = (True, "make-up working day")
    return days


class WorkCalendar:
    """Which days are working days; finds the next, previous, and n-th working day."""

    def __init__(self, days: dict[date, tuple[bool, str | None]], years: range) -> None:
        self._days = days
        self._years = years
        self._festivals: dict[tuple[str, int], date | None] = {}

    def _ensure(self, day: date) -> None:
        if day.year not in self._years:
            lo = min(self._years.start, day.year - 1)
            hi = max(self._years.stop, day.year + 2)
            self._years = range(lo, hi)
            self._days = library_days(self._years)
            self._festivals = {}

    def is_working(self, day: date) -> bool:
        self._ensure(day)
        entry = self._days.get(day)
        if entry is not None:
            return entry[0]
        return day.weekday() < 5

    def next_working(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        return self._nearest_working(day, timedelta(days=1))

    def previous_working(self, day: date) -> date:
        """`day` itself if it is a working day, else the last working day before it."""
        return self._nearest_working(day, timedelta(days=-1))

    def _nearest_working(self, day: date, step: timedelta) -> date:
        # The longest run of days off (Golden Week with its weekends) is under two
        # weeks: a calendar with no working day in a month is broken, not long.
        for _ in range(MAX_DAYS_OFF):
            if self.is_working(day):
                return day
            day += step
        raise ValueError(f"no working day within {MAX_DAYS_OFF} days of {day}")

    def after_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (0: `day` or the next one).
        `count` is at most MAX_WORKING_DAYS (the SLA setting's range is far below it)."""
        if not 0 <= count <= MAX_WORKING_DAYS:
            raise ValueError(f"working-day count {count} outside 0..{MAX_WORKING_DAYS}")
        current = self.next_working(day)
        for _ in range(count):
            current = self.next_working(current + timedelta(days=1))
        return current

    def festival(self, name: str, year: int) -> date | None:
        """The first day in `year` the library names `name` (never an '(observed)' day)."""
        self._ensure(date(year, 6, 30))
        key = (name, year)
        if key not in self._festivals:  # (a scan of the calendar: remembered)
            found = [d for d, (_, n) in self._days.items() if d.year == year and n == name]
            self._festivals[key] = min(found) if found else None
        return self._festivals[key]

    def holiday_name(self, day: date) -> str | None:
        self._ensure(day)
        entry = self._days.get(day)
        return entry[1] if entry and not entry[0] else None


def load_calendar(conn: sqlite3.Connection, around: date, *, store: bool) -> WorkCalendar:
    """The calendar for the years around `around`, from the cache when it is current.

    With `store` (inside a write transaction) a stale or missing cache is rebuilt.
    """
    want = range(around.year - YEARS_BEFORE, around.year + YEARS_AFTER + 1)
    key = f"{library_version()}:{want.start}-{want.stop - 1}"
    stamp = get_meta(conn, "calendar")
    if stamp is not None and _covers(stamp, want):
        days = {
            date.fromisoformat(r[0]): (bool(r[1]), r[2])
            for r in conn.execute("SELECT day, working, name FROM calendar")
        }
        return WorkCalendar(days, _range_of(stamp))
    days = library_days(want)
    if store and writes_alone(conn):
        # (Beside other writers, on a server, the cache is left to a lone writer.)
        conn.execute("DELETE FROM calendar")
        conn.executemany(
            "INSERT INTO calendar (day, working, name) VALUES (?, ?, ?)",
            [(d.isoformat(), 1 if w else 0, n) for d, (w, n) in sorted(days.items())],
        )
        set_meta(conn, "calendar", key)
    return WorkCalendar(days, want)


def _range_of(key: str) -> range:
    span = key.rsplit(":", 1)[1]
    first, last = (int(x) for x in span.split("-"))
    return range(first, last + 1)


def _covers(key: str, want: range) -> bool:
    version = key.rsplit(":", 1)[0]
    if version != library_version():
        return False
    have = _range_of(key)
    return have.start <= want.start and have.stop >= want.stop
