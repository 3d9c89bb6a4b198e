"""`followup db copy SRC DEST`: a whole office from one database to another, SQLite or
PostgreSQL either side (moving up to a server, and back).

Both ends are open and at this release's schema (opening migrates them). The copy is
one transaction on the destination: every table's rows, ids kept, foreign keys checked
at the commit (tables refer to each other: calls, callbacks, tickets); then every
table's row count is compared with the source's, and any difference rolls it all back.
A destination that holds data is refused unless `replace`, which empties it first in
the same transaction (the triggers that refuse deleting the record are set aside for
that, and put back before the commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followup_cli.store.connection import open_database
from followup_cli.store.engines import is_server, is_server_url, open_server
from followup_cli.store.meta import DUE_SUMMARY_KEY, delete_meta
from followup_cli.support.errors import Refused
from followup_cli.support.i18n import _

# Not copied: each database's own record of the migrations applied to it.
OWN = frozenset({"_migrations"})
# Not copied either: the due list's maintained state (domain/callbacks/due_summary.py),
# which the destination's next `due` builds again from the rows.
DERIVED = frozenset(
    {"due_summary", "due_reasons", "due_csv_lines", "due_json_lines", "due_unlined", "due_dirty"}
)
BATCH = 2000


@dataclass
class CopyReport:
    counts: dict[str, int] = field(default_factory=dict)


def open_location(location: str, *, create: bool = False) -> Any:
    """A database named as --db names one: a PostgreSQL URL or a SQLite file's path."""
    if is_server_url(location):
        return open_server(location.strip(), create=create)
    return open_database(Path(location), create=create)


def table_names(conn: Any) -> list[str]:
    """The office's tables, by name."""
    if is_server(conn):
        names = conn.table_names()
    else:
        # SQLite-only: sqlite_master.
        names = {
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    return sorted(n for n in names if n not in OWN)


def _count(conn: Any, table: str) -> int:
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _columns(conn: Any, table: str) -> list[str]:
    cursor = conn.execute(f'SELECT * FROM "{table}" LIMIT 0')
    return [str(getattr(d, "name", None) or d[0]) for d in cursor.description]


def holds_data(conn: Any) -> list[str]:
    """The tables of `conn` that have rows (meta and the calendar aside: a new
    database's own)."""
    quiet = {"meta", "calendar"} | DERIVED
    return [t for t in table_names(conn) if t not in quiet and _count(conn, t)]


def copy_office(source: Any, dest: Any, *, replace: bool) -> CopyReport:
    tables = [t for t in table_names(source) if t not in DERIVED]
    missing = sorted(set(tables) - set(table_names(dest)))
    if missing:
        raise Refused(
            _("the destination lacks tables the source has: {tables}").format(
                tables=", ".join(missing)
            )
        )
    full = holds_data(dest)
    if full and not replace:
        raise Refused(
            _("the destination already holds data ({tables})").format(tables=", ".join(full)),
            _("Nothing was copied. Give --replace to empty it first, or choose an empty one."),
        )
    report = CopyReport()
    dest.execute("BEGIN IMMEDIATE")
    source.execute("BEGIN")  # one snapshot of the source
    try:
        _defer_foreign_keys(dest)
        _empty(dest, table_names(dest))
        for table in tables:
            columns = _columns(source, table)
            names = ", ".join(f'"{c}"' for c in columns)
            insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
            cursor = source.execute(f'SELECT {names} FROM "{table}"')
            while rows := cursor.fetchmany(BATCH):
                dest.executemany(insert, [tuple(r) for r in rows])
            report.counts[table] = _count(source, table)
        for table, expected in report.counts.items():
            found = _count(dest, table)
            if found != expected:
                raise Refused(
                    _(
                        "the copy of {table} holds {found} rows, the source {expected}:"
                        " nothing was copied"
                    ).format(table=table, found=found, expected=expected)
                )
        # The due list's state, marked by the triggers while the rows went in: dropped,
        # to be built again by the next `due`.
        for table in sorted(DERIVED & set(table_names(dest))):
            dest.execute(f'DELETE FROM "{table}"')
        delete_meta(dest, DUE_SUMMARY_KEY)
        dest.execute("COMMIT")
    except BaseException:
        if dest.in_transaction:
            dest.execute("ROLLBACK")
        raise
    finally:
        if source.in_transaction:
            source.execute("COMMIT")
    return report


def _defer_foreign_keys(dest: Any) -> None:
    if is_server(dest):
        dest.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        # SQLite-only: the foreign keys checked at the commit.
        dest.execute("PRAGMA defer_foreign_keys = ON")


def _empty(dest: Any, tables: list[str]) -> None:
    """Every row of the destination gone (its own migration record aside)."""
    if is_server(dest):
        # TRUNCATE fires no row trigger: the never-deleted record is emptied whole.
        dest.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
        return
    # SQLite-only: the triggers refusing deletes set aside, then put back as they were.
    triggers = dest.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%'"
    ).fetchall()
    for name, _sql in triggers:
        dest.execute(f'DROP TRIGGER "{name}"')
    for table in tables:
        dest.execute(f'DELETE FROM "{table}"')
    for _name, sql in triggers:
        dest.execute(sql)
