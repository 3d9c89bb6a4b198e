"""What an import changes in rows already there (issue 14 items 3 and 9): every changed
field listed by the dry run and the real run (and the JSON report); a known customer
code under another company's name refused unless --rename; a customer name two
customers would share refused unless --allow-duplicate-name.

Office fixture: C001 山东鲁建机械有限公司 (grade 1, phone 0531-88886666, owner 王伟,
region 济南; contacts 张建国 and 李明, the primary), C002 泰安宏达建设 (grade 4,
phone 13800138000, region 泰安); one staff member per role (李娜 the clerk, 王伟 the
account manager ...).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from followup_cli.transfer.importing import import_file
from followup_cli.transfer.results import ImportErrors

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TABLES = ("staff", "customers", "contacts", "events", "calls", "callbacks", "tickets")
CUSTOMER_HEADER = ["客户编号", "客户名称", "等级", "电话", "区域"]

_seq = itertools.count(1)


def write_csv(tmp_path: Path, header: list[str], *records: tuple[str, ...]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(records)
    path = tmp_path / f"changes-{next(_seq)}.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def dump(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    return {t: rows(f"SELECT * FROM {t} ORDER BY id") for t in TABLES}


def imported(run: Run, kind: str, path: Path, *args: str, stderr: str = "") -> list[str]:
    r = run("import", kind, str(path), *args)
    assert r.exit_code == 0, r.output
    assert r.exception is None
    assert r.stderr == stderr
    return r.stdout.splitlines()


def refused(run: Run, rows: Rows, kind: str, path: Path, *args: str) -> list[str]:
    """Exit 65, nothing on stdout, nothing written; the stderr lines."""
    before = dump(rows)
    r = run("import", kind, str(path), *args)
    assert r.exit_code == 65, r.output
    assert r.exception is None
    assert "Traceback" not in r.output
    assert r.stdout == ""
    assert dump(rows) == before
    return r.stderr.splitlines()


def summary(path: Path, kind: str, n: int, new: int, updated: int, *, dry: bool = False) -> str:
    verb = "Would import" if dry else "Imported"
    return (
        f"{verb} {kind} from {path} (UTF-8): {n} rows — "
        f"{new} new, {updated} updated, {n - new - updated} unchanged"
    )


RENAME = (
    "{path}:2:2: 客户名称: '济南鲁通工程机械有限公司' — expected the name of customer C001,"
    " 山东鲁建机械有限公司: another name renames that customer (import with --rename if it is"
    " the same company under a new name)"
)


# -- item 3: a known code under another name -------------------------------------------------


@pytest.mark.parametrize("dry", [False, True])
def test_a_known_code_under_another_companys_name_is_refused(
    office: Run, rows: Rows, tmp_path: Path, dry: bool
) -> None:
    path = write_csv(
        tmp_path,
        CUSTOMER_HEADER,
        ("C001", "济南鲁通工程机械有限公司", "一级", "13722818662", "济南"),
        ("C777", "新泰矿山机械", "3", "", ""),
    )
    err = refused(office, rows, "customers", path, *(["--dry-run"] if dry else []))
    assert err == [
        RENAME.format(path=path),
        f"Error: {path}: 1 error; nothing was imported",
        "Fix the cells listed above and import the file again.",
    ]
    assert rows("SELECT name FROM customers WHERE code = 'C001'") == [
        {"name": "山东鲁建机械有限公司"}
    ]


def test_rename_renames_and_lists_the_change(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        CUSTOMER_HEADER,
        ("C001", "济南鲁通工程机械有限公司", "1", "0531-88886666", "济南"),
    )
    before = dump(rows)
    expected = [
        summary(path, "customers", 1, 0, 1, dry=True),
        "  C001 (line 2): name: 山东鲁建机械有限公司 → 济南鲁通工程机械有限公司",
    ]
    assert imported(office, "customers", path, "--rename", "--dry-run") == expected
    assert dump(rows) == before
    out = imported(office, "customers", path, "--rename")
    assert out == [summary(path, "customers", 1, 0, 1), expected[1]]
    assert rows("SELECT name, grade FROM customers WHERE code = 'C001'") == [
        {"name": "济南鲁通工程机械有限公司", "grade": 1}
    ]
    # The stored name key follows the rename: the new name is taken, the old one free.
    r = office("customer", "add", "济南鲁通工程机械有限公司")
    assert r.exit_code == 1 and "already exists: C001" in r.stderr, r.output
    assert office("customer", "add", "山东鲁建机械有限公司").exit_code == 0


def test_a_respaced_name_is_the_same_company_listed_as_a_change(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, ["客户编号", "客户名称"], ("C001", "山东鲁建　机械有限公司"))
    assert imported(office, "customers", path) == [
        summary(path, "customers", 1, 0, 1),
        "  C001 (line 2): name: 山东鲁建机械有限公司 → 山东鲁建　机械有限公司",
    ]


# -- item 3: the changes listed ---------------------------------------------------------------


def test_dry_run_and_import_list_every_changed_field_of_every_updated_row(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        CUSTOMER_HEADER,
        ("C001", "山东鲁建机械有限公司", "", "0531-88886666", "济南"),  # nothing changes
        ("C002", "泰安宏达建设", "2", "", "泰安"),
        ("C003", "新泰矿山机械", "3", "", ""),
    )
    before = dump(rows)
    changes = [
        "  C002 (line 3): grade: 4 → 2",
        "  C002 (line 3): phone: 13800138000 → (empty)",
    ]
    dry = imported(office, "customers", path, "--dry-run")
    assert dry == [summary(path, "customers", 3, 1, 1, dry=True), *changes]
    assert dump(rows) == before
    # C002 is now important and has no owner (issue 17: 为每个核心客户和重要客户选派精干的关系经理)
    unmanaged = (
        "Warning: 1 core or important customers have no relationship manager: C002; set one"
        " with `followup customer edit CODE --owner STAFF`\n"
    )
    out = imported(office, "customers", path, stderr=unmanaged)
    assert out[0].startswith(summary(path, "customers", 3, 1, 1) + "; ")
    assert out[1:] == changes
    assert rows("SELECT grade, phone FROM customers WHERE code = 'C002'") == [
        {"grade": 2, "phone": None}
    ]


def test_a_staff_role_change_is_listed(office: Run, rows: Rows, tmp_path: Path) -> None:
    r = office("staff", "add", "刘芳", "--role", "account_manager")
    assert r.exit_code == 0, r.output
    path = write_csv(
        tmp_path, ["姓名", "角色", "部门"], ("李娜", "文员", ""), ("刘芳", "clerk", "")
    )
    assert imported(office, "staff", path, "--dry-run") == [
        summary(path, "staff", 2, 0, 1, dry=True),
        "  刘芳 (line 3): role: account_manager → clerk",
    ]
    assert imported(office, "staff", path) == [
        summary(path, "staff", 2, 0, 1),
        "  刘芳 (line 3): role: account_manager → clerk",
    ]
    assert rows("SELECT role FROM staff WHERE name = '刘芳'") == [{"role": "clerk"}]


def test_a_role_change_reads_in_chinese(office: Run, rows: Rows, tmp_path: Path) -> None:
    assert office("staff", "add", "刘芳", "--role", "account_manager").exit_code == 0
    path = write_csv(tmp_path, ["姓名", "角色"], ("刘芳", "文员"))
    r = office("import", "staff", str(path), "--dry-run", env={"FOLLOWUP_LANGUAGE": "zh_CN"})
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1] == "  刘芳（第 2 行）：角色：业务经理 → 回访员"


def test_contact_changes_name_the_customer_and_the_former_primary(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        ["客户编号", "联系人", "电话", "主要联系人"],
        ("C001", "张建国", "13905319999", "是"),
    )
    expected = [
        summary(path, "contacts", 1, 0, 1),
        "  C001 张建国 (line 2): phone: 13905310001 → 13905319999",
        "  C001 张建国 (line 2): primary: no → yes",
        "  C001 李明: primary: yes → no",
    ]
    dry = imported(office, "contacts", path, "--dry-run")
    assert dry == [expected[0].replace("Imported", "Would import"), *expected[1:]]
    assert imported(office, "contacts", path) == expected
    assert rows("SELECT name, is_primary FROM contacts ORDER BY id") == [
        {"name": "张建国", "is_primary": 1},
        {"name": "李明", "is_primary": 0},
    ]


def test_event_and_call_corrections_are_listed(office: Run, rows: Rows, tmp_path: Path) -> None:
    events = write_csv(
        tmp_path,
        ["客户编号", "类型", "日期", "单号", "备注"],
        ("C002", "维修", "2026-11-20", "WX-1", ""),
    )
    imported(office, "events", events)
    fixed = write_csv(
        tmp_path,
        ["客户编号", "类型", "日期", "单号", "备注"],
        ("C002", "维修", "2026-11-20", "WX-1", "更换液压泵"),
    )
    assert imported(office, "events", fixed) == [
        summary(fixed, "events", 1, 0, 1),
        "  C002 service 2026-11-20 WX-1 (line 2): note: (empty) → 更换液压泵",
    ]
    calls = write_csv(
        tmp_path, ["客户编号", "时间", "回访人", "回访结果", "满意度"],
        ("C002", "2026-11-21 10:00", "李娜", "接通", "4"),
    )  # fmt: skip
    imported(office, "calls", calls)
    fixed = write_csv(
        tmp_path, ["客户编号", "时间", "回访人", "回访结果", "满意度"],
        ("C002", "2026-11-21 10:00", "李娜", "接通", "5"),
    )  # fmt: skip
    assert imported(office, "calls", fixed) == [
        summary(fixed, "calls", 1, 0, 1),
        "  C002 2026-11-21T10:00:00+08:00 李娜 (line 2): satisfaction: 4 → 5",
    ]


def test_json_report_carries_the_changes(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        CUSTOMER_HEADER,
        ("C001", "济南鲁通工程机械有限公司", "", "0531-88886666", "济南"),
        ("C002", "泰安宏达建设", "", "13800138000", "泰安"),
    )
    r = office("import", "customers", str(path), "--rename", "--dry-run", "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert (report["updated"], report["unchanged"]) == (1, 1)
    assert report["changes"] == [
        {
            "line": 2,
            "key": "C001",
            "field": "name",
            "old": "山东鲁建机械有限公司",
            "new": "济南鲁通工程机械有限公司",
        }
    ]


def test_a_file_that_changes_nothing_lists_nothing(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = write_csv(tmp_path, CUSTOMER_HEADER, ("C002", "泰安宏达建设", "", "13800138000", "泰安"))
    r = office("import", "customers", str(path), "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert (report["updated"], report["unchanged"], report["changes"]) == (0, 1, [])


# -- item 9: one name, one customer -------------------------------------------------------------


def duplicate_of(path: Path, line: int, name: str, code: str) -> str:
    return (
        f"{path}:{line}:2: 客户名称: {name!r} — expected a name no other customer has ({code}"
        " has it): give that code to update the customer, or import with --allow-duplicate-name"
    )


@pytest.mark.parametrize(
    "name", ["山东鲁建机械有限公司", "山东鲁建机械有限公司 ", "山东鲁建 机械有限公司"]
)
def test_a_new_customer_under_an_existing_name_is_refused_with_its_code(
    office: Run, rows: Rows, tmp_path: Path, name: str
) -> None:
    path = write_csv(tmp_path, ["客户编号", "客户名称"], ("C005", name))
    err = refused(office, rows, "customers", path)
    assert err == [
        duplicate_of(path, 2, name.strip(), "C001"),
        f"Error: {path}: 1 error; nothing was imported",
        "Fix the cells listed above and import the file again.",
    ]
    assert refused(office, rows, "customers", path, "--dry-run") == err


def test_allow_duplicate_name_adds_the_second_customer(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, ["客户编号", "客户名称"], ("C005", "山东鲁建机械有限公司"))
    out = imported(office, "customers", path, "--allow-duplicate-name")
    assert out[0].startswith(summary(path, "customers", 1, 1, 0))
    assert rows("SELECT code FROM customers WHERE name = '山东鲁建机械有限公司' ORDER BY id") == [
        {"code": "C001"},
        {"code": "C005"},
    ]


def test_two_new_customers_of_one_name_in_a_file_are_refused(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        ["客户编号", "客户名称"],
        ("C005", "新泰矿山机械"),
        ("C006", "泰安宏达建设集团"),
        ("C007", "新泰矿山机械 "),
    )
    err = refused(office, rows, "customers", path)
    assert err[0] == (
        f"{path}:4:2: 客户名称: '新泰矿山机械' — expected a name no other new customer of the"
        " file has (also on line 2), or import with --allow-duplicate-name"
    )
    assert err[1] == f"Error: {path}: 1 error; nothing was imported"
    out = imported(office, "customers", path, "--allow-duplicate-name")
    assert out[0].startswith(summary(path, "customers", 3, 3, 0))


def test_renaming_to_another_customers_name_needs_both_flags(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, ["客户编号", "客户名称"], ("C002", "山东鲁建机械有限公司"))
    err = refused(office, rows, "customers", path, "--rename")
    assert err[0] == duplicate_of(path, 2, "山东鲁建机械有限公司", "C001")
    out = imported(office, "customers", path, "--rename", "--allow-duplicate-name")
    assert out == [
        summary(path, "customers", 1, 0, 1),
        "  C002 (line 2): name: 泰安宏达建设 → 山东鲁建机械有限公司",
    ]


def test_a_row_without_a_code_matches_its_customer_by_the_folded_name(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, ["客户名称", "电话"], ("泰安 宏达建设", "0538-1111111"))
    n = len(rows("SELECT id FROM customers"))
    out = imported(office, "customers", path)
    assert out == [
        summary(path, "customers", 1, 0, 1),
        "  C002 (line 2): name: 泰安宏达建设 → 泰安 宏达建设",
        "  C002 (line 2): phone: 13800138000 → 0538-1111111",
    ]
    assert len(rows("SELECT id FROM customers")) == n


def test_rows_without_a_code_under_one_name_are_refused(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, ["客户编号", "客户名称"], ("", "新泰矿山机械"), ("", "新泰矿山机械"))
    err = refused(office, rows, "customers", path, "--allow-duplicate-name")
    assert err[0] == (
        f"{path}:3:2: 客户名称: '新泰矿山机械' — expected a customer name that appears once"
        " (also on line 2)"
    )


@pytest.mark.parametrize("flag", ["--rename", "--allow-duplicate-name"])
def test_the_customer_flags_on_another_kind_are_a_usage_error(
    office: Run, rows: Rows, tmp_path: Path, flag: str
) -> None:
    path = write_csv(tmp_path, ["姓名", "角色"], ("刘芳", "文员"))
    before = dump(rows)
    r = office("import", "staff", str(path), flag)
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == [
        f"Error: {flag} applies to customers only",
        "Leave it out of `followup import staff`.",
    ]
    assert dump(rows) == before


def test_braces_in_names_are_quoted_as_typed(office: Run, rows: Rows, tmp_path: Path) -> None:
    r = office("customer", "edit", "C002", "--name", "{0}宏达{other}")
    assert r.exit_code == 0, r.output
    path = write_csv(
        tmp_path, ["客户编号", "客户名称"], ("C002", "{x}"), ("C009", "{0}宏达{other}")
    )
    err = refused(office, rows, "customers", path)
    assert err[:2] == [
        f"{path}:2:2: 客户名称: '{{x}}' — expected the name of customer C002, {{0}}宏达{{other}}:"
        " another name renames that customer (import with --rename if it is the same company"
        " under a new name)",
        duplicate_of(path, 3, "{0}宏达{other}", "C002"),
    ]


# -- the domain: import_file --------------------------------------------------------------------


def test_import_file_reports_changes_and_refuses_a_rename(
    office: Run, session: Callable[..., Any], tmp_path: Path
) -> None:
    from followup_cli.transfer.checks import ImportOptions
    from followup_cli.transfer.results import FieldChange

    s = session()
    path = write_csv(tmp_path, ["客户编号", "客户名称", "区域"], ("C001", "济南鲁通", "济南"))
    with pytest.raises(ImportErrors) as caught:
        import_file(s, "customers", path, dry_run=True)
    assert [(e.line, e.value) for e in caught.value.errors] == [(2, "济南鲁通")]
    report = import_file(s, "customers", path, dry_run=True, options=ImportOptions(rename=True))
    assert report.changes == [FieldChange(2, "C001", "name", "山东鲁建机械有限公司", "济南鲁通")]
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
