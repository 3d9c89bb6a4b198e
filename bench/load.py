#!/usr/bin/env python3
"""Nobody locked out: the office at work while a large import runs (issue 16, "Load").

    .venv/bin/python bench/load.py                  # 100k rows of each kind
    .venv/bin/python bench/load.py --quick          # 10k rows: a smoke run
    .venv/bin/python bench/load.py --kinds calls events --rows 50000

For each kind, a database is prepared with what that import needs (staff, customers,
events; from bench/generate.py's files), then the import of ROWS rows starts and, until
it ends, 10 clerks (each on customers of their own: `log-call` and `ticket open` in
turn, one every PAUSE s), 10 readers (`due --limit 50`, `customer show`) and cron
(`escalate --auto`, `report daily`) run beside it. Printed per kind: the operations of
each group, how many failed (any exit other than 0), the longest one (the longest a
person waited), the longest of the same office for BASELINE_S before the import
started ("alone": what the machine alone makes them wait), the longest any of the
group's writes waited for the write lock itself (each operation runs with `--debug`,
which says so: the rest of a long operation is its own work and the CPU it queued
for), and how long the import held the write lock (`--debug`) and how many of the file's customers it settled again
inside the lock because a clerk wrote to them meanwhile. The busy timeout is the
shipped one unless FOLLOWUP_BUSY_TIMEOUT_MS is set.

It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import FULL, data_dir, generate  # noqa: E402

from followup_cli.store.schema import SCHEMA_VERSION  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FOLLOWUP = ROOT / ".venv" / "bin" / "followup"
TODAY = "2026-11-23"
KINDS = ("customers", "contacts", "events", "calls")
CLERKS = 10
READERS = 10
# Each of the 21 people acts every PAUSE seconds: about 30 times a busy office's pace.
# On this 2-core machine that keeps the CPU nearly busy by itself (an operation that
# takes 0.15 s alone takes up to 2 s in the "alone" column): the "longest" columns are
# what a person waited in all, CPU queue included; the "lock wait" columns are the
# write lock's part of it. `--pause 0.5` is the saturation stress.
PAUSE = 2.0
BASELINE_S = 20.0  # the office alone first, for as long: the "alone" column
# What `--debug` says at the end of a command that wrote (cli/app.py): how long its
# writes waited for the write lock, apart from the time spent waiting for the CPU.
LOCK_WAIT = re.compile(r"write lock: waited ([\d.]+) s at most, held ([\d.]+) s at most")


@dataclass
class Group:
    ops: int = 0
    failures: int = 0
    busy: int = 0  # of the failures, exit 75: the database was busy
    longest: float = 0.0
    lock_wait: float = 0.0  # the longest a write waited for the write lock (`--debug`)
    lock_held: float = 0.0  # and the longest one of the group's writes held it
    errors: list[str] = field(default_factory=list)

    def add(self, seconds: float, code: int, stderr: str) -> None:
        self.ops += 1
        self.longest = max(self.longest, seconds)
        waited = LOCK_WAIT.search(stderr)
        if waited:
            self.lock_wait = max(self.lock_wait, float(waited.group(1)))
            self.lock_held = max(self.lock_held, float(waited.group(2)))
        if code != 0:
            self.failures += 1
            self.busy += code == 75
            if len(self.errors) < 3:
                # (--debug: an error is a traceback; its last line says what it was)
                lines = [line for line in stderr.strip().splitlines() if not LOCK_WAIT.search(line)]
                self.errors.append(lines[-1] if lines else str(code))


def followup(db: Path, *args: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    argv = [str(FOLLOWUP), "--db", str(db), "--today", TODAY, *(["--debug"] if debug else [])]
    return subprocess.run(
        [*argv, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "Asia/Shanghai", "FOLLOWUP_STAFF": "李娜"},
    )


def head(src: Path, dest: Path, rows: int, skip: int = 0) -> Path:
    """The header and rows `skip`..`skip + rows` of a CSV file (one record a line)."""
    with src.open(encoding="utf-8") as fh, dest.open("w", encoding="utf-8") as out:
        out.write(fh.readline())
        for i, line in enumerate(fh):
            if i >= skip + rows:
                break
            if i >= skip:
                out.write(line)
    return dest


def codes_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        fh.readline()
        return [line.split(",", 1)[0] for line in fh]


def _base(kind: str, work: Path, data: Path) -> Path:
    """The database an import of `kind` goes into, before the import: made once per
    generated data (the data's stamp and the code's schema name it) and reused."""
    stamp = json.loads((data / "stamp.json").read_text())["generator"]
    base = work / f"{kind}-base-{stamp}-v{SCHEMA_VERSION}.db"
    if base.exists():
        return base
    db = work / f"{kind}-making.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    assert followup(db, "init").returncode == 0
    names = ["staff"] if kind == "customers" else ["staff", "customers"]
    if kind == "calls":
        names.append("events")
    for name in names:
        src = data / f"{name}.csv"
        if name == "events":
            src = head(data / "events.csv", work / "base-events.csv", 100_000)
        r = followup(db, "import", name, str(src))
        if r.returncode != 0:
            raise SystemExit(f"preparing {kind}: {r.stderr}")
    assert followup(db, "db", "backup", str(base)).returncode == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return base


def prepare(kind: str, rows: int, work: Path, data: Path) -> tuple[Path, Path, list[str]]:
    """The database the import goes into, the file imported, the clerks' customers."""
    db = work / f"{kind}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(_base(kind, work, data), db)
    customers = data / "customers.csv"
    clerk_codes = codes_of(customers)[-CLERKS * 4 :]  # the clerks' own customers
    if kind == "customers":
        # The clerks' customers first, then the file of new ones.
        first = head(
            customers,
            work / "base-customers.csv",
            CLERKS * 4,
            skip=len(codes_of(customers)) - CLERKS * 4,
        )
        assert followup(db, "import", "customers", str(first)).returncode == 0
        file = head(customers, work / "customers.csv", rows)
    elif kind == "contacts":
        file = work / "contacts.csv"
        codes = codes_of(customers)
        with file.open("w", encoding="utf-8") as out:
            out.write("customer_code,name,role,phone\n")
            for i in range(rows):
                out.write(f"{codes[i % len(codes)]},联系人{i},operator,139{i:08d}\n")
    elif kind == "events":
        file = head(data / "events.csv", work / "events.csv", rows, skip=100_000)
    else:
        file = head(data / "calls.csv", work / "calls.csv", rows)
    shutil.copyfile(db, work / f"{kind}-before.db")
    return db, file, clerk_codes


class Office:
    """10 clerks, 10 readers and cron at work on `db` until `stop()`: each person's
    operations timed from start to exit (what that person waited)."""

    def __init__(self, db: Path, codes: list[str], pause: float, first: int = 0) -> None:
        self.db, self.codes, self.pause, self.first = db, codes, pause, first
        self.done = threading.Event()
        self.groups = {"clerks": Group(), "readers": Group(), "cron": Group()}
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._worker, args=("clerks", self._clerk(k), pause))
            for k in range(CLERKS)
        ]
        self.threads += [
            threading.Thread(target=self._worker, args=("readers", self._reader(k), pause))
            for k in range(READERS)
        ]
        cron = lambda n: ("escalate", "--auto") if n % 2 else ("report", "daily")  # noqa: E731
        self.threads.append(
            threading.Thread(target=self._worker, args=("cron", cron, max(2.0, 2 * pause)))
        )
        for t in self.threads:
            t.start()

    def stop(self) -> dict[str, Group]:
        self.done.set()
        for t in self.threads:
            t.join()
        return self.groups

    def _worker(self, group: str, job: Callable[[int], tuple[str, ...]], pause: float) -> None:
        n = 0
        while not self.done.is_set():
            args = job(n)
            started = time.perf_counter()
            r = followup(self.db, *args, debug=True)
            took = time.perf_counter() - started
            with self.lock:
                self.groups[group].add(took, r.returncode, r.stderr)
            n += 1
            self.done.wait(pause)

    def _clerk(self, k: int) -> Callable[[int], tuple[str, ...]]:
        codes = self.codes

        def job(n: int) -> tuple[str, ...]:
            code = codes[(k * 4 + n // 2) % len(codes)]
            if n % 2:
                return ("ticket", "open", code, "--summary", f"漏油{n}", "--category", "other")
            # Each clerk's calls at their own hour, a second apart: never one already
            # logged (the office runs twice: alone, then beside the import).
            second = self.first + n
            at = f"{TODAY} {8 + k:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            return ("log-call", code, "--outcome", "reached", "--by", "李娜", "--at", at)

        return job

    def _reader(self, k: int) -> Callable[[int], tuple[str, ...]]:
        code = self.codes[k]
        return lambda n: ("due", "--limit", "50") if (k + n) % 2 else ("customer", "show", code)


def run_kind(kind: str, rows: int, work: Path, data: Path, pause: float) -> dict[str, object]:
    db, file, codes = prepare(kind, rows, work, data)
    # The same office, first with no import (what the machine alone makes them wait).
    office = Office(db, codes, pause)
    time.sleep(BASELINE_S)
    baseline = office.stop()
    office = Office(db, codes, pause, first=max(g.ops for g in baseline.values()) + 1)
    started = time.perf_counter()
    importer = subprocess.Popen(
        [str(FOLLOWUP), "--db", str(db), "--today", TODAY, "--debug", "import", kind, str(file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TZ": "Asia/Shanghai"},
    )
    out, err = importer.communicate()
    took = time.perf_counter() - started
    groups = office.stop()
    held = re.search(r"write lock held ([\d.]+) s", err)
    again = re.search(r"settled again inside the lock: (\d+)", err)
    return {
        "kind": kind,
        "rows": rows,
        "import": "ok" if importer.returncode == 0 else f"exit {importer.returncode}: {err[-300:]}",
        "import_s": took,
        "lock_s": float(held.group(1)) if held else None,
        "again": int(again.group(1)) if again else 0,
        "groups": groups,
        "baseline": baseline,
        "summary": out.strip().splitlines()[-1] if out.strip() else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k rows of each kind")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument(
        "--pause", type=float, default=PAUSE, help="seconds between one person's operations"
    )
    opts = parser.parse_args()
    rows = opts.rows or (10_000 if opts.quick else 100_000)
    data = data_dir(FULL)
    generate(FULL, data)
    work = ROOT / "bench" / "data" / "db" / "load"
    work.mkdir(parents=True, exist_ok=True)
    print(f"busy timeout: {os.environ.get('FOLLOWUP_BUSY_TIMEOUT_MS', 'shipped (10 s)')} ms;"
          f" each clerk and reader acts every {opts.pause} s")  # fmt: skip
    print(
        "| import | rows | import | lock held | group | ops | failed (busy)"
        " | longest | alone | longest lock wait | alone | longest hold | alone |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in opts.kinds:
        r = run_kind(kind, rows, work, data, opts.pause)
        lock = f"{r['lock_s']:.2f} s" if r["lock_s"] is not None else "?"
        if r["again"]:
            lock += f" ({r['again']} settled again)"
        for name, g in r["groups"].items():  # type: ignore[attr-defined]
            alone = r["baseline"][name]  # type: ignore[index]
            print(
                f"| {kind} | {rows:,} | {r['import']} in {r['import_s']:.1f} s | {lock} | {name}"
                f" | {g.ops} | {g.failures} ({g.busy}) | {g.longest:.2f} s | {alone.longest:.2f} s"
                f" | {g.lock_wait:.2f} s | {alone.lock_wait:.2f} s"
                f" | {g.lock_held:.2f} s | {alone.lock_held:.2f} s |"
            )
            for e in g.errors:
                print(f"|  |  |  |  | ↳ {e} |  |  |  |  |  |  |  |  |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
