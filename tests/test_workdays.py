"""Working days: weekends, China's public holidays and make-up working days (SPEC 3).

The holiday library is the source of truth; the few dates written here are checked
against it, and the cache in the `calendar` table must give the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from holidays.countries.china import China
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_cli.support import workdays
from followup_cli.support.workdays import WorkCalendar, library_days, library_version, load_calendar

YEARS = range(2025, 2029)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(library_days(YEARS), YEARS)


def make_up_days_2026() -> list[date]:
    return sorted(d for d in China(years=2026).weekend_workdays if d.year == 2026)


# -- which days are working ------------------------------------------------------------


@pytest.mark.parametrize(
    "day", [date(2026, 11, 28), date(2026, 11, 29), date(2027, 3, 6), date(2027, 3, 7)]
)
def test_weekends_are_not_working(cal: WorkCalendar, day: date) -> None:
    assert day.weekday() >= 5
    assert not cal.is_working(day)


@pytest.mark.parametrize("day", [date(2026, 11, 23), date(2026, 11, 27), date(2026, 12, 31)])
def test_ordinary_weekdays_are_working(cal: WorkCalendar, day: date) -> None:
    assert cal.is_working(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 10, 1),
        date(2026, 10, 2),
        date(2026, 10, 3),
        date(2026, 10, 4),
        date(2026, 10, 5),
        date(2026, 2, 17),  # Spring Festival
        date(2026, 1, 1),
        date(2026, 9, 25),  # Mid-Autumn Festival
    ],
)
def test_public_holidays_are_not_working(cal: WorkCalendar, day: date) -> None:
    assert not cal.is_working(day)


def test_holiday_names_come_from_the_library(cal: WorkCalendar) -> None:
    assert cal.holiday_name(date(2026, 10, 1)) == "National Day"
    assert cal.holiday_name(date(2026, 2, 17)) == "Chinese New Year (Spring Festival)"
    assert cal.holiday_name(date(2026, 11, 23)) is None
    assert cal.festival("Mid-Autumn Festival", 2026) == date(2026, 9, 25)
    assert cal.festival("Chinese New Year (Spring Festival)", 2026) == date(2026, 2, 17)
    assert cal.festival("New Year's Day", 2027) == date(2027, 1, 1)


def test_library_knows_the_make_up_days_used_below() -> None:
    days = make_up_days_2026()
    assert date(2026, 2, 14) in days
    assert date(2026, 9, 20) in days


@pytest.mark.parametrize("day", make_up_days_2026())
def test_make_up_working_days_are_working(cal: WorkCalendar, day: date) -> None:
    assert day.weekday() >= 5, "a make-up working day is a weekend day"
    assert cal.is_working(day)


@pytest.mark.parametrize("day", [date(2026, 2, 14), date(2026, 9, 20)])
def test_named_make_up_days_are_working(cal: WorkCalendar, day: date) -> None:
    assert cal.is_working(day)


# -- next, previous, n-th ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)),  # a working day is itself
        (date(2026, 11, 22), date(2026, 11, 23)),  # Sunday -> Monday
        (date(2026, 11, 28), date(2026, 11, 30)),
        (date(2026, 10, 1), date(2026, 10, 8)),  # National Day week
        (date(2026, 2, 16), date(2026, 2, 24)),  # Spring Festival week
        (date(2026, 2, 14), date(2026, 2, 14)),  # make-up Saturday is working
    ],
)
def test_next_working(cal: WorkCalendar, day: date, expected: date) -> None:
    assert cal.next_working(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)),
        (date(2026, 11, 29), date(2026, 11, 27)),  # Sunday -> Friday
        (date(2026, 10, 1), date(2026, 9, 30)),
        (date(2026, 10, 7), date(2026, 9, 30)),
        (date(2026, 2, 17), date(2026, 2, 14)),  # back to the make-up Saturday
    ],
)
def test_previous_working(cal: WorkCalendar, day: date, expected: date) -> None:
    assert cal.previous_working(day) == expected


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
        (date(2026, 11, 22), 0, date(2026, 11, 23)),
        (date(2026, 11, 27), 1, date(2026, 11, 30)),
        (date(2026, 11, 23), 3, date(2026, 11, 26)),
        (date(2026, 11, 26), 3, date(2026, 12, 1)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Friday -> make-up Saturday
    ],
)
def test_after_working_days(cal: WorkCalendar, day: date, count: int, expected: date) -> None:
    assert cal.after_working_days(day, count) == expected


def test_years_outside_the_loaded_range_are_loaded_on_demand() -> None:
    small = WorkCalendar(library_days(range(2026, 2027)), range(2026, 2027))
    assert not small.is_working(date(2030, 10, 1))
    assert small.is_working(date(2030, 10, 8))


DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 20))


@settings(max_examples=100, deadline=None)
@given(day=DAYS)
def test_next_working_is_the_first_working_day_on_or_after(day: date) -> None:
    cal = WorkCalendar(library_days(YEARS), YEARS)
    found = cal.next_working(day)
    assert found >= day and cal.is_working(found)
    d = day
    while d < found:
        assert not cal.is_working(d)
        d += timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(day=DAYS.filter(lambda d: d.year > 2025))
def test_previous_working_is_the_last_working_day_on_or_before(day: date) -> None:
    cal = WorkCalendar(library_days(YEARS), YEARS)
    found = cal.previous_working(day)
    assert found <= day and cal.is_working(found)
    d = day
    while d > found:
        assert not cal.is_working(d)
        d -= timedelta(days=1)


# -- the cache in the database -------------------------------------------------------------


def test_load_calendar_stores_the_days_and_a_second_load_reads_them(
    initdb: Callable[..., Any],
    session: Callable[..., Any],
    rows: Callable[..., list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert rows("SELECT count(*) AS n FROM calendar")[0]["n"] == 0
    s = session()
    with s.write() as conn:
        first = load_calendar(conn, date(2026, 11, 23), store=True)
    stored = {r["day"]: r for r in rows("SELECT day, working, name FROM calendar")}
    assert stored["2026-10-01"]["working"] == 0
    assert stored["2026-10-01"]["name"] == "National Day"
    assert stored["2026-02-14"]["working"] == 1
    assert stored["2026-09-20"]["working"] == 1
    meta = rows("SELECT value FROM meta WHERE key = 'calendar'")
    assert meta == [{"value": f"{library_version()}:2024-2029"}]

    def no_library(years: range) -> dict[date, tuple[bool, str | None]]:
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(workdays, "library_days", no_library)
    again = load_calendar(s.conn, date(2026, 11, 23), store=False)
    for day in (date(2026, 10, 1), date(2026, 2, 14), date(2026, 9, 20), date(2026, 11, 28)):
        assert again.is_working(day) == first.is_working(day)
    assert again.next_working(date(2026, 10, 1)) == date(2026, 10, 8)
    assert again.festival("Mid-Autumn Festival", 2026) == date(2026, 9, 25)


def test_cache_from_another_library_version_is_rebuilt(
    initdb: Callable[..., Any],
    session: Callable[..., Any],
    rows: Callable[..., list[dict[str, Any]]],
) -> None:
    s = session()
    with s.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('calendar', '0.0.1:2024-2029')")
        conn.execute("INSERT INTO calendar (day, working, name) VALUES ('2026-11-23', 0, 'fake')")
    with s.write() as conn:
        cal = load_calendar(conn, date(2026, 11, 23), store=True)
    assert cal.is_working(date(2026, 11, 23))
    assert rows("SELECT value FROM meta WHERE key = 'calendar'")[0]["value"].startswith(
        library_version() + ":"
    )
    assert rows("SELECT * FROM calendar WHERE day = '2026-11-23'") == []


def test_planning_caches_the_calendar(
    office: Callable[..., Any], rows: Callable[..., list[dict[str, Any]]]
) -> None:
    assert rows("SELECT count(*) AS n FROM calendar WHERE working = 0")[0]["n"] > 20
    assert rows("SELECT value FROM meta WHERE key = 'calendar'")
