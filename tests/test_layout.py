"""Terminal tables that fit: seen through a pseudo-terminal at 80, 100 and 160 columns, in
English and Chinese. Codes, phones, dates and headers are never split; free text wraps
between phrases; columns that do not fit are left out with a note; --wide shows all."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from conftest import copy_office
from followup_cli.cli.app import app
from pty_run import run_on_pty

# (imported where used, so that the screen tests also run, and fail, on code without them)
if TYPE_CHECKING:
    from followup_cli.render.output import Column


def cell_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pieces(text: str) -> tuple[str, ...]:
    from followup_cli.render.wrap import pieces

    return pieces(text)


def wrap(text: str, width: int) -> list[str]:
    from followup_cli.render.wrap import wrap

    return wrap(text, width)


def min_width(text: str) -> int:
    from followup_cli.render.wrap import min_width

    return min_width(text)


TODAY = "2026-12-01"
LONG_NAME = "泰安岱岳重型机械租赁有限公司"
SUMMARY = "约好周五上门保养，服务工程师没来也没通知"
# What must appear whole wherever it is shown (and these columns always are).
CODES = ("C001", "C002", "C003")
PHONE = "13658047436"
WORK_ORDER = "WO-2026-0346"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


# --- the pieces a line may break between ------------------------------------------------


def test_a_company_name_breaks_between_its_words() -> None:
    assert pieces("济南鲁通工程机械有限公司") == ("济南鲁通", "工程", "机械", "有限公司")
    assert wrap(LONG_NAME, 12) == ["泰安岱岳重型", "机械租赁", "有限公司"]
    assert wrap(LONG_NAME, 16) == ["泰安岱岳重型机械", "租赁有限公司"]
    assert pieces("临沂罗庄区大力土石方工程队") == ("临沂罗庄区", "大力", "土石方", "工程队")


def test_chinese_text_breaks_after_punctuation_and_keeps_a_count_with_its_words() -> None:
    text = "#1 拜访 第 4 次：核查 2026-10-30 服务回访 WO-2026-0346"
    lines = wrap(text, 12)
    assert "第 4 次：" in lines
    assert "2026-10-30" in lines and WORK_ORDER in lines
    assert all(cell_width(line) <= 12 for line in lines)
    assert wrap("SY215C（+1个月）", 10) == ["SY215C", "（+1个月）"]


def test_codes_numbers_and_dates_are_never_split() -> None:
    text = f"check of the service 2026-10-30 callback {WORK_ORDER} call {PHONE}"
    assert min_width(text) == len(WORK_ORDER)
    for width in range(len(WORK_ORDER), 40):
        lines = wrap(text, width)
        assert all(cell_width(line) <= width for line in lines)
        for token in ("2026-10-30", WORK_ORDER, PHONE):
            assert any(token in line for line in lines), (width, lines)


def test_a_newline_always_breaks_and_a_run_too_long_folds() -> None:
    assert wrap("a b\nc", 10) == ["a b", "c"]
    assert wrap("补发的履带板周三到货", 8) == ["补发的履", "带板周三", "到货"]


def test_a_quoted_command_and_a_number_closing_a_phrase_stay_whole() -> None:
    assert pieces("请核对（`followup customer show 客户编号`）") == (
        "请核对",
        "（`followup customer show 客户编号`）",
    )
    assert wrap("check the numbers (`followup customer show CODE`)", 40) == [
        "check the numbers",
        "(`followup customer show CODE`)",
    ]
    assert pieces("满意度 4；推荐度 8；") == ("满意度 4；", "推荐度 8；")
    assert "satisfaction 4;" in pieces("satisfaction 4; recommend 8;")
    assert pieces("page 4 of 5") == ("page", " ", "4", " ", "of", " ", "5")


def test_a_run_that_must_fold_starts_on_the_line_and_leaves_no_single_character() -> None:
    """ticket list at 80 columns in Chinese showed 服务 alone on a line, then
    工程师没来也没通 and 知 (issue 15)."""
    assert wrap("约好周五上门保养, 服务工程师没来也没通知", 17) == [
        "约好周五上门保养,",
        "服务工程师没来也",
        "没通知",
    ]
    assert wrap("履带板少发两块", 12) == ["履带板少发", "两块"]


def test_a_paragraph_keeps_its_indent_and_hangs_its_continuation() -> None:
    from followup_cli.render.wrap import hanging

    text = "  planned: #400 second-level due 2026-11-26 (check of the service 2026-11-19)"
    lines = hanging(text, 40, hang=2)
    assert lines == [
        "  planned: #400 second-level due",
        "    2026-11-26 (check of the service",
        "    2026-11-19)",
    ]
    assert hanging("short\n  two", 40, hang=2) == ["short", "  two"]
    assert all(cell_width(line) <= 30 for line in hanging("无法联系：" * 20, 30, hang=2))


# --- which columns a table keeps ---------------------------------------------------------


def columns() -> list[Column]:
    from followup_cli.render.output import Column

    return [
        Column("code", "Code", priority=1),
        Column("name", "Customer", wrap=True, priority=2),
        Column("phone", "Phone", priority=3),
        Column("note", "Note", wrap=True, priority=4),
        Column("count", "Tix", priority=9),
        Column("empty", "Empty", priority=1),
    ]


def layout_of(cells: Any, width: int, wide: bool = False) -> Any:
    from followup_cli.render.output import plan_layout

    return plan_layout(columns(), cells, width, wide)


CELLS = [["C000001", LONG_NAME, PHONE, "a long note " * 5, "1", ""]]


def test_columns_are_kept_by_priority_and_the_empty_one_is_left_out() -> None:
    headers = [c.header for c in columns()]
    layout = layout_of(CELLS, 200)
    assert layout.kept == (0, 1, 2, 3, 4) and layout.dropped == ()
    assert layout.width <= 200
    narrow = layout_of(CELLS, 50)
    assert [headers[i] for i in narrow.kept] == ["Code", "Customer", "Phone", "Tix"]
    assert [headers[i] for i in narrow.dropped] == ["Note"]
    assert narrow.width <= 50


def test_fixed_columns_take_their_content_and_free_text_the_rest() -> None:
    layout = layout_of(CELLS, 70)
    keys = [c.key for c in columns()]
    widths = dict(zip((keys[i] for i in layout.kept), layout.widths, strict=True))
    assert widths["code"] == 7 and widths["phone"] == len(PHONE) and widths["count"] == 3
    assert widths["name"] >= 12 and widths["note"] >= 12
    assert layout.width == 70


def test_wide_keeps_every_column_however_narrow() -> None:
    from followup_cli.render.output import Layout, table_overhead

    layout = layout_of(CELLS, 40, wide=True)
    assert layout.kept == (0, 1, 2, 3, 4) and layout.dropped == ()
    assert layout.width > 40
    assert Layout((0,), (7,), ()).width == 7 + table_overhead(1)


# --- the screens, as a person sees them ----------------------------------------------------


@pytest.fixture(scope="module")
def screens_db(office_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small office with a long-named customer, service jobs and two complaints."""
    folder = tmp_path_factory.mktemp("layout")
    db = folder / "followup.db"
    db = copy_office(office_template, db)
    if isinstance(db, Path):
        db.chmod(0o600)  # as followup makes it: no warning that others may read it
    runner = CliRunner()
    env = {
        "FOLLOWUP_STAFF": "李娜",
        "FOLLOWUP_LANGUAGE": "en",
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
    }

    def run(*args: str, today: str = "2026-11-16") -> None:
        r = runner.invoke(app, ["--db", str(db), "--today", today, *args], env=env)
        assert r.exit_code == 0, r.output

    run("customer", "add", LONG_NAME, "--code", "C003", "--grade", "2", "--phone", PHONE)
    run("contact", "add", "C003", "林卫东", "--role", "decision-maker", "--phone", PHONE)
    for code in CODES:
        run("event", "add", code, "--kind", "service", "--date", "2026-11-16",
            "--ref", WORK_ORDER, "--machine", "SY215C", "--staff", "赵强", "--result", "fixed")  # fmt: skip
    run("ticket", "open", "C003", "--summary", SUMMARY, "--category", "service.late")
    run("ticket", "open", "C001", "--summary", "履带板少发两块，客户等了一天", "--category",
        "parts", "--severity", "major", today="2026-11-23")  # fmt: skip
    return db


def screen(db: Path, width: int, language: str, *args: str, code: int = 0) -> str:
    """What `followup ARGS` draws on a terminal `width` columns wide (colours removed)."""
    env = {
        **os.environ,
        "COLUMNS": str(width),
        "LINES": "50",
        "TERM": "xterm",
        "FOLLOWUP_LANGUAGE": language,
        "TZ": "Asia/Shanghai",
        "PYTHONUTF8": "1",
    }
    env.pop("FOLLOWUP_FORCE_TERMINAL", None)
    argv = [sys.executable, "-m", "followup_cli", "--db", str(db), "--today", TODAY, *args]
    out, exit_code = run_on_pty(argv, env, width)
    assert exit_code == code, out.decode("utf-8", "replace")
    return ANSI.sub("", out.decode("utf-8")).replace("\r\n", "\n")


def header_cells(text: str) -> list[list[str]]:
    """The header cells of each table on the screen (a header is one line: never split)."""
    tables = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("┡"):
            header = lines[i - 1]
            assert lines[i - 2].startswith("┏"), f"a header took two lines:\n{text}"
            tables.append([cell.strip() for cell in header.strip("┃").split("┃")])
    return tables


def assert_fits(text: str, width: int) -> None:
    for line in text.splitlines():
        assert cell_width(line) <= width, f"{cell_width(line)} > {width}: {line}\n{text}"


def assert_whole(text: str, *tokens: str) -> None:
    for token in tokens:
        assert any(token in line for line in text.splitlines()), f"{token} split:\n{text}"


WIDTHS = (80, 100, 160)
LANGUAGES = ("en", "zh_CN")
NOTE = {"en": "Not shown: ", "zh_CN": "未显示："}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_due_fits_and_splits_no_code_phone_or_date(
    screens_db: Path, width: int, language: str
) -> None:
    text = screen(screens_db, width, language, "due")
    assert_fits(text, width)
    assert_whole(text, *CODES, PHONE, "13905310001", WORK_ORDER, "2026-11-16")
    (headers,) = header_cells(text)
    assert ("Code" if language == "en" else "编号") in headers
    # Each of C003's reasons on its own line: no "; " joins them on a terminal.
    assert "; #" not in text
    if width == 80:
        assert NOTE[language] in text
        note = next(line for line in text.splitlines() if line.startswith(NOTE[language]))
        assert "--wide" in note and cell_width(note) <= width
    if width == 160:
        assert NOTE[language] not in text
        assert_whole(text, LONG_NAME)


@pytest.mark.parametrize("language", LANGUAGES)
def test_due_wide_shows_every_column(screens_db: Path, language: str) -> None:
    text = screen(screens_db, 80, language, "due", "--wide")
    (headers,) = header_cells(text)
    expected = ["Urg", "Code", "Customer", "G", "Contact", "Phone", "Due", "Late", "Reasons"]
    if language == "zh_CN":
        expected = [
            "紧急度",
            "编号",
            "客户",
            "级",
            "联系人",
            "电话",
            "应回访日",
            "逾期",
            "回访事由",
        ]
    assert headers[: len(expected)] == expected
    assert NOTE[language] not in text
    assert_whole(text, *CODES, PHONE, WORK_ORDER)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "command",
    [
        ("ticket", "list"),
        ("ticket", "show", "1"),
        ("customer", "list"),
        ("customer", "show", "C003"),
        ("report", "daily"),
        ("report", "complaints"),
        ("report", "staff"),
    ],
    ids=" ".join,
)
def test_screens_fit_with_headers_and_codes_whole(
    screens_db: Path, width: int, language: str, command: tuple[str, ...]
) -> None:
    text = screen(screens_db, width, language, *command)
    assert_fits(text, width)
    tables = header_cells(text)
    assert tables, text
    for headers in tables:
        # never a sliver: every column at least as wide as its header, none empty
        assert all(headers), text
    shown = [code for code in CODES if code in text]
    assert shown or command[1] in ("show", "staff"), text
    assert_whole(text, *shown)
    for date in re.findall(r"20\d\d-\d\d-\d\d", text):
        assert_whole(text, date)
    assert not re.search(r"20\d\d-\d?\d?-?\s*[│┃]?\s*$", text, re.MULTILINE), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_ticket_list_names_owner_and_escalated_to(screens_db: Path, language: str) -> None:
    text = screen(screens_db, 160, language, "ticket", "list")
    (headers,) = header_cells(text)
    if language == "en":
        assert "Owner" in headers and "Escalated to" in headers and "With" not in headers
    else:
        assert "负责人" in headers and "已升级至" in headers and "当前处理人" not in headers
    shown = screen(screens_db, 160, language, "ticket", "show", "1")
    assert ("Escalated to" if language == "en" else "已升级至") in shown


def test_a_free_text_column_wraps_between_phrases_in_chinese(screens_db: Path) -> None:
    text = screen(screens_db, 80, "zh_CN", "ticket", "show", "1")
    assert_fits(text, 80)
    # the customer's name (in the detail block) is whole or broken between its words
    assert LONG_NAME in text or "有限公司" in text
    assert "有限公│司" not in text and "公\n" not in text


def test_satisfaction_tables_have_no_empty_nps_and_a_chart_header(
    run: Callable[..., object], office: Callable[..., object], db_path: Path
) -> None:
    for code, score in (("C001", "5"), ("C002", "3")):
        r = office("log-call", code, "--outcome", "reached", "--satisfaction", score)
        assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    text = screen(db_path, 160, "en", "report", "satisfaction", "--from", "2026-11-01")
    for headers in header_cells(text):
        assert "NPS" not in headers  # nobody answered the recommend question
        assert headers[-1] == "Average (chart)"
    plain = office("report", "satisfaction", "--from", "2026-11-01", today=TODAY)
    assert "NPS" not in plain.stdout  # type: ignore[attr-defined]
    r = office("log-call", "C001", "--outcome", "reached", "--satisfaction", "4",
               "--recommend", "9", "--by", "王伟")  # fmt: skip
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    text = screen(db_path, 160, "en", "report", "satisfaction", "--from", "2026-11-01")
    assert all("NPS" in headers for headers in header_cells(text))


def test_off_a_terminal_the_plain_table_keeps_every_column(office: Callable[..., object]) -> None:
    r = office("due", "--days", "30")
    out = r.stdout  # type: ignore[attr-defined]
    header = out.splitlines()[1]
    for name in ("Urg", "Code", "Customer", "G", "Contact", "Phone", "Due", "Late", "Reasons"):
        assert name in header
    assert "Not shown" not in out


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_error_and_its_hint_fit_a_narrow_terminal(screens_db: Path, language: str) -> None:
    """An error on stderr is fitted as the screens are (a terminal would break it
    mid-word); cron mail and pipes get it on one line (tests/test_customers.py)."""
    shown = screen(screens_db, 40, language, "customer", "show", "NOPE", code=1)
    assert_fits(shown, 40)
    expected = {
        "en": "Error: no customer matches 'NOPE' (by\n  code, id or exact name)\nSearch with\n"
        "`followup customer list --search TEXT`.\n",
        "zh_CN": "错误：没有客户匹配“NOPE”（按编号、ID\n  或完整名称）\n可用\n"
        "`followup customer list --search 关键词`\n查找。\n",
    }
    assert shown == expected[language]


# -- widths -------------------------------------------------------------------------

WIDTH_SAMPLES = [
    "",
    "C000123",
    "济南鲁通工程机械有限公司",
    "ｆｕｌｌ－ｗｉｄｔｈ",
    "e\u0301te\u0301",  # combining accents take no cell
    "\u0301 leading mark",
    "#12 回访 L2 try 2: 服务 2026-11-20 (+2d)；Ⓐ ← ☎ 😀",
    "\\x1b[31m escaped",
]


@pytest.mark.parametrize("text", WIDTH_SAMPLES)
def test_cell_width_agrees_with_the_slow_count(text: str) -> None:
    from followup_cli.render.wrap import cell_width, cell_width_slow

    assert cell_width(text) == cell_width_slow(text)
    assert cell_width(text) == cell_width(text)  # (the cached widths, a second time)


def test_cell_width_counts_wide_and_combining_characters() -> None:
    from followup_cli.render.wrap import cell_width

    assert cell_width("abc") == 3
    assert cell_width("有限公司") == 8
    assert cell_width("e\u0301") == 1
    assert cell_width("ａ") == 2


def test_cell_width_agrees_over_random_text() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from followup_cli.render.wrap import cell_width, cell_width_slow

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.text(max_size=40))
    def agree(text: str) -> None:
        assert cell_width(text) == cell_width_slow(text)

    agree()


def test_phrase_breaks_agree_with_trying_every_phrase_everywhere() -> None:
    """The break finder that looks each word's phrases up once (the due screen wraps
    thousands of cells) breaks where trying every phrase at every place does, over words
    made of the phrases, place names, punctuation and other characters."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from followup_cli.render.wrap import (
        CLOSING,
        OPENING,
        PHRASE_STARTS,
        _cjk_boundary,
        _cjk_boundary_slow,
        _phrase_ends,
    )

    parts = st.sampled_from(
        [*PHRASE_STARTS, "区", "县", "临沂罗庄", "济南", "鲁通", "a", "4", "市", *CLOSING, *OPENING]
    )

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.lists(st.one_of(parts, st.text(min_size=1, max_size=2)), min_size=1, max_size=12))
    def agree(bits: list[str]) -> None:
        word = "".join(bits).replace(" ", "")
        found = _phrase_ends(word)
        for i in range(1, len(word)):
            assert _cjk_boundary(word, i, found) == _cjk_boundary_slow(word, i), (word, i)

    agree()


def test_pieces_agree_with_asking_every_character() -> None:
    """A text is cut where a line may break as the character-by-character reference
    cuts it: English and codes (a break before an opening bracket only), Chinese phrases,
    numbers glued to their words, quoted commands, punctuation of both scripts."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from followup_cli.render.wrap import CLOSING, OPENING, PHRASE_STARTS, pieces, pieces_slow

    bits = st.sampled_from(
        [
            *PHRASE_STARTS[:12], "区", "济南", " ", "  ", "4", "12", "第", "次", "a", "ab",
            "WO-2026-0346", "(", "((", "x(y)", "`followup due`", "`", "4;", "8，", "#31",
            *CLOSING, *OPENING,
        ]
    )  # fmt: skip

    @settings(max_examples=500, deadline=None, derandomize=True)
    @given(st.lists(st.one_of(bits, st.text(max_size=3)), max_size=14))
    def agree(parts: list[str]) -> None:
        text = "".join(parts).replace("\n", " ")
        assert pieces.__wrapped__(text) == pieces_slow(text), text

    agree()


def test_plain_table_pads_each_cell_to_its_column() -> None:
    from followup_cli.render.output import Column, plain_table

    columns = [Column("n", "N", justify="right"), Column("name", "Name"), Column("x", "X")]
    records = [{"n": 7, "name": "济南", "x": "a"}, {"n": 12, "name": "ab", "x": ""}]
    assert plain_table(columns, records).split("\n") == [
        "N   Name  X",
        "--  ----  -",
        " 7  济南  a",
        "12  ab",
    ]
