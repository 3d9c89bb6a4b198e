"""Escape sequences never reach the terminal (issue 16).

Control characters (C0 but tab and newline, a CR not before LF, DEL, C1 with the C1 CSI
U+009B, bidi controls, zero-width characters, U+FEFF inside text) are refused where a
person types them or imports them (exit 65, nothing written; import: file, line, column),
and whatever the database holds is printed with them visibly escaped (`\\x1b`, `\\u202e`):
tables on a terminal and off it, detail views, CSV, JSON (as JSON escapes them) and
errors that echo an argument. Hostile data is planted with sqlite3, as a tamperer would.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import open_db
from pty_run import run_on_pty

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

# OSC (retitle the window, BEL-ended), CSI (clear screen, red), a bidi override, the C1
# CSI, a zero-width space, DEL.
HOSTILE = "鲁建\x1b]0;PWNED\x07\x1b[2J\x1b[31mRED\u202e\x9b31m\u200b\x7f机械"
SHOWN = "鲁建\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mRED\\u202e\\x9b31m\\u200b\\x7f机械"
# Any raw byte a terminal acts on (newline, tab and CRLF aside), and the C1/bidi/zero-width
# code points, in decoded output.
RAW = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e"
    "\u2060\u2066-\u2069\ufeff]|\r(?!\n)"
)
TABLES = ("customers", "tickets", "ticket_history", "escalations", "events", "calls")


def raw_controls(text: str) -> list[str]:
    return [f"U+{ord(m.group()[0]):04X}" for m in RAW.finditer(text)]


def counts(rows: Rows) -> dict[str, int]:
    return {t: rows(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in TABLES}


@pytest.fixture
def planted(office: Run, db_path: Path) -> Run:
    """The small office with an open complaint for C001 (a callback due too), then C001's
    name and the ticket's summary rewritten with sqlite3 to hold escape sequences."""
    for args in (
        ("event", "add", "C001", "--kind", "service", "--date", "2026-11-21", "--ref", "WO-1"),
        (
            "ticket",
            "open",
            "C001",
            "--summary",
            "维修迟到",
            "--category",
            "service.late",
            "--severity",
            "minor",
        ),
        ("escalate", "1", "--reason", "客户再次来电"),
    ):
        r = office(*args)
        assert r.exit_code == 0, r.output
    with open_db(db_path) as conn:
        conn.execute("UPDATE customers SET name = ? WHERE code = 'C001'", (HOSTILE,))
        conn.execute("UPDATE tickets SET summary = ?", (HOSTILE,))
        # Escalations are append-only (m008): the planter drops the trigger first, and
        # `init` puts it back.
        conn.execute("DROP TRIGGER escalations_never_updated")
        conn.execute("UPDATE escalations SET reason = ?", (HOSTILE,))
    conn.close()
    r = office("init")
    assert r.exit_code == 0, r.output
    return office


VIEWS = [
    ("customer", "list"),
    ("customer", "show", "C001"),
    ("due",),
    ("due", "--format", "csv"),
    ("ticket", "show", "1"),
    ("ticket", "list"),
    ("report", "daily"),
    ("report", "daily", "--format", "csv"),
]


@pytest.mark.parametrize("args", VIEWS, ids=lambda a: " ".join(a))
def test_stored_escape_sequences_are_shown_escaped(planted: Run, args: tuple[str, ...]) -> None:
    r = planted(*args)
    assert r.exit_code == 0, r.output
    assert SHOWN in r.stdout
    assert raw_controls(r.stdout) == []
    assert raw_controls(r.stderr) == []


@pytest.mark.parametrize(
    "args", [("due",), ("customer", "show", "C001"), ("ticket", "show", "1"), ("report", "daily")]
)
def test_json_escapes_them_as_json_does_and_reads_back_as_stored(
    planted: Run, args: tuple[str, ...]
) -> None:
    r = planted(*args, "--format", "json")
    assert r.exit_code == 0, r.output
    assert raw_controls(r.stdout) == []
    assert "\\u001b]0;PWNED\\u0007" in r.stdout
    assert "\\u202e\\u009b31m\\u200b\\u007f" in r.stdout
    # The same text as stored, once read as JSON.
    assert json.dumps(HOSTILE)[1:-1] in json.dumps(json.loads(r.stdout))


@pytest.mark.parametrize(
    "reason",
    [
        "\x1b]0;PWNED\x07\x1b[2J",
        "催办\x9b2J",  # the C1 CSI
        "催办\u202e办催",  # a bidi override
        "催\u200b办",  # a zero-width space
        "催办\r覆盖",  # a CR that does not end a line
    ],
)
def test_escalate_refuses_a_reason_with_control_characters(
    planted: Run, rows: Rows, reason: str
) -> None:
    before = counts(rows)
    r = planted("escalate", "1", "--reason", reason)
    assert r.exit_code == 65, r.output
    assert r.stderr.startswith(f"Error: reason: {reason!r} is not valid; expected text without")
    assert raw_controls(r.stderr) == [] and r.stdout == ""
    assert counts(rows) == before


def test_a_note_and_a_name_with_escapes_are_refused(office: Run, rows: Rows) -> None:
    before = counts(rows)
    # An option checked as it is parsed: a usage error (2), as its other bad values.
    r = office("ticket", "open", "C001", "--summary", "a\x1b[2Jb", "--category", "service.late")
    assert r.exit_code == 2, r.output
    assert "'a\\x1b[2Jb'" in r.stderr and raw_controls(r.stderr) == []
    r = office("customer", "edit", "C001", "--note", "x\u2066y")
    assert r.exit_code == 2, r.output
    assert "'x\\u2066y'" in r.stderr
    assert counts(rows) == before


def test_an_error_echoing_a_hostile_argument_shows_it_escaped(office: Run, rows: Rows) -> None:
    before = counts(rows)
    r = office("customer", "show", "C\x1b[2J\x1b]0;PWNED\x07")
    assert r.exit_code == 1, r.output
    assert "C\\x1b[2J\\x1b]0;PWNED\\x07" in r.stderr
    assert raw_controls(r.stderr) == []
    # A usage error (Click's own message) too.
    r = office("due", "--format", "x\x1b[2J\u202e")
    assert r.exit_code == 2, r.output
    assert "x\\x1b[2J\\u202e" in r.stderr
    assert raw_controls(r.stderr + r.stdout) == []
    assert counts(rows) == before


def test_import_refuses_a_cell_with_escapes_naming_file_line_and_column(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "code,name,grade\nK01,好客户,2\nK02,坏\x1b]0;PWNED\x07客户,2\nK03,右\u202e左,3\n",
        encoding="utf-8",
    )
    before = counts(rows)
    r = office("import", "customers", str(path))
    assert r.exit_code == 65, r.output
    expected = "expected text without control characters"
    assert f"{path}:3:2: name: '坏\\x1b]0;PWNED\\x07客户' — {expected}" in r.stderr
    assert f"{path}:4:2: name: '右\\u202e左' — {expected}" in r.stderr
    assert raw_controls(r.stderr) == []
    assert counts(rows) == before


def test_export_writes_stored_escapes_escaped_and_reads_back(planted: Run, tmp_path: Path) -> None:
    out = tmp_path / "customers.csv"
    r = planted("export", "customers", "--output", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8-sig")
    assert SHOWN in text and raw_controls(text) == []
    # What the export wrote is text the importer takes (the escapes as plain text).
    r = planted("import", "customers", str(out), "--rename")
    assert r.exit_code == 0, r.output
    r = planted("customer", "show", "C001", "--format", "json")
    assert json.loads(r.stdout)["name"] == SHOWN


# -- on a terminal, as a person sees it --------------------------------------------------


def followup_program() -> str:
    beside = Path(sys.executable).with_name("followup")
    assert beside.exists(), "the followup command is not installed: run make install"
    return str(beside)


def on_terminal(argv: list[str], width: int, lang: str, home: Path) -> tuple[str, int]:
    """Run the installed program on a pty `width` columns wide; what it wrote, as bytes
    decoded (no \\r added before \\n), and its exit code."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "TZ": "Asia/Shanghai",
        "PYTHONUTF8": "1",
        "LANG": lang,
        "TERM": "dumb",
        "COLUMNS": str(width),
        "LINES": "50",
        "FOLLOWUP_STAFF": "李娜",
    }
    out, code = run_on_pty([followup_program(), *argv], env, width)
    return out.decode("utf-8"), code


TERMINAL_VIEWS = [
    ("customer", "show", "C001"),
    ("customer", "list"),
    ("due",),
    ("ticket", "show", "1"),
    ("report", "daily"),
    ("customer", "show", "C\x1b[2J\u202e"),  # an error echoing the argument
]


@pytest.mark.parametrize("lang", ["en_US.UTF-8", "zh_CN.UTF-8"])
@pytest.mark.parametrize("width", [80, 100, 160])
def test_on_a_terminal_no_raw_control_character_is_written(
    planted: Run, db_path: Path, tmp_path: Path, width: int, lang: str
) -> None:
    for args in TERMINAL_VIEWS:
        argv = ["--db", str(db_path), "--today", "2026-11-23", *args]
        shown, code = on_terminal(argv, width, lang, tmp_path)
        assert code == (1 if args[-1].startswith("C\x1b") else 0), shown
        assert raw_controls(shown) == [], (args, shown)
        assert "\\x1b" in shown, (args, shown)


# -- the functions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\u061c"]
    + ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2060"]
    + ["\u2066", "\u2069", "\ufeff"],
)
def test_the_text_validator_refuses_every_control_character(char: str) -> None:
    from followup_cli.domain import fields
    from followup_cli.support.controls import find_control, visible
    from followup_cli.support.errors import InvalidValue

    assert find_control(f"a{char}b") == char
    with pytest.raises(InvalidValue) as caught:
        fields.text(f"a{char}b", "note")
    assert caught.value.exit_code == 65
    assert raw_controls(caught.value.message) == []
    with pytest.raises(InvalidValue):
        fields.name(f"客{char}户", "name")
    assert RAW.search(visible(f"a{char}b")) is None


def test_tab_newline_and_crlf_are_text() -> None:
    from followup_cli.domain import fields
    from followup_cli.support.controls import find_control, visible

    assert fields.text("第一行\r\n第二行\n\t第三行", "note") == "第一行\r\n第二行\n\t第三行"
    assert visible("第一行\r\n第二行\n\t第三行") == "第一行\r\n第二行\n\t第三行"
    assert visible("a\rb") == "a\\rb"
    assert visible("\x1b[2J\x9b\u202e") == "\\x1b[2J\\x9b\\u202e"
    assert find_control("普通的中文 text, 😀") is None


@given(st.text(alphabet=st.characters(max_codepoint=0x206F) | st.sampled_from("\r\n\ufeff")))
def test_visible_agrees_with_the_plain_version_and_leaves_nothing_raw(text: str) -> None:
    from followup_cli.support.controls import visible, visible_slow

    assert visible(text) == visible_slow(text)
    assert RAW.search(visible(text)) is None
    assert visible(visible(text)) == visible(text)


@given(st.text(alphabet=st.characters(max_codepoint=0x206F) | st.sampled_from("\ufeff")))
def test_json_visible_is_the_same_json_with_nothing_raw(text: str) -> None:
    from followup_cli.support.controls import json_visible

    encoded = json_visible(json.dumps({"k": text}, ensure_ascii=False))
    assert RAW.search(encoded) is None
    assert json.loads(encoded) == {"k": text}


@given(
    st.text(alphabet=st.characters(max_codepoint=0x206F) | st.sampled_from("\r\n\ufeff")),
    st.sampled_from(["", "\n", "\r\n"]),
)
def test_the_stream_writes_what_visible_gives(text: str, end: str) -> None:
    """stdout's and stderr's writer looks at a line without its line end first (the fast
    path): it writes what `visible` gives for the whole line."""
    import io

    from followup_cli.support.controls import VisibleWriter, visible

    out = io.StringIO()
    VisibleWriter(out).write(text + end)
    assert out.getvalue() == visible(text + end)


def test_the_csv_writer_escapes_cells_and_neutralises_first() -> None:
    import io

    from followup_cli.render import csv_writer as csvout

    out = io.StringIO()
    csvout.write_rows(out, ["a", "b"], [["=\x1b[2J", "名\u202e称\r\n第二行"]], bom=True)
    assert out.getvalue() == '\ufeffa,b\n\'=\\x1b[2J,"名\\u202e称\r\n第二行"\n'
