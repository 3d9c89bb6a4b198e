"""Levelling first periodic callbacks: the least-loaded working day of a window.

A customer without history gets its first visit or yearly callback on a working day of
the first interval; which one is chosen so that the role's daily workload stays level:
the day with the fewest pending callbacks for that role, ties broken by the first such
day at or after a position the caller derives from the customer's code (cyclically).
Every callback the planner plans adds to the count of its day, so an import of N
customers over W working days puts at most ceil(N/W) of them on a day that had none
(and levels the rest against what was already planned).

`least_loaded_plain` is the rule, written plainly; `Workload.pick` is the same rule kept
in count buckets so that an import of many customers stays O(N log W) (tests hold them to
each other). Pure Python: no SQL, no I/O; the planner reads each window's counts once.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date


def least_loaded_plain(days: Sequence[date], counts: dict[date, int], position: int) -> date:
    """The day of `days` with the fewest `counts`, ties to the first at or after
    `position` (an index into `days`, taken cyclically)."""
    width = len(days)
    start = position % width
    best = min(range(width), key=lambda i: (counts.get(days[i], 0), (i - start) % width))
    return days[best]


@dataclass
class _Window:
    """The working days of one window, bucketed by their current count."""

    days: list[date]
    index: dict[date, int]
    counts: dict[date, int]
    buckets: dict[int, list[int]]
    low: int

    @classmethod
    def build(cls, days: Sequence[date], counts: dict[date, int]) -> _Window:
        buckets: dict[int, list[int]] = {}
        own = {day: counts.get(day, 0) for day in days}
        for i, day in enumerate(days):  # in order: every bucket is sorted
            buckets.setdefault(own[day], []).append(i)
        return cls(list(days), {d: i for i, d in enumerate(days)}, own, buckets, min(buckets))

    def pick(self, position: int) -> date:
        bucket = self.buckets[self.low]
        at = bisect_left(bucket, position % len(self.days))
        return self.days[bucket[at] if at < len(bucket) else bucket[0]]

    def add(self, day: date) -> None:
        """One more callback on `day` (nothing when the day is not in the window)."""
        i = self.index.get(day)
        if i is None:
            return
        old = self.counts[day]
        self.counts[day] = old + 1
        bucket = self.buckets[old]
        del bucket[bisect_left(bucket, i)]
        insort(self.buckets.setdefault(old + 1, []), i)
        if not bucket:
            del self.buckets[old]
            if old == self.low:
                self.low = old + 1


@dataclass
class Workload:
    """Pending callbacks per role and day, and the least-loaded day of a window.

    A window's counts come from `load(role, first, last)` when it is first asked for (the
    planner reads the database and its own unwritten plans there); without `load`, from
    `counts`, the tally of everything `add`ed (a workload built in memory)."""

    counts: dict[str, dict[date, int]] = field(default_factory=dict)
    load: Callable[[str, date, date], dict[date, int]] | None = None
    _windows: dict[tuple[str, date, date], _Window] = field(default_factory=dict)
    _by_role: dict[str, list[_Window]] = field(default_factory=dict)

    def add(self, role: str, day: date) -> None:
        """One more callback for `role` on `day`."""
        per_day = self.counts.setdefault(role, {})
        per_day[day] = per_day.get(day, 0) + 1
        for window in self._by_role.get(role, ()):
            window.add(day)

    def pick(self, role: str, days: Sequence[date], position: int) -> date:
        """The least-loaded of the working days `days` (sorted, not empty) for `role`,
        ties to the first at or after `position`. The caller counts what it plans there
        with `add`."""
        key = (role, days[0], days[-1])
        window = self._windows.get(key)
        if window is None:
            counts = (
                self.load(role, days[0], days[-1])
                if self.load is not None
                else self.counts.get(role, {})
            )
            window = _Window.build(days, counts)
            self._windows[key] = window
            self._by_role.setdefault(role, []).append(window)
        return window.pick(position)
