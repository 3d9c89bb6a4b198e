"""Grades from value (issue 18; seed 004: "企业前20%的客户产生约150%的利润…这前20%的客户
就是关键客户"): an event's amount (`event add --amount`, CSV amount/金额), `report value`
and `customer regrade --apply | --dry-run`.

Office fixture: C001 (grade 1), C002 (grade 4); 李娜 clerk acts.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from conftest import open_db
from csv_files import csv_bytes, refused_file, write
from followup_cli.domain import fields
from followup_cli.domain.reports.value import suggest_grades, window
from followup_cli.support.errors import InvalidValue

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

SHARES = {1: 5.0, 2: 15.0, 3: 20.0}


# -- the domain rules -------------------------------------------------------------------


def test_twenty_customers_get_the_seeds_cut_points() -> None:
    amounts = [float(100 - i) for i in range(20)]
    # top 5% of 20 = 1, next 15% = 3, next 20% = 4, the rest 12
    assert suggest_grades(amounts, SHARES, 4, 5) == [1] + [2] * 3 + [3] * 4 + [4] * 12


def test_a_small_office_rounds_each_bound_up() -> None:
    # 10 customers: bounds 0.5 → 1, 2.0 → 2, 4.0 → 4
    assert suggest_grades([float(10 - i) for i in range(10)], SHARES, 4, 5) == [
        1, 2, 3, 3, 4, 4, 4, 4, 4, 4,
    ]  # fmt: skip


def test_no_amount_is_the_last_grade_and_ties_share_the_better_grade() -> None:
    # 3 ranked: bounds ceil(0.15) = 1, ceil(0.6) = 1, ceil(1.2) = 2; the second 50 ties the first
    assert suggest_grades([50.0, 50.0, 10.0, 0.0, 0.0], SHARES, 4, 5) == [1, 1, 4, 5, 5]


def test_the_window_is_the_last_months_up_to_today() -> None:
    from datetime import date

    assert window(date(2026, 11, 23), 12) == (date(2025, 11, 24), date(2026, 11, 23))
    assert window(date(2026, 3, 31), 1) == (date(2026, 3, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("385000", 385000.0), ("1,250.50", 1250.5), ("¥12", 12.0), ("12元", 12.0), ("１２３", 123.0)],
)
def test_amounts_as_an_office_writes_them(typed: str, stored: float) -> None:
    assert fields.amount(typed) == stored


@pytest.mark.parametrize(
    "typed", ["-5", "nan", "inf", "1e5", "1.234", "abc", "1000000001", "1,23", "12,5000"]
)
def test_bad_amounts_are_refused(typed: str) -> None:
    with pytest.raises(InvalidValue):
        fields.amount(typed)


# -- event add --amount -----------------------------------------------------------------


def test_event_add_records_the_amount(office: Run, rows: Rows) -> None:
    ok(
        office(
            "event", "add", "C001", "--kind", "sale", "--date", "2026-11-10", "--amount", "385,000"
        )
    )
    assert rows("SELECT amount FROM events") == [{"amount": 385000.0}]
    listed = json.loads(ok(office("event", "list", "--format", "json")).stdout)
    assert listed[0]["amount"] == 385000.0
    assert "385000.00" in ok(office("event", "list")).stdout


@pytest.mark.parametrize("typed", ["-1", "abc", "NaN", "inf", "5000000000"])
def test_event_add_refuses_a_bad_amount_as_bad_input(office: Run, rows: Rows, typed: str) -> None:
    r = office("event", "add", "C001", "--kind", "sale", "--date", "2026-11-10", "--amount", typed)
    refused(r, 65, f"Error: amount: '{typed}' is not valid; expected an amount in yuan from 0 to")
    assert rows("SELECT * FROM events") == []
    assert rows("SELECT * FROM callbacks WHERE event_id IS NOT NULL") == []


def test_an_events_file_carries_amounts_both_ways(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.csv",
        csv_bytes(
            [
                ["客户编号", "类型", "日期", "单号", "金额"],
                ["C001", "sale", "2026-11-10", "INV-1", "1,280,000.00"],
                ["C002", "parts", "2026-11-12", "PT-1", ""],
            ]
        ),
    )
    ok(office("import", "events", str(path)))
    assert rows("SELECT ref, amount FROM events ORDER BY id") == [
        {"ref": "INV-1", "amount": 1280000.0},
        {"ref": "PT-1", "amount": None},
    ]
    out = ok(office("export", "events")).stdout.lstrip("\ufeff")
    assert [r["amount"] for r in csv.DictReader(io.StringIO(out))] == ["1280000.00", ""]
    again = write(tmp_path, "again.csv", out.encode("utf-8"))
    assert "0 new, 0 updated, 2 unchanged" in ok(office("import", "events", str(again))).stdout
    zh = ok(office("export", "events", "--headers", "zh")).stdout
    assert "金额" in zh.splitlines()[0]


def test_a_file_with_bad_amounts_names_each_cell_and_writes_nothing(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "events.csv",
        csv_bytes(
            [
                ["customer_code", "kind", "date", "amount"],
                ["C001", "sale", "2026-11-10", "-3"],
                ["C001", "sale", "2026-11-11", "inf"],
                ["C001", "sale", "2026-11-12", "很多"],
                ["C001", "sale", "2026-11-13", "100"],
            ]
        ),
    )
    expected = "expected an amount in yuan from 0 to 1,000,000,000, at most two decimals"
    r = office("import", "events", str(path))
    refused_file(
        r,
        [
            f"{path}:2:4: amount: '-3' — {expected} (e.g. 385000 or 1,250.50)",
            f"{path}:3:4: amount: 'inf' — {expected} (e.g. 385000 or 1,250.50)",
            f"{path}:4:4: amount: '很多' — {expected} (e.g. 385000 or 1,250.50)",
            f"Error: {path}: 3 errors; nothing was imported",
            "Fix the cells listed above and import the file again.",
        ],
    )
    assert rows("SELECT * FROM events") == []


# -- report value and regrade -----------------------------------------------------------


def sales(office: Run, *amounts: tuple[str, str, str]) -> None:
    for code, day, amount in amounts:
        ok(office("event", "add", code, "--kind", "sale", "--date", day, "--ref", f"INV-{day}",
                  "--amount", amount))  # fmt: skip


def test_report_value_ranks_and_suggests(office: Run) -> None:
    sales(office, ("C002", "2026-10-01", "900000"), ("C001", "2026-09-01", "100000"))
    sales(office, ("C001", "2025-10-01", "5000000"))  # before the 12 months: not counted
    data = json.loads(ok(office("report", "value", "--format", "json")).stdout)
    assert (data["from"], data["to"], data["ranked"], data["total"]) == (
        "2025-11-24",
        "2026-11-23",
        2,
        1000000.0,
    )
    shown = [
        (c["code"], c["rank"], c["amount"], c["grade"], c["suggested"]) for c in data["customers"]
    ]
    # 2 customers: grade 1 bound ceil(0.1) = 1, grade 2 ceil(0.4) = 1, grade 3 ceil(0.8) = 1
    assert shown == [("C002", 1, 900000.0, 4, 1), ("C001", 2, 100000.0, 1, 4)]
    table = ok(office("report", "value")).stdout
    assert "Customers by value 2025-11-24 – 2026-11-23 (12 months): 2 with an amount" in table
    assert "900000.00" in table and "↑" in table and "↓" in table


def test_report_value_over_a_longer_window(office: Run) -> None:
    sales(office, ("C001", "2025-10-01", "5000000"), ("C002", "2026-10-01", "900000"))
    data = json.loads(ok(office("report", "value", "--months", "24", "--format", "json")).stdout)
    assert [c["code"] for c in data["customers"]] == ["C001", "C002"]
    refused(office("report", "value", "--months", "0"), 2, "--months")


def test_regrade_needs_apply_or_dry_run(office: Run, rows: Rows) -> None:
    sales(office, ("C002", "2026-10-01", "900000"))
    message = "give --apply to change the grades or --dry-run to list the changes"
    refused(office("customer", "regrade"), 2, message)
    refused(office("customer", "regrade", "--apply", "--dry-run"), 2, message)
    assert [r["grade"] for r in rows("SELECT grade FROM customers ORDER BY id")] == [1, 4]


def test_regrade_dry_run_lists_and_writes_nothing(office: Run, rows: Rows) -> None:
    sales(office, ("C002", "2026-10-01", "900000"))
    before = rows("SELECT * FROM callbacks ORDER BY id")
    out = ok(office("customer", "regrade", "--dry-run")).stdout
    assert "Grades value suggests 2025-11-24 – 2026-11-23: 2 would change (dry run)" in out
    assert [r["grade"] for r in rows("SELECT grade FROM customers ORDER BY id")] == [1, 4]
    assert rows("SELECT * FROM customer_history") == []
    assert rows("SELECT * FROM callbacks ORDER BY id") == before


def test_regrade_apply_records_history_and_plans_again(office: Run, rows: Rows) -> None:
    sales(office, ("C002", "2026-10-01", "900000"))
    pending_visits = (
        "SELECT role, due_on, detail FROM callbacks WHERE customer_id = 2 AND reason = 'visit'"
        " AND status = 'pending' ORDER BY role"
    )
    visits_before = rows(pending_visits)
    data = json.loads(ok(office("customer", "regrade", "--apply", "--format", "json")).stdout)
    # in the report's order: by value, the highest first
    assert [(c["code"], c["old"], c["new"], c["rank"]) for c in data] == [
        ("C002", 4, 1, 1),
        ("C001", 1, 5, None),
    ]
    assert rows("SELECT code, grade, changed_by FROM customers ORDER BY id") == [
        {"code": "C001", "grade": 5, "changed_by": "李娜"},
        {"code": "C002", "grade": 1, "changed_by": "李娜"},
    ]
    history = rows(
        "SELECT customer_id, by, field, old_value, new_value, detail FROM customer_history"
    )
    assert history == [
        {
            "customer_id": 2,
            "by": "李娜",
            "field": "grade",
            "old_value": "4",
            "new_value": "1",
            "detail": "grade 4 → 1 from value: 900000.00 yuan from 2025-11-24 to 2026-11-23,"
            " rank 1 of 1",
        },
        {
            "customer_id": 1,
            "by": "李娜",
            "field": "grade",
            "old_value": "1",
            "new_value": "5",
            "detail": "grade 1 → 5 from value: no amount from 2025-11-24 to 2026-11-23",
        },
    ]
    # planned again for grade 1, as `customer edit --grade` does: the grade 4 visits are
    # cancelled, the grade 1 rhythm (seed 001 客户拜访制度) planned instead
    visits_after = rows(pending_visits)
    assert visits_after != visits_before
    assert rows(
        "SELECT count(*) AS n FROM callbacks WHERE customer_id = 2 AND reason = 'visit'"
        " AND status = 'cancelled'"
    )[0]["n"] == len(visits_before)
    shown = ok(office("customer", "show", "C002")).stdout
    assert "History" in shown and "grade 4 → 1 from value" in shown
    zh = ok(office("customer", "show", "C002", env={"FOLLOWUP_LANGUAGE": "zh_CN"})).stdout
    assert "按价值调整等级 4 → 1" in zh
    again = ok(office("customer", "regrade", "--apply")).stdout
    assert "Every grade already fits the value." in again


def test_regrade_without_any_amount_is_refused(office: Run, rows: Rows) -> None:
    ok(office("event", "add", "C002", "--kind", "sale", "--date", "2026-10-01"))
    refused(
        office("customer", "regrade", "--apply"),
        1,
        "Error: no event from 2025-11-24 to 2026-11-23 has an amount: nothing to rank customers by",
    )
    assert [r["grade"] for r in rows("SELECT grade FROM customers ORDER BY id")] == [1, 4]
    assert rows("SELECT * FROM customer_history") == []


def test_history_rows_are_never_changed(office: Run, rows: Rows, db_path: Path) -> None:
    import sqlite3

    sales(office, ("C002", "2026-10-01", "900000"))
    ok(office("customer", "regrade", "--apply"))
    conn = open_db(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never changed"):
            conn.execute("UPDATE customer_history SET new_value = '3'")
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            conn.execute("DELETE FROM customer_history")
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("[value.shares]\n1 = -5.0\n", "value.shares.1: -5.0 is not allowed"),
        (
            "[value.shares]\n1 = 60.0\n2 = 50.0\n",
            "value.shares: the shares add up to more than 100%",
        ),
        (
            "[value]\nrest_grade = 3\n",
            "value.rest_grade: 3 is not after the grades in value.shares",
        ),
        ("[value]\nmonths = 0\n", "value.months"),
        ('[visit_reports]\nreviewer_roles = ["boss"]\n', "'boss' is not a staff role"),
    ],
)
def test_bad_value_settings_are_refused(
    office: Run, tmp_path: Path, setting: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(setting, encoding="utf-8")
    r = office("--config", str(config), "report", "value")
    assert r.exit_code != 0
    assert message in r.stderr, r.stderr


def test_the_cut_points_come_from_the_config(office: Run, tmp_path: Path) -> None:
    sales(office, ("C002", "2026-10-01", "900000"), ("C001", "2026-09-01", "100000"))
    config = tmp_path / "config.toml"
    config.write_text("[value.shares]\n1 = 0.0\n2 = 50.0\n3 = 50.0\n", encoding="utf-8")
    out = ok(office("--config", str(config), "report", "value", "--format", "json")).stdout
    assert [c["suggested"] for c in json.loads(out)["customers"]] == [2, 3]
