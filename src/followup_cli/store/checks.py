"""`db check`: SQLite's integrity and foreign-key checks, plus our own invariants."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from followup_cli.store.connection import schema_version
from followup_cli.support.i18n import _


@dataclass
class CheckReport:
    integrity: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    schema_version: int = 0
    journal_mode: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.integrity and not self.foreign_keys


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
    for (line,) in conn.execute("PRAGMA integrity_check"):
        if line != "ok":
            report.integrity.append(str(line))
    for row in conn.execute("PRAGMA foreign_key_check"):
        table, rowid, parent = row[0], row[1], row[2]
        report.foreign_keys.append(
            _("{table} row {rowid} refers to a missing {parent} row").format(
                table=table, rowid=rowid, parent=parent
            )
        )
    report.schema_version = schema_version(conn)
    report.journal_mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    for table in TABLES:
        report.counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return report
