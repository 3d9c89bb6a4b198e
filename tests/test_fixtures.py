"""The shared fixtures themselves: the small office every test copies is the office the
CLI builds, row for row."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import build_office, open_db, sqlite_only


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in rowid order, without the columns stamped with the clock."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        found = {}
        for table in tables:
            columns = [
                row[1]
                for row in conn.execute(f"PRAGMA table_info({table})")
                if not row[1].endswith("_at")
            ]
            found[table] = conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid"
            ).fetchall()
        return found
    finally:
        conn.close()


@sqlite_only("the office template is a file, read through sqlite_master and rowid")
def test_the_office_copy_holds_what_the_cli_builds(
    office_template: Path, initdb: Callable[..., Any], db_path: Path
) -> None:
    build_office(initdb)
    built = table_rows(db_path)
    assert built == table_rows(office_template)
    assert len(built["staff"]) == 8 and len(built["customers"]) == 2
    assert len(built["contacts"]) == 2 and built["callbacks"]


def test_each_test_gets_its_own_copy(office: Callable[..., Any], db_path: Path) -> None:
    r = office("staff", "add", "钱多", "--role", "clerk")
    assert r.exit_code == 0, r.output
    conn = open_db(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM staff").fetchone()[0] == 9
    finally:
        conn.close()


def test_a_change_in_one_test_does_not_reach_the_next(
    office: Callable[..., Any], db_path: Path
) -> None:
    """Runs after the test above: the copy starts again from the eight staff."""
    conn = open_db(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM staff").fetchone()[0] == 8
    finally:
        conn.close()
