"""What an import reports: the rows it read and wrote, or every bad cell it found
(file:line:column), at most MAX_ERRORS of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followup_cli.support.errors import DataError
from followup_cli.support.i18n import _, ngettext

MAX_ERRORS = 1000

Progress = Callable[[str, int, int | None], None]


@dataclass
class CellError:
    line: int  # while importing: the record's sequence number; then its line in the file
    column: int
    header: str
    value: str
    expected: str  # may hold {other}: the line of the record this one repeats
    other: int | None = None

    def format(self, path: Path) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:60] + "…"
        expected = self.expected.format(other=self.other)
        return _("{path}:{line}:{column}: {header}: {value} — expected {expected}").format(
            path=path,
            line=self.line,
            column=self.column,
            header=self.header,
            value=repr(shown),
            expected=expected,
        )


class ImportErrors(DataError):
    """Every bad cell of a file; nothing was written."""

    def __init__(self, path: Path, errors: list[CellError], total: int) -> None:
        self.path = path
        self.errors = errors
        self.total = total
        super().__init__(
            ngettext(
                "{path}: {n} error; nothing was imported",
                "{path}: {n} errors; nothing was imported",
                total,
            ).format(path=path, n=total),
            _("Fix the cells listed above and import the file again."),
        )


@dataclass
class FieldChange:
    """One field of a row already in the database that the import changes (or, on a dry
    run, would change): the row's key as the office knows it (a customer code, a staff
    name, a code and a contact's name...), the field, its stored and its new value.
    `line` is the file's line of the row (None for a row the file does not hold: a
    customer's former primary contact)."""

    line: int | None
    key: str
    field: str
    old: Any
    new: Any


@dataclass
class ImportReport:
    kind: str
    path: str
    encoding: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    callbacks_planned: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    changes: list[FieldChange] = field(default_factory=list)
    # How long the import held the write lock, in seconds, in all and at most at once,
    # and in how many transactions (--debug shows it; not data).
    lock_held_s: float = 0.0
    lock_longest_s: float = 0.0
    lock_holds: int = 0
    # How many customers' rows a rehearsed import settled again inside the lock, because
    # another process wrote to them meanwhile (--debug shows it; not data).
    settled_again: int = 0
    # New customers whose callbacks the import could not write after the file (the
    # database busy or full meanwhile): the next command plans them (callbacks/owed.py).
    owed_left: int = 0

    def held(self, seconds: float) -> None:
        """One transaction of the import held the write lock this long."""
        self.lock_held_s += seconds
        self.lock_longest_s = max(self.lock_longest_s, seconds)
        self.lock_holds += 1
