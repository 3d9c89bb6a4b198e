"""Hostile input at scale: random bytes, random CSV shapes, random unicode and dates fed to
every import kind and to the free-text options. The only outcomes allowed are success or
a clean error (65 for data, 2 for usage) — never a traceback, never a partial write.
Rich markup in customer data prints verbatim in every table."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import open_db

Run = Callable[..., Any]
TABLES = (
    "staff",
    "customers",
    "contacts",
    "events",
    "calls",
    "callbacks",
    "tickets",
    "ticket_history",
    "escalations",
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

# Text that has broken CSV readers and terminals: full-width, emoji, RTL and zero-width
# marks, NUL and other controls, quotes, separators, very long runs.
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "１３８００１３８０００",
            "C００１",
            "\u202e客户\u202c",
            "\u200b",
            "\x00",
            "\x1b[31mred",
            "😀🚜",
            '"',
            '""',
            ",",
            "\t",
            "\r\n",
            "=cmd|' /C calc'!A0",
            "+1",
            "-1",
            "@SUM(A1)",
            "[b]x[/b]",
            "[link=http://evil]y[/link]",
            "一级",
            "1.38E+10",
            "2026-02-30",
            "20261122",
            "2026年11月22日",
            "22/11/2026",
            "x" * 5000,
            "中" * 3000,
        ]
    ),
)
HEADERS = {
    "staff": ["name", "role", "department", "phone", "姓名", "角色"],
    "customers": [
        "code",
        "name",
        "grade",
        "phone",
        "region",
        "owner",
        "note",
        "客户编号",
        "客户名称",
        "等级",
        "电话",
    ],
    "contacts": ["customer_code", "name", "role", "phone", "birthday", "primary", "联系人", "生日"],
    "events": ["customer_code", "kind", "date", "ref", "staff", "result", "note", "类型", "日期"],
    "calls": [
        "customer_code",
        "at",
        "by",
        "outcome",
        "satisfaction",
        "answers",
        "note",
        "回访结果",
        "满意度",
    ],
}


def snapshot(db: Path) -> dict[str, int]:
    conn = open_db(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def assert_clean(r: Any, allowed: tuple[int, ...]) -> None:
    assert r.exit_code in allowed, (r.exit_code, r.output[-2000:])
    assert "Traceback" not in r.output
    if r.exit_code:
        assert r.stderr.startswith("Error: ") or "Error: " in r.stderr, r.output[-2000:]


@pytest.mark.parametrize("kind", sorted(HEADERS))
@SETTINGS
@given(data=st.binary(max_size=3000))
def test_random_bytes_never_crash_an_import(
    office: Run, db_path: Path, tmp_path: Path, kind: str, data: bytes
) -> None:
    before = snapshot(db_path)
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    r = office("import", kind, str(path))
    assert_clean(r, (0, 65))
    if r.exit_code:
        assert snapshot(db_path) == before


@st.composite
def csv_files(draw: st.DrawFn, kind: str) -> str:
    header = draw(
        st.lists(st.sampled_from(HEADERS[kind]) | st.text(max_size=8), min_size=1, max_size=8)
    )
    width = len(header)
    rows = draw(st.lists(st.lists(NASTY, min_size=0, max_size=width + 2), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("kind", sorted(HEADERS))
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
@SETTINGS
@given(data=st.data())
def test_random_csv_shapes_import_or_fail_cleanly(
    office: Run, db_path: Path, tmp_path: Path, kind: str, encoding: str, data: st.DataObject
) -> None:
    text = data.draw(csv_files(kind))
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(raw)
    before = snapshot(db_path)
    r = office("import", kind, str(path))
    assert_clean(r, (0, 65))
    if r.exit_code:
        assert snapshot(db_path) == before
    # Whatever happened, the database is sound.
    check = office("db", "check")
    assert check.exit_code == 0, check.output


FREE_TEXT = [
    ("customer", "add", "{x}", "--note", "{x}", "--address", "{x}", "--region", "{x}"),
    ("contact", "add", "C001", "{x}", "--wechat", "{x}"),
    (
        "event",
        "add",
        "C001",
        "--kind",
        "service",
        "--ref",
        "{x}",
        "--result",
        "{x}",
        "--note",
        "{x}",
        "--machine",
        "{x}",
    ),
    ("log-call", "C001", "--outcome", "reached", "--by", "李娜", "--note", "{x}"),
    ("ticket", "open", "C001", "--summary", "{x}", "--category", "other", "--details", "{x}"),
    ("staff", "add", "{x}", "--role", "clerk", "--department", "{x}"),
    ("customer", "list", "--search", "{x}"),
    ("due", "--staff", "{x}"),
    ("customer", "show", "{x}"),
]


@pytest.mark.parametrize("template", FREE_TEXT, ids=lambda t: " ".join(t[:2]))
@SETTINGS
@given(text=NASTY)
def test_free_text_options_store_verbatim_or_fail_cleanly(
    office: Run, db_path: Path, template: tuple[str, ...], text: str
) -> None:
    args = [a.replace("{x}", text) for a in template]
    before = snapshot(db_path)
    r = office(*args)
    assert_clean(r, (0, 1, 2, 65))
    if r.exit_code:
        assert snapshot(db_path) == before


@SETTINGS
@given(
    day=st.text(max_size=20)
    | st.dates().map(str)
    | st.sampled_from(
        [
            "2026-02-29",
            "2026-13-01",
            "0000-01-01",
            "9999-12-31",
            "2026-11-23T25:00",
            "２０２６-１１-２２",
        ]
    )
)
def test_random_dates_are_accepted_or_refused_as_data(office: Run, db_path: Path, day: str) -> None:
    before = snapshot(db_path)
    r = office("event", "add", "C001", "--kind", "parts", "--date", day)
    assert_clean(r, (0, 1, 65))
    if r.exit_code:
        assert snapshot(db_path) == before


MARKUP = ["[b]粗体[/b]", "[link=http://evil.example]点我[/link]", "[/]", "[red on white]x"]


@pytest.mark.parametrize(
    "command",
    [
        ("due",),
        ("customer", "list"),
        ("customer", "show", "C100"),
        ("contact", "list"),
        ("ticket", "list"),
        ("ticket", "show", "1"),
        ("report", "complaints"),
        ("report", "warnings"),
        ("report", "daily"),
        ("event", "list"),
    ],
)
@pytest.mark.parametrize("terminal", [False, True], ids=["plain", "rich"])
def test_markup_in_customer_data_prints_verbatim(
    office: Run, command: tuple[str, ...], terminal: bool
) -> None:
    name = " ".join(MARKUP)
    for args in (
        ("customer", "add", name, "--code", "C100", "--grade", "1", "--note", MARKUP[1]),
        ("contact", "add", "C100", MARKUP[0], "--role", "decision-maker"),
        (
            "event",
            "add",
            "C100",
            "--kind",
            "service",
            "--date",
            "2026-11-20",
            "--ref",
            MARKUP[1],
            "--result",
            MARKUP[2],
        ),
        (
            "ticket",
            "open",
            "C100",
            "--summary",
            MARKUP[3] + " " + MARKUP[0],
            "--category",
            "other",
            "--severity",
            "critical",
        ),
    ):
        r = office(*args)
        assert r.exit_code == 0, r.output
    env = {"FOLLOWUP_FORCE_TERMINAL": "1", "COLUMNS": "400"} if terminal else {}
    # Two days on, the critical complaint is past its deadline: the daily report lists it.
    r = office(*command, env=env, today="2026-11-25")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "\x1b]8;" not in out  # no terminal hyperlink was made
    assert "[b]粗体[/b]" in out or "[b]粗体[/b]" in out.replace("\n", "")
    if command[0] in ("customer", "due") and command[-1] != "list":
        assert "[link=http://evil.example]" in out.replace("\n", "")
