"""The bench's own helpers (issue 20), checked without timing anything: the month-of-work
generator leaves the day's share due, taskwarrior's tasks are the due list's rows, and
the report's verdicts and lock figures read what they claim to."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import open_db, sqlite_only

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import generate  # noqa: E402
import month  # noqa: E402
import run as bench_run  # noqa: E402
import taskwarrior  # noqa: E402

Run = Callable[..., Any]
TODAY = "2026-11-23"


def small_office(run: Run, folder: Path, customers: int = 120, events: int = 1500) -> None:
    """The bench's generated office at a small size, imported through the CLI."""
    rng = random.Random(generate.SEED)
    rows, grades = generate.make_customers(rng, customers)
    generate._write(folder / "staff.csv", generate.make_staff())
    generate._write(folder / "customers.csv", rows)
    chunks = [row for chunk in generate.event_rows(rng, grades, events) for row in chunk]
    generate._write(folder / "events.csv", [generate.EVENT_HEADER, *chunks])
    assert run("init").exit_code == 0
    for kind in ("staff", "customers", "events"):
        r = run("import", kind, str(folder / f"{kind}.csv"))
        assert r.exit_code == 0, r.output


def due_customers(db: Path, before: str | None = None) -> set[str]:
    sql = (
        "SELECT DISTINCT c.code FROM callbacks b JOIN customers c ON c.id = b.customer_id"
        " WHERE b.status = 'pending' AND b.due_on " + ("< ?" if before else "<= ?")
    )
    conn = open_db(db)
    try:
        return {r[0] for r in conn.execute(sql, (before or TODAY,))}
    finally:
        conn.close()


@sqlite_only("the bench's month of work reads the office file with sqlite3")
def test_a_month_of_work_leaves_only_the_kept_customers_due(
    run: Run, db_path: Path, tmp_path: Path
) -> None:
    small_office(run, tmp_path)
    before = due_customers(db_path)
    keep = 5
    assert len(before) > 4 * keep  # the imported history: many due, nobody called yet

    def import_calls(path: Path) -> None:
        r = run("import", "calls", str(path))
        assert r.exit_code == 0, r.output

    calls, due = month.work_a_month(db_path, tmp_path, keep, import_calls)
    after = due_customers(db_path)
    assert calls > 0
    assert due == len(after) == keep
    assert after <= before  # the kept ones were due before the month's calls
    # What the month settled is what was due: the kept customers alone are overdue.
    assert due_customers(db_path, before=TODAY) <= after
    # `due` agrees with the generator's count.
    r = run("due", "--format", "json")
    assert r.exit_code == 0, r.output
    assert {row["customer"]["code"] for row in json.loads(r.stdout)} == after


def test_the_month_s_calls_go_to_whoever_holds_the_duty() -> None:
    pending = [
        month.Pending("C1", "2026-11-10", ""),
        month.Pending("C1", "2026-11-12", ""),
        month.Pending("C1", "2026-11-11", "role:service_supervisor"),
        month.Pending("C2", "2026-11-23", "王伟"),
        month.Pending("C3", "2026-11-23", ""),
    ]
    roles = {"clerk": ["张丽"], "service_supervisor": ["陈刚"]}
    rows = month.month_calls(pending, roles, kept={"C3"}, round_no=0)
    got = [(r[0], r[1][:10], r[2], r[3]) for r in rows]
    assert got == [
        ("C1", "2026-11-12", "张丽", "reached"),  # the latest of what any call covers
        ("C1", "2026-11-11", "陈刚", "reached"),  # the supervisor's check, by a supervisor
        ("C2", "2026-11-22", "王伟", "reached"),  # the owner's visit; the day before today
    ]
    assert len({(r[0], r[1], r[2]) for r in rows}) == len(rows)
    assert month.keep_for(100_000) == 2000


def due_row(code: str, name: str, detail: str) -> dict[str, Any]:
    return {
        "customer": {"id": 1, "code": code, "name": name, "grade": 2},
        "due_on": "2026-11-23",
        "assignee": "张丽",
        "reasons": [{"reason": "event", "detail": detail}],
    }


def test_a_task_line_carries_the_due_row() -> None:
    line = taskwarrior.task_line(due_row("C000001", '济南"鲁通"', "a\\b [x]"), "2026-11-01")
    assert line.startswith("[") and line.endswith("]")
    assert 'description:"C000001 济南\\"鲁通\\": event a\\\\b [x]"' in line
    midnight = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # 00:00 in Asia/Shanghai
    assert f'due:"{int(midnight.timestamp())}"' in line
    assert 'status:"pending"' in line and 'priority:"M"' in line


@pytest.mark.skipif(taskwarrior.task_binary() is None, reason="taskwarrior is not installed")
def test_taskwarrior_reads_the_tasks_as_built(tmp_path: Path) -> None:
    rows = [due_row(f"C{i:06d}", f"客户{i}", f'detail "{i}"') for i in range(25)]
    rc = taskwarrior.build(rows, tmp_path / "tw", "2026-11-01")
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(tmp_path / "tw" / "data")}
    out = subprocess.run(
        [shutil.which("task") or "task", "export"], capture_output=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    tasks = json.loads(out.stdout)
    assert len(tasks) == 25
    assert {t["description"] for t in tasks} == {
        f'C{i:06d} 客户{i}: event detail "{i}"' for i in range(25)
    }
    assert {t["status"] for t in tasks} == {"pending"}


def test_the_lock_figure_is_read_from_the_import_s_debug_line() -> None:
    assert bench_run.lock_held("Imported ...\nwrite lock held 1.234 s\n") == 1.234
    assert bench_run.lock_held("写锁占用 0.500 秒\n") == 0.5
    assert bench_run.lock_held("Imported 10 rows\n") is None


def test_verdicts_say_met_or_by_how_much_they_miss() -> None:
    assert bench_run.at_most(150, 150, "ms") == "met"
    assert bench_run.at_most(441.4, 150, "ms") == "missed by 291 ms"
    assert bench_run.at_least(9_000, 30_000, "rows/s") == "missed by 21,000 rows/s"
    assert bench_run.at_least(3.5, 3.0, "x", 2) == "met"
    assert bench_run.at_least(1.2, 3.0, "x", 2) == "missed by 1.80 x"
