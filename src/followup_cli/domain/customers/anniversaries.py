"""A customer's anniversaries (seed 003 重要纪念日: the start of the partnership, the
company's founding...): month and day with an optional label, greeted like birthdays.

This module is the `anniversaries` table's one writer. An edit gives the customer's
whole list: what is no longer in it is deleted, and its pending greeting cancelled."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from followup_cli.domain import fields
from followup_cli.support.dates import parse_birthday
from followup_cli.support.errors import InvalidValue
from followup_cli.support.i18n import _


@dataclass(frozen=True)
class Anniversary:
    day: str  # MM-DD
    label: str = ""  # "" when none was given

    def to_dict(self) -> dict[str, str]:
        return {"day": self.day, "label": self.label}

    def shown(self) -> str:
        return f"{self.day} {self.label}".strip()


def expected() -> str:
    return _("a month and day like 05-20, optionally a label after a colon: `05-20:合作纪念日`")


def parse_anniversary(value: str, field: str = "anniversary") -> Anniversary:
    """`MM-DD[:label]` (a full date keeps only its month and day; a full-width colon is
    a colon). A colon with no label after it, an impossible day, or a label with control
    characters is refused."""
    text = value.replace("：", ":")
    day_text, colon, label_text = text.partition(":")
    if not day_text.strip():
        raise InvalidValue(field, value, expected())
    try:
        day = parse_birthday(day_text, field)[-5:]
    except InvalidValue:
        raise InvalidValue(field, value, expected()) from None
    label = fields.text(label_text, field, max_length=fields.MAX_NAME) if colon else None
    if colon and label is None:
        raise InvalidValue(
            field, value, _("a label after the colon (or no colon: 05-20 without a label)")
        )
    if label is not None and ("\n" in label or "\r" in label or "\t" in label):
        raise InvalidValue(field, value, _("a label on one line"))
    return Anniversary(day, label or "")


def parse_anniversaries(values: list[str], field: str = "anniversary") -> list[Anniversary]:
    """Each value parsed; the same anniversary given twice is refused."""
    found: list[Anniversary] = []
    for value in values:
        item = parse_anniversary(value, field)
        if item in found:
            raise InvalidValue(field, value, _("each anniversary once"))
        found.append(item)
    return found


def anniversaries_of(conn: sqlite3.Connection, customer_id: int) -> list[Anniversary]:
    return [
        Anniversary(r[0], r[1])
        for r in conn.execute(
            "SELECT day, label FROM anniversaries WHERE customer_id = ? ORDER BY day, label",
            (customer_id,),
        )
    ]


def replace_anniversaries(
    conn: sqlite3.Connection, customer_id: int, items: list[Anniversary], stamp: str
) -> list[int]:
    """Make the customer's anniversaries exactly `items`; returns the ids of the rows
    deleted (their pending greetings are the caller's to cancel). Rows kept keep their
    id, so their greetings stay as planned."""
    current = {
        Anniversary(r[1], r[2]): int(r[0])
        for r in conn.execute(
            "SELECT id, day, label FROM anniversaries WHERE customer_id = ?", (customer_id,)
        )
    }
    removed = [i for a, i in current.items() if a not in items]
    conn.executemany("DELETE FROM anniversaries WHERE id = ?", [(i,) for i in removed])
    conn.executemany(
        "INSERT INTO anniversaries (customer_id, day, label, created_at) VALUES (?, ?, ?, ?)",
        [(customer_id, a.day, a.label, stamp) for a in items if a not in current],
    )
    return removed
