"""Report periods: a date range, and its split into months or quarters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from followup_cli.support.dates import add_months
from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import _

PERIODS = ("month", "quarter")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self, unit: str | None = None) -> Period:
        """The period before: the previous whole month/quarter, or as many days."""
        if unit in PERIODS and self.start == bucket_start(self.start, unit):
            months = 1 if unit == "month" else 3
            start = add_months(self.start, -months)
            return Period(start, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def as_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def bucket_start(day: date, unit: str) -> date:
    if unit == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)


def bucket_label(day: date, unit: str) -> str:
    if unit == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def resolve_period(today: date, start: date | None, end: date | None, unit: str | None) -> Period:
    """--from/--to as given; by default the current month (or quarter) to date."""
    if unit is not None and unit not in PERIODS:
        raise UsageError(
            _("unknown period '{period}'").format(period=unit),
            _("Use --period month or --period quarter."),
        )
    end = end or today
    start = start or bucket_start(end, unit or "month")
    if start > end:
        raise UsageError(_("--from {start} is after --to {end}").format(start=start, end=end))
    return Period(start, end)


def buckets(period: Period, unit: str) -> list[tuple[str, Period]]:
    out: list[tuple[str, Period]] = []
    current = bucket_start(period.start, unit)
    step = 1 if unit == "month" else 3
    while current <= period.end:
        following = add_months(current, step)
        out.append(
            (
                bucket_label(current, unit),
                Period(max(current, period.start), min(following - timedelta(days=1), period.end)),
            )
        )
        current = following
    return out
