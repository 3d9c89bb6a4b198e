"""`db check`: SQLite's integrity and foreign-key checks, plus our own invariants.

Each check runs on its own: on a damaged file a check may itself fail ("database disk
image is malformed"), and that failure is a finding like any other, so `db check`
reports everything it can see instead of stopping at the first broken page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from followup_cli.store.connection import schema_version, write_transaction
from followup_cli.store.damage import decoded, is_damage_text
from followup_cli.store.engines import is_server
from followup_cli.store.meta import DUE_SUMMARY_KEY, delete_meta
from followup_cli.support.errors import Refused
from followup_cli.support.i18n import _, ngettext

# At most this many lines of one kind are listed (a damaged file can give thousands);
# the rest is counted.
MAX_LINES = 20


@dataclass
class CheckReport:
    integrity: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    # Per table, the rows whose parent row is missing: {table: {parent: [rowid, ...]}}.
    orphans: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    missing_schema: list[tuple[str, str]] = field(default_factory=list)  # (type, name)
    bad_text: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # checks that could not run
    schema_version: int = 0
    journal_mode: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def damaged(self) -> bool:
        """SQLite found the file itself damaged (not merely rows or schema missing)."""
        return bool(self.integrity) or any(is_damage_text(line) for line in self.failed)

    @property
    def ok(self) -> bool:
        return not (
            self.integrity
            or self.foreign_keys
            or self.missing_schema
            or self.bad_text
            or self.failed
        )


TABLES = (
    "customers",
    "contacts",
    "staff",
    "events",
    "callbacks",
    "calls",
    "tickets",
    "ticket_history",
    "escalations",
)


def check_database(conn: sqlite3.Connection) -> CheckReport:
    report = CheckReport()
    # SQLite-only: PRAGMA integrity_check, foreign_key_check and journal_mode. A second
    # engine has its own consistency checks (or none: a server enforces foreign keys as
    # it writes) and no journal mode to report.

    failures: dict[str, list[str]] = {}

    def run(name: str, check: Callable[[], None]) -> None:
        try:
            check()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            failures.setdefault(decoded(exc), []).append(name)

    def integrity() -> None:
        for (line,) in conn.execute("PRAGMA integrity_check"):
            if line != "ok":
                report.integrity.append(str(line))

    def foreign_keys() -> None:
        for row in conn.execute("PRAGMA foreign_key_check"):
            table, rowid, parent = row[0], row[1], row[2]
            report.orphans.setdefault(table, {}).setdefault(parent, []).append(rowid)
            report.foreign_keys.append(
                _("{table} row {rowid} refers to a missing {parent} row").format(
                    table=table, rowid=rowid, parent=parent
                )
            )

    def version() -> None:
        report.schema_version = schema_version(conn)

    def journal() -> None:
        report.journal_mode = conn.execute("PRAGMA journal_mode").fetchone()[0]

    def schema() -> None:
        report.missing_schema = missing_schema(conn)

    def count(table: str) -> Callable[[], None]:
        def check() -> None:
            report.counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

        return check

    if is_server(conn):
        # On a PostgreSQL server: the server keeps its pages sound and enforces the
        # foreign keys and UTF-8 as it writes; what followup checks is its schema.
        report.journal_mode = "PostgreSQL"
        run(_("schema version"), version)
        run(_("schema check"), schema)
    else:
        run(_("integrity check"), integrity)
        run(_("foreign key check"), foreign_keys)
        run(_("schema version"), version)
        run(_("journal mode"), journal)
        run(_("schema check"), schema)
        for table in TABLES:
            run(_("text check of {table}").format(table=table), text_check(conn, table, report))
    for table in TABLES:
        run(_("row count of {table}").format(table=table), count(table))
    # One line per error (a damaged schema stops every check with the same words).
    for error, names in failures.items():
        report.failed.append(
            _("{checks} could not run: {error}").format(checks=", ".join(names), error=error)
        )
    return report


def text_check(conn: sqlite3.Connection, table: str, report: CheckReport) -> Callable[[], None]:
    """Rows of `table` holding TEXT whose bytes are not UTF-8 (every command that reads
    such a row would stop): read as bytes, decoded here."""

    def check() -> None:
        columns = [
            row[1]
            for row in conn.execute(f"PRAGMA table_info({table})")
            if str(row[2]).upper() == "TEXT"
        ]
        if not columns:
            return
        factory = conn.text_factory
        conn.text_factory = bytes
        try:
            cursor = conn.execute(f"SELECT rowid, {', '.join(columns)} FROM {table}")
            for row in cursor:
                for name, value in zip(columns, tuple(row)[1:], strict=True):
                    if isinstance(value, bytes) and not _is_utf8(value):
                        report.bad_text.append(
                            _("{table} row {rowid}: {column} is not valid UTF-8").format(
                                table=table, rowid=row[0], column=name
                            )
                        )
        finally:
            conn.text_factory = factory

    return check


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def expected_schema() -> dict[str, tuple[str, str]]:
    """The indexes and triggers the migrations create: {name: (type, sql)}, read from a
    database built in memory by running every migration."""
    # Only `db check` and `init` pay for the migrations (and sqlite-utils).
    import sqlite_utils

    from followup_cli.store.migrations import MIGRATIONS

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db = sqlite_utils.Database(conn)
        for step in MIGRATIONS:
            step(db)
        return {
            name: (kind, sql)
            for kind, name, sql in conn.execute(
                "SELECT type, name, sql FROM sqlite_master"
                " WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
            )
        }
    finally:
        conn.close()


def _present(conn: sqlite3.Connection) -> set[str]:
    if is_server(conn):
        return conn.schema_objects()  # type: ignore[attr-defined, no-any-return]
    return {
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")
    }


def missing_schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The indexes and triggers of this release's schema that the database lacks (a
    person dropped them with sqlite3, or a damaged schema lost them)."""
    present = _present(conn)
    return sorted(
        (kind, name) for name, (kind, _sql) in expected_schema().items() if name not in present
    )


def restore_schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Create the missing indexes and triggers again (`init`, safe to repeat), in one
    transaction; the ones restored, as (type, name)."""
    expected = expected_schema()
    if not any(name not in _present(conn) for name in expected):
        return []
    with write_transaction(conn):
        present = _present(conn)
        restored = []
        for name, (kind, sql) in sorted(expected.items()):
            if name not in present:
                try:
                    conn.execute(sql)
                except sqlite3.IntegrityError as exc:
                    # A unique index the rows no longer satisfy (changed outside followup).
                    raise Refused(
                        _("cannot create the index {name} again: {error}").format(
                            name=name, error=exc
                        ),
                        _(
                            "Nothing was changed. Rows changed outside followup break it:"
                            " restore the latest backup, or correct the rows named."
                        ),
                    ) from None
                restored.append((kind, name))
        if any(kind == "trigger" for kind, _name in restored):
            # What the triggers keep (the due summary) may have missed writes meanwhile:
            # dropped, to be built again from the rows.
            delete_meta(conn, DUE_SUMMARY_KEY)
    return restored


def orphan_lines(report: CheckReport) -> list[str]:
    """One line per table and missing parent: how many rows, which (the first few)."""
    lines = []
    for table, parents in sorted(report.orphans.items()):
        for parent, rowids in sorted(parents.items()):
            shown = ", ".join(str(r) for r in rowids[:MAX_LINES])
            more = "…" if len(rowids) > MAX_LINES else ""
            lines.append(
                ngettext(
                    "{table}: {n} row refers to a missing {parent} row (row {rows}{more})",
                    "{table}: {n} rows refer to a missing {parent} row (rows {rows}{more})",
                    len(rowids),
                ).format(table=table, n=len(rowids), parent=parent, rows=shown, more=more)
            )
    return lines


def first(lines: list[Any]) -> list[Any]:
    """The lines to print of a long list: the first MAX_LINES."""
    return lines[:MAX_LINES]
