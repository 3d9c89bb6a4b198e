"""The terminal tables drawn without Rich (render/box_table.py) are the bytes Rich
writes for the same table, with and without styles; where it cannot draw a table it
says so and Rich draws it; the terminal's width and the choice of styles are Rich's."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from conftest import sqlite_only
from followup_cli.render import box_table
from followup_cli.render.lines import terminal_width
from followup_cli.render.output import (
    Column,
    Layout,
    _drawn_cells,
    plan_layout,
    print_rich_table,
    rich_table,
)
from pty_run import run_on_pty


def rich_bytes(
    headers: list[str],
    right: list[bool],
    widths: list[int],
    rows: list[list[str]],
    title: str | None,
    styled: bool,
) -> str:
    """What Rich prints for the table, as print_rich_table hands it to Rich."""
    columns = [
        Column(key=f"c{i}", header=h, justify="right" if r else "left")
        for i, (h, r) in enumerate(zip(headers, right, strict=True))
    ]
    layout = Layout(tuple(range(len(columns))), tuple(widths), ())
    out = io.StringIO()
    console = Console(
        file=out,
        force_terminal=styled,
        color_system="standard" if styled else None,
        width=max(80, layout.width),
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(rich_table(columns, rows, layout, title))
    return out.getvalue()


ASCII_WORDS = st.sampled_from(["C000001", "Code", "a", "visit", "2026-11-23", " ", "  ", "#31"])
CJK_WORDS = st.sampled_from(["济南鲁通", "有限公司", "回访", "第 4 次", "（集团）", "张丽", "，"])
LINE = st.lists(st.one_of(ASCII_WORDS, CJK_WORDS), max_size=5).map("".join)
CELL = st.lists(LINE, min_size=1, max_size=3).map("\n".join)


@st.composite
def tables(draw: Any) -> tuple[Any, ...]:
    n = draw(st.integers(1, 5))
    headers = [draw(st.one_of(ASCII_WORDS, CJK_WORDS)).strip() or "H" for _ in range(n)]
    right = [draw(st.booleans()) for _ in range(n)]
    widths = [draw(st.integers(1, 14)) for _ in range(n)]
    rows = [[draw(CELL) for _ in range(n)] for _ in range(draw(st.integers(1, 4)))]
    title = draw(st.one_of(st.none(), LINE.filter(lambda t: t.strip() != "")))
    return headers, right, widths, rows, title


@settings(max_examples=400, deadline=None, derandomize=True)
@given(tables(), st.booleans())
def test_a_table_is_drawn_as_rich_draws_it(table: tuple[Any, ...], styled: bool) -> None:
    """Over random tables: cells of English and Chinese wider and narrower than their
    column (cropped and padded as Rich does), several lines, right-justified columns,
    with and without a title, with and without the header's bold."""
    headers, right, widths, rows, title = table
    drawn = box_table.draw(headers, right, widths, rows, title, styled)
    expected = rich_bytes(headers, right, widths, rows, title, styled)
    if drawn is None:
        # Only a title wider than the table is left to Rich here (Rich wraps it).
        assert title is not None
        assert box_table.cell_len(title) > sum(widths) + 3 * len(widths) + 1
        return
    assert drawn == expected


def test_the_header_is_bold_the_box_heavy_headed_and_the_title_padded() -> None:
    bold = "\x1b[1m{}\x1b[0m".format
    drawn = box_table.draw(
        ["Code", "Late"], [False, True], [7, 4], [["C000007", "18"]], "Due", True
    )
    assert drawn == (
        "Due" + " " * 15 + "\n"
        "┏━━━━━━━━━┳━━━━━━┓\n"
        f"┃{bold(' ')}{bold('Code   ')}{bold(' ')}┃{bold(' ')}{bold('Late')}{bold(' ')}┃\n"
        "┡━━━━━━━━━╇━━━━━━┩\n"
        "│ C000007 │   18 │\n"
        "└─────────┴──────┘\n"
    )
    assert drawn == rich_bytes(
        ["Code", "Late"], [False, True], [7, 4], [["C000007", "18"]], "Due", True
    )


@pytest.mark.parametrize(
    ("headers", "rows", "title"),
    [
        (["Note"], [["a\tb"]], None),  # Rich expands a tab
        (["Note"], [["a\rb"]], None),  # and takes out a carriage return
        (["Two\nlines"], [["x"]], None),  # a header of two lines
        (["N"], [["x"]], "a title much wider than its table"),  # Rich wraps it
        (["N"], [["x"]], "two\nlines"),
    ],
)
def test_what_it_does_not_draw_is_left_to_rich(
    headers: list[str], rows: list[list[str]], title: str | None
) -> None:
    assert box_table.draw(headers, [False], [4], rows, title, True) is None


def test_a_stream_that_is_not_utf8_is_left_to_rich() -> None:
    class Latin1(io.StringIO):
        encoding = "latin-1"

    assert box_table.draws_here(io.StringIO())  # (a StringIO has no encoding: Rich says utf-8)
    assert not box_table.draws_here(Latin1())


class Tty(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


ENVIRONMENTS = [
    {},
    {"TERM": "xterm-256color"},
    {"TERM": "dumb"},
    {"TERM": "UNKNOWN"},
    {"TERM": "xterm", "NO_COLOR": "1"},
    {"TERM": "xterm", "FORCE_COLOR": "1"},
    {"TERM": "xterm", "FORCE_COLOR": ""},
    {"TERM": "dumb", "FORCE_COLOR": "1"},
    {"TERM": "xterm", "TTY_COMPATIBLE": "0"},
    {"TERM": "xterm", "TTY_COMPATIBLE": "1"},
    {"TERM": "xterm", "TTY_COMPATIBLE": "2"},
    {"TERM": "xterm", "COLORTERM": "truecolor"},
    {"COLUMNS": "100", "LINES": "40"},
    {"COLUMNS": "100"},
    {"COLUMNS": "100", "TERM": "dumb"},
    {"COLUMNS": "100", "LINES": "40", "TERM": "dumb"},
    {"COLUMNS": "wide", "LINES": "40"},
    {"LINES": "40"},
]


@pytest.mark.parametrize(
    "env", ENVIRONMENTS, ids=lambda e: ",".join(f"{k}={v}" for k, v in e.items())
)
@pytest.mark.parametrize("tty", [True, False])
def test_styles_and_width_are_decided_as_rich_decides_them(env: dict[str, str], tty: bool) -> None:
    stream = Tty(tty)
    console = Console(file=stream, _environ=env, highlight=False, emoji=False, markup=False)
    assert box_table.rich_draws_styles(stream, env) == (console.color_system is not None)
    assert terminal_width(stream, env) == console.width


def test_print_rich_table_writes_what_rich_would(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through print_rich_table (the layout planned for the width, free text wrapped):
    the bytes on stdout are Rich's for the same table."""
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("LINES", "20")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("FORCE_COLOR", "1")
    columns = [
        Column("code", "Code"),
        Column("name", "Customer", wrap=True),
        Column("late", "Late", justify="right"),
        Column("reasons", "Reasons", wrap=True),
    ]
    records = [
        {"code": "C000001", "name": "济南鲁通工程机械有限公司", "late": 18, "reasons": "#452 "
         "second-level: check of the service 2026-10-30 callback WO-2026-0346"},
        {"code": "C000007", "name": "青岛海岳建设集团有限公司", "late": None,
         "reasons": "#31 visit booked 2026-11-23 14:00 at 城阳区正阳路201号"},
    ]  # fmt: skip
    print_rich_table(columns, records, "Due 2026-11-23: 2 customers")
    drawn = capsys.readouterr().out
    cells = [[c.lines(r) for c in columns] for r in records]
    layout = plan_layout(columns, cells, 60)
    rows = list(_drawn_cells(columns, cells, layout))
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=max(60, layout.width), highlight=False,
            emoji=False, markup=False).print(rich_table(columns, rows, layout,
                                                        "Due 2026-11-23: 2 customers"))  # fmt: skip
    assert "\x1b[1m" in drawn and "济南鲁通" in drawn
    assert drawn == out.getvalue()
    assert os.environ["COLUMNS"] == "60"


@pytest.mark.parametrize("args", [("due",), ("customer", "list", "--limit", "5")])
@sqlite_only("what a command loads at start-up, not what it stores")
def test_a_terminal_table_is_drawn_without_loading_richs_console(
    office: Callable[..., Any], db_path: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """On a colour terminal the due screen and a list are drawn (bold header, heavy box)
    and the process never loaded rich.console or rich.table (start-up of the clerk's
    screen); only rich.cells, to measure as Rich does."""
    office("due")  # (the day's roll and calendar in place)
    loaded = tmp_path / "modules.txt"
    program = (
        "import atexit, runpy, sys\n"
        f"atexit.register(lambda: open({str(loaded)!r}, 'w').write('\\n'.join(sys.modules)))\n"
        f"sys.argv = ['followup', '--db', {str(db_path)!r}, '--today', '2026-11-23', *{args!r}]\n"
        "runpy.run_module('followup_cli', run_name='__main__')\n"
    )
    env = {**os.environ, "TERM": "xterm-256color", "TZ": "Asia/Shanghai", "LANG": "C.UTF-8"}
    for var in ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"):
        env.pop(var, None)
    shown, code = run_on_pty([sys.executable, "-c", program], env, 100)
    text = shown.decode("utf-8")
    assert code == 0, text
    assert "┏" in text and "\x1b[1m" in text and "C00" in text
    modules = set(loaded.read_text().split("\n"))
    assert "rich.cells" in modules
    assert not {"rich.console", "rich.table", "rich.text"} & modules
