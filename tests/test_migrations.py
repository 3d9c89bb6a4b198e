"""An older database is upgraded in place, after a backup, with every row intact.

tests/fixtures/schema-v1.db was written by followup's first released schema (v1): a
small office with staff, customers, contacts, events, calls, callbacks, a closed and an
escalated complaint. It must never be regenerated with newer code.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
from pathlib import Path

from conftest import sqlite_only
from followup_cli.store import SCHEMA_VERSION

pytestmark = sqlite_only(
    "upgrading SQLite files of older schema versions in place (fixtures are files)"
)

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
    backups = list(tmp_path.glob("office.db.v1.bak"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert version(backups[0]) == 1
    assert dump(backups[0]) == before
    conn = sqlite3.connect(db)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    applied = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    conn.close()
    assert {"calls_caller", "escalations_day", "tickets_call", "customers_list"} <= names
    assert {"callbacks_pending_role_due", "customers_name_key"} <= names
    assert applied == [
        "m001_initial",
        "m002_report_indexes",
        "m003_customer_list_index",
        "m004_texts_as_messages",
        "m005_callbacks_workload_index",
        "m006_who_changed",
        "m007_customer_name_key",
        "m008_tamper_triggers",
        "m009_ticket_approval",
        "m010_warnings",
        "m011_seed_planning",
        "m012_contacts_in_charge",
        "m013_notices",
        "m014_visit_reports_and_amounts",
        "m015_due_summary",
        "m016_privacy",
        "m017_due_table_lines",
        "m018_one_calls_index_per_customer",
    ]
    assert {"warnings_open", "warnings_raised", "warnings_cleared"} <= names
    assert "events_contact" in names


def test_the_upgrade_keys_every_name_so_a_namesake_is_refused(tmp_path: Path, run) -> None:
    from followup_cli.domain.customers.names import name_key

    db = tmp_path / "office.db"
    shutil.copy(FIXTURE, db)
    assert run("db", "check", db=db).exit_code == 0
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT code, name, name_key FROM customers ORDER BY id").fetchall()
    conn.close()
    assert stored and all(key == name_key(name) for _code, name, key in stored)
    code, name, _key = stored[0]
    r = run("customer", "add", f" {name}\u3000", db=db)  # spaced: the same name
    assert r.exit_code == 1, r.output
    assert f"already exists: {code}" in r.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == len(stored)
    conn.close()


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
    assert len(list(tmp_path.glob("office.db.v1.bak"))) == 1


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


# -- v3 -> v4: the texts the tool wrote become messages ---------------------------------

V3 = Path(__file__).parent / "fixtures" / "schema-v3.db"
# What followup at schema v3 printed for V3 in English (made by fixtures/schema-v3/make.sh
# with that release, on 2026-11-27): the upgraded database prints the same.
V3_SCREENS = {
    "ticket_show_1": ("ticket", "show", "1"),
    "ticket_show_2": ("ticket", "show", "2"),
    "due_days_7": ("due", "--days", "7"),
    "report_daily": ("report", "daily"),
    "report_complaints": ("report", "complaints"),
    "customer_show_C001": ("customer", "show", "C001"),
}
ZH = {"FOLLOWUP_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"}


V3_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d):\d\d\+08:00  ")
V3_STAMP_WIDTH, SHOWN_WIDTH = 25, 16  # 2026-11-23T06:53:31+08:00, 2026-11-23 06:53


def times_as_shown_now(screen: str, today: str) -> str:
    """A v3 screen with its time column as screens show times since issue 15: v3
    printed stored timestamps raw; now they read on the office's clock to the minute,
    today's as `today 06:53` (the rest of the screen is what v3 printed)."""
    lines = screen.split("\n")
    for i, line in enumerate(lines):
        found = V3_STAMP.match(line)
        if found:
            day, clock = found.groups()
            shown = f"today {clock}" if day == today else f"{day} {clock}"
            lines[i] = shown.ljust(SHOWN_WIDTH) + line[V3_STAMP_WIDTH:]
        elif _above_times(lines, i):  # the time column's header and its rule
            lines[i] = line[:SHOWN_WIDTH] + line[V3_STAMP_WIDTH:]
    return "\n".join(lines)


def _above_times(lines: list[str], i: int) -> bool:
    rule = lines[i].startswith("-" * V3_STAMP_WIDTH + "  ")
    if rule:
        return i + 1 < len(lines) and bool(V3_STAMP.match(lines[i + 1]))
    return (
        i + 2 < len(lines) and lines[i + 1].startswith("-") and bool(V3_STAMP.match(lines[i + 2]))
    )


# What a screen shows now that v3 did not print, for the v3 data.
SINCE_V3 = {"report_daily": "\nNew complaints, reported at once\nNo new complaints today.\n"}


def test_the_v3_fixture_was_written_by_schema_v3() -> None:
    assert version(V3) == 3


def test_a_v3_database_upgrades_its_texts_to_messages_after_a_backup(tmp_path: Path, run) -> None:
    db = tmp_path / "office.db"
    shutil.copy(V3, db)
    before = dump(db)

    r = run("db", "check", db=db)
    assert r.exit_code == 0, r.output
    assert version(db) == SCHEMA_VERSION
    assert dump(db, like=V3) == before  # every row and column of v3 as it was
    backups = list(tmp_path.glob("office.db.v3.bak"))
    assert len(backups) == 1 and dump(backups[0]) == before
    for name, args in V3_SCREENS.items():
        r = run(*args, db=db, today="2026-11-27")
        assert r.exit_code == 0, r.output
        expected = (V3.parent / "schema-v3" / f"{name}.txt").read_text(encoding="utf-8")
        # A section the daily report gained since v3 (issue 17); v3 had no report rows.
        shown = r.stdout.replace(SINCE_V3.get(name, "\0"), "", 1)
        assert shown == times_as_shown_now(expected, "2026-11-27"), name
    conn = sqlite3.connect(db)
    messages = {
        table: conn.execute(f"SELECT count(*), count({column}) FROM {table}").fetchone()
        for table, column in (
            ("callbacks", "detail_message"),
            ("tickets", "summary_message"),
            ("escalations", "note_message"),
        )
    }
    typed = conn.execute(
        "SELECT summary_message FROM tickets WHERE summary = 'unreachable; call after 3pm'"
    ).fetchone()
    note = conn.execute("SELECT note_message FROM ticket_history WHERE action = 'note'").fetchone()
    conn.close()
    assert messages["callbacks"][0] == messages["callbacks"][1] > 10  # every detail
    assert messages["tickets"] == (4, 1)  # the one a call's answer opened
    assert messages["escalations"] == (5, 3)
    assert typed == (None,) and note == (None,)  # what people typed stays theirs


def test_the_upgraded_v3_texts_read_in_chinese(tmp_path: Path, run) -> None:
    db = tmp_path / "office.db"
    shutil.copy(V3, db)

    def zh(*args: str) -> str:
        r = run(*args, db=db, today="2026-11-27", env=ZH)
        assert r.exit_code == 0, r.output
        return r.stdout

    shown = zh("ticket", "show", "2")
    assert shown.startswith("投诉 #2：unreachable; call after 3pm\n")  # as typed
    assert "超出时限：应于 2026-11-26 前解决（没有营销总监：交给上一级）" in shown
    assert "warning cleared" in shown  # a clerk's note, as typed
    assert "重要客户，一般：交给服务经理（刘洋）" in shown
    first = zh("ticket", "show", "1")
    assert "超出时限：应于 2026-11-26 前解决（已在最高一级：再次提醒）" in first
    assert "客户要求经理回电" in first
    daily = zh("report", "daily")
    assert "紧急预警：有严重投诉未关闭；2 个未关闭的投诉" in daily
    due = zh("due", "--days", "7")
    assert "#14 二级回访：核查 2026-11-20 服务回访 WO-8812" in due
    assert "#17 重拨：2026-11-23 无人接听，需再拨" in due
    assert "#18 投诉回访：问题是否已彻底解决？投诉 #3：配件发错了" in due
    assert "a critical" not in daily and "SLA breached" not in shown + first


def test_the_templates_m004_reads_are_those_v3_wrote() -> None:
    """m004 reads schema v3's English back through today's templates: rewording one of
    them would leave old texts unconverted. Changing a template therefore needs a frozen
    copy of the v3 one in store/legacy_texts.py first; this test says so."""
    import json

    from followup_cli.domain.texts import TEMPLATES

    frozen = json.loads(
        (Path(__file__).parent / "fixtures" / "schema-v3" / "templates.json").read_text(
            encoding="utf-8"
        )
    )
    changed = {
        code: TEMPLATES.get(code) for code, text in frozen.items() if TEMPLATES.get(code) != text
    }
    assert changed == {}, "freeze the v3 templates in store/legacy_texts.py before rewording"
