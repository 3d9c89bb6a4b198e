"""The escalations table's one writer (store/migrations.py aside, which owns the
schema): every step a complaint climbs (escalation.py) and every early-warning
emergency recorded or cleared (early_warning.py) is one row, written here inside the
caller's write transaction. Time is an argument: each function takes the day and the
stamp it writes."""

from __future__ import annotations

import sqlite3
from datetime import date

from followup_cli.domain.texts import Message, Text, columns


def record_climb(
    conn: sqlite3.Connection,
    ticket_id: int,
    customer_id: int,
    level: int,
    role: str | None,
    person: str | None,
    reason: Text,
    auto: bool,
    note: Message | None,
    day: date,
    stamp: str,
) -> int:
    """A ticket's step up its ladder (by hand, or `auto` from `escalate --auto`); its id."""
    cur = conn.execute(
        "INSERT INTO escalations (kind, ticket_id, customer_id, at, day, level, role, staff,"
        " reason, reason_message, auto, note, note_message)"
        " VALUES ('ticket', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ticket_id,
            customer_id,
            stamp,
            day.isoformat(),
            level,
            role or "",
            person,
            *columns(reason),
            1 if auto else 0,
            *columns(note),
        ),
    )
    return int(cur.lastrowid or 0)


def record_warning(
    conn: sqlite3.Connection,
    customer_id: int,
    role: str,
    person: str | None,
    reason: Message,
    key: str,
    day: date,
    stamp: str,
) -> None:
    """A customer's emergency (its indicators as `key`), or its clearing (key "")."""
    conn.execute(
        "INSERT INTO escalations (kind, customer_id, at, day, role, staff, reason,"
        " reason_message, auto, warning_key) VALUES ('warning', ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        (customer_id, stamp, day.isoformat(), role, person) + columns(reason) + (key,),
    )
