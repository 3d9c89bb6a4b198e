"""Free text that names an erased person: call notes, ticket details, history notes...
replaced, not deleted (the record of what happened stays, without who it was).

The one place that rewrites free text across the tables of other concepts, as a
migration would: erasure (PIPL Art. 47) reaches every text about the customer. Only the
customer's own rows are read; each value found is replaced by the placeholder of the
record it belonged to. Message columns (JSON: a code and parameters) are rewritten
parameter by parameter, so they stay readable messages.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from followup_cli.store.engines import is_server

# A value shorter than this is not looked for in free text: one character (a surname)
# would replace half the office's notes.
SHORTEST = 2


@dataclass(frozen=True)
class TextColumns:
    """A table's free text about one customer: which rows (`rows`, SQL with one `?`
    for the customer's id), the columns typed or generated as text, and the message
    columns (JSON)."""

    table: str
    rows: str
    texts: tuple[str, ...]
    messages: tuple[str, ...] = ()


OF_CUSTOMER = "customer_id = ?"
TEXTS: tuple[TextColumns, ...] = (
    TextColumns("calls", OF_CUSTOMER, ("note", "findings")),
    TextColumns(
        "tickets",
        OF_CUSTOMER,
        ("summary", "details", "resolution", "customer_response"),
        ("summary_message",),
    ),
    TextColumns(
        "ticket_history",
        "ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)",
        ("note", "before", "after"),
        ("note_message",),
    ),
    TextColumns("events", OF_CUSTOMER, ("result", "note")),
    TextColumns(
        "callbacks", OF_CUSTOMER, ("detail", "note", "appointment_place"), ("detail_message",)
    ),
    TextColumns("escalations", OF_CUSTOMER, ("reason", "note"), ("reason_message", "note_message")),
    TextColumns("warnings", OF_CUSTOMER, ("action",)),
    TextColumns("notices", OF_CUSTOMER, ("text",), ("text_message",)),
    TextColumns(
        "call_reviews", "call_id IN (SELECT id FROM calls WHERE customer_id = ?)", ("note",)
    ),
    TextColumns(
        "customer_history",
        OF_CUSTOMER,
        ("old_value", "new_value", "detail"),
        ("detail_message",),
    ),
    TextColumns("anniversaries", OF_CUSTOMER, ("label",)),
)


@dataclass(frozen=True)
class Replacement:
    """A value to find (`phone`: digits, spaces or dashes between them allowed) and
    the placeholder it becomes."""

    value: str
    placeholder: str
    phone: bool = False


def matcher(replacements: Iterable[Replacement]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """One pattern finding every value (the longest first), and what each becomes."""
    parts: list[tuple[str, str]] = []
    for r in replacements:
        value = (r.value or "").strip()
        if len(value) < SHORTEST:
            continue
        if r.phone:
            digits = [ch for ch in value if ch.isdigit()]
            if len(digits) < 5:
                continue
            pattern = r"(?<!\d)" + r"[\s-]?".join(re.escape(d) for d in digits) + r"(?!\d)"
        else:
            pattern = re.escape(value)
        parts.append((pattern, r.placeholder))
    if not parts:
        return None
    parts.sort(key=lambda p: -len(p[0]))
    groups = "|".join(f"(?P<v{i}>{p})" for i, (p, _) in enumerate(parts))
    flags = re.IGNORECASE  # an email or a WeChat id, whatever its case
    return re.compile(groups, flags), {f"v{i}": ph for i, (_, ph) in enumerate(parts)}


def replaced(text: str, found: tuple[re.Pattern[str], dict[str, str]]) -> str:
    pattern, placeholders = found
    return pattern.sub(lambda m: placeholders[str(m.lastgroup)], text)


def _in_message(raw: str, found: tuple[re.Pattern[str], dict[str, str]]) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return replaced(raw, found)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return replaced(value, found)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return json.dumps(walk(data), ensure_ascii=False, separators=(",", ":"))


def scrub_customer_texts(
    conn: sqlite3.Connection, customer_id: int, replacements: Iterable[Replacement]
) -> dict[str, int]:
    """Inside the caller's transaction: every free text about the customer with the
    values replaced; the rows changed per table (tables without a change left out).
    A table whose rows are never changed (history, reviews, escalations) has that
    trigger lifted for this write only and put back as it was, in the same transaction."""
    found = matcher(replacements)
    if found is None:
        return {}
    changed: dict[str, int] = {}
    for spec in TEXTS:
        columns = spec.texts + spec.messages
        select = ", ".join(columns)
        updates = []
        for row in conn.execute(
            f"SELECT id, {select} FROM {spec.table} WHERE {spec.rows}", (customer_id,)
        ):
            values = list(row[1:])
            new = [
                None
                if v is None
                else (_in_message(v, found) if name in spec.messages else replaced(v, found))
                for name, v in zip(columns, values, strict=True)
            ]
            if new != values:
                updates.append((*new, row[0]))
        if not updates:
            continue
        assignments = ", ".join(f"{c} = ?" for c in columns)
        with _triggers_lifted(conn, spec.table):
            conn.executemany(f"UPDATE {spec.table} SET {assignments} WHERE id = ?", updates)
        changed[spec.table] = len(updates)
    return changed


class _triggers_lifted:
    """The table's "never updated" triggers dropped, and created again on the way out."""

    def __init__(self, conn: sqlite3.Connection, table: str) -> None:
        self.conn = conn
        self.table = table
        self.saved: list[str] = []
        self.disabled: list[str] = []

    def __enter__(self) -> None:
        # SQLite-only: sqlite_master holds each trigger's CREATE statement. PostgreSQL
        # disables the trigger for the transaction instead (and enables it again).
        self.saved, self.disabled = [], []
        for name, sql in self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
            " AND name LIKE '%never_updated'",
            (self.table,),
        ).fetchall():
            if is_server(self.conn):
                self.conn.execute(f'ALTER TABLE {self.table} DISABLE TRIGGER "{name}"')
                self.disabled.append(name)
                continue
            self.saved.append(sql)
            self.conn.execute(f'DROP TRIGGER "{name}"')

    def __exit__(self, *exc: object) -> None:
        for name in self.disabled:
            self.conn.execute(f'ALTER TABLE {self.table} ENABLE TRIGGER "{name}"')
        for sql in self.saved:
            self.conn.execute(sql)
