"""What an import changes in the rows already in the database, field by field, found
on the staged rows before the write lock is taken: the dry run and the real run list
the same changes, and a row counts as updated when (and only when) it has one.

Each kind compares the columns its writer updates (`writing`), with the same rule: a
blank grade keeps the customer's grade; a contacts file that marks nobody primary for
a customer leaves that customer's primary contact alone."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from followup_cli.domain.contacts import records as contacts
from followup_cli.domain.customers import records as customers
from followup_cli.transfer.csv_read import CsvSource, physical_lines
from followup_cli.transfer.results import FieldChange

# The vocabulary (i18n context) a changed value is labelled with, per kind and field.
VALUE_LABELS = {
    "staff": {"role": "role"},
    "contacts": {"role": "contact_role"},
    "calls": {"channel": "channel"},
}
FLAGS = {"primary"}  # fields whose values are yes/no
CUSTOMER_CODE = "(SELECT c.code FROM customers c WHERE c.id = s.customer_id)"  # in a key


@dataclass(frozen=True)
class _Compared:
    field: str
    new: str  # SQL of the value the writer stores
    old: str  # SQL of the stored value


def _plain(cols: list[str]) -> list[_Compared]:
    return [_Compared(c, f's."{c}"', f't."{c}"') for c in cols]


def _present(present: dict[str, tuple[int, str]], *cols: str) -> list[str]:
    return [c for c in cols if c in present]


def _spec(
    kind: str, stage: str, present: dict[str, tuple[int, str]]
) -> tuple[str, str, list[_Compared]]:
    """The join of each staged row `s` with its stored row `t`, the key shown, and the
    compared fields."""
    if kind == "staff":
        join = f"FROM temp.{stage} s JOIN staff t ON t.name = s.name"
        return join, "s.name", _plain(_present(present, "role", "department", "phone", "email"))
    if kind == "customers":
        compared = _plain(_present(present, "name"))
        if "grade" in present:
            compared.append(_Compared("grade", "coalesce(s.grade, t.grade)", "t.grade"))
        compared += _plain(_present(present, *customers.TEXT_FIELDS))
        return f"FROM temp.{stage} s JOIN customers t ON t.code = s.code", "t.code", compared
    if kind == "contacts":
        join = (
            f"FROM temp.{stage} s JOIN contacts t ON t.customer_id = s.customer_id"
            " AND t.name = s.name"
        )
        compared = _plain(_present(present, "role", "phone", "wechat", "email", "birthday"))
        if "primary" in present:
            marked = (
                f"(SELECT p.name FROM ({contacts.staged_primaries(stage)}) p"
                " WHERE p.customer_id = s.customer_id)"
            )
            # (A CASE, not coalesce() of a comparison: the same SQL on both engines.)
            staged = (
                f"CASE WHEN {marked} IS NULL THEN t.is_primary"
                f" WHEN s.name = {marked} THEN 1 ELSE 0 END"
            )
            compared.append(_Compared("primary", staged, "t.is_primary"))
        return join, f"{CUSTOMER_CODE} || ' ' || s.name", compared
    if kind == "events":
        # The copy in key order that the checks made: the lookups walk the index in order.
        join = (
            f"FROM temp.{stage}_sorted s JOIN events t ON t.customer_id = s.customer_id"
            " AND t.kind = s.kind AND t.date = s.date AND t.ref = s.ref"
        )
        key = (
            f"{CUSTOMER_CODE} || ' ' || s.kind || ' ' || s.date"
            " || coalesce(' ' || nullif(s.ref, ''), '')"
        )
        compared = _plain(_present(present, "machine", "staff", "result", "note", "amount"))
        if "contact" in present:
            compared.append(
                _Compared(
                    "contact",
                    "s.contact",
                    "(SELECT k.name FROM contacts k WHERE k.id = t.contact_id)",
                )
            )
        return join, key, compared
    if kind == "calls":
        join = (
            f"FROM temp.{stage} s JOIN calls t ON t.customer_id = s.customer_id"
            ' AND t.at = s.at AND t.caller = s."by"'
        )
        cols = _present(
            present,
            "satisfaction",
            "recommend",
            "repurchase",
            "answers",
            "note",
            "channel",
            "findings",
        )
        return join, f"{CUSTOMER_CODE} || ' ' || s.at || ' ' || s.\"by\"", _plain(cols)
    raise ValueError(kind)


def staged_changes(
    conn: sqlite3.Connection, kind: str, stage: str, present: dict[str, tuple[int, str]]
) -> list[FieldChange]:
    """Every field the staged rows change in a stored row, in file order (`line` is the
    record's sequence number); for contacts also the former primary contacts the file
    does not hold."""
    join, key, compared = _spec(kind, stage, present)
    if not compared:
        return []
    values = ", ".join(f"{c.new}, {c.old}" for c in compared)
    differs = " OR ".join(f"({c.new}) IS NOT ({c.old})" for c in compared)
    found: list[FieldChange] = []
    for row in conn.execute(
        f"SELECT s.line, {key}, {values} {join} WHERE {differs} ORDER BY s.line"
    ):
        for i, c in enumerate(compared):
            new, old = row[2 + 2 * i], row[3 + 2 * i]
            if new != old:
                found.append(
                    FieldChange(row[0], row[1], c.field, _value(c.field, old), _value(c.field, new))
                )
    if kind == "contacts" and "primary" in present:
        found += _former_primaries(conn, stage)
    return found


def _value(name: str, value: Any) -> Any:
    return bool(value) if name in FLAGS and value is not None else value


def _former_primaries(conn: sqlite3.Connection, stage: str) -> list[FieldChange]:
    """The primary contacts the file does not name that lose the mark to one it does."""
    return [
        FieldChange(None, key, "primary", True, False)
        for (key,) in conn.execute(
            "SELECT c.code || ' ' || t.name FROM contacts t"
            f" JOIN ({contacts.staged_primaries(stage)}) p ON p.customer_id = t.customer_id"
            " JOIN customers c ON c.id = t.customer_id"
            " WHERE t.is_primary = 1 AND t.name != p.name AND NOT EXISTS"
            f" (SELECT 1 FROM temp.{stage} s WHERE s.customer_id = t.customer_id"
            " AND s.name = t.name) ORDER BY c.code, t.name"
        )
    ]


def located_changes(source: CsvSource, changes: list[FieldChange]) -> list[FieldChange]:
    """The changes, with records' sequence numbers turned into line numbers."""
    lines = physical_lines(source, [c.line for c in changes if c.line is not None])
    for c in changes:
        if c.line is not None:
            c.line = lines.get(c.line, c.line)
    return changes
