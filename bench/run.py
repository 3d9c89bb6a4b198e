#!/usr/bin/env python3
"""Benchmark followup on a large office: command latency, import rates, memory, scaling.

    .venv/bin/python bench/run.py               # full size (make bench)
    .venv/bin/python bench/run.py --quick       # a fast smoke run on a smaller office
    .venv/bin/python bench/run.py --only commands --keep

Every figure runs the real CLI as a separate process (`.venv/bin/followup --db DB
--today 2026-11-23 ...`), the way a clerk, cron or a script would. The data comes from
bench/generate.py (written once under bench/data/, reused while its parameters hold).
Sections:

- imports:  staff, customers, events, calls into a fresh database; rows/s and peak
            memory of each followup import, next to `sqlite-utils insert` and
            `sqlite3 .import` on the same files.
- commands: medians of whole-process wall time of everyday commands, after a warm-up.
- scaling:  `due` and `log-call` on databases holding 10k, 100k and all events.

The report is one markdown table (what | command | median | target | verdict) and the
full command behind each figure.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import FULL, QUICK, SUBSETS, Size, data_dir, generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
FOLLOWUP = BIN / "followup"
PYTHON = BIN / "python"
SQLITE_UTILS = BIN / "sqlite-utils"
TODAY = "2026-11-23"
SECTIONS = ("imports", "commands", "scaling")
MIB = 1024 * 1024

# Targets (issue 7).
HELP_MS = 100
SIMPLE_MS = 120
DUE_PIPE_MS = 150
DUE_TABLE_MS = 250
VS_SQLITE_UTILS = 3.0
VS_SQLITE3 = 0.25
PEAK_MIB = 150


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


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        print(f"  {figure.what}: {figure.value} {figure.verdict}".rstrip(), file=sys.stderr)

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


def followup(db: Path, *args: str) -> list[str]:
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


def run_once(argv: Sequence[str], *, timeout: float, to_pipe: bool = False) -> float:
    """Wall time of one run, stdout to a pipe (read fully) or to /dev/null."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if to_pipe else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=ENV,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise TimedOut(f"stopped after {timeout:.0f} s (time limit): {shown(argv)}") from None
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise Failed(f"exit {proc.returncode}: {shown(argv)}\n{_tail(proc.stderr)}")
    return took


def run_on_terminal(argv: Sequence[str], *, timeout: float) -> float:
    """Wall time of one run with stdout and stderr on a pseudo-terminal (160x50),
    so the command draws what a clerk sees; the output is read and discarded."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    env = dict(ENV, TERM=ENV.get("TERM") or "xterm-256color")
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


def run_measured(argv: Sequence[str], *, timeout: float, log: Path | None = None) -> Measured:
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
            env=ENV,
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


def import_step(
    office: Office,
    db: Path,
    kind: str,
    path: Path,
    opts: Options,
) -> Measured:
    argv = followup(db, "import", kind, str(path))
    log = office.folder / f"import-{kind}.log"
    print(f"  {shown(argv)} ...", file=sys.stderr, flush=True)
    result = run_measured(argv, timeout=opts.import_timeout, log=log)
    last = result.output.strip().splitlines()[-1:] or [""]
    print(f"    {result.seconds:.1f} s, peak {result.peak_mib:.0f} MiB: {last[0]}", file=sys.stderr)
    return result


def build_main(office: Office, opts: Options, report: Report | None) -> None:
    """staff, customers, events, calls into a fresh main.db (keeping base.db after the
    customers, and the all-events database for scaling before the calls). With a
    report, the import figures are recorded."""
    size, data = office.size, office.data
    for db in (office.main, office.base, office.events_db(size.events)):
        remove_db(db)
        office.stamp(db).unlink(missing_ok=True)
    db = office.main
    run_once(followup(db, "init"), timeout=opts.command_timeout)
    import_step(office, db, "staff", data / "staff.csv", opts)
    rows = {"customers": size.customers, "events": size.events, "calls": size.calls}
    for kind in ("customers", "events", "calls"):
        path = data / ("events.csv" if kind == "events" else f"{kind}.csv")
        argv = followup(db, "import", kind, str(path))
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
            report.add(
                Figure(
                    what,
                    short(argv),
                    f"{rate:,.0f} rows/s ({result.seconds:.1f} s)",
                    full=shown(argv),
                )
            )
            report.add(
                Figure(
                    f"import {kind}: peak memory",
                    short(argv),
                    f"{result.peak_mib:.0f} MiB",
                    f"<= {PEAK_MIB} MiB",
                    verdict(result.peak_mib <= PEAK_MIB),
                    full=shown(argv) + "  (ru_maxrss of the process)",
                )
            )
            RATES[kind] = rate
        if kind == "customers":
            copy_db(db, office.base)
            office.mark_built(office.base)
        if kind == "events" and "scaling" in opts.sections:
            copy_db(db, office.events_db(size.events))
            office.mark_built(office.events_db(size.events))
    office.mark_built(db)


RATES: dict[str, float] = {}


def compare_imports(office: Office, opts: Options, report: Report) -> None:
    """The same files through sqlite-utils and the sqlite3 shell, into fresh databases."""
    sqlite3_bin = shutil.which("sqlite3")
    files = {
        "customers": (office.data / "customers.csv", office.size.customers),
        "events": (office.data / "events.csv", office.size.events),
    }
    scratch = office.folder / "compare.db"
    for kind, (path, rows) in files.items():
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
                    f"{name} {kind} ({label(rows)} rows)",
                    shorten_paths(shown(argv)),
                    f"{rate:,.0f} rows/s ({result.seconds:.1f} s)",
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
                    f"followup / {name} ({kind})",
                    "rows/s ratio",
                    f"{ratio:.2f}x",
                    f">= {goal:g}x",
                    verdict(ratio >= goal),
                )
            )
        remove_db(scratch)


def clerk_during_import(office: Office, opts: Options, report: Report) -> None:
    """`import events` (the whole file) into a copy of base.db while a clerk logs a call
    every half second: every call must succeed, however long it waits for the lock."""
    scratch = office.folder / "concurrent.db"
    copy_db(office.base, scratch)
    codes = customers_to_call(scratch, 400)
    make = log_call_argv(scratch, codes)
    argv = followup(scratch, "import", "events", str(office.events_file(office.size.events)))
    print(f"  {shown(argv)} with a log-call every 0.5 s ...", file=sys.stderr, flush=True)
    waits: list[float] = []
    failed: list[str] = []
    with (office.folder / "import-concurrent.log").open("wb") as log:
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
    timed = [w for w in waits if w == w]
    ok = importer.returncode == 0 and not failed and len(waits) > 0
    report.add(
        Figure(
            "log-call while import events writes",
            short(make(0)),
            f"{len(timed)}/{len(waits)} ok, longest {max(timed, default=0):.1f} s",
            "all succeed",
            "ok" if ok else "FAIL",
            full=f"{shown(make(0))}  (every 0.5 s during: {shown(argv)})",
        )
    )
    for line in failed[:3]:
        report.note(f"log-call during the import: {line}")
    if importer.returncode != 0:
        report.note(f"the import beside the clerk exited {importer.returncode}")


def section_imports(office: Office, opts: Options, report: Report) -> bool:
    print("== imports", file=sys.stderr)
    try:
        build_main(office, opts, report)
    except Failed as exc:
        report.note(f"the database was not built, so commands and scaling are skipped: {exc}")
        compare_imports(office, opts, report)
        return False
    compare_imports(office, opts, report)
    clerk_during_import(office, opts, report)
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


def verdict(ok: bool) -> str:
    return "ok" if ok else "SLOW"


def timed_figure(
    report: Report,
    opts: Options,
    what: str,
    make_argv: Callable[[int], list[str]],
    target_ms: float | None,
    *,
    how: str = "devnull",
) -> float | None:
    """Median of a command run `opts.runs` times after the warm-up; None if it failed."""
    first = make_argv(0)

    def once(i: int) -> float:
        argv = make_argv(i)
        if how == "terminal":
            return run_on_terminal(argv, timeout=opts.command_timeout)
        return run_once(argv, timeout=opts.command_timeout, to_pipe=how == "pipe")

    where = {"devnull": "> /dev/null", "pipe": "| (pipe)", "terminal": "on a terminal (pty)"}[how]
    try:
        median, samples = median_time(opts.runs, opts.warmup, once, opts.slow_after)
    except TimedOut as exc:
        report.add(
            Figure(
                what,
                f"{short(first)} {where}",
                f"> {opts.command_timeout:.0f} s (stopped)",
                f"<= {target_ms:g} ms" if target_ms else "",
                "SLOW",
                full=shown(first),
            )
        )
        report.note(str(exc))
        return None
    except Failed as exc:
        report.add(
            Figure(what, f"{short(first)} {where}", "failed", verdict="FAIL", full=shown(first))
        )
        report.note(str(exc))
        return None
    ms = median * 1000
    spread = f"{min(samples) * 1000:.0f}–{max(samples) * 1000:.0f}"
    report.add(
        Figure(
            what,
            f"{short(first)} {where}",
            f"{ms:.0f} ms",
            f"<= {target_ms:g} ms" if target_ms else "",
            verdict(ms <= target_ms) if target_ms else "",
            full=f"{shown(first)} {where}  [{len(samples)} timed run(s): {spread} ms]",
        )
    )
    return ms


def always(argv: list[str]) -> Callable[[int], list[str]]:
    """The same command line for every run."""
    return lambda i: argv


def log_call_argv(db: Path, codes: list[str]) -> Callable[[int], list[str]]:
    def make(i: int) -> list[str]:
        at = f"{TODAY} 09:{i // 60:02d}:{i % 60:02d}"
        return followup(
            db, "log-call", codes[i], "--outcome", "reached", "--by", "张丽", "--at", at
        )

    return make


def section_commands(office: Office, opts: Options, report: Report) -> None:
    print("== commands", file=sys.stderr)
    db = office.main
    n = opts.runs + opts.warmup
    timed_figure(
        report, opts, "python start-up (floor)", lambda i: [str(PYTHON), "-c", "pass"], None
    )
    timed_figure(report, opts, "--help", lambda i: followup(db, "--help"), HELP_MS)
    timed_figure(
        report,
        opts,
        "customer list",
        lambda i: followup(db, "customer", "list", "--limit", "20"),
        SIMPLE_MS,
    )
    report.note(f"the due list of {TODAY} on the main database has about {due_rows(db):,} rows")
    timed_figure(
        report,
        opts,
        "due as csv",
        lambda i: followup(db, "due", "--format", "csv"),
        DUE_PIPE_MS,
        how="pipe",
    )
    timed_figure(
        report,
        opts,
        "due as json",
        lambda i: followup(db, "due", "--format", "json"),
        DUE_PIPE_MS,
        how="pipe",
    )
    timed_figure(
        report, opts, "due as a table", lambda i: followup(db, "due"), DUE_TABLE_MS, how="terminal"
    )
    timed_figure(
        report,
        opts,
        "due as a table, first 20 rows (no target)",
        lambda i: followup(db, "due", "--limit", "20"),
        None,
        how="terminal",
    )
    try:
        codes = customers_to_call(db, n)
    except Failed as exc:
        report.note(str(exc))
    else:
        timed_figure(report, opts, "log-call", log_call_argv(db, codes), SIMPLE_MS)
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


def section_scaling(office: Office, opts: Options, report: Report) -> None:
    print("== scaling", file=sys.stderr)
    n = opts.runs + opts.warmup
    for events in scaling_sizes(office.size):
        try:
            db = ensure_events_db(office, events, opts)
        except Failed as exc:
            report.note(f"scaling with {label(events)} events skipped: {exc}")
            continue
        tag = f"[{label(events)} events, {due_rows(db):,} due rows]"
        timed_figure(
            report,
            opts,
            f"due as csv {tag}",
            always(followup(db, "due", "--format", "csv")),
            DUE_PIPE_MS,
            how="pipe",
        )
        try:
            codes = customers_to_call(db, n)
        except Failed as exc:
            report.note(str(exc))
            continue
        timed_figure(report, opts, f"log-call {tag}", log_call_argv(db, codes), SIMPLE_MS)


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
        f"`followup` stands for `{shown([str(FOLLOWUP)])} --db DB --today {TODAY}`.\n"
    )
    print("| what | command | median | target | verdict |")
    print("|---|---|---|---|---|")
    for f in report.figures:
        cells = [f.what, f"`{f.command}`" if f.command else "", f.value, f.target, f.verdict]
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
    slow = [f.what for f in report.figures if f.verdict in ("SLOW", "FAIL")]
    print(
        f"\n{len(slow)} figure(s) off target{': ' + ', '.join(slow) if slow else ''}. Took {took / 60:.1f} min."
    )


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
        if "imports" in opts.sections:
            built = section_imports(office, opts, report)
        elif {"commands", "scaling"} & set(opts.sections) and not (
            office.is_built(office.main) and office.is_built(office.base)
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
    print_report(report, opts, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
