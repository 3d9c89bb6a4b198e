"""Every command's arguments fuzzed from a hostile grammar (issue 16, "Done when"): the
only outcomes allowed are success or a clean error — never exit 70 (a bug), never a
traceback, never a raw control character on stdout or stderr.

The command tree is walked (the registry, then each group's commands), so a new command
or option is fuzzed without touching this file. The run is seeded: a failure names its
case and seed and runs again as it was. Most cases run in-process (CliRunner: the same
exit codes and output); a smaller sample runs the real program, so real argv bytes
(invalid UTF-8) are exercised too. All run against a copy of the small office.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer._click.types import IntParamType
from typer._types import TyperChoice as Choice
from typer.core import TyperArgument as Argument
from typer.core import TyperOption as Option
from typer.models import TyperPath
from typer.testing import CliRunner

from followup_cli.cli.app import COMMANDS, app, load_command

SEED = 20261123
IN_PROCESS_CASES = 900
SUBPROCESS_CASES = 50
TODAY = "2026-11-23"

# What must never reach a terminal raw: C0 except tab, newline and CR; DEL; C1; the
# bidi and zero-width controls (support/controls.py escapes them all).
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069]"
)
BOM = "\ufeff"  # an exported CSV starts with one (for Excel); anywhere else it is a control

# -- the hostile grammar -----------------------------------------------------------------

INVALID_UTF8 = [b"\xff", b"\xe4\xb8", b"\xc0\xaf", b"\xed\xa0\x80", "山东".encode("gbk")]
CONTROLS = [
    "\x1b[2J\x1b[31mRED",
    "\x1b]0;PWNED\x07",
    "\x9b31m",  # C1 CSI
    "\x85next",  # C1 NEL
    "\u202e客户\u202c",  # bidi override
    "\u2066x\u2069",
    "a\u200bb",  # zero-width space
    "\x00",
    "\x07bell",
    "\x7f",
    "line\rover",
]
NUMBERS = [
    "0",
    "1",
    "-1",
    "2",
    "5",
    "99999999999999999999",
    str(2**63),
    str(2**63 - 1),
    str(2**31),
    "-99999999999999999999",
    "9" * 400,
    "1e30",
    "nan",
    "inf",
    "0x10",
    "#1",
    "#99999999999999999999",
    "１２",
]
DATES = [
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2201-01-01",
    "2200-12-31",
    "1900-01-01",
    "2026-02-30",
    "2026-11-23",
    "2026-11-23 25:61",
    "2026年11月23日",
    "20261123",
    "yesterday",
]
TEXTS = [
    "",
    " ",
    "x" * 300,
    "中" * 5000,
    "y" * 131072,  # 128 KiB
    "%_\\",
    "[b]markup[/b]",
    "=cmd|' /C calc'!A0",
    "'; DROP TABLE customers; --",
    "😀🚜",
    "C001",
    "C002",
    "山东鲁建机械有限公司",
    "李娜",
    "王伟",
    "reached",
    "no_answer",
    "minor",
    "critical",
    "sale",
    "service",
    "phone",
    "clerk",
    "1w",
    "99999y",
    "month",
    "key=yes",
    "=",
    "-",
    "--",
]
VOCABULARY = {  # plausible values for some options, so commands get past the first check
    "outcome": ["reached", "no_answer", "wrong_number", "callback_requested"],
    "kind": ["sale", "service", "parts", "customers", "contacts", "calls", "tickets", "staff"],
    "role": ["clerk", "service", "gm", "decision-maker"],
    "by": ["李娜", "王伟"],
    "staff": ["李娜", "赵强"],
    "owner": ["王伟"],
    "customer": ["C001", "C002", "1", "泰安宏达建设"],
    "ticket": ["1", "#1", "2"],
    "severity": ["minor", "major", "critical"],
    "status": ["open", "all", "closed"],
    "period": ["week", "month", "quarter", "year"],
    "grade": ["1", "5", "一级"],
}
PLAIN = ["C001", "李娜", "客户说液压有异响", "x", "1", "yes", "key=yes", "周一上午"]
HOSTILE_SHARE = 0.35  # of the values given: the rest are plausible
UNKNOWN_OPTIONS = ["--nope", "-Z", "--db-", "--format=", "--", "-"]


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    params: tuple[Any, ...]


def command_tree() -> list[Command]:
    """Every leaf command (a single command, or each command of a group), with its
    parameters, read from the registry and the groups as they are built."""
    found: list[Command] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name in sorted(subcommands):
                walk(subcommands[name], (*path, name))
        else:
            found.append(Command(path, tuple(command.params)))

    for name in COMMANDS:
        walk(load_command(name), (name,))
    return found


class Grammar:
    """Hostile arguments, drawn from one seeded random source."""

    def __init__(self, rng: random.Random, paths: list[str], real_bytes: bool) -> None:
        self.rng = rng
        self.paths = paths
        self.real_bytes = real_bytes

    def invalid_utf8(self) -> str | bytes:
        raw = self.rng.choice(INVALID_UTF8)
        around = self.rng.choice([b"", b"C00", "客户".encode()])
        value = around + raw if self.rng.random() < 0.5 else raw + around
        return value if self.real_bytes else os.fsdecode(value)

    def hostile(self) -> str | bytes:
        pick = self.rng.random()
        if pick < 0.12:
            return self.invalid_utf8()
        if pick < 0.27:
            control = self.rng.choice(CONTROLS)
            return control.replace("\x00", "\x01") if self.real_bytes else control
        if pick < 0.42:
            return self.rng.choice(NUMBERS)
        if pick < 0.55:
            return self.rng.choice(DATES)
        if pick < 0.62:
            return self.rng.choice(self.paths)
        text = self.rng.choice(TEXTS)
        if self.real_bytes and "\x00" in text:
            return text.replace("\x00", "\x01")  # a real argv cannot hold a NUL
        if self.real_bytes and len(text) > 60_000:
            return text[:60_000]  # one argv string is at most 128 KiB, NUL included
        return text

    def value(self, param: Any) -> str | bytes:
        """A hostile value about one time in three; otherwise a plausible one, so the
        command gets past its first check and the hostile value meets the deeper code."""
        if self.rng.random() < HOSTILE_SHARE:
            return self.hostile()
        name = (param.name or "").rstrip("_")
        kind = param.type
        if isinstance(kind, Choice):
            return self.rng.choice(list(kind.choices))
        if isinstance(kind, IntParamType):
            return self.rng.choice(["1", "2", "3", "30"])
        if isinstance(kind, TyperPath):
            return self.rng.choice(self.paths)
        if "date" in name or name in ("at", "since", "until", "start", "end", "today"):
            return self.rng.choice(["2026-11-23", "2026-12-01", "2026-01-01", *DATES])
        if name in VOCABULARY:
            return self.rng.choice(VOCABULARY[name])
        return self.rng.choice(PLAIN)

    def arguments(self, command: Command) -> list[str | bytes]:
        args: list[str | bytes] = list(command.path)
        if self.rng.random() < 0.1:  # a root option before the command
            option = self.rng.choice(["--today", "--config", "--db"])
            value = self.rng.choice(DATES) if option == "--today" else self.value_for_path()
            args[0:0] = [option, value]
        options: list[str | bytes] = []
        positionals: list[str | bytes] = []
        for param in command.params:
            if isinstance(param, Argument):
                if self.rng.random() < 0.92:
                    count = 2 if param.nargs == -1 and self.rng.random() < 0.3 else 1
                    positionals.extend(self.value(param) for _ in range(count))
                continue
            if not isinstance(param, Option) or param.name in ("help",):
                continue
            if not param.required and self.rng.random() > 0.4:
                continue
            flag = self.rng.choice(param.opts)
            repeats = 2 if (param.multiple or self.rng.random() < 0.08) else 1
            for _ in range(repeats):
                if param.is_flag:
                    options.append(flag)
                elif flag.startswith("--") and self.rng.random() < 0.2:
                    value = self.value(param)
                    joined = flag.encode() + b"=" + value if isinstance(value, bytes) else None
                    options.append(joined if joined is not None else f"{flag}={value}")
                else:
                    options.extend([flag, self.value(param)])
        if self.rng.random() < 0.12:
            options.insert(self.rng.randrange(len(options) + 1), self.rng.choice(UNKNOWN_OPTIONS))
        if self.rng.random() < 0.06:
            positionals.append(self.hostile())  # one argument too many
        mixed = options + positionals if self.rng.random() < 0.5 else positionals + options
        return args + mixed

    def value_for_path(self) -> str | bytes:
        return self.rng.choice(self.paths) if self.rng.random() < 0.8 else self.hostile()


def cases(count: int, seed: int, paths: list[str], real_bytes: bool) -> Iterator[list[Any]]:
    """`count` argument lists, every command in turn (so each gets its share)."""
    rng = random.Random(seed)
    grammar = Grammar(rng, paths, real_bytes)
    commands = command_tree()
    for i in range(count):
        yield grammar.arguments(commands[i % len(commands)])


# -- the checks --------------------------------------------------------------------------


def shown(args: list[Any]) -> str:
    """A case as a shell command (bytes escaped, long values cut)."""
    parts = []
    for arg in args:
        text = os.fsdecode(arg) if isinstance(arg, bytes) else arg
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        parts.append(repr(text[:40] + ("…" if len(text) > 40 else "")))
    return " ".join(parts)


def problems(code: int, stdout: str, stderr: str) -> list[str]:
    found = []
    if code == 70:
        found.append("exit 70")
    if "Traceback" in stdout + stderr:
        found.append("traceback")
    body = stdout[1:] if stdout.startswith(BOM) else stdout
    for stream, text in (("stdout", body), ("stderr", stderr)):
        raw = RAW_CONTROL.search(text) or (BOM in text and re.search(BOM, text))
        if raw:
            at = raw.start()
            found.append(f"raw {raw.group()!r} on {stream}: …{text[max(0, at - 30) : at + 10]!r}")
    return found


@pytest.fixture
def hostile_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folder commands run in, with a planted symlink to a victim file; the paths
    the grammar names."""
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("the victim's own words\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(victim)
    (tmp_path / ".out.csv.part").symlink_to(victim)
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "missing" / "x.csv")
    good = tmp_path / "customers.csv"
    good.write_text("code,name,grade\nF001,模糊测试公司,3\n", encoding="utf-8")
    return [
        "",
        "/",
        "/dev/null",
        "-",
        str(tmp_path),
        str(tmp_path / "link.csv"),
        "link.csv",
        "dangling.csv",
        "out.csv",
        "missing/x.csv",
        str(good),
        "a" * 300,
        "a/" * 2100,
    ]


def test_fuzzed_arguments_never_crash_in_process(office, db_path, hostile_folder, tmp_path):
    runner = CliRunner()
    failures = []
    for n, args in enumerate(cases(IN_PROCESS_CASES, SEED, hostile_folder, real_bytes=False)):
        argv = ["--db", str(db_path), "--today", TODAY, *args]
        r = runner.invoke(app, argv, env={"FOLLOWUP_STAFF": "李娜"}, catch_exceptions=True)
        found = problems(r.exit_code, r.stdout, r.stderr)
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            found.append(f"{type(r.exception).__name__}: {r.exception}")
        if found:
            failures.append(f"case {n} (seed {SEED}): followup {shown(args)} -> {found}")
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "the victim's own words\n"
    assert not failures, "\n".join(failures[:30])


def test_fuzzed_real_argv_bytes_never_crash(office, db_path, hostile_folder, tmp_path):
    env = {**os.environ, "TZ": "Asia/Shanghai", "FOLLOWUP_STAFF": "李娜", "FOLLOWUP_LANGUAGE": "en"}
    failures = []
    for n, args in enumerate(cases(SUBPROCESS_CASES, SEED + 1, hostile_folder, real_bytes=True)):
        argv = [sys.executable, "-m", "followup_cli", "--db", str(db_path), "--today", TODAY]
        argv += [a if isinstance(a, bytes) else os.fsencode(a) for a in args]
        p = subprocess.run(
            [os.fsencode(a) if isinstance(a, str) else a for a in argv],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=60,
        )
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        found = problems(p.returncode, out, err)
        for stream, raw in (("stdout", p.stdout), ("stderr", p.stderr)):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                found.append(f"{stream} is not UTF-8")
        if found:
            failures.append(f"case {n} (seed {SEED + 1}): followup {shown(args)} -> {found}")
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "the victim's own words\n"
    assert not failures, "\n".join(failures[:30])


def test_the_fuzz_covers_every_command():
    commands = command_tree()
    names = {" ".join(c.path) for c in commands}
    assert {"due", "log-call", "customer show", "ticket close", "db backup", "config init"} <= names
    assert IN_PROCESS_CASES >= 600
    assert IN_PROCESS_CASES // len(commands) >= 5  # each command gets a fair share
    # Seeded: the same cases every run.
    first = list(cases(20, SEED, ["x"], real_bytes=False))
    assert first == list(cases(20, SEED, ["x"], real_bytes=False))
