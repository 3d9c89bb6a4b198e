"""Dates and timestamps: strict parsing of the accepted formats, ISO formatting, intervals.

Dates are ISO `YYYY-MM-DD` text everywhere; timestamps are ISO 8601 with an offset.
Nothing is guessed: no fuzzy parsing, no day/month ambiguity, nothing filled in from today.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from followup_cli.support.errors import InvalidValue
from followup_cli.support.i18n import N_, _, label
from followup_cli.support.patterns import Pattern

DATE_FORMATS_HELP = N_(
    "a date like 2026-11-22 (also 2026/11/22, 2026.11.22, 2026年11月22日, 20261122)"
)
DATETIME_HELP = N_(
    "a date, optionally with a time: 2026-11-22 14:30 (or 2026-11-22T14:30:00+08:00)"
)

_DATE_PATTERNS = (
    Pattern(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    Pattern(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    Pattern(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    Pattern(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    Pattern(r"(\d{4})(\d{2})(\d{2})"),
)
_TIME_PART = Pattern(r"(?:[ T]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?")
_INTERVAL = Pattern(r"(\d+)\s*([dwmy])")
# The years a date may name: 1900-01-01 to 2200-12-31. Everything stored, planned and
# compared stays in range of the date type and of the holiday calendar's arithmetic.
MIN_YEAR, MAX_YEAR = 1900, 2200
OUT_OF_RANGE = N_("out of range ({low}–{high})")


def out_of_range_text() -> str:
    """`out of range (1900–2200)`, in the interface language."""
    return _(OUT_OF_RANGE).format(low=MIN_YEAR, high=MAX_YEAR)


class DateOutOfRange(InvalidValue):
    """A well-formed date whose year is outside MIN_YEAR … MAX_YEAR."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(
            field, value, _("a date from {low} to {high}").format(low=MIN_YEAR, high=MAX_YEAR)
        )
        self.message = _("{field}: {value} is {range}").format(
            field=label("field", field), value=repr(value), range=out_of_range_text()
        )
        self.args = (self.message,)


# What _match_date returns as the end of a date whose year is out of range.
_OUT_OF_RANGE_END = -1


def normalise_text(value: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (NFKC), outer spaces removed."""
    return unicodedata.normalize("NFKC", value).strip()


def _match_date(text: str) -> tuple[date | None, int]:
    """The date at the start of `text` and where it ends; (None, 0) if no format matches,
    (None, _OUT_OF_RANGE_END) for a date of a year out of range."""
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month, day = (int(g) for g in m.groups())
            if not MIN_YEAR <= year <= MAX_YEAR:
                try:
                    date(2000, month, day)  # a real month and day, in a year out of range
                except ValueError:
                    return None, 0
                return None, _OUT_OF_RANGE_END
            try:
                return date(year, month, day), m.end()
            except ValueError:
                return None, 0
    return None, 0


def parse_date(value: str, field: str = "date") -> date:
    """Parse one of the accepted date formats, strictly; InvalidValue otherwise."""
    text = normalise_text(value)
    parsed, end = _match_date(text)
    if end == _OUT_OF_RANGE_END and _whole_date(text):
        raise DateOutOfRange(field, value)
    if parsed is None or end != len(text):
        raise InvalidValue(field, value, _(DATE_FORMATS_HELP))
    return parsed


def _whole_date(text: str) -> bool:
    """Whether all of `text` is one date in an accepted format (whatever its year)."""
    return any(pattern.fullmatch(text) for pattern in _DATE_PATTERNS)


def parse_datetime(value: str, field: str = "at", tz_from: datetime | None = None) -> datetime:
    """A date with an optional time and offset; a naive time takes the local offset.

    A bare date means the start of that day. `tz_from` supplies the offset for naive values
    (the local one by default).
    """
    text = normalise_text(value)
    day, end = _match_date(text)
    if end == _OUT_OF_RANGE_END:
        raise DateOutOfRange(field, value)
    if day is None:
        raise InvalidValue(field, value, _(DATETIME_HELP))
    rest = text[end:]
    local = (tz_from or datetime.now().astimezone()).tzinfo
    if not rest:
        return datetime.combine(day, time(0, 0), tzinfo=local)
    m = _TIME_PART.fullmatch(rest)
    if m is None:
        raise InvalidValue(field, value, _(DATETIME_HELP))
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidValue(field, value, _(DATETIME_HELP))
    offset = m.group(4)
    if offset:
        text_iso = f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}"
        tz = offset if offset != "Z" else "+00:00"
        if len(tz) == 5:
            tz = tz[:3] + ":" + tz[3:]
        try:
            return datetime.fromisoformat(text_iso + tz)
        except ValueError:
            raise InvalidValue(field, value, _(DATETIME_HELP)) from None
    return datetime.combine(day, time(hour, minute, second), tzinfo=local)


def iso(day: date) -> str:
    return day.isoformat()


def from_iso(text: str) -> date:
    """Read a date this program stored (always ISO)."""
    return date.fromisoformat(text)


def timestamp(moment: datetime) -> str:
    """ISO 8601 with offset, to the second."""
    return moment.isoformat(timespec="seconds")


ZONE_HELP = N_("a time zone name like Asia/Shanghai or UTC")


def zone_named(name: str, field: str = "timezone") -> tzinfo:
    """The time zone of a tz database name ("Asia/Shanghai"); InvalidValue otherwise.
    The zones come from the system's tz data, or the tzdata package where it has none."""
    # zoneinfo loads only when a session (or a config naming a zone) needs the office clock.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidValue(field, name, _(ZONE_HELP)) from None


def office_now(zone: tzinfo, wall: datetime | None = None) -> datetime:
    """The moment `wall` (the clock by default; a naive one is the machine's local time)
    on the office's clock: the machine's own zone (TZ) plays no part."""
    return (wall or datetime.now(UTC)).astimezone(zone)


def local_moment(stamp: str, zone: tzinfo) -> datetime | None:
    """A stored timestamp on the office's clock; None when it is not one. A timestamp
    without an offset is taken as the office's time."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def local_day(stamp: str, zone: tzinfo) -> date | None:
    """The office's date of a stored timestamp (a UTC 17:00 is the next day in Shanghai)."""
    moment = local_moment(stamp, zone)
    return moment.date() if moment is not None else None


def shown_time(stamp: str | None, zone: tzinfo, today: date | None = None) -> str:
    """A stored timestamp as a screen shows it, on the office's clock to the minute:
    `2026-12-01 21:11`, or `today 21:11` when it falls on `today` (give `today` where
    the reader's day matters). JSON and CSV keep the stored ISO 8601 text; this is for
    people. Text that is not a timestamp is shown as it is."""
    if not stamp:
        return ""
    moment = local_moment(stamp, zone)
    if moment is None:
        return stamp
    clock = f"{moment.hour:02d}:{moment.minute:02d}"
    if today is not None and moment.date() == today:
        return _("today {time}").format(time=clock)
    return f"{moment.date().isoformat()} {clock}"


@dataclass(frozen=True)
class Interval:
    """A planning interval such as 2d, 1w, 3m or 1y. Month steps clip to the month end."""

    count: int
    unit: str  # d, w, m, y

    @property
    def approx_days(self) -> int:
        return self.count * {"d": 1, "w": 7, "m": 30, "y": 365}[self.unit]

    def after(self, day: date) -> date:
        if self.unit == "d":
            return day + timedelta(days=self.count)
        if self.unit == "w":
            return day + timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        return add_months(day, months)

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clipped to the month end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, days_in_month(year, month)))


def is_leap(year: int) -> bool:
    """The Gregorian rule, as calendar.isleap has it (without importing calendar)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    """How many days `month` of `year` has, as calendar.monthrange(year, month)[1]."""
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def parse_interval(value: str, field: str = "interval") -> Interval:
    m = _INTERVAL.fullmatch(value.strip().lower())
    digits = (m.group(1).lstrip("0") or "0") if m else ""
    if m is None or digits == "0":
        raise InvalidValue(field, value, _("an interval like 2d, 1w, 3m or 1y"))
    unit = m.group(2)
    count = int(digits) if len(digits) <= 6 else INTERVAL_MAX[unit] + 1
    if count > INTERVAL_MAX[unit]:
        raise InvalidValue(
            field, value, _("an interval of at most 10 years (3660d, 522w, 120m or 10y)")
        )
    return Interval(count, unit)


# The longest interval a rule may name: ten years, in each unit (date arithmetic and the
# holiday calendar stay within reach; 99999y would overflow the date type).
INTERVAL_MAX = {"d": 3660, "w": 522, "m": 120, "y": 10}


_BIRTHDAY_MD = (
    Pattern(r"(\d{1,2})-(\d{1,2})"),
    Pattern(r"(\d{1,2})/(\d{1,2})"),
    Pattern(r"(\d{1,2})月(\d{1,2})日"),
    Pattern(r"--(\d{2})-?(\d{2})"),
)


def parse_birthday(value: str, field: str = "birthday") -> str:
    """A full date (stored YYYY-MM-DD) or a month and day without a year (stored MM-DD)."""
    text = normalise_text(value)
    day, end = _match_date(text)
    if day is not None and end == len(text):
        return day.isoformat()
    if end == _OUT_OF_RANGE_END and _whole_date(text):
        raise DateOutOfRange(field, value)
    for pattern in _BIRTHDAY_MD:
        m = pattern.fullmatch(text)
        if m:
            month, dom = int(m.group(1)), int(m.group(2))
            try:
                date(2000, month, dom)  # a leap year admits 02-29
            except ValueError:
                break
            return f"{month:02d}-{dom:02d}"
    raise InvalidValue(field, value, _("a date like 1980-05-17, or a month and day like 05-17"))


def birthday_in_year(birthday: str, year: int) -> date:
    """The birthday's date in `year`; 29 Feb falls on 28 Feb in common years."""
    month, dom = (int(p) for p in birthday[-5:].split("-"))
    if month == 2 and dom == 29 and not is_leap(year):
        dom = 28
    return date(year, month, dom)
