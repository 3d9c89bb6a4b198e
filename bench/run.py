#!/usr/bin/env python3
"""Benchmark followup on a large office: command latency, import rates, memory, scaling.

    .venv/bin/python bench/run.py               # full size (make bench)
    .venv/bin/python bench/run.py --quick       # a fast smoke run on a smaller office
    .venv/bin/python bench/run.py --only commands --keep

Every figure runs the real CLI as a separate process (`.venv/bin/followup --db DB
--today 2026-11-23 ...`), the way a clerk, cron or a script would. The data comes from
bench/generate.py (written once under bench/data/, reused while its parameters hold).
Sections:

- imports:  staff, customers, events, calls into a fresh database; rows/s, how long
            each held the write lock (`import --debug`) and peak memory, next to
            `sqlite-utils insert` and `sqlite3 .import` on the same events file; then a
            clerk's `log-call` every 0.5 s during imports of 100k-scale and 1M-scale
            files of each kind.
- commands: medians of whole-process wall time of the clerk's and cron's commands and
            the peak memory of the full due list, on two shapes of the office: its
            imported history (nobody has called yet), and the same office after a month
            of work (bench/month.py: about 2% of the customers due); taskwarrior's
            `task next limit:50` and `task export` on as many pending tasks beside each.
- scaling:  `due --limit 50` and `log-call` on databases holding 10k, 100k and all events.

The report is one markdown table (what | command | figure | peer | target | verdict):
each verdict says "met" or by how much the figure misses its target (issue 20).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import re
import select
import shlex
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import month  # noqa: E402
import taskwarrior  # noqa: E402
from generate import FULL, QUICK, SUBSETS, Size, data_dir, generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
FOLLOWUP = BIN / "followup"
PYTHON = BIN / "python"
SQLITE_UTILS = BIN / "sqlite-utils"
TODAY = "2026-11-23"
SECTIONS = ("imports", "commands", "scaling", "engines")
MIB = 1024 * 1024

# Targets (issue 20; customer list and ticket open: issue 7).
HELP_MS = 100
LOG_CALL_MS = 100
SIMPLE_MS = 120
DUE_LIMIT_MS = 150  # `due --limit 50` on a terminal: the clerk's screen
DUE_CSV_MS = 500
DUE_JSON_MS = 600
DUE_PLAIN_MS = 800  # `due` as plain text to a pipe, every row (cron mail)
VS_SQLITE_UTILS = 3.0
VS_SQLITE3 = 0.2
CUSTOMERS_RATE = 30_000  # rows/s
CALLS_RATE = 20_000
PEAK_MIB = 100
WAIT_SMALL_S = 1.0  # the longest a clerk's log-call may take during a 100k-row import
WAIT_LARGE_S = 3.0  # ... during a 1M-row one
LARGE_IMPORT = 1_000_000  # (a --quick run's largest file stands for it: 100k rows)
FLAT = 1.25  # "flat from 10k to 1M events": the largest database's time / the smallest's
PEAK_MIB_GOAL = f"<= {PEAK_MIB} MiB"


class Failed(Exception):
    """A measured command failed or ran past its time limit."""


class TimedOut(Failed):
    """A measured command was stopped at its time limit."""


@dataclass
class Figure:
    what: str
    command: str  # shown in the table (short)
    value: str  # the median, rate or ratio as printed
    target: str = ""
    verdict: str = ""
    full: str = ""  # the command line as run
    peer: str = ""  # the peer's figure from the same run


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print(
            f"  {figure.what}: {figure.value} {figure.verdict}".rstrip()
            + (f" (peer: {figure.peer})" if figure.peer else ""),
            file=sys.stderr,
        )
        return figure

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", file=sys.stderr)


@dataclass
class Options:
    size: Size
    runs: int
    warmup: int
    keep: bool
    sections: tuple[str, ...]
    import_timeout: float
    command_timeout: float
    slow_after: float


# -- verdicts ---------------------------------------------------------------------------


def at_most(value: float, limit: float, unit: str, digits: int = 0) -> str:
    """ "met", or by how much `value` exceeds `limit`."""
    if value <= limit:
        return "met"
    return f"missed by {value - limit:,.{digits}f} {unit}".rstrip()


def at_least(value: float, goal: float, unit: str, digits: int = 0) -> str:
    """ "met", or by how much `value` falls short of `goal`."""
    if value >= goal:
        return "met"
    return f"missed by {goal - value:,.{digits}f} {unit}".rstrip()


def missed(figure: Figure) -> bool:
    return figure.verdict.startswith(("missed", "FAIL"))


# -- running processes ------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment of every measured process: no user config, a fixed time zone."""
    env = dict(os.environ)
    for name in ("FOLLOWUP_DB", "FOLLOWUP_TODAY", "FOLLOWUP_CONFIG", "FOLLOWUP_STAFF"):
        env.pop(name, None)
    for name in ("COLUMNS", "LINES"):
        env.pop(name, None)
    config_home = ROOT / "bench" / "data" / "xdg-config"  # empty: shipped defaults apply
    config_home.mkdir(parents=True, exist_ok=True)
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["TZ"] = "Asia/Shanghai"
    return env


ENV: dict[str, str] = {}


def followup(db: Path | str, *args: str) -> list[str]:
    return [str(FOLLOWUP), "--db", str(db), "--today", TODAY, *args]


def shown(argv: Sequence[str]) -> str:
    """A command line as a user would type it (paths relative to the repository)."""
    parts = []
    for arg in argv:
        with contextlib.suppress(ValueError):
            arg = str(Path(arg).relative_to(ROOT)) if arg.startswith("/") else arg
        parts.append(shlex.quote(arg))
    return " ".join(parts)


def _tail(data: bytes | str | None, lines: int = 5) -> str:
    if not data:
        return ""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return "\n".join(text.strip().splitlines()[-lines:])


def run_once(
    argv: Sequence[str], *, timeout: float, to_pipe: bool = False, env: dict[str, str] | None = None
) -> float:
    """Wall time of one run, stdout to a pipe (read fully) or to /dev/null."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if to_pipe else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env or ENV,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise TimedOut(f"stopped after {timeout:.0f} s (time limit): {shown(argv)}") from None
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise Failed(f"exit {proc.returncode}: {shown(argv)}\n{_tail(proc.stderr)}")
    return took


def run_on_terminal(
    argv: Sequence[str], *, timeout: float, env: dict[str, str] | None = None
) -> float:
    """Wall time of one run with stdout and stderr on a pseudo-terminal (160x50),
    so the command draws what a clerk sees; the output is read and discarded."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    base = env or ENV
    env = dict(base, TERM=base.get("TERM") or "xterm-256color")
    tail = bytearray()
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env
        )
    finally:
        os.close(slave)
    try:
        deadline = started + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                proc.kill()
                proc.wait()
                raise TimedOut(
                    f"stopped after {timeout:.0f} s (time limit): {shown(argv)} (on a terminal)"
                )
            ready, _, _ = select.select([master], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: every copy of the slave side is closed
                break
            if not chunk:
                break
            tail = (tail + chunk)[-4096:]
        code = proc.wait(timeout=max(deadline - time.perf_counter(), 1.0))
        took = time.perf_counter() - started
    finally:
        os.close(master)
    if code != 0:
        raise Failed(f"exit {code}: {shown(argv)} (on a terminal)\n{_tail(bytes(tail))}")
    return took


@dataclass
class Measured:
    seconds: float
    peak_mib: float
    output: str


# Runs a command as its own child and reports that child's wall time and peak memory.
# A separate small process, so that the figure is not the benchmark's own memory: on
# Linux a child's ru_maxrss includes what its parent held when it forked.
WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=2, stderr=2).returncode
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": took, "peak_kib": peak, "code": code}))
"""


def run_measured(
    argv: Sequence[str],
    *,
    timeout: float,
    log: Path | None = None,
    env: dict[str, str] | None = None,
) -> Measured:
    """One run of a long command: wall time and peak resident memory (ru_maxrss) of
    that process, measured by a small wrapper process. Output goes to a log file."""
    log = log or Path(os.devnull)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(PYTHON), "-I", "-c", WRAPPER, *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=out,
            env=env or ENV,
            start_new_session=True,  # a time-out stops the wrapper and the command
        )
        try:
            answer, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            took = time.perf_counter() - started
            raise TimedOut(f"stopped after {took:.0f} s (time limit): {shown(argv)}") from None
    text = log.read_text("utf-8", "replace") if str(log) != os.devnull else ""
    try:
        result = json.loads(answer)
    except ValueError:
        raise Failed(f"the measuring wrapper failed: {shown(argv)}\n{_tail(text)}") from None
    if result["code"] != 0:
        raise Failed(
            f"exit {result['code']} after {result['seconds']:.1f} s: {shown(argv)}\n{_tail(text)}"
        )
    return Measured(float(result["seconds"]), int(result["peak_kib"]) * 1024 / MIB, text)


def median_time(
    runs: int, warmup: int, once: Callable[[int], float], slow_after: float
) -> tuple[float, list[float]]:
    """The median of `runs` timed calls after `warmup` untimed ones; once(i) gets the
    run number (warm-ups included), for commands that need a fresh argument each time.
    A command whose warm-up took longer than `slow_after` seconds is timed once only."""
    longest = 0.0
    for i in range(warmup):
        longest = max(longest, once(i))
    count = 1 if longest > slow_after else runs
    samples = [once(warmup + i) for i in range(count)]
    return statistics.median(samples), samples


# -- databases --------------------------------------------------------------------------


def copy_db(src: Path, dest: Path) -> None:
    """A consistent copy through SQLite's backup API (the WAL included)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(src)) as a,
        contextlib.closing(sqlite3.connect(dest)) as b,
    ):
        a.backup(b)
    dest.chmod(0o600)


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, params).fetchall()


def customers_to_call(db: Path, n: int) -> list[str]:
    """Customers with something due today and no call logged today: each log-call run
    gets its own, so the key (customer, at, caller) never repeats."""
    rows = query(
        db,
        "SELECT c.code FROM customers c WHERE EXISTS (SELECT 1 FROM callbacks b"
        " WHERE b.customer_id = c.id AND b.status = 'pending' AND b.due_on <= ?)"
        " AND NOT EXISTS (SELECT 1 FROM calls k WHERE k.customer_id = c.id AND k.day = ?)"
        " ORDER BY c.id LIMIT ?",
        TODAY,
        TODAY,
        n,
    )
    codes = [str(r[0]) for r in rows]
    if len(codes) < n:
        raise Failed(f"{db}: only {len(codes)} customers have something due today; {n} needed")
    return codes


def due_rows(db: Path) -> int:
    """About how many rows `due` prints today: customers with a pending callback due."""
    rows = query(
        db,
        "SELECT count(DISTINCT customer_id) FROM callbacks WHERE status = 'pending'"
        " AND due_on <= ?",
        TODAY,
    )
    return int(str(rows[0][0]))


def customers_for_tickets(db: Path, n: int) -> list[str]:
    return [str(r[0]) for r in query(db, "SELECT code FROM customers ORDER BY id DESC LIMIT ?", n)]


@dataclass
class Office:
    """The databases of one run, under bench/data/db/<size>/."""

    size: Size
    data: Path
    folder: Path

    @property
    def main(self) -> Path:
        return self.folder / "main.db"

    @property
    def base(self) -> Path:  # staff and customers only
        return self.folder / "base.db"

    @property
    def staff_only(self) -> Path:
        return self.folder / "staff.db"

    @property
    def month(self) -> Path:  # main.db after a month of work (bench/month.py)
        return self.folder / "month.db"

    @property
    def before_calls(self) -> Path:  # staff, customers and every event
        return self.events_db(self.size.events)

    def events_db(self, n: int) -> Path:
        return self.folder / f"events-{label(n)}.db"

    def events_file(self, n: int) -> Path:
        if n >= self.size.events:
            return self.data / "events.csv"
        return self.data / f"events-{label(n)}.csv"

    def stamp(self, db: Path) -> Path:
        return db.with_suffix(".json")

    def mark_built(self, db: Path) -> None:
        self.stamp(db).write_text(json.dumps(self._fingerprint()))

    def is_built(self, db: Path) -> bool:
        stamp = self.stamp(db)
        return (
            db.exists() and stamp.exists() and stamp.read_text() == json.dumps(self._fingerprint())
        )

    def _fingerprint(self) -> dict[str, object]:
        return {"data": json.loads((self.data / "stamp.json").read_text())}


def label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def scaling_sizes(size: Size) -> list[int]:
    return sorted({*(n for n in SUBSETS if n < size.events), size.events})


# -- section: imports -------------------------------------------------------------------

LOCK_HELD = re.compile(r"(?:write lock held|写锁占用) ([\d.]+) (?:s|秒)")


def lock_held(output: str) -> float | None:
    """How long an import held the write lock, from its `--debug` line (English or
    Chinese), or None when it printed none."""
    found = LOCK_HELD.findall(output)
    return float(found[-1]) if found else None


def import_argv(db: Path, kind: str, path: Path) -> list[str]:
    return [str(FOLLOWUP), "--db", str(db), "--today", TODAY, "--debug", "import", kind, str(path)]


def import_step(
    office: Office,
    db: Path,
    kind: str,
    path: Path,
    opts: Options,
) -> Measured:
    argv = import_argv(db, kind, path)
    log = office.folder / f"import-{kind}.log"
    print(f"  {shown(argv)} ...", file=sys.stderr, flush=True)
    result = run_measured(argv, timeout=opts.import_timeout, log=log)
    last = result.output.strip().splitlines()[-1:] or [""]
    print(f"    {result.seconds:.1f} s, peak {result.peak_mib:.0f} MiB: {last[0]}", file=sys.stderr)
    return result


RATE_GOALS: dict[str, tuple[float, str]] = {
    "customers": (CUSTOMERS_RATE, f">= {CUSTOMERS_RATE:,} rows/s"),
    "calls": (CALLS_RATE, f">= {CALLS_RATE:,} rows/s"),
}


def build_main(office: Office, opts: Options, report: Report | None) -> None:
    """staff, customers, events, calls into a fresh main.db (keeping staff.db after the
    staff, base.db after the customers, and the all-events database before the calls).
    With a report, the import figures are recorded."""
    size, data = office.size, office.data
    for db in (office.main, office.base, office.staff_only, office.before_calls, office.month):
        remove_db(db)
        office.stamp(db).unlink(missing_ok=True)
    db = office.main
    run_once(followup(db, "init"), timeout=opts.command_timeout)
    import_step(office, db, "staff", data / "staff.csv", opts)
    copy_db(db, office.staff_only)
    office.mark_built(office.staff_only)
    rows = {"customers": size.customers, "events": size.events, "calls": size.calls}
    for kind in ("customers", "events", "calls"):
        path = data / ("events.csv" if kind == "events" else f"{kind}.csv")
        argv = import_argv(db, kind, path)
        what = f"import {kind} ({label(rows[kind])} rows)"
        try:
            result = import_step(office, db, kind, path, opts)
        except Failed as exc:
            # Without calls the database still serves the other measurements.
            fatal = kind != "calls"
            if report is None:
                if fatal:
                    raise
                print(f"  {exc}; going on without calls", file=sys.stderr)
                continue
            value = "failed"
            if isinstance(exc, TimedOut):
                value = f"> {opts.import_timeout:.0f} s (stopped)"
            report.add(Figure(what, short(argv), value, verdict="FAIL", full=shown(argv)))
            report.note(str(exc))
            if fatal:
                raise
            report.note("the calls were not imported: the commands run on a database without calls")
            continue
        if report is not None:
            rate = rows[kind] / result.seconds
            held = lock_held(result.output)
            lock = f"; write lock held {held:.1f} s" if held is not None else ""
            goal = RATE_GOALS.get(kind)
            if goal is None:  # events: judged against its peers below
                target, judged = "see the ratios below", ""
            else:
                target, judged = goal[1], at_least(rate, goal[0], "rows/s")
            report.add(
                Figure(
                    what,
                    short(argv),
                    f"{rate:,.0f} rows/s ({result.seconds:.1f} s{lock})",
                    target,
                    judged,
                    full=shown(argv),
                )
            )
            if held is None:
                report.note(f"import {kind} printed no `write lock held` line under --debug")
            report.add(
                Figure(
                    f"import {kind}: peak memory",
                    short(argv),
                    f"{result.peak_mib:.0f} MiB",
                    PEAK_MIB_GOAL,
                    at_most(result.peak_mib, PEAK_MIB, "MiB"),
                    full=shown(argv) + "  (ru_maxrss of the process)",
                )
            )
            RATES[kind] = rate
        if kind == "customers":
            copy_db(db, office.base)
            office.mark_built(office.base)
        if kind == "events":
            copy_db(db, office.before_calls)
            office.mark_built(office.before_calls)
    office.mark_built(db)


RATES: dict[str, float] = {}


def compare_imports(office: Office, opts: Options, report: Report) -> None:
    """The events file through sqlite-utils and the sqlite3 shell, into fresh databases."""
    sqlite3_bin = shutil.which("sqlite3")
    kind, path, rows = "events", office.data / "events.csv", office.size.events
    scratch = office.folder / "compare.db"
    tools: list[tuple[str, list[str]]] = [
        (
            "sqlite-utils insert",
            [str(SQLITE_UTILS), "insert", str(scratch), kind, str(path), "--csv"]
            + ["--no-detect-types"],
        )
    ]
    if sqlite3_bin:
        tools.append(
            ("sqlite3 .import", [sqlite3_bin, str(scratch), f".import --csv {path} {kind}"])
        )
    else:
        report.note("sqlite3 shell not found on PATH: no .import comparison")
    for name, argv in tools:
        remove_db(scratch)
        print(f"  {shown(argv)} ...", file=sys.stderr, flush=True)
        try:
            result = run_measured(argv, timeout=opts.import_timeout)
        except Failed as exc:
            report.note(str(exc))
            continue
        count = query(scratch, f"SELECT count(*) FROM {kind}")[0][0]
        if count != rows:
            report.note(f"{name} loaded {count} {kind} rows, expected {rows}")
        rate = rows / result.seconds
        report.add(
            Figure(
                f"peer: {name} {kind} ({label(rows)} rows)",
                shorten_paths(shown(argv)),
                f"{rate:,.0f} rows/s ({result.seconds:.1f} s), peak {result.peak_mib:.0f} MiB",
                full=shown(argv),
            )
        )
        mine = RATES.get(kind)
        if mine is None:
            continue
        ratio = mine / rate
        goal = VS_SQLITE_UTILS if name.startswith("sqlite-utils") else VS_SQLITE3
        report.add(
            Figure(
                f"import {kind}: followup / {name}",
                "rows/s ratio",
                f"{ratio:.2f}x",
                f">= {goal:g}x",
                at_least(ratio, goal, "x", 2),
                peer=f"{rate:,.0f} rows/s",
            )
        )
    remove_db(scratch)


def renamed_customers(office: Office, rows: int) -> Path:
    """The first `rows` customers of the file as new ones (codes N…, names 新…): an
    import of customers the database does not hold yet."""
    out = office.folder / f"new-customers-{label(rows)}.csv"
    with (
        (office.data / "customers.csv").open(encoding="utf-8") as src,
        out.open("w", encoding="utf-8") as dest,
    ):
        dest.write(src.readline())
        for i, line in enumerate(src):
            if i >= rows:
                break
            code, name, rest = line.split(",", 2)
            dest.write(f"N{code[1:]},新{name},{rest}")
    return out


def first_rows(src: Path, dest: Path, rows: int) -> Path:
    with src.open(encoding="utf-8") as fh, dest.open("w", encoding="utf-8") as out:
        out.write(fh.readline())
        for i, line in enumerate(fh):
            if i >= rows:
                break
            out.write(line)
    return dest


def clerk_cases(office: Office) -> list[tuple[str, Path, Path, int, float]]:
    """(kind, database it goes into, file, rows, longest wait allowed) of each import a
    clerk works beside: a 100k-scale file of each kind (10k with --quick; calls: the
    whole file when smaller) and the 1M-scale events file (100k with --quick)."""
    size = office.size
    small = min(SUBSETS[-1] if size.events >= LARGE_IMPORT else SUBSETS[0], size.customers)
    calls = min(small, size.calls)
    return [
        ("customers", office.base, renamed_customers(office, small), small, WAIT_SMALL_S),
        ("events", office.base, office.events_file(small), small, WAIT_SMALL_S),
        (
            "calls",
            office.before_calls,
            first_rows(office.data / "calls.csv", office.folder / "calls-part.csv", calls),
            calls,
            WAIT_SMALL_S,
        ),
        ("events", office.base, office.events_file(size.events), size.events, WAIT_LARGE_S),
    ]


def clerk_during_import(
    office: Office,
    opts: Options,
    report: Report,
    case: tuple[str, Path, Path, int, float],
) -> None:
    """`import KIND FILE` into a copy of `source` while a clerk logs a call every half
    second: every call must succeed, and none may wait longer than the target."""
    kind, source, file, rows, limit = case
    scratch = office.folder / "concurrent.db"
    copy_db(source, scratch)
    codes = customers_to_call(scratch, 400)
    make = log_call_argv(scratch, codes)
    argv = import_argv(scratch, kind, file)
    print(f"  {shown(argv)} with a log-call every 0.5 s ...", file=sys.stderr, flush=True)
    waits: list[float] = []
    failed: list[str] = []
    log_path = office.folder / "import-concurrent.log"
    with log_path.open("wb") as log:
        importer = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=ENV)
        try:
            while importer.poll() is None and len(waits) < len(codes):
                try:
                    waits.append(run_once(make(len(waits)), timeout=opts.command_timeout))
                except Failed as exc:
                    waits.append(float("nan"))
                    failed.append(str(exc).splitlines()[0])
                time.sleep(0.5)
            importer.wait(timeout=opts.import_timeout)
        finally:
            if importer.poll() is None:
                importer.kill()
    remove_db(scratch)
    held = lock_held(log_path.read_text("utf-8", "replace"))
    timed = [w for w in waits if w == w]
    longest = max(timed, default=0.0)
    ok = importer.returncode == 0 and not failed and len(waits) > 0
    verdict = at_most(longest, limit, "s", 1) if ok else "FAIL"
    lock = f"; import held the lock {held:.1f} s" if held is not None else ""
    report.add(
        Figure(
            f"log-call every 0.5 s during import {kind} ({label(rows)} rows)",
            short(make(0)),
            f"{len(timed)}/{len(waits)} ok, longest {longest:.2f} s{lock}",
            f"all succeed, none > {limit:g} s",
            verdict,
            full=f"{shown(make(0))}  (every 0.5 s during: {shown(argv)})",
        )
    )
    for line in failed[:3]:
        report.note(f"log-call during the import of {kind}: {line}")
    if importer.returncode != 0:
        report.note(f"the import of {kind} beside the clerk exited {importer.returncode}")


def section_imports(office: Office, opts: Options, report: Report) -> bool:
    print("== imports", file=sys.stderr)
    try:
        build_main(office, opts, report)
    except Failed as exc:
        report.note(f"the database was not built, so commands and scaling are skipped: {exc}")
        compare_imports(office, opts, report)
        return False
    compare_imports(office, opts, report)
    for case in clerk_cases(office):
        clerk_during_import(office, opts, report, case)
    return True


# -- section: commands ------------------------------------------------------------------


def short(argv: Sequence[str]) -> str:
    """The table's form of a command: `followup ARGS` without --db/--today."""
    args = list(argv)
    if args and args[0] == str(FOLLOWUP):
        rest = args[1:]
        if rest[:1] == ["--db"]:
            rest = rest[2:]
        if rest[:1] == ["--today"]:
            rest = rest[2:]
        return shorten_paths("followup " + " ".join(shlex.quote(a) for a in rest))
    return shorten_paths(shown(args))


def shorten_paths(text: str) -> str:
    for prefix in (str(ROOT / "bench" / "data") + "/", "bench/data/"):
        text = text.replace(prefix, "")
    return text


WHERE = {"devnull": "> /dev/null", "pipe": "| (pipe)", "terminal": "on a terminal (pty)"}


def median_ms(
    opts: Options,
    make_argv: Callable[[int], list[str]],
    how: str,
    env: dict[str, str] | None = None,
) -> tuple[float, list[float]]:
    """Median (ms) of a command run `opts.runs` times after the warm-up, and the samples."""

    def once(i: int) -> float:
        argv = make_argv(i)
        if how == "terminal":
            return run_on_terminal(argv, timeout=opts.command_timeout, env=env)
        return run_once(argv, timeout=opts.command_timeout, to_pipe=how == "pipe", env=env)

    median, samples = median_time(opts.runs, opts.warmup, once, opts.slow_after)
    return median * 1000, [s * 1000 for s in samples]


def timed_figure(
    report: Report,
    opts: Options,
    what: str,
    make_argv: Callable[[int], list[str]],
    target_ms: float | None,
    *,
    how: str = "devnull",
    peer: str = "",
) -> float | None:
    """Median of a command run `opts.runs` times after the warm-up; None if it failed."""
    first = make_argv(0)
    where = WHERE[how]
    target = f"<= {target_ms:g} ms" if target_ms else ""
    try:
        ms, samples = median_ms(opts, make_argv, how)
    except TimedOut as exc:
        report.add(
            Figure(
                what,
                f"{short(first)} {where}",
                f"> {opts.command_timeout:.0f} s (stopped)",
                target,
                "FAIL",
                full=shown(first),
                peer=peer,
            )
        )
        report.note(str(exc))
        return None
    except Failed as exc:
        report.add(
            Figure(what, f"{short(first)} {where}", "failed", target, "FAIL", shown(first), peer)
        )
        report.note(str(exc))
        return None
    spread = f"{min(samples):.0f}–{max(samples):.0f}"
    report.add(
        Figure(
            what,
            f"{short(first)} {where}",
            f"{ms:.0f} ms",
            target,
            at_most(ms, target_ms, "ms") if target_ms else "",
            full=f"{shown(first)} {where}  [{len(samples)} timed run(s): {spread} ms]",
            peer=peer,
        )
    )
    return ms


def always(argv: list[str]) -> Callable[[int], list[str]]:
    """The same command line for every run."""
    return lambda i: argv


def log_call_argv(db: Path | str, codes: list[str]) -> Callable[[int], list[str]]:
    def make(i: int) -> list[str]:
        at = f"{TODAY} 09:{i // 60:02d}:{i % 60:02d}"
        return followup(
            db, "log-call", codes[i], "--outcome", "reached", "--by", "张丽", "--at", at
        )

    return make


@dataclass
class Peer:
    """Taskwarrior on the same office's due list (None when `task` is not installed)."""

    env: dict[str, str]
    tasks: int

    def argv(self, *args: str) -> list[str]:
        return [taskwarrior.task_binary() or "task", *args]


def taskwarrior_peer(db: Path, folder: Path, opts: Options, report: Report) -> Peer | None:
    if taskwarrior.task_binary() is None:
        report.note(
            "taskwarrior is not installed (`apt-get install -y taskwarrior`): its peer"
            " figures are skipped"
        )
        return None
    proc = subprocess.run(
        followup(db, "due", "--format", "json"),
        capture_output=True,
        env=ENV,
        timeout=opts.command_timeout * 5,
    )
    if proc.returncode != 0:
        report.note(f"no due list for taskwarrior's tasks: {_tail(proc.stderr)}")
        return None
    rows = json.loads(proc.stdout)
    rc = taskwarrior.build(rows, folder, TODAY[:8] + "01")  # (entered on the 1st)
    env = dict(ENV, TASKRC=str(rc), TASKDATA=str(folder / "data"))
    return Peer(env, len(rows))


def peer_ms(peer: Peer | None, opts: Options, args: list[str], how: str, report: Report) -> str:
    if peer is None:
        return ""
    argv = peer.argv(*args)
    try:
        ms, _samples = median_ms(opts, always(argv), how, env=peer.env)
    except Failed as exc:
        report.note(f"taskwarrior: {exc}")
        return "failed"
    return f"`task {' '.join(args)}` on {peer.tasks:,} tasks: {ms:.0f} ms"


def peer_rss(peer: Peer | None, opts: Options, args: list[str], report: Report) -> str:
    if peer is None:
        return ""
    try:
        result = run_measured(peer.argv(*args), timeout=opts.command_timeout, env=peer.env)
    except Failed as exc:
        report.note(f"taskwarrior: {exc}")
        return "failed"
    return f"`task {' '.join(args)}`: {result.peak_mib:.0f} MiB"


def ensure_month(office: Office, opts: Options, report: Report) -> Path | None:
    """main.db after a month of work (bench/month.py), built once per data."""
    if office.is_built(office.month):
        return office.month
    print(
        "== the same office after a month of work (bench/month.py; not measured)", file=sys.stderr
    )
    copy_db(office.main, office.month)

    def run(path: Path) -> None:
        argv = followup(office.month, "import", "calls", str(path))
        run_once(argv, timeout=opts.import_timeout)

    keep = month.keep_for(office.size.customers)
    try:
        calls, due = month.work_a_month(office.month, office.folder, keep, run)
    except Failed as exc:
        report.note(f"the month-of-work office was not built: {exc}")
        return None
    report.note(
        f"after a month of work: {calls:,} calls imported (bench/month.py), {due:,} customers"
        f" due on {TODAY} (aimed at {keep:,})"
    )
    office.mark_built(office.month)
    return office.month


def shape_commands(office: Office, db: Path, shape: str, opts: Options, report: Report) -> None:
    """The issue's command rows on one shape of the office, each beside taskwarrior."""
    n = opts.runs + opts.warmup
    rows = due_rows(db)
    tag = f"[{shape}: {rows:,} due]"
    peer = taskwarrior_peer(db, office.folder / f"taskwarrior-{shape.split()[0]}", opts, report)
    timed_figure(
        report,
        opts,
        f"due --limit 50, the clerk's screen {tag}",
        always(followup(db, "due", "--limit", "50")),
        DUE_LIMIT_MS,
        how="terminal",
        peer=peer_ms(peer, opts, ["next", "limit:50"], "terminal", report),
    )
    timed_figure(
        report,
        opts,
        f"due --format csv, every row {tag}",
        always(followup(db, "due", "--format", "csv")),
        DUE_CSV_MS,
        how="pipe",
        peer=peer_ms(peer, opts, ["export"], "pipe", report),
    )
    timed_figure(
        report,
        opts,
        f"due --format json, every row {tag}",
        always(followup(db, "due", "--format", "json")),
        DUE_JSON_MS,
        how="pipe",
    )
    timed_figure(
        report,
        opts,
        f"due as a plain table to a pipe, every row {tag}",
        always(followup(db, "due")),
        DUE_PLAIN_MS,
        how="pipe",
    )
    try:
        codes = customers_to_call(db, n)
    except Failed as exc:
        report.note(str(exc))
    else:
        timed_figure(report, opts, f"log-call {tag}", log_call_argv(db, codes), LOG_CALL_MS)
    rss_peer = {
        "csv": peer_rss(peer, opts, ["export"], report),
        "table": peer_rss(peer, opts, ["next", "limit:50"], report),
    }
    for fmt in ("csv", "json", "table"):
        argv = followup(db, "due", "--format", fmt)
        what = f"due --format {fmt}, every row: peak memory {tag}"
        try:
            result = run_measured(argv, timeout=opts.command_timeout)
        except Failed as exc:
            report.add(Figure(what, short(argv), "failed", PEAK_MIB_GOAL, "FAIL", shown(argv)))
            report.note(str(exc))
            continue
        report.add(
            Figure(
                what,
                short(argv),
                f"{result.peak_mib:.0f} MiB",
                PEAK_MIB_GOAL,
                at_most(result.peak_mib, PEAK_MIB, "MiB"),
                full=shown(argv) + "  (ru_maxrss of the process)",
                peer=rss_peer.get(fmt, ""),
            )
        )


def section_commands(office: Office, opts: Options, report: Report) -> None:
    print("== commands", file=sys.stderr)
    db = office.main
    n = opts.runs + opts.warmup
    timed_figure(
        report, opts, "python start-up (floor)", lambda i: [str(PYTHON), "-c", "pass"], None
    )
    timed_figure(
        report,
        opts,
        "python -c 'import typer' (what --help cannot go below)",
        always([str(PYTHON), "-c", "import typer"]),
        None,
    )
    timed_figure(report, opts, "--help", lambda i: followup(db, "--help"), HELP_MS)
    timed_figure(
        report,
        opts,
        "customer list",
        lambda i: followup(db, "customer", "list", "--limit", "20"),
        SIMPLE_MS,
    )
    tickets = customers_for_tickets(db, n)
    timed_figure(
        report,
        opts,
        "ticket open",
        lambda i: followup(
            db,
            "ticket",
            "open",
            tickets[i],
            "--summary",
            "发动机异响, 维修后复发",
            "--category",
            "other",
            "--by",
            "张丽",
        ),
        SIMPLE_MS,
    )
    shapes = [(db, "imported history")]
    worked = ensure_month(office, opts, report)
    if worked is not None:
        shapes.append((worked, "after a month of work"))
    for shape_db, shape in shapes:
        shape_commands(office, shape_db, shape, opts, report)


# -- section: scaling -------------------------------------------------------------------


def ensure_events_db(office: Office, n: int, opts: Options) -> Path:
    db = office.events_db(n)
    if office.is_built(db):
        return db
    if not office.is_built(office.base):
        raise Failed("no base database (staff and customers); run the imports section")
    copy_db(office.base, db)
    import_step(office, db, "events", office.events_file(n), opts)
    office.mark_built(db)
    return db


def growth(report: Report, what: str, figures: list[tuple[int, float]]) -> None:
    if len(figures) < 2:
        return
    (low, first), (high, last) = figures[0], figures[-1]
    ratio = last / first
    report.add(
        Figure(
            f"{what}: growth from {label(low)} to {label(high)} events",
            "",
            f"{ratio:.2f}x ({first:.0f} → {last:.0f} ms)",
            f"flat (<= {FLAT:g}x)",
            at_most(ratio, FLAT, "x", 2),
        )
    )


def section_scaling(office: Office, opts: Options, report: Report) -> None:
    print("== scaling", file=sys.stderr)
    n = opts.runs + opts.warmup
    screens: list[tuple[int, float]] = []
    calls: list[tuple[int, float]] = []
    for events in scaling_sizes(office.size):
        try:
            db = ensure_events_db(office, events, opts)
        except Failed as exc:
            report.note(f"scaling with {label(events)} events skipped: {exc}")
            continue
        tag = f"[{label(events)} events, {due_rows(db):,} due]"
        ms = timed_figure(
            report,
            opts,
            f"due --limit 50 {tag}",
            always(followup(db, "due", "--limit", "50")),
            DUE_LIMIT_MS,
            how="terminal",
        )
        if ms is not None:
            screens.append((events, ms))
        try:
            codes = customers_to_call(db, n)
        except Failed as exc:
            report.note(str(exc))
            continue
        ms = timed_figure(report, opts, f"log-call {tag}", log_call_argv(db, codes), LOG_CALL_MS)
        if ms is not None:
            calls.append((events, ms))
    growth(report, "due --limit 50", screens)
    growth(report, "log-call", calls)


# -- the report -------------------------------------------------------------------------


def print_report(report: Report, opts: Options, took: float) -> None:
    size = opts.size
    print(
        f"\n## followup benchmark — {size.label}: {size.customers:,} customers, "
        f"{size.events:,} events, {size.calls:,} calls; today {TODAY}\n"
    )
    print(
        f"Medians of {opts.runs} run{'s' if opts.runs != 1 else ''} after {opts.warmup} warm-up"
        " (one run when the warm-up took longer than "
        f"{opts.slow_after:g} s); whole-process wall time. "
        f"`followup` stands for `{shown([str(FOLLOWUP)])} --db DB --today {TODAY}`. "
        "The peer column is measured in the same run on the same office.\n"
    )
    print("| what | command | figure | peer (same run) | target | verdict |")
    print("|---|---|---|---|---|---|")
    for f in report.figures:
        cells = [
            f.what,
            f"`{f.command}`" if f.command else "",
            f.value,
            f.peer,
            f.target,
            f.verdict,
        ]
        print("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    print("\nCommands as run:\n")
    seen: set[str] = set()
    for f in report.figures:
        if f.full and f.full not in seen:
            seen.add(f.full)
            print(f"- {f.what}: `{f.full}`")
    if report.notes:
        print("\nNotes:\n")
        for note in report.notes:
            print("- " + note.replace("\n", "\n  "))
    off = [f.what for f in report.figures if missed(f)]
    met = sum(1 for f in report.figures if f.verdict == "met")
    print(
        f"\n{met} target(s) met, {len(off)} missed{': ' + '; '.join(off) if off else ''}."
        f" Took {took / 60:.1f} min."
    )


# -- engines ----------------------------------------------------------------------------


def server_for_bench(report: Report) -> Any:
    """A throwaway PostgreSQL server (the tests' own: tests/pg_server.py), started; None
    with a note when the server's binaries or the driver are missing."""
    sys.path.insert(0, str(ROOT / "tests"))
    import pg_server  # (the tests' helper: initdb in a temp folder, a Unix socket)

    why = pg_server.install_server()
    if why is None:
        try:
            import psycopg  # noqa: F401  (the driver: `make install` puts it in .venv)
        except ImportError:
            why = "the psycopg driver is not installed (make install)"
    if why is not None:
        report.note(f"PostgreSQL rows skipped: {why}")
        return None
    server = pg_server.PgServer()
    server.start()
    return server


def section_engines(opts: Options, report: Report) -> None:
    """The same office on both engines (issue 21): the --quick office imported into a
    fresh SQLite file and into a fresh database on a throwaway PostgreSQL server on this
    machine (a Unix socket; fsync off, as a test server), then the clerk's screen, the
    cron list and log-call on each. Each PostgreSQL figure has SQLite's beside it."""
    print("== engines: SQLite and PostgreSQL, the --quick office", file=sys.stderr)
    server = server_for_bench(report)
    if server is None:
        return
    try:
        size = QUICK
        data = generate(size, data_dir(size))
        folder = ROOT / "bench" / "data" / "db" / "engines"
        folder.mkdir(parents=True, exist_ok=True)
        sqlite_db = folder / "office.db"
        remove_db(sqlite_db)
        url = server.url(server.new_database())
        files = {k: data / f"{k}.csv" for k in ("staff", "customers", "events", "calls")}
        rows = {k: sum(1 for _ in f.open("rb")) - 1 for k, f in files.items()}
        seen: dict[str, str] = {}
        for engine, db in (("SQLite", str(sqlite_db)), ("PostgreSQL", url)):
            run_once([str(FOLLOWUP), "--db", db, "init"], timeout=opts.command_timeout)
            for kind, path in files.items():
                argv = followup(db, "--debug", "import", kind, str(path))
                what = f"{kind} import ({rows[kind]:,} rows)"
                try:
                    done = run_measured(argv, timeout=opts.import_timeout, log=folder / "i.log")
                except Failed as exc:
                    report.note(f"{engine} {what}: {exc}")
                    continue
                figure = f"{rows[kind] / done.seconds:,.0f} rows/s ({done.seconds:.1f} s)"
                if engine == "SQLite":
                    seen[what] = figure
                    continue
                report.add(
                    Figure(f"PostgreSQL: {what}", short(argv), figure,
                           full=shown(argv), peer=f"SQLite {seen.get(what, '?')}")
                )  # fmt: skip
            codes = customers_to_call(sqlite_db, opts.runs + opts.warmup)
            commands: list[tuple[str, Callable[[int], list[str]], str]] = [
                ("due --limit 50", always(followup(db, "due", "--limit", "50")), "devnull"),
                ("due --format csv, every row", always(followup(db, "due", "--format", "csv")),
                 "pipe"),
                ("log-call", log_call_argv(db, codes), "devnull"),
            ]  # fmt: skip
            for what, make, how in commands:
                if engine == "SQLite":
                    try:
                        ms, _samples = median_ms(opts, make, how)
                    except Failed as exc:
                        report.note(f"SQLite {what}: {exc}")
                        continue
                    seen[what] = f"{ms:.0f} ms"
                    continue
                timed_figure(report, opts, f"PostgreSQL: {what}", make, None, how=how,
                             peer=f"SQLite {seen.get(what, '?')}")  # fmt: skip
    finally:
        server.stop()


# -- main -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        description="Benchmark followup (see bench/README.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="10k customers, 100k events, 30k calls; 3 runs"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases (bench/data/db/)")
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run only this section (repeatable)"
    )
    parser.add_argument(
        "--runs", type=int, help="timed runs per command (default 7; 3 with --quick)"
    )
    parser.add_argument(
        "--import-timeout", type=float, default=600, help="seconds per import (600)"
    )
    parser.add_argument(
        "--command-timeout", type=float, default=120, help="seconds per command run (120)"
    )
    parser.add_argument(
        "--slow-after",
        type=float,
        default=10,
        help="a command whose warm-up takes longer than this (seconds) is timed once (10)",
    )
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 7)
    if runs < 1:
        parser.error("--runs must be at least 1")
    return Options(
        size=QUICK if args.quick else FULL,
        runs=runs,
        warmup=1,
        keep=args.keep,
        sections=tuple(args.only or SECTIONS),
        import_timeout=args.import_timeout,
        command_timeout=args.command_timeout,
        slow_after=args.slow_after,
    )


@contextlib.contextmanager
def office_for(opts: Options) -> Iterator[Office]:
    data = generate(opts.size, data_dir(opts.size))
    folder = ROOT / "bench" / "data" / "db" / opts.size.label
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield Office(opts.size, data, folder)
    finally:
        if not opts.keep:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    if not FOLLOWUP.exists():
        print(f"{FOLLOWUP} not found: run `make install` first", file=sys.stderr)
        return 1
    ENV.update(child_env())
    report = Report()
    started = time.perf_counter()
    with office_for(opts) as office:
        built = True
        needed = (office.main, office.base, office.staff_only, office.before_calls)
        if "imports" in opts.sections:
            built = section_imports(office, opts, report)
        elif {"commands", "scaling"} & set(opts.sections) and not all(
            office.is_built(db) for db in needed
        ):
            print("== building the databases (not measured)", file=sys.stderr)
            try:
                build_main(office, opts, None)
            except Failed as exc:
                report.note(f"could not build the database: {exc}")
                built = False
        if built and "commands" in opts.sections:
            section_commands(office, opts, report)
        if built and "scaling" in opts.sections:
            section_scaling(office, opts, report)
    if "engines" in opts.sections:
        section_engines(opts, report)
    print_report(report, opts, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
