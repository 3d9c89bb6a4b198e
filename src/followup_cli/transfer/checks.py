"""What needs the database, checked on the staged rows before anything is written:
unknown customers or staff, keys repeated in the file, set-based."""

from __future__ import annotations

import sqlite3

from followup_cli.domain.session import Session
from followup_cli.support.i18n import N_, _, label
from followup_cli.transfer.results import CellError

# -- database checks (after staging, before writing) ----------------------------------


def _missing(
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    name: str,
    sql: str,
    expected: str,
) -> list[CellError]:
    if name not in present:
        return []
    col, head = present[name]
    return [
        CellError(line, col, head, str(value), expected)
        for line, value in conn.execute(sql.format(stage=f"temp.{stage}", col=f'"{name}"'))
    ]


def _duplicates(
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    key: list[str],
    expected: str,
) -> list[CellError]:
    """A CellError for each repeat of a key; `expected` holds {other}, the first line."""
    cols = ", ".join(f'"{k}"' for k in key)
    col, head = present[key[-1]] if key[-1] in present else (0, key[-1])
    out: list[CellError] = []
    not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in key)
    # SQLite-only: group_concat. A second engine needs string_agg(CAST(line AS TEXT), ',').
    for row in conn.execute(
        f"SELECT group_concat(line), {cols} FROM temp.{stage} WHERE {not_null}"
        f" GROUP BY {cols} HAVING count(*) > 1"
    ):
        lines = [int(x) for x in str(row[0]).split(",")]
        for line in lines[1:]:
            out.append(
                CellError(
                    line,
                    col,
                    head,
                    str(row[len(key)]),
                    expected,
                    other=lines[0],
                )
            )
    return out


CUSTOMER_HINT = N_("a customer code already in the database (import customers first)")
STAFF_HINT = N_("a staff name (import staff first, or `followup staff add`)")


def _check_staff(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    return _duplicates(
        conn, stage, present, ["name"], _("a staff name that appears once (also on line {other})")
    )


def _check_customers(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    errors: list[CellError] = []
    if "code" in present:
        errors += _duplicates(
            conn,
            stage,
            present,
            ["code"],
            _("a customer code that appears once (also on line {other})"),
        )
    col, head = present["name"]
    for line, name, n in conn.execute(
        f"SELECT s.line, s.name, (SELECT count(*) FROM customers c WHERE c.name = s.name)"
        f" FROM temp.{stage} s WHERE s.code IS NULL AND s.name IS NOT NULL"
    ):
        if n > 1:
            errors.append(
                CellError(
                    line,
                    col,
                    head,
                    name,
                    _("a code: {n} customers already have this name").format(n=n),
                )
            )
    if "code" not in present:
        errors += _duplicates(
            conn,
            stage,
            present,
            ["name"],
            _("a customer name that appears once (also on line {other})"),
        )
    return errors


def _check_contacts(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    return _duplicates(
        conn,
        stage,
        present,
        ["customer_id", "name"],
        _("a contact name per customer that appears once (also on line {other})"),
    )


EVENT_KEY = ("customer_id", "kind", "date", "ref")


def _check_events(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    """Copies the stage in key order (`{stage}_sorted`: the write then appends to the
    unique index without sorting under the lock), and finds repeated keys as neighbours."""
    key = ", ".join(EVENT_KEY)
    sorted_stage = f"{stage}_sorted"
    conn.execute(f"DROP TABLE IF EXISTS temp.{sorted_stage}")
    conn.execute(f"CREATE TEMP TABLE {sorted_stage} AS SELECT * FROM temp.{stage} WHERE false")
    conn.execute(
        f"INSERT INTO temp.{sorted_stage} SELECT * FROM temp.{stage}"
        f" WHERE {' AND '.join(f'{k} IS NOT NULL' for k in EVENT_KEY)} ORDER BY {key}, line"
    )
    col, head = present.get("ref", (0, "ref"))
    expected = _("a customer, kind, date and ref that appears once (also on line {other})")
    same = " AND ".join(f"b.{k} = a.{k}" for k in EVENT_KEY)
    # SQLite-only: rowid, the copy's insertion order. A second engine needs an identity
    # column in the sorted copy (or row_number() OVER (ORDER BY key, line)).
    return [
        CellError(line, col, head, str(ref), expected, other=other)
        for line, ref, other in conn.execute(
            f"SELECT b.line, b.ref, a.line FROM temp.{sorted_stage} a"
            f" JOIN temp.{sorted_stage} b ON b.rowid = a.rowid + 1 AND {same}"
        )
    ]


def _check_calls(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    col, head = present["outcome"]
    changed = [
        CellError(
            line,
            col,
            head,
            text,
            _(
                "the outcome already recorded ({outcome}): a logged call's outcome cannot change"
            ).format(outcome=label("outcome", outcome)),
        )
        for line, text, outcome in conn.execute(
            f"SELECT s.line, s.outcome_text, t.outcome FROM temp.{stage} s JOIN calls t"
            " ON t.customer_id = s.customer_id AND t.at = s.at AND t.caller = s.by"
            " WHERE s.outcome != t.outcome"
        )
    ]
    return (
        changed
        + _missing(
            conn,
            stage,
            present,
            "contact",
            "SELECT s.line, s.{col} FROM {stage} s WHERE s.{col} IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM contacts ct WHERE ct.customer_id = s.customer_id AND ct.name = s.{col})",
            _("a contact of that customer (import contacts first)"),
        )
        + _duplicates(
            conn,
            stage,
            present,
            ["customer_id", "at", "by"],
            _("a customer, time and caller that appears once (also on line {other})"),
        )
    )


CHECKS = {
    "staff": _check_staff,
    "customers": _check_customers,
    "contacts": _check_contacts,
    "events": _check_events,
    "calls": _check_calls,
}
