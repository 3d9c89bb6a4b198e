"""`followup import KIND FILE` (SPEC section 5, issue 5): headers, cells, all-or-nothing.

Every CSV is written here, into tmp_path, as bytes in an explicit encoding; no data files
are committed. Encodings themselves are tested in test_csv_decoding.py.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_office, open_db
from followup_cli.transfer import results
from followup_cli.transfer.importing import import_file
from followup_cli.transfer.results import ImportErrors

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TABLES = ("staff", "customers", "contacts", "events", "calls", "callbacks", "tickets")

DATE_EXPECTED = "a date like 2026-11-22 (also 2026/11/22, 2026.11.22, 2026年11月22日, 20261122)"
CUSTOMER_EXPECTED = "a customer code already in the database (import customers first)"
STAFF_EXPECTED = "a staff name (import staff first, or `followup staff add`)"
GRADE_EXPECTED = "a grade from 1 (most important) to 5, or 一级 … 五级"
EMAIL_EXPECTED = "an email address like name@example.com"
OUTCOME_EXPECTED = "one of reached, no-answer, busy, wrong-number, refused, left-message"
KIND_EXPECTED = "one of service, sale, parts, rental, used"
ROLE_EXPECTED = (
    "one of clerk, service, service_supervisor, service_manager, account_manager,"
    " sales_manager, branch_gm, marketing_director, regional_manager, deputy_gm, gm"
)

EVENT_HEADER = ["客户编号", "类型", "日期", "单号", "服务人员", "备注"]
CALL_HEADER = ["客户编号", "时间", "回访人", "回访结果", "满意度"]

_seq = itertools.count(1)


# -- helpers --------------------------------------------------------------------------


def write_csv(
    tmp_path: Path,
    header: list[str],
    *records: tuple[str, ...] | list[str],
    encoding: str = "utf-8",
    name: str | None = None,
) -> Path:
    """A CSV file as Excel writes it (CRLF), encoded explicitly; a fresh name each call."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(records)
    path = tmp_path / (name or f"import-{next(_seq)}.csv")
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def dump(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    return {t: rows(f"SELECT * FROM {t} ORDER BY id") for t in TABLES}


def counts(rows: Rows) -> dict[str, int]:
    return {t: rows(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in TABLES}


def bad(path: Path, line: int, col: int, header: str, value: str, expected: str) -> str:
    """One rejected cell, as the user sees it on stderr."""
    return f"{path}:{line}:{col}: {header}: {value!r} — expected {expected}"


def assert_rejected(r: Any, path: Path, total: int, *lines: str) -> list[str]:
    """Exit 65, every listed cell on stderr, the summary line, nothing on stdout."""
    assert r.exit_code == 65, r.output
    assert r.exception is None, r.exception
    assert "Traceback" not in r.output
    assert r.stdout == ""
    err = r.stderr.splitlines()
    for line in lines:
        assert line in err, f"missing {line!r} in:\n{r.stderr}"
    noun = "error" if total == 1 else "errors"
    assert f"Error: {path}: {total} {noun}; nothing was imported" in err
    return err


def report_line(kind: str, path: Path, n: int, new: int, updated: int, unchanged: int) -> str:
    return (
        f"Imported {kind} from {path} (UTF-8): {n} rows — "
        f"{new} new, {updated} updated, {unchanged} unchanged"
    )


def import_ok(run: Run, kind: str, path: Path, *args: str, today: str = "2026-11-23") -> Any:
    r = run("import", kind, str(path), *args, today=today)
    assert r.exit_code == 0, r.output
    assert r.exception is None
    return r


def events_file(tmp_path: Path, *records: tuple[str, ...]) -> Path:
    return write_csv(tmp_path, EVENT_HEADER, *records)


# -- a full set of office files ----------------------------------------------------------

STAFF_ROWS = [
    ("马超", "业务经理", "销售部", "13700000001"),
    ("黄忠", "文员", "客服部", "13700000002"),
]
CUSTOMER_HEADER = [
    "客户编号", "客户名称", "客户等级", "手机", "地区", "行业", "客户经理", "部门", "地址", "备注",
]  # fmt: skip
CUSTOMER_ROWS = [
    ("007", "临沂路桥工程有限公司", "二级", "13800000007", "临沂", "路桥", "马超", "销售部",
     "临沂市兰山区", "老客户"),
    ("K100", "潍坊农机合作社", "5", "0536-1234567", "潍坊", "农业", "", "", "", ""),
]  # fmt: skip
CONTACT_HEADER = ["客户编号", "姓名", "职务", "电话", "微信", "邮箱", "生日", "主要联系人"]
CONTACT_ROWS = [
    ("007", "刘备", "决策人", "13900000001", "liubei", "liubei@example.com", "1970-06-15", "是"),
    ("007", "关羽", "操作手", "13900000002", "", "", "08-20", ""),
    ("K100", "张飞", "采购", "13900000003", "", "", "", "是"),
]
EVENTS_HEADER_FULL = ["客户编号", "类型", "日期", "单号", "机型", "经办人", "结果", "备注"]
EVENT_ROWS = [
    ("007", "销售", "2026-11-02", "XS-001", "SY215C", "马超", "交车", ""),
    ("K100", "维修", "2026/11/18", "WX-002", "LG855", "赵强", "已修复", "更换液压泵"),
    ("C001", "配件", "2026年11月10日", "PJ-003", "", "", "", ""),
]
CALL_HEADER_FULL = ["客户编号", "时间", "回访人", "回访结果", "满意度", "联系人", "备注"]
CALL_ROWS = [
    ("007", "2026-11-05 09:30", "黄忠", "接通", "5", "刘备", "满意"),
    ("K100", "2026-11-20 15:00", "黄忠", "无人接听", "", "", ""),
    ("C001", "2026-11-21 10:00", "李娜", "接通", "高度满意", "张建国", ""),
]


@pytest.fixture
def office_files(tmp_path: Path) -> dict[str, tuple[Path, int]]:
    """kind -> (file, rows) for the five kinds, in import order."""
    return {
        "staff": (write_csv(tmp_path, ["姓名", "角色", "部门", "电话"], *STAFF_ROWS), 2),
        "customers": (write_csv(tmp_path, CUSTOMER_HEADER, *CUSTOMER_ROWS), 2),
        "contacts": (write_csv(tmp_path, CONTACT_HEADER, *CONTACT_ROWS), 3),
        "events": (write_csv(tmp_path, EVENTS_HEADER_FULL, *EVENT_ROWS), 3),
        "calls": (write_csv(tmp_path, CALL_HEADER_FULL, *CALL_ROWS), 3),
    }


@pytest.fixture
def imported(office: Run, office_files: dict[str, tuple[Path, int]]) -> Run:
    """The office, with the five files imported once."""
    for kind, (path, n) in office_files.items():
        r = import_ok(office, kind, path)
        assert r.stdout.startswith(report_line(kind, path, n, n, 0, 0)), r.stdout
    return office


# -- the five kinds, with Chinese headers ---------------------------------------------------


def test_imported_office_files_store_every_field(imported: Run, rows: Rows) -> None:
    staff = rows("SELECT name, role, department, phone FROM staff WHERE name IN ('马超', '黄忠')")
    assert staff == [
        {"name": "马超", "role": "account_manager", "department": "销售部", "phone": "13700000001"},
        {"name": "黄忠", "role": "clerk", "department": "客服部", "phone": "13700000002"},
    ]
    customers = rows(
        "SELECT code, name, grade, phone, region, industry, owner, department, address, note"
        " FROM customers WHERE code IN ('007', 'K100') ORDER BY id"
    )
    assert customers == [
        {"code": "007", "name": "临沂路桥工程有限公司", "grade": 2, "phone": "13800000007",
         "region": "临沂", "industry": "路桥", "owner": "马超", "department": "销售部",
         "address": "临沂市兰山区", "note": "老客户"},
        {"code": "K100", "name": "潍坊农机合作社", "grade": 5, "phone": "0536-1234567",
         "region": "潍坊", "industry": "农业", "owner": None, "department": None,
         "address": None, "note": None},
    ]  # fmt: skip
    contacts = rows(
        "SELECT c.code, ct.name, ct.role, ct.phone, ct.wechat, ct.email, ct.birthday,"
        " ct.is_primary FROM contacts ct JOIN customers c ON c.id = ct.customer_id"
        " WHERE c.code IN ('007', 'K100') ORDER BY ct.id"
    )
    assert contacts == [
        {"code": "007", "name": "刘备", "role": "decision-maker", "phone": "13900000001",
         "wechat": "liubei", "email": "liubei@example.com", "birthday": "1970-06-15",
         "is_primary": 1},
        {"code": "007", "name": "关羽", "role": "operator", "phone": "13900000002",
         "wechat": None, "email": None, "birthday": "08-20", "is_primary": 0},
        {"code": "K100", "name": "张飞", "role": "purchaser", "phone": "13900000003",
         "wechat": None, "email": None, "birthday": None, "is_primary": 1},
    ]  # fmt: skip
    events = rows(
        "SELECT c.code, e.kind, e.date, e.ref, e.machine, e.staff, e.result, e.note FROM events e"
        " JOIN customers c ON c.id = e.customer_id"
    )
    # Event ids follow the natural key's order (the fast insert), not the file's.
    assert sorted(events, key=lambda e: e["ref"]) == sorted([
        {"code": "007", "kind": "sale", "date": "2026-11-02", "ref": "XS-001",
         "machine": "SY215C", "staff": "马超", "result": "交车", "note": None},
        {"code": "K100", "kind": "service", "date": "2026-11-18", "ref": "WX-002",
         "machine": "LG855", "staff": "赵强", "result": "已修复", "note": "更换液压泵"},
        {"code": "C001", "kind": "parts", "date": "2026-11-10", "ref": "PJ-003",
         "machine": None, "staff": None, "result": None, "note": None},
    ], key=lambda e: e["ref"])  # fmt: skip
    calls = rows(
        "SELECT c.code, k.at, k.day, k.caller, k.outcome, k.satisfaction, ct.name AS contact,"
        " k.note, k.imported FROM calls k JOIN customers c ON c.id = k.customer_id"
        " LEFT JOIN contacts ct ON ct.id = k.contact_id ORDER BY k.at"
    )
    assert calls == [
        {"code": "007", "at": "2026-11-05T09:30:00+08:00", "day": "2026-11-05", "caller": "黄忠",
         "outcome": "reached", "satisfaction": 5, "contact": "刘备", "note": "满意",
         "imported": 1},
        {"code": "K100", "at": "2026-11-20T15:00:00+08:00", "day": "2026-11-20",
         "caller": "黄忠", "outcome": "no-answer", "satisfaction": None, "contact": None,
         "note": None, "imported": 1},
        {"code": "C001", "at": "2026-11-21T10:00:00+08:00", "day": "2026-11-21",
         "caller": "李娜", "outcome": "reached", "satisfaction": 5, "contact": "张建国",
         "note": None, "imported": 1},
    ]  # fmt: skip


# -- headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ["code", "name", "grade", "phone", "region", "industry", "owner", "department",
         "address", "note"],
        ["note", "address", "department", "owner", "industry", "region", "phone", "grade",
         "name", "code"],
        ["客户编号", "客户名称", "等级", "电话", "区域", "行业", "负责人", "部门", "地址", "备注"],
        ["备注", "客户经理", "地区", "手机", "客户等级", "客户名称", "客户编号", "地址", "部门",
         "行业"],
        ["Code", " Name ", "GRADE", "Phone", "Region", "Industry", "Owner", "Department",
         "Address", "Note"],
    ],
    ids=["english", "english-reversed", "chinese", "chinese-aliases-shuffled", "case-and-spaces"],
)  # fmt: skip
def test_customer_headers_in_english_or_chinese_in_any_order(
    office: Run, rows: Rows, tmp_path: Path, header: list[str]
) -> None:
    value_of = {
        "code": "C300", "name": "临沂路桥", "grade": "2", "phone": "13800000300",
        "region": "临沂", "industry": "路桥", "owner": "王伟", "department": "销售部",
        "address": "兰山区", "note": "老客户",
    }  # fmt: skip
    field_of = {
        "code": "code", "客户编号": "code", "name": "name", "客户名称": "name",
        "grade": "grade", "等级": "grade", "客户等级": "grade", "phone": "phone",
        "电话": "phone", "手机": "phone", "region": "region", "区域": "region",
        "地区": "region", "industry": "industry", "行业": "industry", "owner": "owner",
        "负责人": "owner", "客户经理": "owner", "department": "department", "部门": "department",
        "address": "address", "地址": "address", "note": "note", "备注": "note",
    }  # fmt: skip
    record = [value_of[field_of[h.strip().lower()]] for h in header]
    path = write_csv(tmp_path, header, record)
    r = import_ok(office, "customers", path)
    assert r.stdout.startswith(report_line("customers", path, 1, 1, 0, 0))
    assert "Warning" not in r.stderr
    got = rows(
        "SELECT code, name, grade, phone, region, industry, owner, department, address, note"
        " FROM customers WHERE code = 'C300'"
    )
    assert got == [{**value_of, "grade": 2}]


@pytest.mark.parametrize(
    ("kind", "header", "record", "sql", "expected"),
    [
        (
            "contacts",
            ["邮箱", "微信", "联系人", "客户编号", "角色", "手机", "生日", "主要联系人"],
            ["z@example.com", "zz01", "赵六", "C002", "财务", "13900000009", "1980年5月17日", "是"],
            "SELECT role, phone, wechat, email, birthday, is_primary FROM contacts"
            " WHERE name = '赵六'",
            {"role": "finance", "phone": "13900000009", "wechat": "zz01",
             "email": "z@example.com", "birthday": "1980-05-17", "is_primary": 1},
        ),
        (
            "events",
            ["结果", "设备", "经办人", "单号", "日期", "类型", "客户编号"],
            ["已修复", "SY75", "赵强", "WX-9", "2026-11-20", "维修", "C002"],
            "SELECT kind, date, ref, machine, staff, result FROM events",
            {"kind": "service", "date": "2026-11-20", "ref": "WX-9", "machine": "SY75",
             "staff": "赵强", "result": "已修复"},
        ),
        (
            "calls",
            ["满意度", "回访结果", "回访人", "时间", "客户编号", "备注"],
            ["4", "接通", "李娜", "2026-11-20 10:05", "C002", "还行"],
            "SELECT at, caller, outcome, satisfaction, note FROM calls",
            {"at": "2026-11-20T10:05:00+08:00", "caller": "李娜", "outcome": "reached",
             "satisfaction": 4, "note": "还行"},
        ),
        (
            "staff",
            ["电话", "部门", "职务", "姓名"],
            ["13700000009", "服务部", "服务主管", "许褚"],
            "SELECT role, department, phone FROM staff WHERE name = '许褚'",
            {"role": "service_supervisor", "department": "服务部", "phone": "13700000009"},
        ),
    ],
    ids=["contacts", "events", "calls", "staff"],
)  # fmt: skip
def test_chinese_headers_for_other_kinds_in_any_order(
    office: Run,
    rows: Rows,
    tmp_path: Path,
    kind: str,
    header: list[str],
    record: list[str],
    sql: str,
    expected: dict[str, Any],
) -> None:
    path = write_csv(tmp_path, header, record)
    r = import_ok(office, kind, path)
    assert r.stdout.startswith(report_line(kind, path, 1, 1, 0, 0)), r.stdout
    assert rows(sql) == [expected]


def test_event_alias_headers_machine_and_staff(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        ["客户编号", "类型", "日期", "机型", "服务人员"],
        ["C002", "维修", "2026-11-20", "LG855", "赵强"],
    )
    r = import_ok(office, "events", path)
    assert r.stdout.startswith(report_line("events", path, 1, 1, 0, 0))
    assert rows("SELECT ref, machine, staff FROM events") == [
        {"ref": "", "machine": "LG855", "staff": "赵强"}
    ]
    # Without a 单号 column the event is still matched on re-import.
    r = import_ok(office, "events", path)
    assert r.stdout.startswith(report_line("events", path, 1, 0, 0, 1))
    assert rows("SELECT count(*) AS n FROM events") == [{"n": 1}]


def test_unknown_columns_are_reported_as_ignored_not_fatal(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        ["客户编号", "客户名称", "传真", "Fax number", ""],
        ["C301", "济宁工程机械", "0537-1", "x", ""],
    )
    r = import_ok(office, "customers", path)
    assert r.stderr.splitlines() == ["Warning: columns not imported: 传真, Fax number"]
    assert r.stdout.startswith(report_line("customers", path, 1, 1, 0, 0))
    assert rows("SELECT name FROM customers WHERE code = 'C301'") == [{"name": "济宁工程机械"}]


@pytest.mark.parametrize(
    ("kind", "header", "record", "message"),
    [
        ("events", ["客户编号", "类型", "单号"], ["C001", "维修", "A1"],
         "missing column: date (日期/业务日期)"),
        ("events", ["类型", "日期"], ["维修", "2026-11-20"],
         "missing column: customer_code (客户编号/客户代码)"),
        ("contacts", ["客户编号", "电话"], ["C001", "13900000001"],
         "missing column: name (联系人/姓名)"),
        ("calls", ["客户编号", "时间", "回访结果"], ["C001", "2026-11-20", "接通"],
         "missing column: by (回访人/caller)"),
        ("calls", ["客户编号"], ["C001"],
         "missing columns: at (时间/回访时间); by (回访人/caller); outcome (回访结果/结果)"),
        ("staff", ["姓名", "部门"], ["许褚", "服务部"], "missing column: role (角色/职务)"),
        ("customers", ["客户编号", "电话"], ["C302", "13800000302"],
         "missing column: name (客户名称/名称)"),
    ],
)  # fmt: skip
def test_missing_required_column_names_it(
    office: Run,
    rows: Rows,
    tmp_path: Path,
    kind: str,
    header: list[str],
    record: list[str],
    message: str,
) -> None:
    before = dump(rows)
    path = write_csv(tmp_path, header, record)
    r = office("import", kind, str(path))
    assert r.exit_code == 65, r.output
    assert "Traceback" not in r.output
    assert r.stderr.splitlines()[0] == f"Error: {path}: {message}"
    assert dump(rows) == before


def test_two_columns_for_one_field_are_refused(office: Run, rows: Rows, tmp_path: Path) -> None:
    before = counts(rows)
    path = write_csv(tmp_path, ["客户编号", "客户名称", "电话", "手机"], ["C303", "甲", "1", "2"])
    r = office("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    assert "Traceback" not in r.output
    assert r.stderr.splitlines()[0] == f"Error: {path}:1: columns 3 and 4 both give 'phone'"
    assert counts(rows) == before


# -- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("2026-11-22", "2026-11-22"),
        ("2026/11/22", "2026-11-22"),
        ("2026/1/5", "2026-01-05"),
        ("2026-1-5", "2026-01-05"),
        ("2026.11.22", "2026-11-22"),
        ("2026年11月22日", "2026-11-22"),
        ("2026年1月5日", "2026-01-05"),
        ("20261122", "2026-11-22"),
        ("２０２６－１１－２２", "2026-11-22"),
        ("２０２６年１１月２２日", "2026-11-22"),
        ("２０２６１１２２", "2026-11-22"),
        (" 2026-11-23 ", "2026-11-23"),
    ],
)
def test_event_dates_in_every_accepted_format(
    office: Run, rows: Rows, tmp_path: Path, written: str, stored: str
) -> None:
    path = events_file(tmp_path, ("C002", "维修", written, "WX-1", "", ""))
    import_ok(office, "events", path)
    assert rows("SELECT date FROM events") == [{"date": stored}]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("22/11/2026", DATE_EXPECTED),
        ("11/22/2026", DATE_EXPECTED),
        ("2026-02-30", DATE_EXPECTED),
        ("2026-13-01", DATE_EXPECTED),
        ("2026-11", DATE_EXPECTED),
        ("26-11-22", DATE_EXPECTED),
        ("昨天", DATE_EXPECTED),
        ("Nov 22 2026", DATE_EXPECTED),
        ("2026-11-22 10:00", DATE_EXPECTED),
        ("46348", DATE_EXPECTED),  # an Excel serial day number
        ("", DATE_EXPECTED),
        ("2026-11-24", "a date on or before today (2026-11-23)"),
    ],
)
def test_bad_event_date_is_rejected_with_position_header_value_and_expectation(
    office: Run, rows: Rows, tmp_path: Path, written: str, expected: str
) -> None:
    before = dump(rows)
    path = events_file(tmp_path, ("C002", "维修", written, "WX-1", "", ""))
    r = office("import", "events", str(path))
    assert_rejected(r, path, 1, bad(path, 2, 3, "日期", written, expected))
    assert dump(rows) == before


# -- rejected cells ------------------------------------------------------------------------

REJECTIONS = [
    # kind, header, record, (column, header, value, expected)
    ("customers", ["code", "name", "grade"], ["C310", "新客户", "六级"],
     (3, "grade", "六级", GRADE_EXPECTED)),
    ("customers", ["code", "name", "grade"], ["C310", "新客户", "6"],
     (3, "grade", "6", GRADE_EXPECTED)),
    ("customers", ["code", "name", "grade"], ["C310", "新客户", "0"],
     (3, "grade", "0", GRADE_EXPECTED)),
    ("customers", ["code", "name", "owner"], ["C310", "新客户", "不存在的人"],
     (3, "owner", "不存在的人", STAFF_EXPECTED)),
    ("customers", ["code", "name"], ["C310", " "],
     (2, "name", " ", "a value (it cannot be empty)")),
    ("contacts", ["客户编号", "联系人", "邮箱"], ["C001", "王五", "wangwu@"],
     (3, "邮箱", "wangwu@", EMAIL_EXPECTED)),
    ("contacts", ["客户编号", "联系人", "邮箱"], ["C001", "王五", "wang wu@example.com"],
     (3, "邮箱", "wang wu@example.com", EMAIL_EXPECTED)),
    ("contacts", ["客户编号", "联系人"], ["C999", "王五"],
     (1, "客户编号", "C999", CUSTOMER_EXPECTED)),
    ("contacts", ["客户编号", "联系人", "生日"], ["C001", "王五", "2月30日"],
     (3, "生日", "2月30日", "a date like 1980-05-17, or a month and day like 05-17")),
    ("contacts", ["客户编号", "联系人", "角色"], ["C001", "王五", "老板娘"],
     (3, "角色", "老板娘", "one of person-in-charge, decision-maker, influencer, supervisor,"
      " purchaser, operator, finance, other")),
    ("events", EVENT_HEADER, ["C999", "维修", "2026-11-20", "WX-1", "", ""],
     (1, "客户编号", "C999", CUSTOMER_EXPECTED)),
    ("events", EVENT_HEADER, ["C001", "维修", "2026-11-20", "WX-1", "张飞", ""],
     (5, "服务人员", "张飞", STAFF_EXPECTED)),
    # (保养, maintenance, is a word for service: the bad kind is a car wash)
    ("events", EVENT_HEADER, ["C001", "洗车", "2026-11-20", "WX-1", "", ""],
     (2, "类型", "洗车", KIND_EXPECTED)),
    ("calls", CALL_HEADER, ["C999", "2026-11-20 10:00", "李娜", "接通", ""],
     (1, "客户编号", "C999", CUSTOMER_EXPECTED)),
    ("calls", CALL_HEADER, ["C001", "2026-11-20 10:00", "张飞", "接通", ""],
     (3, "回访人", "张飞", STAFF_EXPECTED)),
    ("calls", CALL_HEADER, ["C001", "2026-11-20 10:00", "李娜", "接通", "7"],
     (5, "满意度", "7", "a whole number from 1 to 5")),
    ("calls", CALL_HEADER, ["C001", "2026-11-20 10:00", "李娜", "无人接听", "5"],
     (5, "满意度", "5", "no value: the call was not reached (no-answer)")),
    ("calls", CALL_HEADER, ["C001", "2026-11-20 10:00", "李娜", "maybe", ""],
     (4, "回访结果", "maybe", OUTCOME_EXPECTED)),
    ("calls", CALL_HEADER, ["C001", "2026-11-24 09:00", "李娜", "接通", ""],
     (2, "时间", "2026-11-24 09:00", "a time on or before today (2026-11-23)")),
    ("staff", ["姓名", "角色"], ["许褚", "厨师"], (2, "角色", "厨师", ROLE_EXPECTED)),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "header", "record", "cell"), REJECTIONS)
def test_bad_cell_is_rejected_with_its_exact_message_and_nothing_is_written(
    office: Run,
    rows: Rows,
    tmp_path: Path,
    kind: str,
    header: list[str],
    record: list[str],
    cell: tuple[int, str, str, str],
) -> None:
    before = dump(rows)
    path = write_csv(tmp_path, header, record)
    r = office("import", kind, str(path))
    assert_rejected(r, path, 1, bad(path, 2, *cell))
    assert dump(rows) == before


@pytest.mark.parametrize(
    ("value", "shown_as"),
    [("1.38E+10", "scientific notation (1.38E+10)"), ("1.3800138E+10", "scientific notation (1.38E+10)"),
     ("13800138000.0", "a decimal (13800138000.0)")],
)  # fmt: skip
def test_excel_mangled_phone_is_rejected_naming_excel(
    office: Run, rows: Rows, tmp_path: Path, value: str, shown_as: str
) -> None:
    before = dump(rows)
    path = write_csv(tmp_path, ["客户编号", "客户名称", "电话"], ["C311", "新客户", value])
    r = office("import", "customers", str(path))
    expected = (
        f"a phone number as text; this looks like a number Excel turned into {shown_as}"
        " (format the column as Text in Excel and export again)"
    )
    err = assert_rejected(r, path, 1, bad(path, 2, 3, "电话", value, expected))
    assert "Excel" in err[0]
    assert dump(rows) == before


def test_excel_mangled_customer_code_is_rejected(office: Run, rows: Rows, tmp_path: Path) -> None:
    before = dump(rows)
    path = write_csv(tmp_path, ["客户编号", "客户名称"], ["1.2E+05", "新客户"])
    r = office("import", "customers", str(path))
    err = assert_rejected(r, path, 1)
    assert err[0].startswith(f"{path}:2:1: 客户编号: '1.2E+05' — expected ")
    assert "Excel" in err[0]
    assert dump(rows) == before


DUPLICATES = [
    ("customers", ["code", "name"], [("C320", "甲"), ("C320", "乙")],
     (1, "code", "C320", "a customer code that appears once (also on line 2)")),
    ("customers", ["name", "grade"], [("新客户甲", "3"), ("新客户甲", "3")],
     (1, "name", "新客户甲", "a customer name that appears once (also on line 2)")),
    ("contacts", ["客户编号", "联系人"], [("C001", "王五"), ("C001", "王五")],
     (2, "联系人", "王五", "a contact name per customer that appears once (also on line 2)")),
    ("events", EVENT_HEADER,
     [("C001", "维修", "2026-11-20", "WX-1", "", ""), ("C001", "维修", "2026/11/20", "WX-1", "", "")],
     (4, "单号", "WX-1", "a customer, kind, date and ref that appears once (also on line 2)")),
    ("calls", CALL_HEADER,
     [("C001", "2026-11-20 10:00", "李娜", "接通", ""),
      ("C001", "2026-11-20 10:00", "李娜", "接通", "")],
     (3, "回访人", "李娜", "a customer, time and caller that appears once (also on line 2)")),
    ("staff", ["姓名", "角色"], [("许褚", "文员"), ("许褚", "服务")],
     (1, "姓名", "许褚", "a staff name that appears once (also on line 2)")),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "header", "records", "cell"), DUPLICATES)
def test_duplicate_key_within_the_file_says_also_on_line_n(
    office: Run,
    rows: Rows,
    tmp_path: Path,
    kind: str,
    header: list[str],
    records: list[tuple[str, ...]],
    cell: tuple[int, str, str, str],
) -> None:
    before = dump(rows)
    path = write_csv(tmp_path, header, *records)
    r = office("import", kind, str(path))
    assert_rejected(r, path, 1, bad(path, 3, *cell))
    assert dump(rows) == before


def test_every_bad_cell_of_a_file_is_listed_in_file_order(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    before = dump(rows)
    path = events_file(
        tmp_path,
        ("C001", "维修", "2026-11-20", "WX-1", "", ""),
        ("C001", "洗车", "22/11/2026", "WX-2", "", ""),
        ("C002", "维修", "2026-11-20", "WX-3", "", ""),
        ("C002", "销售", "昨天", "WX-4", "", ""),
        ("C002", "销售", "2026-11-30", "WX-5", "", "\x00"),
    )
    r = office("import", "events", str(path))
    err = assert_rejected(r, path, 5)
    listed = [line for line in err if line.startswith(f"{path}:")]
    assert listed == [
        bad(path, 3, 2, "类型", "洗车", KIND_EXPECTED),
        bad(path, 3, 3, "日期", "22/11/2026", DATE_EXPECTED),
        bad(path, 5, 3, "日期", "昨天", DATE_EXPECTED),
        bad(path, 6, 3, "日期", "2026-11-30", "a date on or before today (2026-11-23)"),
        bad(path, 6, 6, "备注", "\x00", "text without control characters (NUL...)"),
    ]
    assert dump(rows) == before


def test_cell_errors_and_unknown_customers_are_listed_together(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    """SPEC 5: any error lists every bad cell — an unknown customer is one too."""
    before = dump(rows)
    path = events_file(
        tmp_path,
        ("C001", "维修", "2026/13/20", "WX-1", "", ""),
        ("C999", "销售", "2026-11-02", "WX-2", "", ""),
        ("C002", "销售", "2026-11-02", "WX-3", "张飞", ""),
    )
    r = office("import", "events", str(path))
    assert_rejected(
        r,
        path,
        3,
        bad(path, 2, 3, "日期", "2026/13/20", DATE_EXPECTED),
        bad(path, 3, 1, "客户编号", "C999", CUSTOMER_EXPECTED),
        bad(path, 4, 5, "服务人员", "张飞", STAFF_EXPECTED),
    )
    assert dump(rows) == before


def test_cells_beyond_the_header_are_rejected(office: Run, rows: Rows, tmp_path: Path) -> None:
    before = dump(rows)
    path = write_csv(tmp_path, ["客户编号", "客户名称"], ["C330", "甲", "多余"], ["C331", "乙", ""])
    r = office("import", "customers", str(path))
    assert_rejected(
        r, path, 1, bad(path, 2, 3, "(no header)", "多余", "at most 2 cells, as in the header line")
    )
    assert dump(rows) == before


def test_more_errors_than_the_cap_end_with_and_n_more(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    assert results.MAX_ERRORS == 1000
    before = dump(rows)
    records = [("C001", "维修", f"2026-11-{31 + i}", f"WX-{i}", "", "") for i in range(1200)]
    path = events_file(tmp_path, *records)
    r = office("import", "events", str(path))
    err = assert_rejected(r, path, 1200)
    listed = [line for line in err if line.startswith(f"{path}:")]
    assert len(listed) == 1000
    assert listed[0] == bad(path, 2, 3, "日期", "2026-11-31", DATE_EXPECTED)
    assert listed[-1] == bad(path, 1001, 3, "日期", "2026-11-1030", DATE_EXPECTED)
    assert "... and 200 more" in err
    assert err.index("... and 200 more") < err.index(
        f"Error: {path}: 1200 errors; nothing was imported"
    )
    assert dump(rows) == before


def test_import_file_keeps_the_first_max_errors_and_counts_all(
    office: Run, session: Callable[..., Any], rows: Rows, tmp_path: Path
) -> None:
    records = [("C001", "维修", "昨天", f"WX-{i}", "", "") for i in range(1005)]
    path = events_file(tmp_path, *records)
    s = session()
    with pytest.raises(ImportErrors) as info:
        import_file(s, "events", path)
    assert info.value.total == 1005
    assert len(info.value.errors) == results.MAX_ERRORS
    assert [e.line for e in info.value.errors] == list(range(2, 1002))
    assert info.value.exit_code == 65
    # The staging table is gone and the connection is usable for the next import.
    assert not s.conn.in_transaction
    good = events_file(tmp_path, ("C001", "维修", "2026-11-20", "WX-ok", "", ""))
    report = import_file(s, "events", good)
    assert (report.rows, report.inserted) == (1, 1)
    assert rows("SELECT ref FROM events") == [{"ref": "WX-ok"}]


# -- all or nothing -------------------------------------------------------------------------


def test_one_bad_row_at_the_end_of_20000_writes_nothing(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    before = dump(rows)
    records = [("C001" if i % 2 else "C002", "维修", "2026-11-20", f"WX-{i:05d}", "", "")
               for i in range(20_000)]  # fmt: skip
    records.append(("C001", "维修", "2026-11-31", "WX-LAST", "", ""))
    path = events_file(tmp_path, *records)
    r = office("import", "events", str(path))
    assert_rejected(r, path, 1, bad(path, 20_002, 3, "日期", "2026-11-31", DATE_EXPECTED))
    assert rows("SELECT count(*) AS n FROM events") == [{"n": 0}]
    assert dump(rows) == before


def test_unknown_customer_on_the_last_row_writes_nothing(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    before = dump(rows)
    records = [("C001", "维修", "2026-11-20", f"WX-{i:04d}", "", "") for i in range(3000)]
    records.append(("C404", "维修", "2026-11-20", "WX-LAST", "", ""))
    path = events_file(tmp_path, *records)
    r = office("import", "events", str(path))
    assert_rejected(r, path, 1, bad(path, 3002, 1, "客户编号", "C404", CUSTOMER_EXPECTED))
    assert dump(rows) == before


def test_a_logged_calls_outcome_cannot_change_and_the_new_rows_are_not_written(
    imported: Run, rows: Rows, tmp_path: Path
) -> None:
    before = dump(rows)
    path = write_csv(
        tmp_path,
        CALL_HEADER_FULL,
        ("C002", "2026-11-22 11:00", "李娜", "接通", "4", "", "新的一通"),
        ("K100", "2026-11-20 15:00", "黄忠", "接通", "", "", ""),
    )
    r = imported("import", "calls", str(path))
    assert_rejected(
        r,
        path,
        1,
        bad(path, 3, 4, "回访结果", "接通",
            "the outcome already recorded (no-answer): a logged call's outcome cannot change"),
    )  # fmt: skip
    assert dump(rows) == before


# -- re-import: idempotent, upsert ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["staff", "customers", "contacts", "events", "calls"])
def test_importing_the_same_file_twice_changes_nothing(
    imported: Run, rows: Rows, office_files: dict[str, tuple[Path, int]], kind: str
) -> None:
    before = dump(rows)
    path, n = office_files[kind]
    r = import_ok(imported, kind, path)
    assert r.stdout == (
        report_line(kind, path, n, 0, 0, n) + "\nNothing changed: this file was already imported.\n"
    )
    assert dump(rows) == before


def test_reimporting_every_file_again_next_day_changes_nothing(
    imported: Run, rows: Rows, office_files: dict[str, tuple[Path, int]]
) -> None:
    before = dump(rows)
    for kind, (path, n) in office_files.items():
        r = import_ok(imported, kind, path)
        assert r.stdout.startswith(report_line(kind, path, n, 0, 0, n)), (kind, r.stdout)
    assert dump(rows) == before


def test_contacts_file_with_an_empty_primary_column_reimports_unchanged(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    """Excel files often carry the 主要联系人 column with no one marked."""
    path = write_csv(
        tmp_path, ["客户编号", "联系人", "主要联系人"], ("C002", "张三", ""), ("C002", "李四", "")
    )
    import_ok(office, "contacts", path)
    before = dump(rows)
    r = import_ok(office, "contacts", path)
    assert r.stdout == (
        report_line("contacts", path, 2, 0, 0, 2)
        + "\nNothing changed: this file was already imported.\n"
    )
    assert dump(rows) == before


def test_a_changed_phone_counts_as_updated_and_updates_the_row(
    imported: Run, rows: Rows, tmp_path: Path
) -> None:
    n_customers = counts(rows)["customers"]
    changed = [list(CUSTOMER_ROWS[0]), list(CUSTOMER_ROWS[1])]
    changed[0][3] = "13800009999"
    path = write_csv(tmp_path, CUSTOMER_HEADER, *changed)
    r = import_ok(imported, "customers", path)
    assert r.stdout.startswith(report_line("customers", path, 2, 0, 1, 1))
    assert "Nothing changed" not in r.stdout
    assert rows("SELECT phone FROM customers WHERE code = '007'") == [{"phone": "13800009999"}]
    assert rows("SELECT phone FROM customers WHERE code = 'K100'") == [{"phone": "0536-1234567"}]
    assert counts(rows)["customers"] == n_customers


def test_changed_contact_phone_and_staff_department_are_updates(
    imported: Run, rows: Rows, tmp_path: Path
) -> None:
    n = counts(rows)
    contact = list(CONTACT_ROWS[1])
    contact[3] = "13900009999"
    path = write_csv(tmp_path, CONTACT_HEADER, contact)
    r = import_ok(imported, "contacts", path)
    assert r.stdout.startswith(report_line("contacts", path, 1, 0, 1, 0))
    assert rows("SELECT phone FROM contacts WHERE name = '关羽'") == [{"phone": "13900009999"}]
    path = write_csv(tmp_path, ["姓名", "角色", "部门"], ("黄忠", "文员", "服务部"))
    r = import_ok(imported, "staff", path)
    assert r.stdout.startswith(report_line("staff", path, 1, 0, 1, 0))
    assert rows("SELECT department FROM staff WHERE name = '黄忠'") == [{"department": "服务部"}]
    assert counts(rows)["contacts"] == n["contacts"]
    assert counts(rows)["staff"] == n["staff"]


def test_a_changed_event_note_updates_the_event_without_duplicating_it(
    imported: Run, rows: Rows, tmp_path: Path
) -> None:
    n = counts(rows)
    record = list(EVENT_ROWS[1])
    record[7] = "更换液压泵和滤芯"
    path = write_csv(tmp_path, EVENTS_HEADER_FULL, record)
    r = import_ok(imported, "events", path)
    assert r.stdout.startswith(report_line("events", path, 1, 0, 1, 0))
    assert rows("SELECT note FROM events WHERE ref = 'WX-002'") == [{"note": "更换液压泵和滤芯"}]
    assert counts(rows) == n


def test_customers_without_a_code_column_match_by_exact_name(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        ["客户名称", "等级", "电话"],
        ("泰安宏达建设", "4", "13800138000"),
        ("新泰矿山机械", "3", ""),
        ("泰安宏达建设集团", "", "0538-6666666"),
    )
    r = import_ok(office, "customers", path)
    assert r.stdout.startswith(report_line("customers", path, 3, 2, 0, 1))
    got = rows("SELECT code, name, grade FROM customers ORDER BY id")
    assert [(c["name"], c["grade"]) for c in got] == [
        ("山东鲁建机械有限公司", 1), ("泰安宏达建设", 4), ("新泰矿山机械", 3),
        ("泰安宏达建设集团", 4),
    ]  # fmt: skip
    assert got[1]["code"] == "C002"
    new_codes = [c["code"] for c in got[2:]]
    assert all(re.fullmatch(r"C\d{6}", code) for code in new_codes), new_codes
    assert len(set(new_codes)) == 2
    before = dump(rows)
    r = import_ok(office, "customers", path)
    assert r.stdout == (
        report_line("customers", path, 3, 0, 0, 3)
        + "\nNothing changed: this file was already imported.\n"
    )
    assert dump(rows) == before


def test_a_code_column_with_blank_cells_matches_by_name_too(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path, ["客户编号", "客户名称", "电话"], ("", "泰安宏达建设", "0538-1111111")
    )
    r = import_ok(office, "customers", path)
    assert r.stdout.startswith(report_line("customers", path, 1, 0, 1, 0))
    assert rows("SELECT code, phone FROM customers WHERE name = '泰安宏达建设'") == [
        {"code": "C002", "phone": "0538-1111111"}
    ]


# -- dry run --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "new", "updated", "unchanged"),
    [("staff", 2, 0, 0), ("customers", 2, 0, 0), ("contacts", 3, 0, 0), ("events", 3, 0, 0),
     ("calls", 3, 0, 0)],
)  # fmt: skip
def test_dry_run_validates_counts_and_writes_nothing(
    office: Run,
    rows: Rows,
    office_files: dict[str, tuple[Path, int]],
    kind: str,
    new: int,
    updated: int,
    unchanged: int,
) -> None:
    order = list(office_files)
    for before_kind in order[: order.index(kind)]:
        import_ok(office, before_kind, office_files[before_kind][0])
    path, n = office_files[kind]
    before = dump(rows)
    r = import_ok(office, kind, path, "--dry-run")
    assert r.stdout == (
        f"Would import {kind} from {path} (UTF-8): {n} rows — "
        f"{new} new, {updated} updated, {unchanged} unchanged\n"
    )
    assert dump(rows) == before
    # The real import then does what the dry run announced.
    r = import_ok(office, kind, path)
    assert r.stdout.startswith(report_line(kind, path, n, new, updated, unchanged))


def test_dry_run_of_customers_without_codes_writes_nothing(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    before = dump(rows)
    path = write_csv(tmp_path, ["客户名称"], ("泰安宏达建设",), ("新泰矿山机械",))
    r = import_ok(office, "customers", path, "--dry-run")
    assert r.stdout == (
        f"Would import customers from {path} (UTF-8): 2 rows — 1 new, 0 updated, 1 unchanged\n"
    )
    assert dump(rows) == before


def test_dry_run_of_an_already_imported_file_says_would_import(
    imported: Run, rows: Rows, office_files: dict[str, tuple[Path, int]]
) -> None:
    path, n = office_files["events"]
    before = dump(rows)
    r = import_ok(imported, "events", path, "--dry-run")
    assert (
        r.stdout
        == f"Would import events from {path} (UTF-8): {n} rows — 0 new, 0 updated, 3 unchanged\n"
    )
    assert dump(rows) == before


def test_dry_run_of_a_bad_file_reports_the_errors(office: Run, rows: Rows, tmp_path: Path) -> None:
    before = dump(rows)
    path = events_file(tmp_path, ("C001", "维修", "昨天", "WX-1", "", ""))
    r = office("import", "events", str(path), "--dry-run")
    assert_rejected(r, path, 1, bad(path, 2, 3, "日期", "昨天", DATE_EXPECTED))
    assert dump(rows) == before


# -- planning on import ---------------------------------------------------------------------


def event_callbacks(rows: Rows, ref: str) -> list[dict[str, Any]]:
    return rows(
        "SELECT b.due_on, b.planned_on, b.status, b.reason, b.role FROM callbacks b"
        " JOIN events e ON e.id = b.event_id WHERE e.ref = ? AND b.reason = 'event'"
        " ORDER BY b.due_on",
        ref,
    )


def test_events_import_plans_callbacks_from_the_event_date(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = events_file(tmp_path, ("C002", "维修", "2026-11-20", "WX-1", "赵强", ""))
    r = import_ok(office, "events", path)
    assert r.stdout == report_line("events", path, 1, 1, 0, 0) + "; 3 callbacks planned\n"
    # service: 2d, 7d, 1m; 22 Nov and 20 Dec 2026 are Sundays.
    assert event_callbacks(rows, "WX-1") == [
        {"due_on": "2026-11-23", "planned_on": "2026-11-22", "status": "pending",
         "reason": "event", "role": "clerk"},
        {"due_on": "2026-11-27", "planned_on": "2026-11-27", "status": "pending",
         "reason": "event", "role": "clerk"},
        {"due_on": "2026-12-21", "planned_on": "2026-12-20", "status": "pending",
         "reason": "event", "role": "clerk"},
    ]  # fmt: skip


def test_events_import_plans_exactly_what_event_add_plans(
    office: Run, rows: Rows, db_path: Path, tmp_path: Path
) -> None:
    """The import plans its staged rows before the write lock; `event add` plans one
    event in its transaction: the callbacks must be the same, field for field."""
    added = tmp_path / "added.db"
    added = copy_office(db_path, added)  # the same office, before any event
    records = [
        ("C001", "维修", "2026-11-20", "WX-1", "赵强", ""),
        ("C002", "销售", "2026-05-10", "", "", ""),
        ("C001", "配件", "2026-10-30", "PJ-9", "", ""),
    ]
    r = import_ok(office, "events", events_file(tmp_path, *records))
    # C001 is core: its service plans 2d, 7d, 1m, 3m, 6m (seed 003), its parts 7d
    assert r.stdout.endswith("; 7 callbacks planned\n"), r.stdout
    for code, kind, day, ref, who, _note in records:
        args = ["event", "add", code, "--kind", kind, "--date", day]
        args += ["--ref", ref] if ref else []
        args += ["--staff", who] if who else []
        r = office(*args, db=added)
        assert r.exit_code == 0, r.output
    plans = (
        "SELECT e.kind, e.date, e.ref, b.customer_id, b.due_on, b.planned_on, b.reason,"
        " b.source, b.level, b.role, b.assignee, b.detail, b.status,"
        " replace(b.plan_key, ':' || e.id || ':', ':EVENT:') AS plan_key"
        " FROM callbacks b JOIN events e ON e.id = b.event_id ORDER BY e.ref, b.due_on"
    )
    with closing(open_db(added)) as conn:
        conn.row_factory = sqlite3.Row
        by_add = [dict(row) for row in conn.execute(plans)]
    assert len(by_add) == 7
    assert rows(plans) == by_add


def test_a_key_repeated_three_times_lists_each_repeat(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    before = dump(rows)
    path = events_file(
        tmp_path,
        ("C001", "维修", "2026-11-20", "WX-1", "", ""),
        ("C002", "维修", "2026-11-20", "WX-1", "", ""),
        ("C001", "维修", "2026/11/20", "WX-1", "", "again"),
        ("C001", "维修", "2026年11月20日", "WX-1", "", "and again"),
    )
    r = office("import", "events", str(path))
    expected = "a customer, kind, date and ref that appears once (also on line {n})"
    assert_rejected(
        r,
        path,
        2,
        bad(path, 4, 4, "单号", "WX-1", expected.format(n=2)),
        bad(path, 5, 4, "单号", "WX-1", expected.format(n=4)),
    )
    assert dump(rows) == before


def test_events_import_of_old_history_plans_no_backlog(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    before = rows("SELECT count(*) AS n FROM callbacks")
    path = events_file(
        tmp_path,
        ("C002", "维修", "2026-06-01", "WX-OLD", "", ""),
        ("C002", "维修", "2025-03-15", "WX-OLDER", "", ""),
    )
    r = import_ok(office, "events", path)
    assert r.stdout == report_line("events", path, 2, 2, 0, 0) + "\n"
    assert rows("SELECT count(*) AS n FROM events") == [{"n": 2}]
    assert rows("SELECT count(*) AS n FROM callbacks") == before


def test_events_import_plans_only_what_is_not_stale(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    # A sale on 2026-05-10: 2d, 7d, 1m and 3m are long past; 6m falls on 2026-11-10,
    # 13 days ago, within stale_after_days (30): it is planned, overdue.
    path = events_file(tmp_path, ("C002", "销售", "2026-05-10", "XS-1", "", ""))
    r = import_ok(office, "events", path)
    assert r.stdout.endswith("; 1 callbacks planned\n") or r.stdout.endswith(
        "; 1 callback planned\n"
    )
    assert event_callbacks(rows, "XS-1") == [
        {"due_on": "2026-11-10", "planned_on": "2026-11-10", "status": "pending",
         "reason": "event", "role": "clerk"},
    ]  # fmt: skip


def test_no_pending_callback_from_an_import_is_older_than_stale_after_days(
    imported: Run, rows: Rows, tmp_path: Path
) -> None:
    path = events_file(
        tmp_path,
        *[("C002", kind, f"2026-{m:02d}-15", f"H-{kind}-{m}", "", "")
          for kind in ("维修", "销售", "租赁", "二手机", "配件") for m in range(1, 12)],
    )  # fmt: skip
    import_ok(imported, "events", path)
    calls = write_csv(
        tmp_path,
        CALL_HEADER,
        *[("C002", f"2026-{m:02d}-03 10:00", "李娜", "接通", "") for m in range(1, 12)],
    )
    import_ok(imported, "calls", calls)
    stale = rows(
        "SELECT due_on, reason FROM callbacks WHERE status = 'pending' AND due_on < '2026-10-24'"
    )
    assert stale == []


def test_calls_import_completes_callbacks_in_the_merge_window_and_reanchors_yearly(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    import_ok(
        office, "events", events_file(tmp_path, ("C002", "维修", "2026-11-20", "WX-1", "", ""))
    )
    path = write_csv(tmp_path, CALL_HEADER, ("C002", "2026-11-21 10:00", "李娜", "接通", "5"))
    r = import_ok(office, "calls", path)
    assert r.stdout.startswith(report_line("calls", path, 1, 1, 0, 0))
    call = rows("SELECT id, day, imported FROM calls")
    assert [(c["day"], c["imported"]) for c in call] == [("2026-11-21", 1)]
    # Merge window 3 days: the callback due 23 Nov is done by the call on 21 Nov;
    # the ones due 27 Nov and 21 Dec stay pending.
    got = rows(
        "SELECT b.due_on, b.status, b.call_id, b.closed_on FROM callbacks b"
        " WHERE b.reason = 'event' ORDER BY b.due_on"
    )
    assert got == [
        {"due_on": "2026-11-23", "status": "done", "call_id": call[0]["id"],
         "closed_on": "2026-11-21"},
        {"due_on": "2026-11-27", "status": "pending", "call_id": None, "closed_on": None},
        {"due_on": "2026-12-21", "status": "pending", "call_id": None, "closed_on": None},
    ]  # fmt: skip
    # The yearly floor now runs from the call: one pending yearly, anchored on 2027-11-21.
    yearly = rows(
        "SELECT planned_on, due_on FROM callbacks WHERE reason = 'yearly' AND status = 'pending'"
        " AND customer_id = (SELECT id FROM customers WHERE code = 'C002')"
    )
    assert yearly == [{"planned_on": "2027-11-21", "due_on": "2027-11-22"}]


def test_a_not_reached_imported_call_completes_nothing(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    import_ok(
        office, "events", events_file(tmp_path, ("C002", "维修", "2026-11-20", "WX-1", "", ""))
    )
    path = write_csv(tmp_path, CALL_HEADER, ("C002", "2026-11-21 10:00", "李娜", "无人接听", ""))
    import_ok(office, "calls", path)
    assert rows("SELECT count(*) AS n FROM callbacks WHERE status = 'done'") == [{"n": 0}]


# -- values stay text; Chinese vocabulary -----------------------------------------------------


def test_codes_and_phones_stay_text_and_full_width_digits_are_normalised(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        ["客户编号", "客户名称", "电话"],
        ("007", "零零七机械", "0531-00000007"),
        ("００８", "零零八机械", "１３９ ０５３１ ０００１"),
        ("000123", "全零机械", "+86 (0531) 8888-6666 转 801"),
    )
    import_ok(office, "customers", path)
    assert rows("SELECT code, phone FROM customers WHERE id > 2 ORDER BY id") == [
        {"code": "007", "phone": "0531-00000007"},
        {"code": "008", "phone": "139 0531 0001"},
        {"code": "000123", "phone": "+86 (0531) 8888-6666 转 801"},
    ]
    assert rows("SELECT typeof(code) AS t FROM customers WHERE code = '007'") == [{"t": "text"}]
    # Other files name the customer by the same code, also written full-width.
    ev = events_file(
        tmp_path,
        ("００７", "维修", "2026-11-20", "WX-7", "", ""),
        ("7", "维修", "2026-11-20", "WX-8", "", ""),
    )
    r = office("import", "events", str(ev))
    assert_rejected(r, ev, 1, bad(ev, 3, 1, "客户编号", "7", CUSTOMER_EXPECTED))
    ev = events_file(tmp_path, ("００７", "维修", "2026-11-20", "WX-7", "", ""))
    import_ok(office, "events", ev)
    assert rows("SELECT c.code FROM events e JOIN customers c ON c.id = e.customer_id") == [
        {"code": "007"}
    ]


@pytest.mark.parametrize(
    ("written", "grade"),
    [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5), ("一级", 1), ("二级", 2), ("三级", 3),
     ("四级", 4), ("五级", 5), ("２", 2), ("3级", 3)],
)  # fmt: skip
def test_grade_accepts_digits_and_chinese(
    office: Run, rows: Rows, tmp_path: Path, written: str, grade: int
) -> None:
    path = write_csv(tmp_path, ["客户编号", "客户名称", "等级"], ("C340", "新客户", written))
    import_ok(office, "customers", path)
    assert rows("SELECT grade FROM customers WHERE code = 'C340'") == [{"grade": grade}]


@pytest.mark.parametrize(
    ("written", "role"),
    [("业务经理", "account_manager"), ("文员", "clerk"), ("服务经理", "service_manager"),
     ("总经理", "gm"), ("sales_manager", "sales_manager"), ("service-supervisor", "service_supervisor")],
)  # fmt: skip
def test_staff_roles_accept_chinese(
    initdb: Run, rows: Rows, tmp_path: Path, written: str, role: str
) -> None:
    path = write_csv(tmp_path, ["姓名", "角色"], ("许褚", written))
    import_ok(initdb, "staff", path)
    assert rows("SELECT name, role FROM staff") == [{"name": "许褚", "role": role}]


@pytest.mark.parametrize(
    ("written", "kind"),
    [("维修", "service"), ("销售", "sale"), ("配件", "parts"), ("租赁", "rental"),
     ("二手机", "used"), ("service", "service"), ("Sale", "sale")],
)  # fmt: skip
def test_event_kinds_accept_chinese(
    office: Run, rows: Rows, tmp_path: Path, written: str, kind: str
) -> None:
    import_ok(
        office, "events", events_file(tmp_path, ("C002", written, "2026-11-20", "R1", "", ""))
    )
    assert rows("SELECT kind FROM events") == [{"kind": kind}]


@pytest.mark.parametrize(
    ("written", "outcome"),
    [("接通", "reached"), ("无人接听", "no-answer"), ("占线", "busy"), ("空号", "wrong-number"),
     ("拒接", "refused"), ("留言", "left-message"), ("no_answer", "no-answer")],
)  # fmt: skip
def test_call_outcomes_accept_chinese(
    office: Run, rows: Rows, tmp_path: Path, written: str, outcome: str
) -> None:
    path = write_csv(tmp_path, CALL_HEADER, ("C002", "2026-11-20 10:00", "李娜", written, ""))
    import_ok(office, "calls", path)
    assert rows("SELECT outcome FROM calls") == [{"outcome": outcome}]


# -- JSON report ----------------------------------------------------------------------------


def test_json_report_is_valid_json_with_numbers_as_numbers(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        ["客户编号", "客户名称", "等级", "电话", "传真"],
        ("C350", "甲机械", "1", "", "x"),
        ("C002", "泰安宏达建设", "4", "0538-2222222", ""),
    )
    r = import_ok(office, "customers", path, "--format", "json")
    report = json.loads(r.stdout)
    planned = rows(
        "SELECT count(*) AS n FROM callbacks"
        " WHERE customer_id = (SELECT id FROM customers WHERE code = 'C350')"
    )[0]["n"]
    assert planned > 0
    assert report == {
        "kind": "customers",
        "path": str(path),
        "encoding": "UTF-8",
        "rows": 2,
        "inserted": 1,
        "updated": 1,
        "unchanged": 0,
        "callbacks_planned": planned,
        "ignored_columns": ["传真"],
        "dry_run": False,
        "changes": [
            {
                "line": 3,
                "key": "C002",
                "field": "phone",
                "old": "13800138000",
                "new": "0538-2222222",
            }
        ],
    }
    for key in ("rows", "inserted", "updated", "unchanged", "callbacks_planned"):
        assert type(report[key]) is int, key


def test_json_report_of_a_dry_run(office: Run, tmp_path: Path) -> None:
    path = events_file(tmp_path, ("C002", "维修", "2026-11-20", "WX-1", "", ""))
    r = import_ok(office, "events", path, "--dry-run", "--format", "json")
    report = json.loads(r.stdout)
    assert report["dry_run"] is True
    assert (report["rows"], report["inserted"], report["callbacks_planned"]) == (1, 1, 0)


# -- usage --------------------------------------------------------------------------------------


def test_unknown_import_kind_is_a_usage_error(office: Run, rows: Rows, tmp_path: Path) -> None:
    before = dump(rows)
    path = write_csv(tmp_path, ["code"], ("C1",))
    r = office("import", "tickets", str(path))
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == [
        "Error: cannot import 'tickets'",
        "Import one of: customers, contacts, events, calls, staff.",
    ]
    assert dump(rows) == before
