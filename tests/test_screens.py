"""Snapshot tests of real screens: what a clerk sees, minus colour.

Each key screen is rendered by the installed `followup` under a pseudo-terminal (the
pty is the process's controlling terminal, its window set to the width) at 80, 100 and
160 columns, in English and in Chinese (LANG=en_US.UTF-8 / zh_CN.UTF-8), and compared
with its reviewed file in tests/snapshots/<screen>-<lang>-<width>.txt. A difference fails
with a unified diff (expected = the file, actual = the screen now).

Updating, after a change to a screen is meant:

    make snapshots        # = .venv/bin/pytest tests/test_screens.py --update-snapshots

then read `git diff tests/snapshots` as a clerk would before committing it.

What keeps a screen the same from run to run:

- the data is the example office, loaded once per test session by examples/load.sh as
  `make demo` runs it (today 2026-11-23, TZ=Asia/Shanghai), with the wall clock fixed
  by FOLLOWUP_NOW (2026-11-23T09:00:00+08:00; --today moves the day, not the time);
  each screen runs on its own copy of that database (order and parallel runs do not
  matter, and a screen that writes changes nothing for the next);
- each screen has a fixed --today: 2026-11-23, the demo's morning; tickets and the
  daily and complaints reports on 2026-11-27, the day load.sh shows them (after cron's
  escalation);
- the environment is built from nothing: no user's COLUMNS, locale, config or data
  leaks in.

What is on the pty is kept as the program wrote it: output post-processing is off
(no \\r added before \\n), nothing is stripped but trailing spaces, and every screen is
checked for control characters (only \\n may appear). Colour is off with TERM=dumb: Rich
then has no colour system and writes no escape codes, yet still draws its tables, since
stdout is a terminal. A dumb terminal's size is not asked of the pty by Rich (it assumes
80x25) unless COLUMNS and LINES are both set, so both are set to the pty's window: as
wide as the clerk's terminal, never wider.

The call script is driven as a clerk drives it: each answer is typed on the terminal
once the script has printed a prompt (the output ends in ": " and nothing more comes),
whatever the language of the prompts.
"""

from __future__ import annotations

import difflib
import fcntl
import os
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.cli.state import frozen_clock
from followup_cli.render.output import cell_width
from followup_cli.support.errors import UsageError

HERE = Path(__file__).resolve().parent
SNAPSHOTS = HERE / "snapshots"
EXAMPLES = HERE.parent / "examples"

TODAY = "2026-11-23"  # the demo's morning (Makefile DEMO_DATE)
LATER = "2026-11-27"  # load.sh's cron day: escalated tickets, the daily report
NOW = "2026-11-23T09:00:00+08:00"  # FOLLOWUP_NOW: the wall clock while loading and showing
WIDTHS = (80, 100, 160)
ROWS = 50
LANGUAGES = {"en": "en_US.UTF-8", "zh_CN": "zh_CN.UTF-8"}
TIMEOUT = 60.0  # seconds for one screen: generous for a loaded machine, finite
QUIET = 0.05  # seconds without output after a prompt: the script is waiting for the answer
# Every prompt of the call script ends so: Click's suffix in English, a full-width colon
# in Chinese.
PROMPT_ENDS = (b": ", "：".encode())
ZH_REPLIES = {"y": "是", "n": "否", "unsure": "不确定"}


@dataclass(frozen=True)
class Screen:
    name: str
    args: tuple[str, ...]
    today: str = TODAY
    # Typed, one per prompt, in order (the call script); none: a screen that only prints.
    replies: tuple[str, ...] = ()


SCREENS = (
    Screen("due", ("due",)),
    Screen("due-limit-2", ("due", "--limit", "2")),
    Screen("due-explain", ("due", "--explain")),
    Screen("ticket-list", ("ticket", "list"), today=LATER),
    Screen("ticket-show", ("ticket", "show", "1"), today=LATER),
    Screen("customer-list", ("customer", "list")),
    Screen("customer-show", ("customer", "show", "C000001")),
    Screen("report-daily", ("report", "daily"), today=LATER),
    Screen("report-complaints", ("report", "complaints"), today=LATER),
    Screen(
        "report-satisfaction",
        ("report", "satisfaction", "--from", "2026-09-01", "--period", "month"),
    ),
    Screen("report-warnings", ("report", "warnings")),
    Screen("staff-list", ("staff", "list")),
    # The call script: the brief, the service questions, the survey, the save line and
    # what was saved. C000008 had a service job on 2026-11-19; its +2d callback is due.
    Screen(
        "log-call-script",
        ("log-call", "C000008", "--by", "张丽"),
        replies=(
            "1",  # outcome: reached
            "n",  # was the problem fixed?
            "y",  # did the engineer arrive on time?
            "",  # charged as quoted? (skipped)
            "4",  # satisfaction
            "8",  # would recommend
            "unsure",  # would buy again
            "n",  # any complaint?
            "发动机还漏油",  # note
            "y",  # save
        ),
    ),
    Screen("help", ("--help",)),
    Screen("ticket-open-help", ("ticket", "open", "--help")),
)

CASES = [(s, lang, w) for s in SCREENS for lang in LANGUAGES for w in WIDTHS]


def snapshot_path(screen: Screen, lang: str, width: int) -> Path:
    return SNAPSHOTS / f"{screen.name}-{lang}-{width}.txt"


def followup_program() -> str:
    """The installed console script (what a clerk types; --help shows its name)."""
    beside = Path(sys.executable).with_name("followup")
    if beside.exists():
        return str(beside)
    found = shutil.which("followup")
    assert found, "the followup command is not installed: run make install"
    return found


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment from nothing: no user's locale, COLUMNS, config or database."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TZ": "Asia/Shanghai",
        "PYTHONUTF8": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "FOLLOWUP_NOW": NOW,
    }
    return {**env, **extra}


@pytest.fixture(scope="session")
def example_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example office as `make demo` loads it, once per session; screens copy it."""
    folder = tmp_path_factory.mktemp("example-office")
    db = folder / "followup.db"
    env = clean_env(folder, LANG="en_US.UTF-8", FOLLOWUP_DB=str(db), FOLLOWUP_TODAY=TODAY)
    done = subprocess.run(
        ["sh", str(EXAMPLES / "load.sh"), followup_program()],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return db


@pytest.fixture
def office_copy(example_office: Path, tmp_path: Path) -> Path:
    db = tmp_path / "followup.db"
    shutil.copyfile(example_office, db)
    db.chmod(0o600)  # as followup makes it: no warning that others may read it
    for suffix in ("-wal", "-shm"):
        if Path(f"{example_office}{suffix}").exists():
            shutil.copyfile(f"{example_office}{suffix}", f"{db}{suffix}")
    return db


@dataclass
class Shown:
    text: str
    exit_code: int


def show(screen: Screen, lang: str, width: int, db: Path, home: Path) -> Shown:
    """Run one screen on a pty `width` columns wide; what it showed and its exit code."""
    argv = [followup_program(), "--db", str(db), "--today", screen.today, *screen.args]
    env = clean_env(home, LANG=LANGUAGES[lang], TERM="dumb", COLUMNS=str(width), LINES=str(ROWS))
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, width, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR  # the bytes as written: no \r before each \n
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )  # fmt: skip
    os.close(slave)
    out = bytearray()
    # A clerk on the Chinese screen types the Chinese answers it offers.
    typed = ZH_REPLIES if lang == "zh_CN" else {}
    replies = [typed.get(r, r) for r in screen.replies]
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{screen.name} did not finish in {TIMEOUT:.0f} s; it showed:\n"
                    + out.decode("utf-8", "replace")
                )
            ready, _, _ = select.select([master], [], [], QUIET if replies else 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the program closed the terminal
                    data = b""
                if not data:
                    break
                out += data
            elif replies and out.endswith(PROMPT_ENDS):
                os.write(master, replies.pop(0).encode("utf-8") + b"\r")
        code = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        os.close(master)
    assert not replies, f"{screen.name} ended with answers left: {replies}\n{out.decode()}"
    return Shown(normalise(out.decode("utf-8")), code)


def normalise(text: str) -> str:
    """Nothing but trailing spaces is taken off."""
    return "\n".join(line.rstrip(" ") for line in text.split("\n"))


def control_characters(text: str) -> list[str]:
    """Control characters other than newline, as 'line N: U+XXXX'."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        for ch in line:
            if unicodedata.category(ch) == "Cc":
                found.append(f"line {number}: U+{ord(ch):04X}")
    return found


def diff(expected: str, actual: str, path: Path) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"{path.relative_to(HERE.parent)} (reviewed)",
        tofile="the screen now",
    )
    return "".join(lines)


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.mark.parametrize(
    ("screen", "lang", "width"),
    CASES,
    ids=[f"{s.name}-{lang}-{w}" for s, lang, w in CASES],
)
def test_screen_matches_its_snapshot(
    screen: Screen,
    lang: str,
    width: int,
    office_copy: Path,
    tmp_path: Path,
    update_snapshots: bool,
) -> None:
    shown = show(screen, lang, width, office_copy, tmp_path)
    assert shown.exit_code == 0, shown.text
    assert "Traceback" not in shown.text, shown.text
    assert not control_characters(shown.text), control_characters(shown.text)
    path = snapshot_path(screen, lang, width)
    if update_snapshots:
        SNAPSHOTS.mkdir(exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != shown.text:
            path.write_text(shown.text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path.name}: run `make snapshots`, then review it", False)
    expected = path.read_text(encoding="utf-8")
    if expected != shown.text:
        pytest.fail(
            f"{path.name} differs from the screen:\n{diff(expected, shown.text, path)}\n"
            "If the change is meant: `make snapshots`, then review `git diff tests/snapshots`.",
            False,
        )


def test_every_snapshot_file_is_a_screen_and_holds_no_control_character() -> None:
    expected = {snapshot_path(s, lang, w).name for s, lang, w in CASES}
    files = sorted(SNAPSHOTS.glob("*.txt"))
    assert {f.name for f in files} == expected, "delete snapshots of screens no longer listed"
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert not control_characters(text), (f.name, control_characters(text))


def typed_answer(line: str, screen: Screen, lang: str) -> str:
    """The answer a clerk typed at the end of a prompt `line` of the call script ("" if
    `line` is no prompt): the terminal echoes it after the prompt, and wraps it itself."""
    typed = ZH_REPLIES if lang == "zh_CN" else {}
    for reply in sorted({typed.get(r, r) for r in screen.replies}, key=len, reverse=True):
        for end in PROMPT_ENDS:
            prompted = end.decode() + reply
            if line.endswith(prompted) or line.endswith(prompted.rstrip(" ")):
                return reply
    return ""


def too_wide(text: str, screen: Screen, lang: str, width: int) -> list[str]:
    """The lines of a screen wider than its terminal, as 'line N (W cells): …'. A prompt
    of the call script is measured without the answer typed after it: the program fits
    the prompt to the terminal, the terminal wraps what the clerk types."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        shown = line
        if screen.replies:
            answer = typed_answer(line, screen, lang)
            shown = line[: len(line) - len(answer)].rstrip(" ") if answer else line
        if cell_width(shown) > width:
            found.append(f"line {number} ({cell_width(shown)} cells): {line}")
    return found


@pytest.mark.parametrize(
    ("screen", "lang", "width"),
    CASES,
    ids=[f"{s.name}-{lang}-{w}" for s, lang, w in CASES],
)
def test_no_line_of_a_snapshot_is_wider_than_its_terminal(
    screen: Screen, lang: str, width: int
) -> None:
    """Every line a screen prints fits the terminal: a wider one would be broken by the
    terminal itself, mid-word (the legend under `due` was 111 cells at 80 columns)."""
    path = snapshot_path(screen, lang, width)
    assert not too_wide(path.read_text(encoding="utf-8"), screen, lang, width), path.name


def test_a_typed_answer_is_not_measured_but_its_prompt_is() -> None:
    script = next(s for s in SCREENS if s.replies)
    assert typed_answer("Note: 发动机还漏油", script, "en") == "发动机还漏油"
    assert typed_answer("满意度 1–5：4", script, "zh_CN") == "4"
    assert typed_answer("Were you charged as quoted? [y/n, Enter to skip]:", script, "en") == ""
    assert typed_answer("  1. reached", script, "en") == ""
    long_prompt = "Save: " + "x" * 80 + "? [Y/n]: y"
    assert too_wide(long_prompt, script, "en", 80)
    assert not too_wide("Note: 发动机还漏油", script, "en", 10)  # the answer runs on
    assert too_wide("! " + "unreachable " * 8, SCREENS[0], "en", 80)


# -- the harness itself: the width reaches Rich, nothing but spaces is stripped -------------


def test_a_screen_is_drawn_as_wide_as_the_terminal_and_without_escape_codes(
    office_copy: Path, tmp_path: Path
) -> None:
    """Rich draws its table (box lines: it sees a terminal) to the pty's width, with no
    colour; at 160 columns the due list's table takes more than 100 columns."""
    due = SCREENS[0]
    widest = {}
    for width in (80, 160):
        shown = show(due, "en", width, office_copy, tmp_path).text
        table = [line for line in shown.splitlines() if line[:1] in "┏┃┡│└"]
        assert table, shown  # Rich's table, not the plain one written to a pipe
        assert "\x1b" not in shown
        widest[width] = max(cell_width(line) for line in table)
        assert widest[width] <= width, shown
    assert widest[160] > 100, widest


def test_the_chinese_screens_are_in_chinese(office_copy: Path, tmp_path: Path) -> None:
    chinese = show(SCREENS[0], "zh_CN", 100, office_copy, tmp_path).text.splitlines()
    english = show(SCREENS[0], "en", 100, office_copy, tmp_path).text.splitlines()
    assert english[0].isascii(), english[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese[0]), chinese[0]


def test_only_trailing_spaces_are_stripped() -> None:
    assert normalise("a  b  \n  c\t \n") == "a  b\n  c\t\n"
    assert control_characters("ok\nx\ry\x1b[1m") == ["line 2: U+000D", "line 2: U+001B"]


# -- FOLLOWUP_NOW: the wall clock, fixed for tests and snapshots ------------------------------

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]
OPEN = ("ticket", "open", "C001", "--summary", "漏油", "--category", "parts")


def counts(rows: Rows) -> dict[str, int]:
    tables = ("tickets", "ticket_history", "calls", "callbacks")
    return {t: rows(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}


def test_followup_now_is_the_time_written(office: Run, rows: Rows) -> None:
    ok(office(*OPEN, env={"FOLLOWUP_NOW": "2026-11-23T09:30:00+08:00"}))
    # --today moves the day and keeps FOLLOWUP_NOW's time of day
    ok(office(*OPEN, today="2026-11-25", env={"FOLLOWUP_NOW": "2026-11-23T09:30:00+08:00"}))
    stamps = rows("SELECT created_at FROM tickets ORDER BY id")
    assert stamps == [
        {"created_at": "2026-11-23T09:30:00+08:00"},
        {"created_at": "2026-11-25T09:30:00+08:00"},
    ]
    # each ticket: opened, and reported at once to the sales manager (issue 17)
    assert rows("SELECT at FROM ticket_history ORDER BY id") == [
        {"at": "2026-11-23T09:30:00+08:00"},
        {"at": "2026-11-23T09:30:00+08:00"},
        {"at": "2026-11-25T09:30:00+08:00"},
        {"at": "2026-11-25T09:30:00+08:00"},
    ]


@pytest.mark.parametrize("value", ["garbage", "2026-11-23T09:30:00", "2026-11-31T09:30+08:00"])
def test_a_followup_now_that_is_not_a_time_with_an_offset_is_refused(
    office: Run, rows: Rows, value: str
) -> None:
    before = counts(rows)
    r = office(*OPEN, env={"FOLLOWUP_NOW": value})
    refused(r, 2, f"Error: FOLLOWUP_NOW={value!r} is not a time with an offset")
    assert "Give it as 2026-11-23T09:00:00+08:00, or unset it to use the clock." in r.stderr
    assert counts(rows) == before


def test_the_clock_override_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOLLOWUP_NOW", raising=False)
    assert frozen_clock() is None
    monkeypatch.setenv("FOLLOWUP_NOW", " 2026-11-23T09:30:00+08:00 ")
    assert frozen_clock() == datetime.fromisoformat("2026-11-23T09:30:00+08:00")
    monkeypatch.setenv("FOLLOWUP_NOW", "09:30")
    with pytest.raises(UsageError):
        frozen_clock()


def test_the_followup_now_refusal_reads_in_chinese(office: Run, rows: Rows) -> None:
    before = counts(rows)
    r = office(*OPEN, env={"FOLLOWUP_NOW": "9点", "FOLLOWUP_LANGUAGE": "zh_CN"})
    refused(r, 2, "FOLLOWUP_NOW='9点' 不是带时区偏移的时间")
    assert "或者取消该变量，改用系统时钟。" in r.stderr
    assert counts(rows) == before
