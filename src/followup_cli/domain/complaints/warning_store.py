"""The warnings table's one writer (store/migrations.py aside, which creates it): each
early warning raised, its value kept current while it lasts, cleared when its condition
ends, climbed once when nobody acknowledged it in time, and acknowledged with the
measure taken (seed 001: 处理办法及措施). Rows are never deleted: they are the record the
routine reports read. Writes happen inside the caller's write transaction; time is an
argument (the day and the stamp it writes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# What a warning row is read with (the customer's code, name, grade and department beside).
SELECT = (
    "SELECT w.*, c.code, c.name, c.grade, c.department, c.owner FROM warnings w"
    " LEFT JOIN customers c ON c.id = w.customer_id"
)


@dataclass
class NewWarning:
    customer_id: int | None
    indicator: str
    stage: str  # approaching | breach
    emergency: bool
    value: float
    threshold: float
    role: str | None
    responsible: str | None
    ack_due: str | None


def open_warnings(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every warning not cleared, oldest first."""
    return conn.execute(SELECT + " WHERE w.cleared_on IS NULL ORDER BY w.id").fetchall()


def warning_row(conn: sqlite3.Connection, warning_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(SELECT + " WHERE w.id = ?", (warning_id,)).fetchone()
    return row


def warnings_between(conn: sqlite3.Connection, start: date, end: date) -> list[sqlite3.Row]:
    """Warnings raised or cleared between the two days (inclusive), oldest first."""
    span = (start.isoformat(), end.isoformat())
    return conn.execute(
        SELECT + " WHERE w.raised_on BETWEEN ? AND ? OR w.cleared_on BETWEEN ? AND ? ORDER BY w.id",
        span + span,
    ).fetchall()


def raise_warnings(
    conn: sqlite3.Connection, new: Iterable[NewWarning], day: date, stamp: str
) -> list[int]:
    """Insert each new warning; their ids, in order."""
    ids: list[int] = []
    for w in new:
        cursor = conn.execute(
            "INSERT INTO warnings (customer_id, indicator, stage, emergency, value, threshold,"
            " raised_on, role, responsible, ack_due, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                w.customer_id,
                w.indicator,
                w.stage,
                1 if w.emergency else 0,
                w.value,
                w.threshold,
                day.isoformat(),
                w.role,
                w.responsible,
                w.ack_due,
                stamp,
                stamp,
            ),
        )
        ids.append(int(cursor.lastrowid or 0))
    return ids


def update_values(
    conn: sqlite3.Connection, values: Iterable[tuple[int, float]], stamp: str
) -> None:
    """A lasting warning's figure as measured now: (id, value) pairs."""
    conn.executemany(
        "UPDATE warnings SET value = ?, updated_at = ? WHERE id = ?",
        [(value, stamp, wid) for wid, value in values],
    )


def clear_warnings(conn: sqlite3.Connection, ids: Iterable[int], day: date, stamp: str) -> None:
    """Their conditions ended on `day`."""
    conn.executemany(
        "UPDATE warnings SET cleared_on = ?, updated_at = ? WHERE id = ? AND cleared_on IS NULL",
        [(day.isoformat(), stamp, wid) for wid in ids],
    )


def mark_reported(conn: sqlite3.Connection, ids: Iterable[int], day: date, stamp: str) -> None:
    """The emergency reports of these warnings went out on `day`."""
    conn.executemany(
        "UPDATE warnings SET reported_on = ?, updated_at = ? WHERE id = ?",
        [(day.isoformat(), stamp, wid) for wid in ids],
    )


def climb_warning(
    conn: sqlite3.Connection,
    warning_id: int,
    role: str | None,
    person: str | None,
    day: date,
    stamp: str,
) -> None:
    """Nobody acknowledged it in time: it goes to the next person on its route (once)."""
    conn.execute(
        "UPDATE warnings SET climbed_from = responsible, role = ?, responsible = ?,"
        " climbed_on = ?, updated_at = ? WHERE id = ? AND climbed_on IS NULL",
        (role, person, day.isoformat(), stamp, warning_id),
    )


def acknowledge_warning(
    conn: sqlite3.Connection, warning_id: int, staff: str, action: str, stamp: str
) -> None:
    """The measure a person took on the warning (处理办法及措施), as typed."""
    conn.execute(
        "UPDATE warnings SET acknowledged_by = ?, acknowledged_at = ?, action = ?,"
        " updated_at = ? WHERE id = ? AND acknowledged_by IS NULL",
        (staff, stamp, action, stamp, warning_id),
    )
