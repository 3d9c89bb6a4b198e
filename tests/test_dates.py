"""Dates: the accepted formats, strict rejection, month arithmetic and intervals (SPEC 3, 5)."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_cli.support.dates import Interval, add_months, parse_date, parse_interval
from followup_cli.support.errors import EXIT_DATA, InvalidValue

NOV_22 = date(2026, 11, 22)
FULL_WIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-22",
        "2026/11/22",
        "2026.11.22",
        "2026年11月22日",
        "20261122",
        "２０２６－１１－２２",
        "２０２６／１１／２２",
        "２０２６年１１月２２日",
        "２０２６１１２２",
        "  2026-11-22  ",
    ],
)
def test_every_accepted_format_parses(text: str) -> None:
    assert parse_date(text) == NOV_22


def test_single_digit_month_and_day_are_accepted_with_separators() -> None:
    assert parse_date("2026-3-5") == date(2026, 3, 5)
    assert parse_date("2026年3月5日") == date(2026, 3, 5)


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",  # not a real day
        "2026-13-01",
        "22/11/2026",  # day first: ambiguous, refused
        "11/22/2026",  # month first: ambiguous, refused
        "yesterday",  # nothing fuzzy
        "",
        "   ",
        "2026-1122",  # mixed formats
        "2026-11",  # nothing filled in
        "11-22",
        "2026-11-22x",
        "2026-11-22 10:00",
        "261122",
    ],
)
def test_rejected_inputs_raise_invalid_value_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_date(text, "date")
    assert info.value.field == "date"
    assert info.value.exit_code == EXIT_DATA
    assert "2026-11-22" in info.value.expected  # the message shows what is accepted


FORMATTERS: list[Callable[[date], str]] = [
    lambda d: d.isoformat(),
    lambda d: d.strftime("%Y/%m/%d"),
    lambda d: d.strftime("%Y.%m.%d"),
    lambda d: f"{d.year:04d}年{d.month}月{d.day}日",
    lambda d: f"{d.year:04d}年{d.month:02d}月{d.day:02d}日",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: f"{d.year:04d}-{d.month}-{d.day}",
    lambda d: d.isoformat().translate(FULL_WIDTH),
    lambda d: d.strftime("%Y%m%d").translate(FULL_WIDTH),
]
REAL_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))


@settings(max_examples=200, deadline=None)
@given(day=REAL_DATES, fmt=st.sampled_from(FORMATTERS))
def test_any_real_date_in_any_accepted_format_parses_back(
    day: date, fmt: Callable[[date], str]
) -> None:
    assert parse_date(fmt(day)) == day


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_random_text_only_ever_raises_invalid_value(text: str) -> None:
    try:
        result = parse_date(text)
    except InvalidValue:
        return
    assert isinstance(result, date)


@settings(max_examples=200, deadline=None)
@given(text=st.from_regex(r"\A[0-9０-９年月日/.\- ]{0,14}\Z"))
def test_date_like_noise_only_ever_raises_invalid_value(text: str) -> None:
    try:
        result = parse_date(text)
    except InvalidValue:
        return
    assert 1900 <= result.year <= 2199


# -- month arithmetic ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 20), 12, date(2027, 5, 20)),
    ],
)
def test_add_months_clips_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)),
    months=st.integers(min_value=0, max_value=120),
)
def test_add_months_properties(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("2d", date(2026, 11, 20), date(2026, 11, 22)),
        ("7d", date(2026, 11, 20), date(2026, 11, 27)),
        ("1w", date(2026, 11, 20), date(2026, 11, 27)),
        ("15d", date(2026, 12, 20), date(2027, 1, 4)),
        ("1m", date(2026, 1, 31), date(2026, 2, 28)),
        ("3m", date(2026, 11, 30), date(2027, 2, 28)),
        ("6m", date(2026, 8, 31), date(2027, 2, 28)),
        ("1y", date(2028, 2, 29), date(2029, 2, 28)),
        ("1y", date(2026, 11, 23), date(2027, 11, 23)),
    ],
)
def test_interval_after(text: str, start: date, expected: date) -> None:
    assert parse_interval(text).after(start) == expected


def test_interval_parse_and_str() -> None:
    assert parse_interval("3m") == Interval(3, "m")
    assert str(parse_interval(" 2D ")) == "2d"
    for bad in ("", "0d", "2x", "d", "-1d", "1.5m"):
        with pytest.raises(InvalidValue):
            parse_interval(bad)


@settings(max_examples=100, deadline=None)
@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    count=st.integers(min_value=1, max_value=400),
)
def test_day_and_week_intervals_are_plain_day_counts(day: date, count: int) -> None:
    assert Interval(count, "d").after(day) == day + timedelta(days=count)
    assert Interval(count, "w").after(day) == day + timedelta(weeks=count)
