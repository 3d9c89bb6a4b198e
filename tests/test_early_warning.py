"""Early warning as seed 001 runs it (issue 17, 客户预警报告制度): every tier reported,
approaching (面临突破) margins, office-wide totals and shares (总量预警指标、比例预警指标),
a responsible person and a recorded measure per warning (`warning ack`), the climb of an
emergency nobody acknowledged, the routine monthly/quarterly report, and the
relationship manager (关系经理) of core and important customers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from conftest import open_db, sqlite_only
from followup_cli.domain.complaints.early_warning import (
    customer_findings,
    office_findings,
    without_relationship_manager,
)
from followup_cli.domain.complaints.office_indicators import office_figures
from followup_cli.support.config import load_config

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TODAY = "2026-11-23"  # a Monday
TABLES = ("warnings", "escalations", "tickets", "customers", "calls")


def counts(rows: Rows) -> dict[str, int]:
    return {t: rows(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in TABLES}


def table(rows: Rows) -> list[dict[str, Any]]:
    return rows("SELECT * FROM warnings ORDER BY id")


def open_ticket(run: Run, customer: str, severity: str = "minor", today: str = TODAY) -> int:
    r = ok(
        run(
            "ticket",
            "open",
            customer,
            "--summary",
            "液压泵漏油",
            "--category",
            "product.failure",
            "--severity",
            severity,
            "--format",
            "json",
            today=today,
        )
    )
    return int(json.loads(r.stdout)["id"])


def warnings(run: Run, today: str = TODAY, env: dict[str, str] | None = None) -> list[Any]:
    r = ok(run("report", "warnings", "--format", "json", today=today, env=env))
    return json.loads(r.stdout)["warnings"]  # type: ignore[no-any-return]


def brief(w: dict[str, Any]) -> tuple[Any, ...]:
    return (w["code"], w["indicator"], w["level"], w["value"], w["threshold"], w["responsible"])


def auto(run: Run, today: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    r = ok(run("escalate", "--auto", "--format", "json", today=today, env=env))
    return [n for n in json.loads(r.stdout) if n["kind"] == "warning"]


@pytest.fixture
def tiers(office: Run) -> Run:
    """`office` plus an important (grade 2, owner 王伟) and a key (grade 3) customer."""
    ok(
        office(
            "customer", "add", "济南重工集团", "--code", "C003", "--grade", "2", "--owner", "王伟"
        )
    )
    ok(office("customer", "add", "临沂路桥工程", "--code", "C004", "--grade", "3"))
    return office


def config_file(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return {"FOLLOWUP_CONFIG": str(path)}


# -- every tier is reported -----------------------------------------------------------------


def test_a_key_customer_with_two_complaints_and_satisfaction_2_is_an_emergency(
    tiers: Run,
) -> None:
    # the example: before, `"emergency": false`
    open_ticket(tiers, "C004")
    open_ticket(tiers, "C004")
    ok(tiers("log-call", "C004", "--outcome", "reached", "--satisfaction", "2"))
    got = [brief(w) for w in warnings(tiers) if w["code"] == "C004"]
    assert got == [
        ("C004", "low_satisfaction", "emergency", 2, 2, "孙丽"),
        ("C004", "open_tickets", "emergency", 2, 2, "孙丽"),
        ("C004", "tickets_in_period", "approaching", 2, 2, "孙丽"),
    ]
    notices = auto(tiers, TODAY)
    assert sorted((n["customer_code"], n["role"], n["person"]) for n in notices) == [
        ("C004", "sales_manager", "孙丽"),
        ("C004", "sales_manager", "孙丽"),
    ]


# -- approaching (面临突破) ------------------------------------------------------------------


def test_one_open_complaint_is_approaching_reported_to_the_same_person_not_an_emergency(
    tiers: Run, rows: Rows
) -> None:
    open_ticket(tiers, "C003")
    [w] = warnings(tiers)
    assert brief(w) == ("C003", "open_tickets", "approaching", 1, 1, "周杰")
    assert (w["emergency"], w["stage"], w["ack_due"], w["text"]) == (
        False,
        "approaching",
        None,
        "1 open complaints",
    )
    assert auto(tiers, TODAY) == []  # not an emergency report
    assert rows("SELECT count(*) AS n FROM escalations WHERE kind = 'warning'")[0]["n"] == 0


def test_overdue_from_10_days_approaches_and_past_14_breaches(tiers: Run) -> None:
    # C004 (key): its first visit was planned for 11-24; C001 (core, visit due 11-23)
    # approaches from 5 days and breaches past 7
    def overdue(today: str, code: str) -> list[tuple[Any, ...]]:
        listed = warnings(tiers, today)
        return [brief(w) for w in listed if w["indicator"] == "overdue" and w["code"] == code]

    assert overdue("2026-12-03", "C004") == []  # 9 days
    assert overdue("2026-12-04", "C004") == [("C004", "overdue", "approaching", 10, 10, "孙丽")]
    assert overdue("2026-12-08", "C004") == [("C004", "overdue", "approaching", 14, 10, "孙丽")]
    assert overdue("2026-12-09", "C004") == [("C004", "overdue", "emergency", 15, 14, "孙丽")]
    assert overdue("2026-11-27", "C001") == []  # 4 days
    assert overdue("2026-11-28", "C001") == [("C001", "overdue", "approaching", 5, 5, "吴刚")]
    assert overdue("2026-12-01", "C001") == [("C001", "overdue", "emergency", 8, 7, "吴刚")]


def test_customer_findings_with_exact_figures(tiers: Run, session: Any) -> None:
    open_ticket(tiers, "C003")
    open_ticket(tiers, "C004")
    open_ticket(tiers, "C004", "critical")
    ok(tiers("log-call", "C003", "--outcome", "reached", "--satisfaction", "3"))
    s = session()
    got = sorted(
        (f.customer_id, f.indicator, f.stage, f.value, f.threshold)
        for f in customer_findings(s.config, s.conn, s.today)
    )
    c3, c4 = 3, 4
    assert got == [
        (c3, "low_satisfaction", "approaching", 3, 3),
        (c3, "open_tickets", "approaching", 1, 1),
        (c4, "critical_open", "breach", 1, 1),
        (c4, "open_tickets", "breach", 2, 2),
        (c4, "tickets_in_period", "approaching", 2, 2),
    ]


# -- office-wide indicators ------------------------------------------------------------------

OFFICE_CONFIG = """
[warnings.office]
min_base = 1
open_tickets = 3
open_tickets_approach = 2
complaints_per_100_events = 50.0
complaints_per_100_events_approach = 25.0
low_satisfaction_pct = 30.0
low_satisfaction_pct_approach = 20.0
overdue_callbacks_pct = 60.0
overdue_callbacks_pct_approach = 40.0
uncontacted_pct = 80.0
uncontacted_pct_approach = 60.0
"""


def _insert(conn: sqlite3.Connection, table_name: str, **values: Any) -> None:
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    conn.execute(f"INSERT INTO {table_name} ({names}) VALUES ({marks})", list(values.values()))


def office_file(db_path: Path) -> None:
    """A file built row by row, so that every office-wide figure is known exactly."""
    conn = open_db(db_path)
    at = "2026-01-01T09:00:00+08:00"
    for cid, grade, created, archived in (
        (1, 1, "2026-01-01", 0),  # core
        (2, 2, "2026-01-01", 0),  # important
        (3, 1, "2026-11-20", 0),  # core, on file for 3 days: not counted as uncontacted
        (4, 4, "2026-01-01", 0),
        (5, 3, "2026-01-01", 1),  # archived
    ):
        _insert(
            conn, "customers", id=cid, code=f"C{cid}", name=f"客户{cid}", grade=grade,
            owner="王伟", archived=archived, created_at=f"{created}T09:00:00+08:00",
            updated_at=at,
        )  # fmt: skip
    for tid, cid, opened, status in (
        (1, 1, "2026-11-10", "open"),
        (2, 2, "2026-11-12", "resolved"),
        (3, 4, "2026-11-01", "closed"),
        (4, 1, "2026-05-01", "open"),  # open, outside the 90 days
    ):
        done = status != "open"  # the close gate (m008): resolved and told before closed
        _insert(
            conn, "tickets", id=tid, customer_id=cid, opened_on=opened, category="other",
            summary="x", status=status, created_at=at, updated_at=at,
            resolution="修好" if done else None, notified_at=at if status == "closed" else None,
        )  # fmt: skip
    days = [f"2026-11-{d:02d}" for d in range(1, 11)] + ["2026-08-01"]  # 10 in the period
    for n, day in enumerate(days):
        _insert(conn, "events", customer_id=1, kind="service", date=day, ref=str(n), created_at=at)
    for n in range(2):
        _insert(
            conn, "events", customer_id=2, kind="sale", date="2026-11-05", ref=str(n), created_at=at
        )
    for cid, day, score in (
        (1, "2026-11-01", 5),
        (1, "2026-11-15", 2),  # C1's last: low
        (2, "2026-04-01", 4),  # C2's last (the call of 11-30 is after today)
        (4, "2026-10-01", 1),
        (4, "2026-11-20", 3),  # C4's last: not low
        (5, "2026-11-20", 1),  # archived
        (2, "2026-11-30", 1),
    ):
        _insert(
            conn, "calls", customer_id=cid, at=f"{day}T10:00:00+08:00", day=day,
            outcome="reached", satisfaction=score, created_at=at,
        )  # fmt: skip
    for n, (due, status) in enumerate(
        (
            ("2026-11-23", "pending"),  # due today
            ("2026-11-16", "pending"),  # 7 days: not more than 7
            ("2026-11-15", "pending"),  # 8 days: overdue
            ("2026-10-01", "pending"),  # overdue
            ("2026-11-30", "pending"),  # not due yet
            ("2026-10-01", "done"),
        )
    ):
        _insert(
            conn, "callbacks", customer_id=4, due_on=due, reason="event", source="event",
            plan_key=f"k{n}", status=status, planned_on="2026-09-01", created_at=at,
            updated_at=at,
        )  # fmt: skip
    conn.commit()
    conn.close()


def test_office_figures_exact(initdb: Run, db_path: Path, session: Any, tmp_path: Path) -> None:
    office_file(db_path)
    path = tmp_path / "office.toml"
    path.write_text(OFFICE_CONFIG, encoding="utf-8")
    config = load_config(path)
    s = session(config=config)
    figures = {f.indicator: (f.value, f.base) for f in office_figures(config, s.conn, s.today)}
    assert figures == {
        "office.open_tickets": (3, 3),  # T1, T2, T4 (T3 closed)
        "office.complaints_per_100_events": (30.0, 10),  # T1–T3 over 10 service events
        "office.low_satisfaction_pct": (33.3, 3),  # C1 of C1, C2, C4 (C5 archived)
        "office.overdue_callbacks_pct": (50.0, 4),  # 2 of the 4 due overdue > 7 days
        # C2 (nobody reached it in 6 months) of C1 and C2 (C3 is new)
        "office.uncontacted_pct": (50.0, 2),
    }
    got = [(f.indicator, f.stage, f.threshold) for f in office_findings(config, s.conn, s.today)]
    assert got == [
        ("office.open_tickets", "breach", 3),
        ("office.complaints_per_100_events", "approaching", 25),
        ("office.low_satisfaction_pct", "breach", 30),
        ("office.overdue_callbacks_pct", "approaching", 40),
    ]


def test_a_share_over_too_few_is_not_measured(initdb: Run, db_path: Path, session: Any) -> None:
    office_file(db_path)
    s = session()  # min_base 20: only the total is measured
    assert [f.indicator for f in office_figures(s.config, s.conn, s.today)] == [
        "office.open_tickets"
    ]


def test_an_office_wide_breach_is_an_emergency_to_the_gm_shown_first(
    office: Run, tmp_path: Path, rows: Rows
) -> None:
    env = config_file(tmp_path, "[warnings.office]\nopen_tickets = 2\nopen_tickets_approach = 1\n")
    open_ticket(office, "C001")
    [first, *_rest] = warnings(office, env=env)
    assert (first["scope"], first["indicator"], first["level"], first["stage"]) == (
        "office",
        "office.open_tickets",
        "emergency",
        "approaching",
    )
    open_ticket(office, "C002")
    listed = warnings(office, env=env)
    assert [(w["scope"], w["indicator"], w["level"]) for w in listed][0] == (
        "office",
        "office.open_tickets",
        "emergency",
    )
    office_row = listed[0]
    assert (office_row["stage"], office_row["value"], office_row["threshold"]) == ("breach", 2, 2)
    assert (office_row["role"], office_row["responsible"], office_row["code"]) == (
        "gm",
        "吴刚",
        None,
    )
    assert office_row["text"] == "2 complaints open in the office (threshold 2)"
    # the approach was cleared, the breach is a new warning
    assert [(w["stage"], w["cleared_on"]) for w in table(rows) if w["customer_id"] is None] == [
        ("approaching", TODAY),
        ("breach", None),
    ]
    shown = ok(office("report", "warnings", env=env)).stdout
    first_row = next(line for line in shown.splitlines() if "emergency" in line)
    assert "(office)" in first_row
    assert "2 complaints open in the office (threshold 2)" in " ".join(shown.split())


def test_escalate_auto_reports_an_office_wide_emergency_to_the_gm(
    office: Run, tmp_path: Path
) -> None:
    env = config_file(tmp_path, "[warnings.office]\nopen_tickets = 1\nopen_tickets_approach = 1\n")
    open_ticket(office, "C002")
    notices = auto(office, TODAY, env=env)
    office_notices = [n for n in notices if n["customer_code"] == ""]
    assert [(n["role"], n["person"], n["summary"], n["reason"]) for n in office_notices] == [
        (
            "gm",
            "吴刚",
            "1 complaints open in the office (threshold 1)",
            "emergency early warning (office-wide indicator)",
        )
    ]
    assert auto(office, TODAY, env=env) == []  # recorded once


# -- the responsible person and the recorded measure ----------------------------------------


@pytest.fixture
def emergency(tiers: Run) -> int:
    """C003 (important) has an open critical complaint: an emergency to 周杰; its id."""
    open_ticket(tiers, "C003", "critical")
    [w] = [w for w in warnings(tiers) if w["indicator"] == "critical_open"]
    assert (w["level"], w["responsible"], w["ack_due"]) == ("emergency", "周杰", "2026-11-25")
    return int(w["id"])


def test_warning_ack_records_who_and_the_measure(tiers: Run, rows: Rows, emergency: int) -> None:
    r = ok(tiers("warning", "ack", str(emergency), "--by", "周杰", "--action", "已安排上门检修"))
    assert r.stdout == f"Warning #{emergency} acknowledged by 周杰: 已安排上门检修\n"
    [row] = [w for w in table(rows) if w["id"] == emergency]
    assert (row["acknowledged_by"], row["action"], row["acknowledged_at"][:10]) == (
        "周杰",
        "已安排上门检修",
        TODAY,
    )
    [w] = [w for w in warnings(tiers) if w["id"] == emergency]
    assert (w["status"], w["acknowledged_by"], w["action"]) == (
        "acknowledged",
        "周杰",
        "已安排上门检修",
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("999", "--action", "处理"), 1, "Error: no warning #999"),
        (("abc", "--action", "处理"), 2, "'abc' is not valid; expected a warning number like 12"),
        (
            ("{id}", "--action", "   "),
            2,
            "'   ' is not valid; expected a value (it cannot be empty)",
        ),
        (("{id}",), 2, "expected a value (it cannot be empty)"),
        (("{id}", "--action", "处理", "--by", "张三"), 1, "张三"),
        (("9" * 23, "--action", "处理"), 2, "expected a warning number like 12"),
        (("\u0661", "--action", "处理"), 2, "expected a warning number like 12"),
    ],
    ids=[
        "unknown id",
        "not an id",
        "empty action",
        "no action",
        "unknown staff",
        "larger than SQLite holds",
        "Arabic-Indic digit",
    ],  # fmt: skip
)
def test_warning_ack_refusals_write_nothing(
    tiers: Run, rows: Rows, emergency: int, args: tuple[str, ...], code: int, message: str
) -> None:
    before = counts(rows), table(rows)
    r = tiers("warning", "ack", *(a.format(id=emergency) for a in args))
    refused(r, code, message)
    assert r.stdout == ""
    assert (counts(rows), table(rows)) == before


def test_unknown_id_says_where_to_find_the_ids(tiers: Run, emergency: int) -> None:
    r = tiers("warning", "ack", "999", "--action", "处理")
    refused(r, 1, "no warning #999")
    assert "See the warnings and their ids with `followup report warnings`." in r.stderr


def test_a_second_ack_is_refused_and_the_first_measure_stands(
    tiers: Run, rows: Rows, emergency: int
) -> None:
    ok(tiers("warning", "ack", str(emergency), "--by", "周杰", "--action", "已安排上门检修"))
    before = counts(rows), table(rows)
    r = tiers("warning", "ack", str(emergency), "--by", "吴刚", "--action", "改派")
    refused(r, 1, f"Error: warning #{emergency} was already acknowledged by 周杰")
    assert "已安排上门检修" in r.stderr
    assert "record further steps on the customer or its ticket" in r.stderr
    assert (counts(rows), table(rows)) == before


# -- the climb of an unacknowledged emergency ------------------------------------------------


def test_an_unacknowledged_emergency_climbs_once_after_two_working_days(
    tiers: Run, rows: Rows, emergency: int
) -> None:
    assert auto(tiers, TODAY)  # the emergency report to 周杰
    assert auto(tiers, "2026-11-25") == []  # due by 11-25: not yet
    [climb] = auto(tiers, "2026-11-26")
    assert (climb["customer_code"], climb["role"], climb["person"]) == ("C003", "gm", "吴刚")
    assert climb["reason"] == (
        f"warning #{emergency} not acknowledged by 2026-11-25: climbed from 周杰"
    )
    [row] = [w for w in table(rows) if w["id"] == emergency]
    assert (row["climbed_on"], row["climbed_from"], row["role"], row["responsible"]) == (
        "2026-11-26",
        "周杰",
        "gm",
        "吴刚",
    )
    assert auto(tiers, "2026-11-26") == []  # idempotent
    assert auto(tiers, "2026-11-27") == []  # once per breach
    steps = rows("SELECT day, role, staff FROM escalations WHERE kind = 'warning' ORDER BY id")
    assert [(s["day"], s["staff"]) for s in steps] == [(TODAY, "周杰"), ("2026-11-26", "吴刚")]
    [w] = [w for w in warnings(tiers, "2026-11-26") if w["id"] == emergency]
    assert (w["status"], w["responsible"], w["climbed_from"]) == ("climbed", "吴刚", "周杰")


def test_an_acknowledged_emergency_does_not_climb(tiers: Run, rows: Rows, emergency: int) -> None:
    ok(tiers("warning", "ack", str(emergency), "--by", "周杰", "--action", "已安排上门检修"))
    auto(tiers, TODAY)
    assert auto(tiers, "2026-11-26") == []
    [row] = [w for w in table(rows) if w["id"] == emergency]
    assert (row["climbed_on"], row["responsible"]) == (None, "周杰")


# -- the routine report (常规报告按月或季度进行) ---------------------------------------------------


def test_routine_report_lists_new_and_cleared_per_month(tiers: Run) -> None:
    t = open_ticket(tiers, "C003", "critical")
    warnings(tiers)  # raised on 11-23: critical_open (breach), open_tickets (approaching)
    ok(tiers("ticket", "resolve", str(t), "--resolution", "更换液压泵", today="2026-11-24"))
    ok(tiers("ticket", "approve", str(t), "--by", "吴刚", today="2026-11-24"))  # critical: 批示
    ok(tiers("ticket", "close", str(t), "--notified-via", "phone", today="2026-12-01"))
    r = ok(
        tiers(
            "report",
            "warnings",
            "--period",
            "month",
            "--from",
            "2026-11-01",
            "--format",
            "json",
            today="2026-12-01",
        )  # fmt: skip
    )
    data = json.loads(r.stdout)
    assert data["unit"] == "month"
    c003 = {
        p["period"]: sorted(
            (w["change"], w["indicator"], w["stage"]) for w in p["warnings"] if w["code"] == "C003"
        )
        for p in data["periods"]
    }
    assert c003 == {
        "2026-11": [("new", "critical_open", "breach"), ("new", "open_tickets", "approaching")],
        "2026-12": [
            ("cleared", "critical_open", "breach"),
            ("cleared", "open_tickets", "approaching"),
        ],
    }
    november, december = data["periods"]
    assert (november["new_breaches"], november["cleared_breaches"]) == (1, 0)
    assert (december["cleared_breaches"], december["cleared_approaches"]) == (1, 1)
    table_text = ok(tiers("report", "warnings", "--period", "quarter", today="2026-12-01")).stdout
    # (C001's and C002's visits of 11-23 are overdue by 12-01 too)
    assert table_text.startswith("2026-Q4: breaches 2 new, 1 cleared; approaches 1 new, 1 cleared")


# -- relationship managers (关系经理) -------------------------------------------------------------

NO_MANAGER = (
    "Warning: C005 (core) has no relationship manager; set one with"
    " `followup customer edit C005 --owner STAFF`\n"
)


def test_customer_add_warns_of_a_core_customer_without_an_owner(office: Run, rows: Rows) -> None:
    r = ok(office("customer", "add", "青岛海工", "--code", "C005", "--grade", "1"))
    assert r.stderr == NO_MANAGER
    assert r.stdout.startswith("Added customer C005")
    assert rows("SELECT owner FROM customers WHERE code = 'C005'") == [{"owner": None}]
    listed = [brief(w) for w in warnings(office) if w["code"] == "C005"]
    assert listed == [("C005", "no_relationship_manager", "breach", 1, 1, "吴刚")]
    r = ok(office("customer", "edit", "C005", "--owner", "王伟"))
    assert r.stderr == ""
    assert [w for w in warnings(office) if w["code"] == "C005"] == []  # cleared


def test_customer_edit_warns_when_a_customer_becomes_important_without_an_owner(
    office: Run,
) -> None:
    r = ok(office("customer", "edit", "C002", "--grade", "2"))
    assert r.stderr == (
        "Warning: C002 (important) has no relationship manager; set one with"
        " `followup customer edit C002 --owner STAFF`\n"
    )
    r = ok(office("customer", "add", "临沂小客户", "--code", "C006", "--grade", "4"))
    assert r.stderr == ""  # a general customer needs none


def test_import_customers_warns_in_one_line(office: Run, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("code,name,grade\nC007,烟台港建,1\nC008,潍坊农机,2\nC009,日照小店,4\n", "utf-8")
    r = ok(office("import", "customers", str(path)))
    assert r.stderr == (
        "Warning: 2 core or important customers have no relationship manager: C007, C008;"
        " set one with `followup customer edit CODE --owner STAFF`\n"
    )


def test_without_relationship_manager_domain(tiers: Run, session: Any) -> None:
    ok(tiers("customer", "add", "青岛海工", "--code", "C005", "--grade", "1"))
    s = session()
    assert without_relationship_manager(s) == ["C005"]  # C001, C003 have owners; C004 key
    assert without_relationship_manager(s, 1) == []


def test_a_route_to_the_owner_takes_the_customers_owner(tiers: Run, tmp_path: Path) -> None:
    # seed 001: 大客户出现预警情况应上报营销经理或客户经理 — [warnings.route] key = "owner"
    env = config_file(tmp_path, '[warnings.route]\nkey = "owner"\n')
    ok(tiers("customer", "edit", "C004", "--owner", "王伟"))
    open_ticket(tiers, "C004", "critical")
    [w] = [w for w in warnings(tiers, env=env) if w["indicator"] == "critical_open"]
    assert (w["role"], w["responsible"]) == ("account_manager", "王伟")
    open_ticket(tiers, "C002", "critical")  # general: its route is unchanged
    [g] = [w for w in warnings(tiers, env=env) if w["code"] == "C002" and w["level"] == "emergency"]
    assert (g["role"], g["responsible"]) == ("service_manager", "刘洋")


def test_a_route_to_the_owner_without_one_goes_to_the_gm(tiers: Run, tmp_path: Path) -> None:
    env = config_file(tmp_path, '[warnings.route]\nkey = "owner"\n')
    open_ticket(tiers, "C004", "critical")  # C004 has no owner
    [n] = [n for n in auto(tiers, TODAY, env=env) if n["customer_code"] == "C004"]
    assert (n["role"], n["person"], n["note"]) == (
        "gm",
        "吴刚",
        "no staff holds owner: passed to 吴刚",
    )


# -- a report reads: it never fails for want of writing (issue 16) --------------------------


def test_report_warnings_beside_a_writer_shows_the_warnings_as_last_recorded(
    tiers: Run, rows: Rows, db_path: Path
) -> None:
    """`report warnings` brings the table up to date, a write; while another process
    holds the write lock it shows what was last recorded, exits 0 and writes nothing."""
    open_ticket(tiers, "C004")
    recorded = warnings(tiers)
    open_ticket(tiers, "C004")  # a second complaint: the approach becomes a breach
    before = table(rows)
    holder = open_db(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        shown = warnings(tiers, env={"FOLLOWUP_BUSY_TIMEOUT_MS": "2000"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [w["id"] for w in shown] == [w["id"] for w in recorded]
    assert table(rows) == before
    assert [w["id"] for w in warnings(tiers)] != [w["id"] for w in recorded]  # synced now


@sqlite_only("a read-only database file")
def test_report_warnings_on_a_read_only_database(tiers: Run, rows: Rows, db_path: Path) -> None:
    open_ticket(tiers, "C004")
    recorded = warnings(tiers)
    db_path.chmod(0o400)
    try:
        shown = warnings(tiers)
        routine = ok(tiers("report", "warnings", "--period", "month", "--format", "json"))
    finally:
        db_path.chmod(0o600)
    assert [w["id"] for w in shown] == [w["id"] for w in recorded]
    assert json.loads(routine.stdout)
