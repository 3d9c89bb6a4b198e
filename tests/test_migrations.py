"""An older database is upgraded in place, after a backup, with every row intact.

tests/fixtures/schema-v1.db was written by followup's first released schema (v1): a
small office with staff, customers, contacts, events, calls, callbacks, a closed and an
escalated complaint. It must never be regenerated with newer code.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

from followup_cli.store import SCHEMA_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "schema-v1.db"
TABLES = (
    "staff",
    "customers",
    "contacts",
    "events",
    "callbacks",
    "calls",
    "tickets",
    "ticket_history",
    "escalations",
    "calendar",
    "meta",
)


def columns_of(db: Path, table: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def dump(db: Path, like: Path | None = None) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table; only the columns `like` has, if given (a newer schema
    adds columns, and the old ones must keep their values)."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for t in TABLES:
            names = ", ".join(columns_of(like, t)) if like else "*"
            out[t] = conn.execute(f"SELECT {names} FROM {t} ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


def version(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_the_fixture_is_the_first_schema() -> None:
    assert version(FIXTURE) == 1
    assert SCHEMA_VERSION > 1, "the upgrade path needs a newer schema than the fixture's"


def test_opening_a_v1_database_upgrades_it_in_place_after_a_backup(tmp_path: Path, run) -> None:
    db = tmp_path / "office.db"
    shutil.copy(FIXTURE, db)
    before = dump(db)
    assert sum(len(rows) for rows in before.values()) > 100

    r = run("db", "check", db=db)

    assert r.exit_code == 0, r.output
    assert "Integrity: ok; foreign keys: ok" in r.stdout
    assert version(db) == SCHEMA_VERSION
    assert dump(db, like=FIXTURE) == before  # every row intact
    backups = list(tmp_path.glob("office.db.v1-*.bak"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert version(backups[0]) == 1
    assert dump(backups[0]) == before
    conn = sqlite3.connect(db)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    applied = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    conn.close()
    assert {"calls_caller", "escalations_day", "tickets_call", "customers_list"} <= names
    assert applied == [
        "m001_initial",
        "m002_report_indexes",
        "m003_customer_list_index",
        "m004_texts_as_messages",
    ]


def test_the_upgraded_office_keeps_working(tmp_path: Path, run) -> None:
    db = tmp_path / "office.db"
    shutil.copy(FIXTURE, db)
    r = run("due", "--format", "json", db=db)
    assert r.exit_code == 0, r.output
    r = run("ticket", "show", "1", "--format", "json", db=db)
    assert r.exit_code == 0, r.output
    assert '"status": "closed"' in r.stdout
    r = run("log-call", "C000003", "--outcome", "reached", "--by", "张丽", db=db)
    assert r.exit_code == 0, r.output
    # A second open finds the schema current: no second backup.
    run("db", "check", db=db)
    assert len(list(tmp_path.glob("office.db.v1-*.bak"))) == 1


def test_a_failed_upgrade_leaves_the_v1_file_as_it_was(tmp_path: Path, run, monkeypatch) -> None:
    from followup_cli.store import migrations

    db = tmp_path / "office.db"
    shutil.copy(FIXTURE, db)
    before = dump(db)

    def broken(database: object) -> None:
        migrations.m002_report_indexes(database)
        raise RuntimeError("disk full")

    broken.__name__ = "m002_report_indexes"
    monkeypatch.setattr(migrations, "MIGRATIONS", [migrations.m001_initial, broken])
    r = run("db", "check", db=db)

    assert r.exit_code != 0
    assert "Traceback" not in r.output
    assert version(db) == 1
    assert dump(db) == before
    conn = sqlite3.connect(db)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.close()
    assert "calls_caller" not in names
