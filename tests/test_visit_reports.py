"""Visit reports and their review (issue 18; seed 003 大客户回访的工作流程: "回访结束后，
应及时整理大客户回访报告表，从中提炼主要结论" and "主管领导审阅"): `log-call --findings`,
`call review ID --by STAFF [--note]`, `report visits`, the calls file's findings column.

Office fixture: C001 (grade 1, owner 王伟), C002 (grade 4); 陈静 service_supervisor,
孙丽 sales_manager, 吴刚 gm, 李娜 clerk.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assertions import ok, refused
from csv_files import csv_bytes, refused_file, write

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

FINDINGS = "二期工程需两台挖机，下月报价"


def visit(run: Run, code: str = "C001", at: str = "2026-11-16 10:00", **options: str) -> int:
    """A reached call with findings; its id."""
    args = ["log-call", code, "--outcome", "reached", "--by", options.get("by", "王伟")]
    args += ["--at", at, "--channel", options.get("channel", "visit")]
    args += ["--findings", options.get("findings", FINDINGS)]
    ok(run(*args))
    return int(_last_call(run))


def _last_call(run: Run) -> int:
    out = ok(run("export", "calls", "--format", "json")).stdout
    return len(json.loads(out))


def report(run: Run, *args: str, today: str = "2026-11-23") -> dict[str, Any]:
    out = ok(run("report", "visits", "--format", "json", *args, today=today)).stdout
    return json.loads(out)  # type: ignore[no-any-return]


# -- findings on a call -----------------------------------------------------------------


def test_a_visit_records_its_findings(office: Run, rows: Rows) -> None:
    visit(office, "C002")  # a general customer, but a visit
    [call] = rows("SELECT findings, channel FROM calls")
    assert call == {"findings": FINDINGS, "channel": "visit"}


def test_a_key_accounts_phone_call_may_carry_findings(office: Run, rows: Rows) -> None:
    visit(office, "C001", channel="phone")
    assert rows("SELECT findings FROM calls") == [{"findings": FINDINGS}]


def test_findings_on_a_general_customers_phone_call_are_a_usage_error(
    office: Run, rows: Rows
) -> None:
    r = office("log-call", "C002", "--outcome", "reached", "--by", "李娜", "--findings", FINDINGS)
    refused(
        r,
        2,
        "Error: --findings is a visit report's main conclusions: only for a visit"
        " (--channel visit, or a visit callback) or a call to a core/important/key customer;"
        " C002 is grade 4",
    )
    assert "Write it with --note instead." in r.stderr
    assert rows("SELECT * FROM calls") == []
    assert rows("SELECT * FROM callbacks WHERE status != 'pending'") == []


def test_findings_with_a_control_character_are_refused(office: Run, rows: Rows) -> None:
    r = office(
        "log-call", "C001", "--outcome", "reached", "--by", "王伟", "--findings", "报价\x1b[31m"
    )
    refused(r, 2, "text without control characters")
    assert rows("SELECT * FROM calls") == []


# -- review -----------------------------------------------------------------------------


def test_a_supervisor_reviews_a_visit_report(office: Run, rows: Rows) -> None:
    call = visit(office)
    r = ok(office("call", "review", str(call), "--by", "陈静", "--note", "先确认工期"))
    assert r.stdout == f"Call #{call} to C001 山东鲁建机械有限公司 reviewed by 陈静\n"
    [review] = rows("SELECT call_id, reviewed_by, note FROM call_reviews")
    assert review == {"call_id": call, "reviewed_by": "陈静", "note": "先确认工期"}


def test_reviewing_twice_is_refused_and_writes_nothing(office: Run, rows: Rows) -> None:
    call = visit(office)
    ok(office("call", "review", str(call), "--by", "陈静"))
    before = rows("SELECT * FROM call_reviews")
    refused(
        office("call", "review", f"#{call}", "--by", "孙丽"),
        1,
        f"Error: call #{call} was already reviewed by 陈静 at today",
    )
    assert rows("SELECT * FROM call_reviews") == before


def test_an_unknown_call_is_not_found(office: Run, rows: Rows) -> None:
    refused(office("call", "review", "99", "--by", "陈静"), 1, "Error: no call #99")
    refused(office("call", "review", "九", "--by", "陈静"), 2, "a call number like 12 or #12")
    assert rows("SELECT * FROM call_reviews") == []


def test_a_clerk_may_not_review(office: Run, rows: Rows) -> None:
    call = visit(office)
    refused(
        office("call", "review", str(call), "--by", "李娜"),
        1,
        "Error: 李娜 (clerk) may not review visit reports: reviewers are service_supervisor,"
        " sales_manager, branch_gm, gm",
    )
    assert rows("SELECT * FROM call_reviews") == []


def test_the_reviewer_roles_come_from_the_config(office: Run, rows: Rows, tmp_path: Path) -> None:
    call = visit(office)
    config = tmp_path / "config.toml"
    config.write_text('[visit_reports]\nreviewer_roles = ["gm"]\n', encoding="utf-8")
    refused(
        office("--config", str(config), "call", "review", str(call), "--by", "陈静"),
        1,
        "may not review visit reports: reviewers are gm",
    )
    ok(office("--config", str(config), "call", "review", str(call), "--by", "吴刚"))


def test_the_caller_does_not_review_their_own_report(office: Run, rows: Rows) -> None:
    call = visit(office, by="陈静")
    refused(
        office("call", "review", str(call), "--by", "陈静"),
        1,
        f"Error: 陈静 made call #{call}: a visit report is reviewed by someone else",
    )
    assert rows("SELECT * FROM call_reviews") == []


def test_a_general_customers_phone_call_has_no_report_to_review(office: Run, rows: Rows) -> None:
    ok(
        office(
            "log-call", "C002", "--outcome", "reached", "--by", "李娜", "--at", "2026-11-20 9:00"
        )
    )
    refused(
        office("call", "review", "1", "--by", "陈静"),
        1,
        "Error: call #1 is neither a visit nor a call to a core/important/key customer",
    )
    assert rows("SELECT * FROM call_reviews") == []


def test_a_review_note_with_a_control_character_is_refused(office: Run, rows: Rows) -> None:
    call = visit(office)
    refused(office("call", "review", str(call), "--by", "陈静", "--note", "a\x07b"), 2, "control")
    assert rows("SELECT * FROM call_reviews") == []


def test_a_review_needs_a_reviewer(office: Run, rows: Rows) -> None:
    call = visit(office)
    refused(office("call", "review", str(call), env={"FOLLOWUP_STAFF": ""}), 2, "Give --by NAME")
    assert rows("SELECT * FROM call_reviews") == []


# -- the report -------------------------------------------------------------------------


def test_report_visits_flags_unreviewed_reports_older_than_a_week(office: Run) -> None:
    old = visit(office, at="2026-11-13 10:00")
    recent = visit(office, at="2026-11-20 15:00", findings="客户满意")
    reviewed = visit(office, at="2026-11-10 11:00", findings="已付尾款")
    visit(office, "C002", at="2026-11-19 10:00", findings="一般客户的拜访")  # grade 4: not listed
    ok(office("call", "review", str(reviewed), "--by", "孙丽", "--note", "好"))
    data = report(office, "--from", "2026-11-01")
    assert (data["from"], data["to"], data["waiting"], data["overdue"]) == (
        "2026-11-01",
        "2026-11-23",
        2,
        1,
    )
    shown = [(v["call_id"], v["review"], v["days_waiting"], v["findings"]) for v in data["visits"]]
    assert shown == [
        (reviewed, "reviewed", None, "已付尾款"),
        (old, "overdue", 10, FINDINGS),
        (recent, "waiting", 3, "客户满意"),
    ]
    assert data["visits"][0]["reviewed_by"] == "孙丽"
    assert data["visits"][0]["review_note"] == "好"


def test_the_review_window_comes_from_the_config(office: Run, tmp_path: Path) -> None:
    visit(office, at="2026-11-20 15:00")
    config = tmp_path / "config.toml"
    config.write_text("[visit_reports]\nreview_within_days = 2\n", encoding="utf-8")
    out = ok(office("--config", str(config), "report", "visits", "--format", "json")).stdout
    assert json.loads(out)["visits"][0]["review"] == "overdue"


def test_report_visits_in_table_and_csv(office: Run) -> None:
    call = visit(office, at="2026-11-13 10:00")
    table = ok(office("report", "visits", "--from", "2026-11-01")).stdout
    assert (
        "Visit reports 2026-11-01 – 2026-11-23: 1, 1 waiting for review, 1 overdue (over 7 days)"
        in table
    )
    assert "overdue" in table and FINDINGS in table
    out = ok(office("report", "visits", "--from", "2026-11-01", "--format", "csv")).stdout
    [line] = list(csv.DictReader(io.StringIO(out)))
    assert (line["call_id"], line["customer_code"], line["review"]) == (
        str(call),
        "C001",
        "overdue",
    )


def test_report_visits_in_chinese(office: Run) -> None:
    visit(office, at="2026-11-13 10:00")
    out = ok(office("report", "visits", env={"FOLLOWUP_LANGUAGE": "zh_CN"})).stdout
    assert "拜访报告" in out and "逾期未审" in out and "主要结论" in out


def test_report_visits_with_a_bad_date_is_bad_input(office: Run) -> None:
    refused(office("report", "visits", "--from", "2026-13-01"), 65, "Error:")


# -- the calls file ---------------------------------------------------------------------


def test_a_calls_file_carries_findings_both_ways(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "calls.csv",
        csv_bytes(
            [
                ["客户编号", "时间", "回访人", "回访结果", "方式", "主要结论"],
                ["C002", "2026-11-20 10:00", "王伟", "reached", "上门", "要报价"],
                ["C001", "2026-11-20 11:00", "李娜", "reached", "电话", "满意"],
            ]
        ),
    )
    ok(office("import", "calls", str(path)))
    assert rows("SELECT findings FROM calls ORDER BY at") == [
        {"findings": "要报价"},
        {"findings": "满意"},
    ]
    out = ok(office("export", "calls")).stdout.lstrip("\ufeff")
    exported = list(csv.DictReader(io.StringIO(out)))
    assert [r["findings"] for r in exported] == ["要报价", "满意"]
    again = write(tmp_path, "again.csv", out.encode("utf-8"))
    assert "0 new, 0 updated, 2 unchanged" in ok(office("import", "calls", str(again))).stdout


def test_findings_in_a_file_on_a_general_customers_phone_call_are_refused(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "calls.csv",
        csv_bytes(
            [
                ["customer_code", "at", "by", "outcome", "channel", "findings"],
                ["C001", "2026-11-20 10:00", "王伟", "reached", "visit", "好"],
                ["C002", "2026-11-20 11:00", "李娜", "reached", "phone", "要报价"],
            ]
        ),
    )
    refused_file(
        office("import", "calls", str(path)),
        [
            f"{path}:3:6: findings: '要报价' — expected findings only on a visit (channel visit)"
            " or a call to a core/important/key customer",
            f"Error: {path}: 1 error; nothing was imported",
            "Fix the cells listed above and import the file again.",
        ],
    )
    assert rows("SELECT * FROM calls") == []
