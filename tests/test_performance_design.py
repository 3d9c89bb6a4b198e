"""Speed by design (issue 7), checked without timing anything: hot commands do not import
heavy modules, and the hot queries use their indexes (EXPLAIN QUERY PLAN)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import sqlite_only

HEAVY = ("sqlite_utils", "rich", "holidays", "tomllib", "dateutil")


def imported_modules(db: Path, *args: str) -> set[str]:
    """The modules a real `followup ...` process imports (python -X importtime), on the
    second run (the first may fill the per-user caches, as on any machine's first day)."""
    followup(db, *(a.replace("{n}", "1") for a in args))
    r = followup(db, *(a.replace("{n}", "2") for a in args))
    names = set()
    for line in r.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def followup(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "followup_cli",
            "--db",
            str(db),
            "--today",
            "2026-11-23",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TZ": "Asia/Shanghai"},
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return r


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("due", "--format", "csv"),
        ("due", "--format", "json"),
        ("due",),  # off a terminal: plain text, no Rich
        ("customer", "list", "--limit", "20"),
        ("ticket", "list"),
        ("log-call", "C001", "--outcome", "no-answer", "--by", "李娜", "--at", "2026-11-23 9:0{n}"),
        ("ticket", "open", "C001", "--summary", "x", "--category", "other", "--by", "李娜"),
    ],
    ids=lambda a: " ".join(a),
)
@sqlite_only("the start-up of a SQLite command (a server loads its driver)")
def test_hot_commands_do_not_import_heavy_modules(
    office: Callable[..., Any], db_path: Path, args: tuple[str, ...]
) -> None:
    office("due")  # the calendar cache and the day's greetings are in place, as every morning
    names = imported_modules(db_path, *args)
    heavy = sorted(n for n in names if n.split(".")[0] in HEAVY)
    assert heavy == []


# What `--help` never loads (issue 20): no domain, store, output layer, transfer, config
# or catalogue beyond the CLI's own, and none of the modules only they use.
HELP_NEVER = (
    "followup_cli.domain",
    "followup_cli.store",
    "followup_cli.render",
    "followup_cli.transfer",
    "followup_cli.support.config",
    "followup_cli.support.dates",
    "sqlite3",
    "dataclasses",
    "json",
    "zoneinfo",
    "tempfile",
    "calendar",
)
# What `log-call` never loads: the tables and the CSV/JSON writers (it prints lines), the
# file-writing helpers' temp files, the calendar module (dates has its own month lengths),
# reports, the call script (a terminal without --outcome) and every other command.
LOG_CALL_NEVER = (
    "followup_cli.render.output",
    "followup_cli.render.csv_writer",
    "followup_cli.transfer",
    "followup_cli.domain.reports",
    "followup_cli.cli.call_script",
    "followup_cli.cli.common",
    "followup_cli.cli.due_cmd",
    "tempfile",
    "random",
    "glob",
    "calendar",
    "csv",
    "decimal",
)


def loaded(names: set[str], never: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == m or n.startswith(m + ".") for m in never))


def test_help_loads_only_the_cli(office: Callable[..., Any], db_path: Path) -> None:
    office("due")
    names = imported_modules(db_path, "--help")
    assert "followup_cli.cli.app" in names  # (the list is of this process's imports)
    assert loaded(names, HELP_NEVER) == []


@sqlite_only("counts what a SQLite start loads; the server's driver loads its own modules")
def test_log_call_loads_only_what_it_uses(office: Callable[..., Any], db_path: Path) -> None:
    office("due")
    names = imported_modules(
        db_path,
        "log-call",
        "C001",
        "--outcome",
        "reached",
        "--by",
        "李娜",
        "--at",
        "2026-11-23 9:0{n}",
    )
    assert "followup_cli.domain.calls.log" in names
    assert loaded(names, LOG_CALL_NEVER) == []


def test_month_lengths_agree_with_the_calendar_module() -> None:
    import calendar

    from followup_cli.support.dates import days_in_month, is_leap

    for year in range(1582, 2401):
        assert is_leap(year) == calendar.isleap(year)
        for month in range(1, 13):
            assert days_in_month(year, month) == calendar.monthrange(year, month)[1]


def plan(conn: Any, sql: str, params: Any = ()) -> str:
    return " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


@sqlite_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
def test_the_due_ranking_reads_pending_callbacks_through_the_due_index(
    office: Callable[..., Any], session: Callable[..., Any]
) -> None:
    from followup_cli.domain.callbacks.due import DueFilter, ranking_sql

    s = session()
    sql, params = ranking_sql(s, DueFilter(on=date(2026, 11, 23), limit=20))
    text = plan(s.conn, sql, params)
    assert "callbacks_pending_due" in text
    assert "SCAN cb" not in text  # no full scan of the callbacks table


@sqlite_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
def test_per_customer_queries_use_their_indexes(
    office: Callable[..., Any], session: Callable[..., Any]
) -> None:
    conn = session().conn
    assert "callbacks_customer" in plan(
        conn,
        "SELECT * FROM callbacks WHERE customer_id = ? AND status = 'pending' AND due_on <= ?",
        (1, "2026-11-26"),
    )
    assert "sqlite_autoindex_calls_1" in plan(
        conn, "SELECT max(at) FROM calls WHERE customer_id = ? AND outcome = 'reached'", (1,)
    )
    assert "tickets_customer" in plan(
        conn, "SELECT count(*) FROM tickets WHERE customer_id = ? AND status != 'closed'", (1,)
    )
    assert "customers_list" in plan(
        conn,
        "SELECT * FROM customers WHERE archived = 0 ORDER BY grade, code LIMIT 20",
    )
    assert "sqlite_autoindex_customers" in plan(
        conn, "SELECT * FROM customers WHERE code = ?", ("C001",)
    )
    assert "tickets_status" in plan(
        conn,
        "SELECT * FROM tickets WHERE status IN ('open', 'resolved') AND due_by < ?",
        ("2026-11-23",),
    )
    assert "calls_caller" in plan(
        conn,
        "SELECT count(*) FROM calls WHERE caller = ? AND day BETWEEN ? AND ?",
        ("李娜", "2026-11-01", "2026-11-30"),
    )
