"""A customer's history: what changed in their record and why (a grade set from value by
`customer regrade`), each row a message code with its parameters, rendered in the
reader's language; never changed or deleted (triggers of m013)."""

from __future__ import annotations

import sqlite3
from typing import Any

from followup_cli.domain.texts import Text, columns, record


def record_change(
    conn: sqlite3.Connection,
    customer_id: int,
    at: str,
    by: str | None,
    field: str,
    old: object,
    new: object,
    detail: Text | None,
) -> None:
    """One change to the customer's record, with what explains it."""
    text, stored = columns(detail)
    conn.execute(
        "INSERT INTO customer_history (customer_id, at, by, field, old_value, new_value,"
        " detail, detail_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            customer_id,
            at,
            by,
            field,
            None if old is None else str(old),
            None if new is None else str(new),
            text,
            stored,
        ),
    )


def history_of(conn: sqlite3.Connection, customer_id: int, most: int) -> list[dict[str, Any]]:
    """The customer's latest `most` changes, newest first (`detail` a Text)."""
    return [
        record(r, "detail")
        for r in conn.execute(
            "SELECT at, by, field, old_value, new_value, detail, detail_message"
            " FROM customer_history WHERE customer_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            (customer_id, most),
        )
    ]
