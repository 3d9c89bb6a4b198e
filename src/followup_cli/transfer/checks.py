"""What needs the database, checked on the staged rows before anything is written:
unknown customers or staff, keys repeated in the file, set-based."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from followup_cli.domain.customers import records as customers
from followup_cli.domain.customers.names import name_key
from followup_cli.domain.session import Session
from followup_cli.store.engines import is_server
from followup_cli.support.i18n import N_, _, label
from followup_cli.transfer.results import CellError

# -- database checks (after staging, before writing) ----------------------------------


@dataclass(frozen=True)
class ImportOptions:
    """What the person importing allows beyond the plain upsert: a known customer code
    under another company name (`rename`), customers sharing one name."""

    rename: bool = False
    duplicate_names: bool = False


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
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    options: ImportOptions,
) -> list[CellError]:
    return _duplicates(
        conn, stage, present, ["name"], _("a staff name that appears once (also on line {other})")
    )


def _literal(text: str) -> str:
    """`text` inside an expectation, which is formatted once more (for {other})."""
    return text.replace("{", "{{").replace("}", "}}")


def _check_customers(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    options: ImportOptions,
) -> list[CellError]:
    """Codes that repeat; a known code under another company's name (unless
    `options.rename`); a new (or renamed) customer under a name another one has, in the
    database or the file (unless `options.duplicate_names`). Names match by
    `name_key`. A row without a code takes the code of the one customer with
    its name (written into the stage), or is new."""
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
    stored = customers.customer_names(conn)
    holders: dict[str, list[str]] = {}
    for code, name in stored.items():
        holders.setdefault(name_key(name), []).append(code)
    staged = conn.execute(
        f"SELECT line, code, name FROM temp.{stage} WHERE name IS NOT NULL ORDER BY line"
    ).fetchall()
    coded: dict[str, int] = {}  # code -> the first line giving it
    for line, code, _name in staged:
        if code is not None:
            coded.setdefault(code, line)
    filled: list[tuple[str, int]] = []
    first_codeless: dict[str, int] = {}  # name key -> the first line without a code
    first_new: dict[str, int] = {}  # name key -> the first line adding or renaming to it

    def refuse(line: int, name: str, expected: str, other: int | None = None) -> None:
        errors.append(CellError(line, col, head, name, expected, other))

    for line, code, name in staged:
        key = name_key(name)
        same = holders.get(key, [])

        if code is None:
            if key in first_codeless:
                refuse(
                    line,
                    name,
                    _("a customer name that appears once (also on line {other})"),
                    first_codeless[key],
                )
                continue
            first_codeless[key] = line
            if len(same) > 1:
                refuse(
                    line,
                    name,
                    _("a code: {n} customers already have this name").format(n=len(same)),
                )
                continue
            if same:
                if same[0] in coded:
                    refuse(
                        line,
                        name,
                        _(
                            "a code: this is customer {code}'s name, which line {other} updates too"
                        ).format(code=_literal(same[0]), other="{other}"),
                        coded[same[0]],
                    )
                else:
                    filled.append((same[0], line))
                continue
        elif code in stored:
            if name_key(stored[code]) == key:
                continue
            if not options.rename:
                refuse(
                    line,
                    name,
                    _(
                        "the name of customer {code}, {name}: another name renames that"
                        " customer (import with --rename if it is the same company under a"
                        " new name)"
                    ).format(code=_literal(code), name=_literal(stored[code])),
                )
                continue
        # A new customer, or a renamed one: its name is nobody else's.
        if options.duplicate_names:
            continue
        others = [other for other in same if other != code]
        if others:
            refuse(
                line,
                name,
                _(
                    "a name no other customer has ({codes} has it): give that code to"
                    " update the customer, or import with --allow-duplicate-name"
                ).format(codes=_literal(", ".join(others))),
            )
        elif key in first_new:
            refuse(
                line,
                name,
                _(
                    "a name no other new customer of the file has (also on line {other}),"
                    " or import with --allow-duplicate-name"
                ),
                first_new[key],
            )
        else:
            first_new[key] = line
    if filled and not errors:
        conn.execute("BEGIN")  # (the temp schema only: no lock on the database)
        conn.executemany(f"UPDATE temp.{stage} SET code = ? WHERE line = ?", filled)
        conn.execute("COMMIT")
    return errors


def _check_contacts(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    options: ImportOptions,
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
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    options: ImportOptions,
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
    repeated = [
        CellError(line, col, head, str(ref), expected, other=other)
        for line, ref, other in conn.execute(_repeated_keys(conn, sorted_stage))
    ]
    return (
        repeated
        + _missing(
            conn,
            stage,
            present,
            "contact",
            "SELECT s.line, s.{col} FROM {stage} s WHERE s.{col} IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM contacts ct WHERE ct.customer_id = s.customer_id AND ct.name = s.{col})"
            " ORDER BY s.line",
            _("a contact of that customer (import contacts first)"),
        )
        + _in_use_before_event(conn, stage, present)
    )


def _repeated_keys(conn: sqlite3.Connection, sorted_stage: str) -> str:
    """SQL: each row of the sorted copy whose key the row before it has too (line, ref,
    the other line), in the copy's order. A dialect choice: SQLite compares each row with
    its neighbour by rowid, the copy's insertion order (no sort of a million rows); the
    server has no rowid, and asks the row before in the key's order (a window)."""
    if is_server(conn):
        key = ", ".join(EVENT_KEY)
        return (
            f"SELECT line, ref, other FROM (SELECT line, {key}, lag(line) OVER"
            f" (PARTITION BY {key} ORDER BY line) AS other FROM temp.{sorted_stage}) w"
            f" WHERE other IS NOT NULL ORDER BY {key}, line"
        )
    same = " AND ".join(f"b.{k} = a.{k}" for k in EVENT_KEY)
    return (
        f"SELECT b.line, b.ref, a.line FROM temp.{sorted_stage} a"
        f" JOIN temp.{sorted_stage} b ON b.rowid = a.rowid + 1 AND {same}"
    )


def _in_use_before_event(
    conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    """An `in_use` day before the event's date, or more than a year after it (as
    `event add --in-use` refuses it)."""
    if "in_use" not in present:
        return []
    # Only a file with the column needs the rule (and the events module).
    from followup_cli.domain.events.records import IN_USE_WITHIN_DAYS

    col, head = present["in_use"]
    return [
        CellError(
            line,
            col,
            head,
            str(in_use),
            _("a date on or after the event's date ({date}) and within a year of it").format(
                date=day
            ),
        )
        for line, in_use, day in conn.execute(
            f"SELECT line, in_use, date FROM temp.{stage} WHERE in_use IS NOT NULL"
            " AND date IS NOT NULL AND (in_use < date OR in_use > date(date, ?)) ORDER BY line",
            (f"+{IN_USE_WITHIN_DAYS} days",),
        )
    ]


def _check_calls(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    options: ImportOptions,
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
        + _findings_not_allowed(session, conn, stage, present)
    )


def _findings_not_allowed(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    """Findings (主要结论) on a call that is neither a visit nor to a customer of the visit
    reports' tiers, as `log-call --findings` refuses them."""
    if "findings" not in present:
        return []
    col, head = present["findings"]
    grades = [
        g for g in range(1, 6) if session.config.tier(g) in session.config["visit_reports"]["tiers"]
    ]
    marks = ", ".join("?" for _grade in grades) or "NULL"
    expected = _("findings only on a visit (channel visit) or a call to a {tiers} customer").format(
        tiers="/".join(label("tier", t) for t in session.config["visit_reports"]["tiers"])
    )
    return [
        CellError(line, col, head, str(text), expected)
        for line, text in conn.execute(
            f"SELECT s.line, s.findings FROM temp.{stage} s JOIN customers c ON c.id = s.customer_id"
            " WHERE s.findings IS NOT NULL AND coalesce(s.channel, 'phone') != 'visit'"
            f" AND c.grade NOT IN ({marks}) ORDER BY s.line",
            grades,
        )
    ]


CHECKS = {
    "staff": _check_staff,
    "customers": _check_customers,
    "contacts": _check_contacts,
    "events": _check_events,
    "calls": _check_calls,
}
