"""The call script (SPEC 4): `log-call CUSTOMER` without --outcome on a terminal.

The real program runs under a pseudo-terminal; the test answers each prompt as a clerk
would. Every read has a timeout and the process is killed if anything goes wrong, so a
broken script fails the test instead of hanging it.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TIMEOUT = 30.0  # seconds per prompt: generous for a loaded machine, finite


def _controlling_terminal() -> None:
    """In the child: the pty as its controlling terminal, SIGINT's default action."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """A child process on a pseudo-terminal: wait for text, type answers."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        # A session of its own with the pty as its controlling terminal, as a clerk's
        # shell gives: Ctrl-C typed on it reaches the script as SIGINT. SIGINT as a
        # shell gives it too: a test run started in the background (`make test &`)
        # has it ignored, and the child would inherit that.
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
            start_new_session=True, preexec_fn=_controlling_terminal,
        )  # fmt: skip
        os.close(slave)
        self.buffer = b""
        self.pos = 0
        self.eof = False

    @property
    def transcript(self) -> str:
        return self.buffer.decode("utf-8", "replace")

    def _read(self, wait: float) -> None:
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the child closed the terminal
            data = b""
        if data:
            self.buffer += data
        else:
            self.eof = True

    def expect(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait until `text` appears after the previous match; return what came before it."""
        needle = text.encode("utf-8")
        deadline = time.monotonic() + timeout
        while True:
            at = self.buffer.find(needle, self.pos)
            if at >= 0:
                before = self.buffer[self.pos : at].decode("utf-8", "replace")
                self.pos = at + len(needle)
                return before
            if self.eof or time.monotonic() > deadline:
                raise AssertionError(
                    f"did not see {text!r} (eof={self.eof}); transcript:\n{self.transcript}"
                )
            self._read(min(0.2, max(deadline - time.monotonic(), 0)))

    def answer(self, prompt: str, reply: str) -> str:
        before = self.expect(prompt)
        os.write(self.master, reply.encode("utf-8") + b"\r")
        return before

    def finish(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            self._read(0.2)
        return self.proc.wait(timeout=max(deadline - time.monotonic(), 1))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self.master)


@pytest.fixture
def terminal(db_path: Path) -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def start(*args: str, today: str = "2026-11-23") -> Terminal:
        env = {**os.environ, "TZ": "Asia/Shanghai", "PYTHONUTF8": "1", "TERM": "dumb"}
        # A wide terminal: these tests read what the script asks, each prompt on one
        # line; how it fits 80 columns is tests/test_screens.py's.
        env.update(COLUMNS="300", LINES="50")
        argv = [sys.executable, "-m", "followup_cli", "--db", str(db_path), "--today", today]
        term = Terminal([*argv, *args], env)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()


@pytest.fixture
def serviced(office: Run, rows: Rows) -> int:
    """C001 had a service job on Friday; its +2d callback is due today. Returns its id."""
    r = office("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", "--ref", "WO-1")
    assert r.exit_code == 0, r.output
    found = rows("SELECT id FROM callbacks WHERE reason = 'event' AND planned_on = '2026-11-22'")
    return int(found[0]["id"])


def snapshot(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    tables = ("calls", "callbacks", "tickets", "ticket_history", "customers")
    return {t: rows(f"SELECT * FROM {t} ORDER BY id") for t in tables}


def test_call_script_asks_everything_in_order_and_saves(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    term = terminal("log-call", "C001", "--by", "李娜")
    term.expect("Call 山东鲁建机械有限公司 (C001, grade 1, core)")
    term.expect("Ask for: 张建国 (decision-maker)")
    term.expect("Number:  13905310001")
    term.expect("Why:")
    term.expect(f"#{serviced} event due 2026-11-23: service 2026-11-20 WO-1 (+2d)")
    term.expect("6. left-message")
    term.answer("Outcome: ", "1")
    term.answer("Was the problem fixed? [y/n, Enter to skip]: ", "n")
    term.answer("Did the engineer arrive on time? [y/n, Enter to skip]: ", "y")
    term.answer("Were you charged as quoted? [y/n, Enter to skip]: ", "")
    term.expect("5 高度满意")
    term.answer("Satisfaction 1–5: ", "4")
    term.answer("Would recommend us, 0–10: ", "8")
    term.answer("Would buy again? yes/no/unsure: ", "unsure")
    term.answer("Any complaint? [y/N]: ", "n")
    term.answer("Note: ", "发动机还漏油")
    term.answer(
        "Save: call by 李娜, outcome reached; fixed=no, on_time=yes; satisfaction 4;"
        " recommend 8; would buy again: unsure; note “发动机还漏油”;"
        " opens ticket “Customer answered no: Was the problem fixed?” (product.failure, minor)?"
        " [Y/n]: ",
        "y",
    )
    # (when: the office's clock on the --today day, shown as today HH:MM)
    term.expect("Logged call #1 to C001 山东鲁建机械有限公司 at today ")
    term.expect(" (reached)")
    term.expect(f"done: #{serviced} event (due 2026-11-23)")
    assert term.finish() == 0, term.transcript
    assert "delivered as ordered" not in term.transcript  # no sale: no sale questions
    assert "Traceback" not in term.transcript

    calls = rows("SELECT * FROM calls")
    assert len(calls) == 1
    c = calls[0]
    contact = rows("SELECT id FROM contacts WHERE name = '张建国'")[0]["id"]
    assert (c["outcome"], c["caller"], c["contact_id"], c["channel"]) == (
        "reached",
        "李娜",
        contact,
        "phone",
    )
    assert (c["satisfaction"], c["recommend"], c["repurchase"], c["note"]) == (
        4,
        8,
        "unsure",
        "发动机还漏油",
    )
    assert json.loads(c["answers"]) == {"fixed": "no", "on_time": "yes"}
    assert c["at"].startswith("2026-11-23T") and c["at"].endswith("+08:00")
    cb = rows("SELECT status, call_id FROM callbacks WHERE id = ?", serviced)[0]
    assert cb == {"status": "done", "call_id": c["id"]}
    tickets = rows("SELECT category, call_id FROM tickets")
    assert tickets == [{"category": "product.failure", "call_id": c["id"]}]


def test_answering_no_to_save_writes_nothing(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    before = snapshot(rows)
    term = terminal("log-call", "C001", "--by", "李娜")
    term.answer("Outcome: ", "reached")
    term.answer("Was the problem fixed? [y/n, Enter to skip]: ", "n")
    term.answer("Did the engineer arrive on time? [y/n, Enter to skip]: ", "")
    term.answer("Were you charged as quoted? [y/n, Enter to skip]: ", "")
    term.answer("Satisfaction 1–5: ", "2")
    term.answer("Would recommend us, 0–10: ", "")
    term.answer("Would buy again? yes/no/unsure: ", "")
    term.answer("Any complaint? [y/N]: ", "")
    term.answer("Note: ", "")
    term.answer(
        "Save: call by 李娜, outcome reached; fixed=no; satisfaction 2;"
        " opens ticket “Customer answered no: Was the problem fixed?” (product.failure, minor)?"
        " [Y/n]: ",
        "n",
    )
    term.expect("Not saved.")
    assert term.finish() == 1, term.transcript
    assert "Logged call" not in term.transcript
    assert snapshot(rows) == before


def test_call_script_records_a_complaint(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    term = terminal("log-call", "C001", "--by", "李娜")
    term.answer("Outcome: ", "1")
    for question in ("Was the problem fixed?", "Did the engineer arrive", "Were you charged"):
        term.answer(question, "y")
    term.answer("Satisfaction 1–5: ", "3")
    term.answer("Would recommend us, 0–10: ", "")
    term.answer("Would buy again? yes/no/unsure: ", "")
    term.answer("Any complaint? [y/N]: ", "y")
    term.answer("What is the complaint: ", "工程师态度差")
    term.expect("Category:")
    term.answer("Category: ", "service.attitude")
    term.expect("Severity:")
    term.answer("Severity: ", "2")
    term.answer("Note: ", "")
    term.answer("[Y/n]: ", "")
    term.expect("Logged call #1")
    assert term.finish() == 0, term.transcript
    call = rows("SELECT id FROM calls")[0]
    tickets = rows("SELECT summary, category, severity, call_id FROM tickets")
    assert tickets == [
        {
            "summary": "工程师态度差",
            "category": "service.attitude",
            "severity": "major",
            "call_id": call["id"],
        }
    ]


def test_a_call_not_reached_skips_the_questions(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    term = terminal("log-call", "C001", "--by", "李娜")
    term.answer("Outcome: ", "2")
    term.answer("Note: ", "")
    term.answer("Save: call by 李娜, outcome no-answer; no ticket? [Y/n]: ", "y")
    term.expect("(not reached)")
    assert term.finish() == 0, term.transcript
    assert "Was the problem fixed?" not in term.transcript
    assert "Satisfaction" not in term.transcript
    assert rows("SELECT outcome FROM calls") == [{"outcome": "no-answer"}]
    cb = rows("SELECT status, attempts, due_on FROM callbacks WHERE id = ?", serviced)[0]
    assert cb == {"status": "pending", "attempts": 1, "due_on": "2026-11-24"}


def test_call_script_asks_who_is_calling_without_by(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    term = terminal("log-call", "C002")
    term.expect("Call 泰安宏达建设 (C002, grade 4, general)")
    term.expect("Number:  13800138000")
    term.answer("Your name (staff): ", "王伟")
    term.answer("Outcome: ", "1")
    term.answer("Satisfaction 1–5: ", "")
    term.answer("Would recommend us, 0–10: ", "")
    term.answer("Would buy again? yes/no/unsure: ", "")
    term.answer("Any complaint? [y/N]: ", "")
    term.answer("Note: ", "")
    term.answer("[Y/n]: ", "")
    term.expect("Logged call #1 to C002")
    assert term.finish() == 0, term.transcript
    assert rows("SELECT caller, outcome FROM calls") == [{"caller": "王伟", "outcome": "reached"}]


def test_call_script_takes_the_words_options_and_import_take(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    """The script's prompts read the one vocabulary: Chinese words for the outcome,
    answers, satisfaction, repurchase and severity; a bad repurchase is asked again."""
    term = terminal("log-call", "C001", "--by", "李娜")
    term.answer("Outcome: ", "接通")
    term.answer("Was the problem fixed? [y/n, Enter to skip]: ", "否")
    term.answer("Did the engineer arrive on time? [y/n, Enter to skip]: ", "是")
    term.answer("Were you charged as quoted? [y/n, Enter to skip]: ", "")
    term.answer("Satisfaction 1–5: ", "满意")
    term.answer("Would recommend us, 0–10: ", "")
    term.answer("Would buy again? yes/no/unsure: ", "maybe")
    term.expect("Please answer one of yes, no, unsure, or Enter to skip.")
    term.answer("Would buy again? yes/no/unsure: ", "不会")
    term.answer("Any complaint? [y/N]: ", "y")
    term.answer("What is the complaint: ", "工程师迟到")
    term.answer("Category: ", "service.late")
    term.answer("Severity: ", "严重")
    term.answer("Note: ", "")
    term.answer("[Y/n]: ", "")
    term.expect("Logged call #1")
    assert term.finish() == 0, term.transcript
    c = rows("SELECT outcome, satisfaction, repurchase, answers FROM calls")[0]
    assert (c["outcome"], c["satisfaction"], c["repurchase"]) == ("reached", 4, "no")
    assert json.loads(c["answers"]) == {"fixed": "no", "on_time": "yes"}
    assert rows("SELECT category, severity FROM tickets WHERE summary = '工程师迟到'") == [
        {"category": "service.late", "severity": "critical"}
    ]


# -- the clerk's work is checked as typed, and Ctrl-C saves nothing (issue 14.8) ------------

STAFF_OFFERED = "Staff: 李娜, 王伟, 赵强, 陈静, 刘洋, 孙丽, 周杰, 吴刚"


def test_an_unknown_caller_is_asked_again_with_the_staff_offered(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    term = terminal("log-call", "C002")
    term.answer("Your name (staff): ", "王五")
    term.expect("no staff member named '王五'")
    term.expect(STAFF_OFFERED)
    term.answer("Your name (staff): ", "")
    term.expect("is not valid; expected a value (it cannot be empty)")
    term.answer("Your name (staff): ", "王伟")
    term.answer("Outcome: ", "2")
    term.answer("Note: ", "")
    term.answer("Save: call by 王伟, outcome no-answer; no ticket? [Y/n]: ", "")
    term.expect("Logged call #1 to C002")
    assert term.finish() == 0, term.transcript
    assert "Outcome" not in term.transcript.split("王五")[1].split("王伟")[0]
    assert rows("SELECT caller, outcome FROM calls") == [{"caller": "王伟", "outcome": "no-answer"}]


def test_an_unknown_by_is_refused_before_any_question(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    before = snapshot(rows)
    term = terminal("log-call", "C001", "--by", "王五")
    term.expect("Error: no staff member named '王五' (--by)")
    term.expect(STAFF_OFFERED)
    assert term.finish() == 1, term.transcript
    assert "Outcome" not in term.transcript
    assert "Traceback" not in term.transcript
    assert snapshot(rows) == before


def test_every_typed_value_is_checked_and_asked_again(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    term = terminal("log-call", "C001", "--by", "李娜")
    term.answer("Outcome: ", "9")
    term.expect("Please answer 1–6.")
    term.answer("Outcome: ", "reached")
    term.answer("Was the problem fixed? [y/n, Enter to skip]: ", "maybe")
    term.expect("y, n, or Enter to skip.")
    term.answer("Was the problem fixed? [y/n, Enter to skip]: ", "n")
    term.answer("Did the engineer arrive on time? [y/n, Enter to skip]: ", "n")
    term.answer("Were you charged as quoted? [y/n, Enter to skip]: ", "")
    term.answer("Satisfaction 1–5: ", "7")
    term.expect("A number from 1 to 5, or Enter to skip.")
    term.answer("Satisfaction 1–5: ", "2")
    term.answer("Would recommend us, 0–10: ", "11")
    term.expect("A number from 0 to 10, or Enter to skip.")
    term.answer("Would recommend us, 0–10: ", "3")
    term.answer("Would buy again? yes/no/unsure: ", "")
    term.answer("Any complaint? [y/N]: ", "y")
    term.answer("What is the complaint: ", "  ")
    term.expect("complaint: '  ' is not valid; expected a value (it cannot be empty)")
    term.answer("What is the complaint: ", "修完第二天又漏油")
    term.answer("Category: ", "food")
    term.expect("Please answer 1–")
    term.answer("Category: ", "product.failure")
    term.answer("Severity: ", "huge")
    term.expect("Please answer 1–3.")
    term.answer("Severity: ", "major")
    term.answer("Note: ", "")
    # The save line says what is written: one ticket, holding the two "no" answers.
    term.answer(
        "Save: call by 李娜, outcome reached; fixed=no, on_time=no; satisfaction 2;"
        " recommend 3; opens ticket “修完第二天又漏油” (product.failure, major)"
        " with fixed=no, on_time=no? [Y/n]: ",
        "y",
    )
    term.expect("Logged call #1 to C001")
    assert term.finish() == 0, term.transcript
    assert term.transcript.count("opened ticket #") == 1
    c = rows("SELECT id, satisfaction, recommend, answers FROM calls")[0]
    assert (c["satisfaction"], c["recommend"]) == (2, 3)
    assert json.loads(c["answers"]) == {"fixed": "no", "on_time": "no"}
    [t] = rows("SELECT id, summary, category, severity, call_id FROM tickets")
    assert (t["summary"], t["category"], t["severity"], t["call_id"]) == (
        "修完第二天又漏油",
        "product.failure",
        "major",
        c["id"],
    )
    notes = rows("SELECT note FROM ticket_history WHERE ticket_id = ? AND action = 'note'", t["id"])
    assert [n["note"] for n in notes] == [
        "Customer answered no: Was the problem fixed?",
        "Customer answered no: Did the engineer arrive on time?",
    ]


def interrupt(term: Terminal) -> None:
    """Ctrl-C typed on the terminal (its line discipline sends SIGINT). A signal that
    lands in the instant before the prompt starts reading waits for a key (a race of the
    readline loop, not of the script), so it is typed again until the script answers."""
    for _attempt in range(10):
        os.write(term.master, b"\x03")
        try:
            term.expect("Interrupted: nothing saved.", timeout=2)
            return
        except AssertionError:
            if term.eof:
                raise
    raise AssertionError(f"Ctrl-C was not answered; transcript:\n{term.transcript}")


@pytest.mark.parametrize(
    "prompt",
    [
        "Your name (staff): ",
        "Outcome: ",
        "Satisfaction 1–5: ",
        "What is the complaint: ",
        "[Y/n]: ",
    ],
)
def test_ctrl_c_at_any_prompt_saves_nothing_and_exits_130(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows, prompt: str
) -> None:
    before = snapshot(rows)
    term = terminal("log-call", "C001")
    replies = [
        ("Your name (staff): ", "李娜"),
        ("Outcome: ", "1"),
        ("Was the problem fixed? [y/n, Enter to skip]: ", "n"),
        ("Did the engineer arrive on time? [y/n, Enter to skip]: ", ""),
        ("Were you charged as quoted? [y/n, Enter to skip]: ", ""),
        ("Satisfaction 1–5: ", "3"),
        ("Would recommend us, 0–10: ", ""),
        ("Would buy again? yes/no/unsure: ", ""),
        ("Any complaint? [y/N]: ", "y"),
        ("What is the complaint: ", "漏油"),
        ("Category: ", "1"),
        ("Severity: ", "1"),
        ("Note: ", ""),
    ]
    for shown, reply in replies:
        if shown == prompt:
            break
        term.answer(shown, reply)
    term.expect(prompt)
    interrupt(term)
    assert term.finish() == 130, term.transcript
    assert "Traceback" not in term.transcript
    assert "Logged call" not in term.transcript
    assert snapshot(rows) == before


def test_end_of_input_saves_nothing_and_exits_130(
    terminal: Callable[..., Terminal], serviced: int, rows: Rows
) -> None:
    before = snapshot(rows)
    term = terminal("log-call", "C001", "--by", "李娜")
    term.answer("Outcome: ", "1")
    term.expect("Was the problem fixed? [y/n, Enter to skip]: ")
    os.write(term.master, b"\x04")  # Ctrl-D: the terminal's end of input
    term.expect("Interrupted: nothing saved.")
    assert term.finish() == 130, term.transcript
    assert "Traceback" not in term.transcript
    assert snapshot(rows) == before
