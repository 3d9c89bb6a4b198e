"""Nobody locked out (issue 16, "Load"): reads never wait on the write lock, imports
hold it only for a short write phase, and what changed while an import was thinking is
checked again inside that phase."""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from assertions import ok
from conftest import open_db, sqlite_only

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]


def test_due_during_a_long_write_skips_the_daily_roll_and_succeeds(
    office: Run, rows: Rows, db_path: Path
) -> None:
    """The first `due` of a day rolls the greetings forward (a write); while another
    process holds the write lock it skips the roll, shows the list, exits 0."""
    assert rows("SELECT value FROM meta WHERE key = 'greetings_rolled_on'") == []
    before = rows("SELECT count(*) AS n FROM callbacks")[0]["n"]
    holder = open_db(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        r = office("due", env={"FOLLOWUP_BUSY_TIMEOUT_MS": "3000"})
        waited = time.monotonic() - started
        report = office("report", "daily", env={"FOLLOWUP_BUSY_TIMEOUT_MS": "3000"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    ok(r)
    ok(report)
    assert "C001" in r.stdout
    assert waited < 2.5, waited  # a moment's wait for the roll, not the busy timeout
    # Nothing written: the roll was skipped, so the next command rolls.
    assert rows("SELECT value FROM meta WHERE key = 'greetings_rolled_on'") == []
    assert rows("SELECT count(*) AS n FROM callbacks")[0]["n"] == before
    ok(office("due"))
    assert rows("SELECT value FROM meta WHERE key = 'greetings_rolled_on'") == [
        {"value": "2026-11-23"}
    ]


@sqlite_only("SQLite's busy_timeout pragma")
def test_the_roll_restores_the_busy_timeout(session: Any) -> None:
    from followup_cli.domain.callbacks.daily_roll import roll_forward

    s = session()
    assert roll_forward(s) is True
    assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert not s.conn.in_transaction
    assert roll_forward(s) is False


@sqlite_only("SQLite's write lock, held by a second connection")
def test_a_waiting_write_takes_the_lock_once_free_and_gives_up_after_its_timeout(
    session: Any, db_path: Path
) -> None:
    """A write waits for SQLite's lock by looking again every few milliseconds (store/
    busy.py: SQLite's own handler looks ever less often the longer it has waited): it
    takes the lock once the holder lets go, and gives up as busy after its timeout; the
    busy timeout is the connection's own again either way."""
    from followup_cli.store import busy

    s = session()
    holder = open_db(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        busy._begin_in_turn(s.conn, 0.05)
    assert not s.conn.in_transaction
    assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    threading.Timer(0.3, lambda: holder.execute("ROLLBACK")).start()
    busy._begin_in_turn(s.conn, 5.0)
    try:
        assert s.conn.in_transaction
        assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    finally:
        s.conn.execute("ROLLBACK")
        holder.close()


@sqlite_only("SQLite's write lock and the waiting file beside its database")
def test_a_write_waiting_for_the_lock_is_seen_by_a_long_writer_and_only_while_it_waits(
    session: Any, db_path: Path
) -> None:
    """A write that finds the lock held holds the waiting file (store/busy.py) while it
    waits: another connection then sees a write waiting; before it, and once it has the
    lock, nobody is."""
    from followup_cli.store import busy

    s = session()
    holder = open_db(db_path, isolation_level=None, check_same_thread=False)
    assert busy.others_waiting(holder) is False  # (no waiting file yet)
    holder.execute("BEGIN IMMEDIATE")
    waiter = threading.Thread(target=busy._begin_in_turn, args=(s.conn, 5.0))
    waiter.start()
    try:
        deadline = time.monotonic() + 5
        while not busy.others_waiting(holder) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert busy.others_waiting(holder) is True
        assert Path(f"{db_path}-waiting").stat().st_mode & 0o777 == 0o600
    finally:
        holder.execute("ROLLBACK")
        waiter.join(5)
    assert s.conn.in_transaction  # (the waiter has the lock)
    assert busy.others_waiting(holder) is False
    s.conn.execute("ROLLBACK")
    holder.close()


@sqlite_only("the waiting file beside a SQLite database")
def test_a_link_planted_as_the_waiting_file_is_not_followed(
    session: Any, db_path: Path, tmp_path: Path
) -> None:
    """A symbolic link (or a FIFO) where the waiting file goes is neither followed nor
    written through: the waiting write still gets the lock, and a long writer that
    cannot tell whether anyone waits leaves the lock free as it always did."""
    from followup_cli.store import busy

    s = session()
    target = tmp_path / "elsewhere.txt"
    Path(f"{db_path}-waiting").symlink_to(target)
    holder = open_db(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.2, lambda: holder.execute("ROLLBACK")).start()
    busy._begin_in_turn(s.conn, 5.0)
    s.conn.execute("ROLLBACK")
    assert not target.exists()
    assert busy.others_waiting(holder) is True
    Path(f"{db_path}-waiting").unlink()
    os.mkfifo(f"{db_path}-waiting")
    assert busy.announce_waiting(s.conn) is None
    assert busy.others_waiting(holder) is True
    holder.close()


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_an_import_alone_goes_from_one_short_transaction_to_the_next_at_once(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """With no write waiting, a large customers import leaves no pause between its
    short transactions (the pauses were for clerks who were not there); with one
    waiting (the waiting file held), it leaves the lock free before each."""
    from followup_cli.store import busy

    load_office(initdb, tmp_path, customers=30)
    path = _many_new_customers(tmp_path)
    pauses: list[float] = []
    with monkeypatch.context() as patch:
        _small_chunks(patch)
        patch.setattr(busy.time, "sleep", pauses.append)
        r = ok(initdb("--debug", "import", "customers", str(path)))
        held = re.search(r"write lock held [\d.]+ s at most, in (\d+) transactions", r.stderr)
        assert held is not None and int(held.group(1)) >= 4, r.stderr
        assert [p for p in pauses if p >= busy.YIELD_S] == []
        # A write waiting all along: the lock is left free before every short transaction.
        fd = os.open(f"{db_path}-waiting", os.O_RDONLY | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:
            again = _many_new_customers(tmp_path, updated=0, new=120)
            text = (
                again.read_text(encoding="utf-8").replace("N0", "M0").replace("新客户", "又一客户")
            )
            again.write_text(text, encoding="utf-8")
            r = ok(initdb("--debug", "import", "customers", str(again)))
        finally:
            os.close(fd)
        held = re.search(r"write lock held [\d.]+ s at most, in (\d+) transactions", r.stderr)
        assert held is not None
        assert len([p for p in pauses if p >= busy.YIELD_S]) >= int(held.group(1)) - 1
    consistent(db_path)


# -- a calls import settled before the write lock ------------------------------------------

STAFF_CSV = "name,role\n李娜,clerk\n王伟,account_manager\n赵强,service\n陈静,service_supervisor\n"
OUTCOMES = ("reached", "no-answer", "reached", "busy", "no-answer", "reached", "left-message")


def load_office(run: Run, tmp_path: Path, customers: int = 40) -> None:
    """Staff, customers, events that plan callbacks (and level-2 checks), some calls."""
    files = {
        "staff": STAFF_CSV,
        "customers": "code,name,grade,phone\n"
        + "".join(f"K{i:05d},客户{i}号机械,{1 + i % 5},1380000{i:04d}\n" for i in range(customers)),
        "events": "customer_code,kind,date,ref,staff\n"
        + "".join(
            f"K{i % customers:05d},{('service', 'sale')[i % 2]},2026-{8 + i % 3:02d}-{1 + i % 27:02d},"
            f"WO-{i},赵强\n"
            for i in range(customers * 3)
        ),
    }
    for kind, text in files.items():
        path = tmp_path / f"setup-{kind}.csv"
        path.write_text(text, encoding="utf-8")
        ok(run("import", kind, str(path)))


def calls_file(tmp_path: Path, customers: int, n: int, name: str = "calls.csv") -> Path:
    """`n` calls over the customers in October and November: reached and missed, four
    misses in a row for some (unreachable), a supervisor's calls (level-2 checks)."""
    path = tmp_path / name
    lines = ["customer_code,at,by,outcome,satisfaction"]
    for i in range(n):
        outcome = OUTCOMES[i % len(OUTCOMES)] if i % customers % 5 else "no-answer"
        by = "陈静" if i % 9 == 0 else "李娜"
        day = date(2026, 10, 20) + timedelta(days=(i // customers) * 2 % 34)
        at = f"{day} {9 + i % 8:02d}:{i % 60:02d}"
        lines.append(
            f"K{i % customers:05d},{at},{by},{outcome},{4 if outcome == 'reached' else ''}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the calls import writes (calls, callbacks, customers), comparable: the
    stamps of when a command ran left out."""
    conn = open_db(db)
    try:
        out = {}
        for table in ("calls", "callbacks", "customers"):
            cols = [
                r[1]
                for r in conn.execute(f"PRAGMA table_info({table})")
                if r[1] not in ("created_at", "updated_at")
            ]
            out[table] = sorted(
                tuple(r) for r in conn.execute(f"SELECT {', '.join(cols)} FROM {table}")
            )
        return out
    finally:
        conn.close()


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_rehearsed_calls_import_writes_what_the_plain_way_writes(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """The calls settled on a private copy and written in a short phase leave exactly the
    rows of settling them one by one inside the write lock (the plain way)."""
    import shutil

    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = calls_file(tmp_path, 40, 600)
    rehearsed = ok(initdb("import", "calls", str(path)))
    with monkeypatch.context() as patch:
        patch.setattr(rehearsal, "REHEARSALS", 0)  # straight to the plain way
        plain = ok(initdb("import", "calls", str(path), db=plain_db))
    assert rehearsed.stdout == plain.stdout
    ours, theirs = dump(db_path), dump(plain_db)
    assert ours == theirs
    assert len(ours["calls"]) == 600
    # What settling does was exercised: completed, brought back, retried, level-2
    # checks planned, customers flagged unreachable.
    conn = open_db(db_path)
    seen = dict(conn.execute("SELECT reason || ':' || status, count(*) FROM callbacks"
                             " GROUP BY 1").fetchall())  # fmt: skip
    assert seen.get("event:done", 0) > 0 and seen.get("second-level:pending", 0) > 0, seen
    assert seen.get("retry:pending", 0) + seen.get("retry:done", 0) > 0, seen
    assert conn.execute("SELECT count(*) FROM callbacks WHERE attempts > 0").fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM customers WHERE unreachable = 1").fetchone()[0] > 0
    conn.close()


def dump_by_keys(db: Path, *, levelled: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """`dump`, with every id put as what it names (a call as its customer, time and
    caller; a callback as its plan key): the rows of two databases whose ids were drawn
    in another order compare equal when they say the same. `levelled` False: the days
    the workload levelling chose for first yearly contacts and visits left out (they
    depend on the order customers were planned in: see `levelled_loads`)."""
    conn = open_db(db)
    conn.row_factory = sqlite3.Row
    try:
        calls = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM calls")}
        callbacks = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM callbacks")}
        customers = [dict(r) for r in conn.execute("SELECT * FROM customers")]
    finally:
        conn.close()

    def call(i: Any) -> Any:
        return None if i is None else (calls[i]["customer_id"], calls[i]["at"], calls[i]["caller"])

    def callback(i: Any) -> Any:
        if i is None:
            return None
        key = callbacks[i]["plan_key"]
        if not levelled and callbacks[i]["reason"] in ("yearly", "visit"):
            key = re.sub(r":\d{4}-\d\d-\d\d:", ":(levelled):", key)
        return ("retry", call(int(key[6:]))) if key.startswith("retry:") else key

    if not levelled:
        for r in callbacks.values():
            if r["reason"] in ("yearly", "visit"):
                r["due_on"] = r["planned_on"] = "(levelled)"

    def row(r: dict[str, Any], moved: dict[str, Any]) -> tuple[Any, ...]:
        left = ("id", "created_at", "updated_at")
        return tuple(
            (k, moved.get(k, v)) for k, v in sorted(r.items()) if k not in left or k in moved
        )

    return {
        "calls": sorted(
            (row(r, {"callback_id": callback(r["callback_id"])}) for r in calls.values()),
            key=repr,
        ),
        "callbacks": sorted(
            (
                row(
                    r,
                    {
                        "id": callback(i),
                        "parent_id": callback(r["parent_id"]),
                        "call_id": call(r["call_id"]),
                        "plan_key": callback(i),
                    },
                )  # fmt: skip
                for i, r in callbacks.items()
            ),
            key=repr,
        ),
        "customers": sorted((row(r, {}) for r in customers), key=repr),
    }


def levelled_loads(db: Path) -> list[int]:
    """The pending yearly contacts and visits on each role's busiest days, most first:
    two offices whose customers were planned in another order are levelled alike."""
    conn = open_db(db)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT count(*) FROM callbacks WHERE status = 'pending'"
                " AND reason IN ('yearly', 'visit') GROUP BY role, due_on ORDER BY 1 DESC LIMIT 20"
            )
        ]
    finally:
        conn.close()


def consistent(db: Path) -> None:
    """Foreign keys hold, and every reference stays inside one customer."""
    conn = open_db(db)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert (
            conn.execute(
                "SELECT count(*) FROM callbacks b JOIN calls c ON c.id = b.call_id"
                " WHERE c.customer_id != b.customer_id"
            ).fetchone()[0]
            == 0
        )
        assert (
            conn.execute(
                "SELECT count(*) FROM calls c JOIN callbacks b ON b.id = c.callback_id"
                " WHERE c.customer_id != b.customer_id"
            ).fetchone()[0]
            == 0
        )
        assert (
            conn.execute(
                "SELECT count(*) FROM callbacks b LEFT JOIN calls c"
                " ON b.plan_key = 'retry:' || c.id AND c.customer_id = b.customer_id"
                " WHERE b.reason = 'retry' AND c.id IS NULL"
            ).fetchone()[0]
            == 0
        )
    finally:
        conn.close()


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_clerk_writing_meanwhile_for_another_customer_keeps_both(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """A clerk's call on a customer outside the file, logged while the import rehearses:
    the import's rows take the ids after the clerk's, every reference moved with them."""
    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path, customers=41)
    path = calls_file(tmp_path, 40, 300)  # K00040 is not in the file
    original = rehearsal.rehearse
    tries: list[int] = []

    def rehearse_then_a_clerk_calls(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        tries.append(1)
        for hour in ("09:00", "10:00", "11:00"):
            ok(initdb("log-call", "K00040", "--outcome", "no-answer", "--at",
                      f"2026-11-20 {hour}"))  # fmt: skip
        return found

    monkeypatch.setattr(rehearsal, "rehearse", rehearse_then_a_clerk_calls)
    ok(initdb("import", "calls", str(path)))
    assert tries == [1]  # the clerk's customer is not the file's: no second rehearsal
    conn = open_db(db_path)
    assert conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 303
    clerk = conn.execute("SELECT min(id) FROM calls WHERE customer_id = (SELECT id FROM"
                         " customers WHERE code = 'K00040')").fetchone()[0]  # fmt: skip
    assert clerk == 1  # the clerk's calls came first; the import's follow them
    conn.close()
    consistent(db_path)


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_schema_changed_since_the_rehearsal_makes_the_import_rehearse_again(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """The rehearsed rows are written without their CHECK constraints evaluated again
    (they ran on the copy, made from the real tables' DDL): a DDL change meanwhile (here
    a CHECK added on the side) makes the write phase rehearse the file again, and the
    connection checks constraints again after the write."""
    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path, customers=5)
    path = calls_file(tmp_path, 5, 20)
    original = rehearsal.rehearse
    tries: list[int] = []
    flags: list[int] = []

    def rehearse_then_the_schema_changes(session: Any, *args: Any, **kwargs: Any) -> Any:
        found = original(session, *args, **kwargs)
        tries.append(1)
        if len(tries) == 1:
            other = open_db(db_path, isolation_level=None)
            other.execute("CREATE TABLE side_note (x INTEGER CHECK (x > 0))")
            other.close()
        flags.append(session.conn.execute("PRAGMA ignore_check_constraints").fetchone()[0])
        return found

    monkeypatch.setattr(rehearsal, "rehearse", rehearse_then_the_schema_changes)
    r = ok(initdb("import", "calls", str(path), "--format", "json"))
    assert tries == [1, 1], tries  # the first rehearsal's rows were not written
    assert flags == [0, 0]
    assert '"inserted": 20' in r.stdout
    conn = open_db(db_path)
    assert conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 20
    conn.close()
    consistent(db_path)


def test_constraints_are_checked_again_after_rehearsed_rows_are_written(session: Any) -> None:
    """`checked_on_the_copy` turns CHECK constraints back on when its block ends, on an
    error too (later statements of the same connection are checked)."""
    from followup_cli.transfer.rehearsal import checked_on_the_copy

    conn = session().conn
    if getattr(conn, "engine", "sqlite") != "sqlite":
        pytest.skip("SQLite's ignore_check_constraints")
    with pytest.raises(RuntimeError), checked_on_the_copy(conn):
        assert conn.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 1
        raise RuntimeError("a failed write")
    assert conn.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_clerk_calling_one_of_the_files_customers_meanwhile_is_settled_again(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """A clerk's call on a customer the file holds, landed while the import rehearsed:
    the write phase sees it and settles that customer's calls again, inside the lock, on
    its rows as they are now (no second rehearsal); the result is that of the clerk's
    call first, then the import the plain way."""
    import shutil

    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = calls_file(tmp_path, 40, 200)
    clerk = ("log-call", "K00003", "--outcome", "reached", "--at", "2026-11-20 09:00")
    original = rehearsal.rehearse
    tries: list[int] = []

    def rehearse_and_a_clerk_calls_once(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        tries.append(1)
        if len(tries) == 1:
            ok(initdb(*clerk))
        return found

    monkeypatch.setattr(rehearsal, "rehearse", rehearse_and_a_clerk_calls_once)
    r = ok(initdb("--debug", "import", "calls", str(path)))
    assert tries == [1]
    assert "settled again inside the lock: 1 customers written to meanwhile" in r.stderr
    ok(initdb(*clerk, db=plain_db))
    monkeypatch.setattr(rehearsal, "REHEARSALS", 0)
    ok(initdb("import", "calls", str(path), db=plain_db))
    # The same rows, the clerk's customer's drawn last (ids in another order).
    assert dump_by_keys(db_path) == dump_by_keys(plain_db)
    assert dump(db_path) != dump(plain_db)
    consistent(db_path)


# -- races: what changed while an import was planning ----------------------------------------


def test_a_customer_archived_while_an_events_import_plans_gets_no_callback(
    office: Run, rows: Rows, tmp_path: Path, monkeypatch: Any
) -> None:
    """The events are planned before the write lock; a customer archived in between (by
    another clerk, through the CLI) is checked again in the write phase."""
    from followup_cli.transfer import writing

    path = tmp_path / "events.csv"
    path.write_text(
        "customer_code,kind,date,ref\n"
        + "".join(
            f"{c},service,2026-11-{d:02d},WO-{c}-{d}\n"
            for c in ("C001", "C002")
            for d in (16, 18, 20)
        ),  # fmt: skip
        encoding="utf-8",
    )
    original = writing.plan_staged_events

    def plan_then_archive(*args: Any) -> Any:
        plans = original(*args)
        ok(office("customer", "archive", "C002"))
        return plans

    monkeypatch.setattr(writing, "plan_staged_events", plan_then_archive)
    r = ok(office("import", "events", str(path)))
    assert rows(
        "SELECT c.code, count(*) AS n FROM callbacks b JOIN customers c ON c.id = b.customer_id"
        " WHERE b.reason = 'event' AND b.status = 'pending' GROUP BY c.code"
    ) == [{"code": "C001", "n": 15}]  # core: 2d, 7d, 1m, 3m, 6m each (seed 003)
    assert "15 callbacks planned" in r.stdout
    assert rows("SELECT count(*) AS n FROM events") == [{"n": 6}]  # the events are history


def test_the_write_phase_drops_plans_of_customers_archived_since(
    office: Run, session: Any, rows: Rows, tmp_path: Path
) -> None:
    """Domain level: plans staged for a customer archived before the write."""
    from followup_cli.domain.customers.records import archive_customer
    from followup_cli.domain.session import Session
    from followup_cli.transfer import importing, writing
    from followup_cli.transfer.writing import plan_staged_events

    s: Session = session()
    path = tmp_path / "events.csv"
    path.write_text("customer_code,kind,date,ref\nC001,sale,2026-11-20,S1\nC002,sale,2026-11-20,S2\n",
                    encoding="utf-8")  # fmt: skip
    calls: list[str] = []

    def plan_then_archive(sess: Any, conn: Any, stage: str) -> str:
        plans = plan_staged_events(sess, conn, stage)
        calls.append(stage)
        other: Session = session()
        archive_customer(other, "C001")
        return plans

    writing_plan = writing.plan_staged_events
    writing.plan_staged_events = plan_then_archive  # type: ignore[assignment]
    try:
        report = importing.import_file(s, "events", path)
    finally:
        writing.plan_staged_events = writing_plan
    assert calls
    assert report.inserted == 2
    assert rows(
        "SELECT DISTINCT customer_id FROM callbacks WHERE reason = 'event' AND status = 'pending'"
    ) == [{"customer_id": 2}]


# -- the office at work while a calls import runs --------------------------------------------


def _followup(db: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "followup_cli", "--db", str(db), "--today", "2026-11-23", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TZ": "Asia/Shanghai", "FOLLOWUP_STAFF": "李娜", **env},
    )


def test_clerks_readers_and_cron_all_succeed_while_a_calls_import_writes(
    tmp_path: Path,
) -> None:
    """Not timed: with a 2 s busy timeout, every clerk's log-call and ticket open, every
    `due` and `customer show`, and cron's escalate --auto and report daily succeed while
    a 12k-call import runs (on main its write phase held the lock for seconds), and the
    import's calls are all there."""
    env = {"FOLLOWUP_BUSY_TIMEOUT_MS": "2000"}
    db = tmp_path / "office.db"
    assert _followup(db, "init", env=env).returncode == 0
    customers = 400
    files = {
        "staff": STAFF_CSV,
        "customers": "code,name,grade,phone\n"
        + "".join(f"K{i:05d},客户{i}号机械,{1 + i % 5},1380000{i:04d}\n" for i in range(customers)),
    }
    for kind, text in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        r = _followup(db, "import", kind, str(path), env=env)
        assert r.returncode == 0, r.stderr
    in_file = customers - 20  # the clerks call the last 20, which the file does not hold
    calls = calls_file(tmp_path, in_file, 12_000)
    importer = subprocess.Popen(
        [sys.executable, "-m", "followup_cli", "--db", str(db), "--today", "2026-11-23",
         "import", "calls", str(calls)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TZ": "Asia/Shanghai", **env},
    )  # fmt: skip
    done = threading.Event()
    results: list[tuple[tuple[str, ...], int, str]] = []

    def work(jobs: Callable[[int], tuple[str, ...]]) -> None:
        n = 0
        while not done.is_set() or n < 2:
            args = jobs(n)
            r = _followup(db, *args, env=env)
            results.append((args, r.returncode, r.stderr))
            n += 1
            time.sleep(0.5)

    def clerk(k: int) -> Callable[[int], tuple[str, ...]]:
        code = f"K{in_file + k:05d}"
        return lambda n: (
            (
                "log-call",
                code,
                "--outcome",
                "reached",
                "--at",
                f"2026-11-23 0{n // 60}:{n % 60:02d}",
            )
            if n % 2 == 0
            else ("ticket", "open", code, "--summary", f"漏油{n}", "--category", "other")
        )

    jobs = [clerk(k) for k in range(3)] + [
        lambda n: ("due", "--format", "csv"),
        lambda n: ("customer", "show", f"K{n:05d}"),
        lambda n: ("escalate", "--auto") if n % 2 else ("report", "daily"),
    ]
    threads = [threading.Thread(target=work, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    out, err = importer.communicate(timeout=600)
    done.set()
    for t in threads:
        t.join(timeout=300)
    assert importer.returncode == 0, err
    assert "12000 rows — 12000 new" in out
    failures = [(args, code, stderr) for args, code, stderr in results if code != 0]
    assert not failures, failures
    assert len(results) >= 12
    conn = open_db(db)
    try:
        assert conn.execute("SELECT count(*) FROM calls WHERE imported = 1").fetchone()[0] == 12_000
        clerks_calls = conn.execute("SELECT count(*) FROM calls WHERE imported = 0").fetchone()[0]
        assert clerks_calls == sum(1 for args, _c, _e in results if args[0] == "log-call")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_debug_shows_how_long_an_import_held_the_write_lock(initdb: Run, tmp_path: Path) -> None:
    load_office(initdb, tmp_path, customers=5)
    path = calls_file(tmp_path, 5, 20)
    r = ok(initdb("--debug", "import", "calls", str(path), "--format", "json"))
    assert re.search(r"^write lock held \d+\.\d{3} s$", r.stderr, re.MULTILINE), r.stderr
    assert "lock_held" not in r.stdout  # a measurement, not part of the report
    assert '"inserted": 0' in ok(initdb("import", "calls", str(path), "--format", "json")).stdout
    r = ok(initdb("--debug", "import", "calls", str(path), "--dry-run"))
    assert "write lock" not in r.stderr


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_rehearsed_customers_import_writes_what_the_plain_way_writes(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """A customers import written and planned on a private copy (new codes drawn,
    callbacks levelled and planned, a changed grade replanned) leaves the rows of the
    plain way; a customer a clerk added meanwhile makes it draw its codes again."""
    import shutil

    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path, customers=30)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = tmp_path / "more-customers.csv"
    path.write_text(
        "code,name,grade,phone\n"
        + "".join(f"K{i:05d},客户{i}号机械,{1 + (i + 1) % 5},1380000{i:04d}\n" for i in range(20))
        + "".join(f",新客户{i}号机械,{1 + i % 5},1390000{i:04d}\n" for i in range(40)),
        encoding="utf-8",
    )
    original = rehearsal.rehearse
    tries: list[str] = []

    def rehearse_and_a_clerk_adds_one(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        tries.append(args[2])
        if len(tries) == 1:
            ok(initdb("customer", "add", "插队的客户"))
        return found

    with monkeypatch.context() as patch:
        patch.setattr(rehearsal, "rehearse", rehearse_and_a_clerk_adds_one)
        rehearsed = ok(initdb("import", "customers", str(path)))
    assert tries == ["customers", "customers"]
    ok(initdb("customer", "add", "插队的客户", db=plain_db))
    with monkeypatch.context() as patch:
        patch.setattr(rehearsal, "REHEARSALS", 0)
        plain = ok(initdb("import", "customers", str(path), db=plain_db))
    assert rehearsed.stdout.replace(str(db_path), "") == plain.stdout.replace(str(plain_db), "")
    assert "40 new, 20 updated" in plain.stdout
    assert dump(db_path) == dump(plain_db)
    consistent(db_path)


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_customer_of_the_file_called_meanwhile_is_written_again_inside_the_lock(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """A clerk's call on a customer a customers import changes (its grade: its visits
    are planned again), landed while the import rehearsed: that customer is written
    again inside the lock on its rows as they are now, the rest as rehearsed; the result
    is the clerk's call first, then the import the plain way. A staff member added
    meanwhile (every customer's planning reads the staff) makes it rehearse again."""
    import shutil

    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path, customers=30)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = tmp_path / "regrade.csv"
    path.write_text(
        "code,name,grade,phone\n"
        + "".join(f"K{i:05d},客户{i}号机械,{1 + (i + 2) % 5},1380000{i:04d}\n" for i in range(30))
        + "".join(f",新客户{i}号机械,{1 + i % 5},1390000{i:04d}\n" for i in range(10)),
        encoding="utf-8",
    )
    clerk = ("log-call", "K00004", "--outcome", "reached", "--at", "2026-11-20 09:00")
    staff = ("staff", "add", "周涛", "--role", "clerk")
    original = rehearsal.rehearse
    tries: list[str] = []

    def rehearse_and_others_write(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        tries.append(args[2])
        if len(tries) == 1:
            ok(initdb(*staff))
        if len(tries) == 2:
            ok(initdb(*clerk))
        return found

    with monkeypatch.context() as patch:
        patch.setattr(rehearsal, "rehearse", rehearse_and_others_write)
        r = ok(initdb("--debug", "import", "customers", str(path)))
    assert tries == ["customers", "customers"]  # the staff changed: once again
    assert "settled again inside the lock: 1 customers written to meanwhile" in r.stderr
    ok(initdb(*staff, db=plain_db))
    ok(initdb(*clerk, db=plain_db))
    with monkeypatch.context() as patch:
        patch.setattr(rehearsal, "REHEARSALS", 0)
        plain = ok(initdb("import", "customers", str(path), db=plain_db))
    assert "10 new, 30 updated" in plain.stdout
    assert r.stdout.replace(str(db_path), "") == plain.stdout.replace(str(plain_db), "")
    # The same rows, but for the days levelling chose for first contacts: the clerk's
    # customer was planned last, after the new customers, not before them.
    assert dump_by_keys(db_path, levelled=False) == dump_by_keys(plain_db, levelled=False)
    assert levelled_loads(db_path) == levelled_loads(plain_db)
    consistent(db_path)


@pytest.mark.parametrize("command", [("escalate", "--auto"), ("report", "warnings")])
def test_the_early_warning_findings_are_read_before_the_write_lock(
    office: Run, db_path: Path, monkeypatch: Any, command: tuple[str, ...]
) -> None:
    """The findings scan the whole office (seconds on a large one): cron's `escalate
    --auto` and `report warnings` read them with the write lock free (another process
    can take it meanwhile), and then write what they found."""
    from followup_cli.domain.complaints import early_warning

    original = early_warning.findings
    lock_free: list[bool] = []

    def findings_and_try_the_lock(*args: Any, **kwargs: Any) -> Any:
        other = open_db(db_path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            other.close()
        # and one breach more, to see that what was read is what is written
        breach = early_warning.Finding(None, "office.open_tickets", "breach", 99.0, 50.0)
        return [*original(*args, **kwargs), breach]

    monkeypatch.setattr(early_warning, "findings", findings_and_try_the_lock)
    ok(office(*command))
    assert lock_free and all(lock_free), lock_free
    conn = open_db(db_path)
    try:  # and what they found was written
        found = "SELECT value FROM warnings WHERE indicator = 'office.open_tickets'"
        assert conn.execute(found).fetchall() == [(99.0,)]
    finally:
        conn.close()


# -- waiting for an import's write phase --------------------------------------------------


def _record_an_import(db: Path, pid: int) -> None:
    conn = open_db(db, isolation_level=None)
    record = json.dumps({"pid": pid, "kind": "calls", "file": "calls.csv", "rows": 100000,
                         "since": "2026-11-23T10:00:00+08:00"})  # fmt: skip
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('import_writing', ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (record,),
    )
    conn.close()


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_clerk_waits_for_an_import_writing_rather_than_fail(
    office: Run, rows: Rows, db_path: Path
) -> None:
    """An import holds the write lock past the busy timeout while it writes its rows; a
    clerk's write meanwhile waits on (saying once what for) and succeeds when it is done,
    instead of failing with 'busy'."""
    importer = subprocess.Popen(["sleep", "60"])  # the import's process: alive
    try:
        _record_an_import(db_path, importer.pid)
        holder = open_db(db_path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")

        def the_import_commits() -> None:
            holder.execute("DELETE FROM meta WHERE key = 'import_writing'")
            holder.execute("COMMIT")

        threading.Timer(1.5, the_import_commits).start()
        started = time.monotonic()
        r = office("log-call", "C001", "--outcome", "reached", "--at", "2026-11-23 09:00",
                   env={"FOLLOWUP_BUSY_TIMEOUT_MS": "300"})  # fmt: skip
        waited = time.monotonic() - started
        holder.close()
    finally:
        importer.kill()
        importer.wait()
    ok(r)
    assert waited >= 1.2, waited  # past its busy timeout, until the import committed
    assert r.stderr.count("waiting for an import to finish writing: calls from calls.csv") == 1
    assert "(100000 rows, process" in r.stderr
    assert rows("SELECT count(*) AS n FROM calls WHERE at LIKE '2026-11-23T09:00%'")[0]["n"] == 1


def _set_record(conn: Any, record: dict[str, Any]) -> None:
    from followup_cli.store.busy import IMPORT_WRITING_KEY
    from followup_cli.store.meta import set_meta

    set_meta(conn, IMPORT_WRITING_KEY, json.dumps(record))
    conn.commit()


def test_an_import_recorded_from_another_machine_is_looked_up_where_it_can_be(
    session: Any,
) -> None:
    """An import at another machine: on a server its session there is looked up (alive:
    waited for; gone: not), wherever its process runs; on a file, a process of another
    machine cannot be looked at and is not waited for, even when a process of that
    number runs here."""
    from followup_cli.store.busy import import_writing, this_host

    s = session()
    here = subprocess.Popen(["sleep", "60"])  # a live process here, of the record's number
    try:
        elsewhere = {"pid": here.pid, "host": f"not-{this_host()}", "kind": "calls",
                     "file": "calls.csv", "rows": 100000, "since": "2026-11-23T10:00:00+08:00"}  # fmt: skip
        if getattr(s.conn, "engine", "sqlite") != "postgresql":
            _set_record(s.conn, elsewhere)
            assert import_writing(s.conn) is None
            _set_record(s.conn, {**elsewhere, "host": this_host()})
            assert import_writing(s.conn) is not None  # (the same record, from here)
            return
        importer = session()  # the import's session, from "another machine"
        _set_record(s.conn, {**elsewhere, "session": importer.conn.session_id()})
        assert import_writing(s.conn) == {**elsewhere, "session": importer.conn.session_id()}
        gone = importer.conn.session_id()
        importer.conn.close()
        deadline = time.monotonic() + 10
        while import_writing(s.conn) is not None and time.monotonic() < deadline:
            time.sleep(0.05)  # (the server notes a closed session at once, or nearly)
        assert import_writing(s.conn) is None
        # and its own record is not waited for (the import itself, looking)
        _set_record(s.conn, {**elsewhere, "session": s.conn.session_id()})
        assert import_writing(s.conn) is None
        assert gone != s.conn.session_id()
    finally:
        here.kill()
        here.wait()


@pytest.mark.parametrize("recorded", ["a crashed import", "none"])
def test_without_a_live_import_a_busy_database_fails_after_the_busy_timeout(
    office: Run, rows: Rows, db_path: Path, recorded: str
) -> None:
    """The record of an import whose process is gone (killed mid-write) is ignored: a
    command finding the database busy fails after its busy timeout (exit 75), nothing
    written, as it does when no import is recorded."""
    if recorded == "a crashed import":
        gone = subprocess.Popen(["true"])
        gone.wait()
        _record_an_import(db_path, gone.pid)
    before = rows("SELECT count(*) AS n FROM calls")[0]["n"]
    holder = open_db(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        r = office("log-call", "C001", "--outcome", "reached", "--at", "2026-11-23 09:00",
                   env={"FOLLOWUP_BUSY_TIMEOUT_MS": "300"})  # fmt: skip
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.exit_code == 75, r.output
    assert "the database is busy" in r.stderr and "waiting for an import" not in r.stderr
    assert waited < 5, waited
    assert rows("SELECT count(*) AS n FROM calls")[0]["n"] == before


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_an_import_is_recorded_while_it_writes_and_not_after(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """What a waiting clerk reads: during the import's write phase another connection
    sees the import recorded (this process, its kind, file and rows); after it has
    committed, or failed, the record is gone."""
    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path)
    path = calls_file(tmp_path, 40, 50)
    seen: list[Any] = []
    original = rehearsal.apply_rehearsal

    def look_then_apply(*args: Any, **kwargs: Any) -> Any:
        other = open_db(db_path)
        seen.append(other.execute("SELECT value FROM meta WHERE key = 'import_writing'")
                    .fetchone())  # fmt: skip
        other.close()
        return original(*args, **kwargs)

    monkeypatch.setattr(rehearsal, "apply_rehearsal", look_then_apply)
    ok(initdb("import", "calls", str(path)))
    record = json.loads(seen[0][0])
    assert record["pid"] == os.getpid() and record["kind"] == "calls"
    assert record["file"] == "calls.csv" and record["rows"] == 50

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    def recorded() -> Any:
        conn = open_db(db_path)
        try:
            return conn.execute("SELECT value FROM meta WHERE key = 'import_writing'").fetchall()
        finally:
            conn.close()

    assert recorded() == []
    monkeypatch.setattr(rehearsal, "apply_rehearsal", fail)
    r = initdb("import", "calls", str(calls_file(tmp_path, 40, 60, name="more.csv")))
    assert r.exit_code != 0
    assert recorded() == []


# -- a large customers import: its new customers' callbacks after it ---------------------


def _many_new_customers(tmp_path: Path, updated: int = 20, new: int = 120) -> Path:
    path = tmp_path / "many-customers.csv"
    path.write_text(
        "code,name,grade,phone\n"
        + "".join(
            f"K{i:05d},客户{i}号机械,{1 + (i + 1) % 5},1380000{i:04d}\n" for i in range(updated)
        )
        + "".join(f"N{i:05d},新客户{i}号机械,{1 + i % 5},1390000{i:04d}\n" for i in range(new)),
        encoding="utf-8",
    )
    return path


def _small_chunks(patch: Any) -> None:
    """The sizes of a bench-sized import, made small: the planner's batches of 20
    customers, callbacks held back from 50 on, written about 60 per transaction."""
    from followup_cli.domain.callbacks import planning
    from followup_cli.transfer import rehearsal

    patch.setattr(planning, "CHUNK", 20)
    patch.setattr(rehearsal, "LATER_AT_LEAST", 50)
    patch.setattr(rehearsal, "LATER_CHUNK", 60)


def _meta_record(db: Path, key: str) -> Any:
    conn = open_db(db)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])
    finally:
        conn.close()


def _owed_record(db: Path) -> Any:
    return _meta_record(db, "callbacks_owed")


def _written_by(db: Path, key: str, pid: int) -> None:
    """The import's record `key` made another process's: `pid`'s."""
    conn = open_db(db)
    try:
        conn.execute(
            "UPDATE meta SET value = json_set(value, '$.pid', ?) WHERE key = ?", (pid, key)
        )
        conn.commit()
    finally:
        conn.close()


def _full_on_the_second_run(patch: Any, module: Any, name: str) -> None:
    """`module.name` (one run of an import's short transactions) made to fail as a full
    disk does the second time it is called."""
    original = getattr(module, name)
    runs: list[int] = []

    def one_run_then_the_disk_is_full(*args: Any, **kwargs: Any) -> int:
        runs.append(1)
        if len(runs) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return int(original(*args, **kwargs))

    patch.setattr(module, name, one_run_then_the_disk_is_full)


def _dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_large_customers_import_writes_its_new_customers_callbacks_in_short_transactions(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """The file in one transaction, its new customers' callbacks after it in several
    short ones: the same rows, ids included, as the file written in one transaction
    the plain way; nothing left owed."""
    import shutil

    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path, customers=30)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = _many_new_customers(tmp_path)
    with monkeypatch.context() as patch:
        _small_chunks(patch)
        r = ok(initdb("--debug", "import", "customers", str(path)))
        held = re.search(r"write lock held [\d.]+ s at most, in (\d+) transactions", r.stderr)
        assert held is not None, r.stderr
        assert int(held.group(1)) >= 4  # the file, then three or more runs of callbacks
        patch.setattr(rehearsal, "REHEARSALS", 0)
        plain = ok(initdb("--debug", "import", "customers", str(path), db=plain_db))
    assert re.search(r"^write lock held [\d.]+ s$", plain.stderr, re.MULTILINE), plain.stderr
    assert "120 new, 20 updated" in r.stdout
    assert r.stdout.replace(str(db_path), "") == plain.stdout.replace(str(plain_db), "")
    assert dump(db_path) == dump(plain_db)
    assert _owed_record(db_path) is None
    consistent(db_path)


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_new_customer_written_to_between_two_runs_is_planned_on_its_rows_as_they_are(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Between two of the short transactions, a clerk archives one of the file's new
    customers and adds a service visit for another, both of a later run: the archived
    one gets no callbacks, the other its own plan and the event's follow-up; every
    other customer's callbacks are the plain way's."""
    import shutil

    from followup_cli.transfer import rehearsal
    from followup_cli.transfer.results import ImportReport

    load_office(initdb, tmp_path, customers=30)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = _many_new_customers(tmp_path)
    original = ImportReport.held
    holds: list[float] = []

    def held_then_a_clerk_writes(self: Any, seconds: float) -> None:
        original(self, seconds)
        holds.append(seconds)
        if len(holds) == 2:  # the file, then the first run of callbacks, committed
            ok(initdb("customer", "archive", "N00110"))
            ok(initdb("event", "add", "N00115", "--kind", "service", "--date", "2026-11-20",
                      "--ref", "WO-N115", "--staff", "赵强"))  # fmt: skip

    with monkeypatch.context() as patch:
        _small_chunks(patch)
        patch.setattr(ImportReport, "held", held_then_a_clerk_writes)
        r = ok(initdb("--debug", "import", "customers", str(path)))
        assert "settled again inside the lock: 2 customers written to meanwhile" in r.stderr
        patch.setattr(rehearsal, "REHEARSALS", 0)
        ok(initdb("import", "customers", str(path), db=plain_db))
    conn = open_db(db_path)
    try:
        ids = dict(conn.execute("SELECT code, id FROM customers WHERE code LIKE 'N%'").fetchall())
        pending = dict(
            conn.execute(
                "SELECT customer_id, count(*) FROM callbacks WHERE status = 'pending'"
                " GROUP BY customer_id"
            ).fetchall()
        )
        reasons = {
            r[0]
            for r in conn.execute(
                "SELECT reason FROM callbacks WHERE customer_id = ?", (ids["N00115"],)
            )
        }
    finally:
        conn.close()
    assert ids["N00110"] not in pending
    assert {"event", "visit", "yearly"} <= reasons
    assert all(pending.get(i) for code, i in ids.items() if code != "N00110")

    def others(db: Path) -> list[tuple[Any, ...]]:
        c = open_db(db)
        try:
            return c.execute(
                "SELECT u.code, b.plan_key, b.due_on, b.status, b.assignee FROM callbacks b"
                " JOIN customers u ON u.id = b.customer_id"
                " WHERE u.code NOT IN ('N00110', 'N00115') ORDER BY 1, 2"
            ).fetchall()
        finally:
            c.close()

    assert others(db_path) == others(plain_db)
    assert _owed_record(db_path) is None
    consistent(db_path)


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_callbacks_a_killed_import_still_owed_are_planned_by_the_next_due(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """An import cut off after its first run of callbacks (the disk full: it says what
    is left; or killed: its process gone) leaves the rest of its new customers owed:
    the next `due` plans them the plain way, and the office is then what the plain
    import makes it. While the import's process lives, `due` leaves them to it."""
    import shutil

    from followup_cli.domain.callbacks import store
    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path, customers=30)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = _many_new_customers(tmp_path)
    with monkeypatch.context() as patch:
        _small_chunks(patch)
        _full_on_the_second_run(patch, store, "insert_rehearsed_run")
        cut = ok(initdb("import", "customers", str(path)))
        assert "120 new, 20 updated" in cut.stdout
        left = re.search(
            r"the callbacks of (\d+) of its new customers are not written yet", cut.stderr
        )
        assert left is not None and int(left.group(1)) > 50, cut.stderr
        patch.setattr(rehearsal, "REHEARSALS", 0)
        ok(initdb("import", "customers", str(path), db=plain_db))
    record = _owed_record(db_path)
    assert record is not None and record["last"] - record["first"] > 50, record
    # A live process that is not this one: the import, still writing.
    _written_by(db_path, "callbacks_owed", os.getppid())
    ok(initdb("due"))
    assert _owed_record(db_path) == {**record, "pid": os.getppid()}
    owing = ok(initdb("db", "check")).stdout
    n = record["last"] - record["first"] + 1
    assert f"callbacks owed: {n} new customers; the import (process {os.getppid()})" in owing
    assert dump_by_keys(db_path) != dump_by_keys(plain_db)
    _written_by(db_path, "callbacks_owed", _dead_pid())
    stopped = ok(initdb("db", "check")).stdout
    assert f"callbacks owed: {n} new customers of an import that stopped" in stopped
    ok(initdb("due"))
    assert _owed_record(db_path) is None
    # The same rows, but for the days levelling chose for first contacts: the customers
    # owed were planned after the file's changed ones, not before them; levelled alike
    # (no day busier than the plain way's busiest).
    assert dump_by_keys(db_path, levelled=False) == dump_by_keys(plain_db, levelled=False)
    assert levelled_loads(db_path)[0] == levelled_loads(plain_db)[0]
    consistent(db_path)
    check = ok(initdb("db", "check"))
    assert "Integrity: ok; foreign keys: ok" in check.stdout


# -- a large calls import: the yearly floors its calls re-anchor, after it ---------------


def _small_yearly_runs(patch: Any) -> None:
    """The sizes of a bench-sized calls import, made small: the re-anchored yearly
    floors held back from 10 rows on, about 12 rows per transaction."""
    from followup_cli.transfer import rehearsal

    patch.setattr(rehearsal, "LATER_AT_LEAST", 10)
    patch.setattr(rehearsal, "LATER_CHUNK", 12)


def _yearly_record(db: Path) -> Any:
    return _meta_record(db, "yearly_owed")


def _pending(db: Path) -> list[tuple[Any, ...]]:
    """Every pending callback as what it is (no ids, no stamps)."""
    conn = open_db(db)
    try:
        return conn.execute(
            "SELECT u.code, b.reason, b.role, b.due_on, b.planned_on, b.plan_key, b.assignee,"
            " b.level, b.attempts FROM callbacks b JOIN customers u ON u.id = b.customer_id"
            " WHERE b.status = 'pending' ORDER BY 1, 2, 3, 6"
        ).fetchall()
    finally:
        conn.close()


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_large_calls_import_re_anchors_the_yearly_floors_in_short_transactions(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """The calls and the rest of their settling in one transaction, the yearly floors
    they re-anchor after it in several short ones: the same rows, ids included, as the
    plain way's; nothing left owed."""
    import shutil

    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = calls_file(tmp_path, 40, 600)
    with monkeypatch.context() as patch:
        _small_yearly_runs(patch)
        r = ok(initdb("--debug", "import", "calls", str(path)))
        held = re.search(r"write lock held [\d.]+ s at most, in (\d+) transactions", r.stderr)
        assert held is not None, r.stderr
        assert int(held.group(1)) >= 3
        patch.setattr(rehearsal, "REHEARSALS", 0)
        plain = ok(initdb("import", "calls", str(path), db=plain_db))
    assert r.stdout.replace(str(db_path), "") == plain.stdout.replace(str(plain_db), "")
    assert dump(db_path) == dump(plain_db)
    conn = open_db(db_path)
    try:
        cancelled = conn.execute(
            "SELECT count(*) FROM callbacks WHERE reason = 'yearly' AND status = 'cancelled'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert cancelled >= 10  # re-anchoring was exercised
    assert _yearly_record(db_path) is None
    consistent(db_path)


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_a_clerks_call_between_two_runs_re_anchors_that_floor_on_its_own_day(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Between two of the short transactions a clerk reaches one of the file's customers
    whose floor waits in a later run: it is anchored on the clerk's call, as when the
    clerk calls after the whole file; every pending callback is the plain way's (but
    for the count of re-anchorings before that customer's, which it did not keep)."""
    import shutil

    from followup_cli.transfer import rehearsal
    from followup_cli.transfer.results import ImportReport

    load_office(initdb, tmp_path)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = calls_file(tmp_path, 40, 600)
    clerk = ("log-call", "K00038", "--outcome", "reached", "--at", "2026-11-22 09:00")
    original = ImportReport.held
    holds: list[float] = []

    def held_then_a_clerk_calls(self: Any, seconds: float) -> None:
        original(self, seconds)
        holds.append(seconds)
        if len(holds) == 2:
            ok(initdb(*clerk))

    with monkeypatch.context() as patch:
        _small_yearly_runs(patch)
        patch.setattr(ImportReport, "held", held_then_a_clerk_calls)
        r = ok(initdb("--debug", "import", "calls", str(path)))
        assert "settled again inside the lock: 1 customers written to meanwhile" in r.stderr
        patch.setattr(rehearsal, "REHEARSALS", 0)
        ok(initdb("import", "calls", str(path), db=plain_db))
    ok(initdb(*clerk, db=plain_db))

    def chains_uncounted(db: Path) -> list[tuple[Any, ...]]:
        # A plan key counts the closed yearly contacts before it: the clerk's customer's
        # floor, re-anchored once on the clerk's call, has not the file's re-anchorings
        # before it as cancelled rows.
        return [r[:5] + (re.sub(r":\d+$", "", r[5]),) + r[6:] for r in _pending(db)]

    assert chains_uncounted(db_path) == chains_uncounted(plain_db)
    assert _pending(db_path) != _pending(plain_db)  # (only that count differs)
    assert _yearly_record(db_path) is None
    consistent(db_path)


@sqlite_only("the rehearsal is SQLite's shadow copy; on the server an import writes the plain way")
def test_yearly_floors_a_cut_off_calls_import_still_owed_are_re_anchored_by_the_next_due(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """A calls import cut off after its first run of yearly floors (the disk full) says
    so; while its process lives `due` leaves the rest to it (and `db check` names it);
    once its process is gone, the next `due` re-anchors the rest on each customer's
    last reached call: every pending callback is then the plain way's, but for the
    days levelling chose and the re-anchorings before the last one, not kept."""
    import shutil

    from followup_cli.domain.callbacks import store
    from followup_cli.transfer import rehearsal

    load_office(initdb, tmp_path)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = calls_file(tmp_path, 40, 600)
    with monkeypatch.context() as patch:
        _small_yearly_runs(patch)
        _full_on_the_second_run(patch, store, "insert_rehearsed_run")
        cut = ok(initdb("import", "calls", str(path)))
        assert "600 new" in cut.stdout
        assert "customers are not written yet" in cut.stderr, cut.stderr
        patch.setattr(rehearsal, "REHEARSALS", 0)
        ok(initdb("import", "calls", str(path), db=plain_db))
    record = _yearly_record(db_path)
    assert record is not None, record
    assert _pending(db_path) != _pending(plain_db)
    # A live process that is not this one: the import, still writing.
    _written_by(db_path, "yearly_owed", os.getppid())
    ok(initdb("due"))
    assert _yearly_record(db_path) == {**record, "pid": os.getppid()}  # left to it
    owing = ok(initdb("db", "check")).stdout
    span = f"customer ids {record['first']}–{record['last']}"
    assert f"yearly floors owed: {span}; the calls import (process {os.getppid()})" in owing
    _written_by(db_path, "yearly_owed", _dead_pid())
    stopped = ok(initdb("db", "check")).stdout
    assert f"yearly floors owed: {span} of a calls import that stopped" in stopped
    ok(initdb("due"))
    assert _yearly_record(db_path) is None
    assert "owed" not in ok(initdb("db", "check")).stdout

    def unlevelled(db: Path) -> list[tuple[Any, ...]]:
        # (Without the day levelling chose, nor the count of re-anchorings before it:
        # re-anchored on the last reached call, a floor keeps none of the earlier ones.)
        return [r[:3] + (re.sub(r":\d{4}-\d\d-\d\d:\d+$", "", r[5]),) + r[6:] for r in _pending(db)]

    assert unlevelled(db_path) == unlevelled(plain_db)
    consistent(db_path)


# -- a large events import: its new events' callbacks, after it ------------------------


def _small_event_runs(patch: Any) -> None:
    """The sizes of a bench-sized events import, made small: the new events' callbacks
    written after the file from 10 on, about 40 per transaction."""
    from followup_cli.transfer import rehearsal

    patch.setattr(rehearsal, "LATER_AT_LEAST", 10)
    patch.setattr(rehearsal, "LATER_CHUNK", 40)


def _events_file(tmp_path: Path, customers: int = 40) -> Path:
    """Recent service visits and sales of every customer (each plans its follow-ups)."""
    path = tmp_path / "recent-events.csv"
    path.write_text(
        "customer_code,kind,date,ref,staff\n"
        + "".join(
            f"K{i:05d},{('service', 'sale')[i % 2]},2026-11-{1 + i % 20:02d},R-{i},赵强\n"
            for i in range(customers)
        ),
        encoding="utf-8",
    )
    return path


def _events_record(db: Path) -> Any:
    return _meta_record(db, "event_callbacks_owed")


def _one_transaction(patch: Any) -> None:
    from followup_cli.transfer import rehearsal

    patch.setattr(rehearsal, "LATER_AT_LEAST", 10**9)


@sqlite_only("on the server an events import writes its callbacks in its own transaction")
def test_a_large_events_import_writes_its_callbacks_in_short_transactions(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """The events in one transaction, their callbacks after it in several short ones:
    the same rows, ids included, as the whole file in one transaction; nothing owed."""
    import shutil

    load_office(initdb, tmp_path)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = _events_file(tmp_path)
    with monkeypatch.context() as patch:
        _small_event_runs(patch)
        r = ok(initdb("--debug", "import", "events", str(path)))
        held = re.search(r"write lock held [\d.]+ s at most, in (\d+) transactions", r.stderr)
        assert held is not None, r.stderr
        assert int(held.group(1)) >= 4  # the file, then three or more runs of callbacks
        _one_transaction(patch)
        plain = ok(initdb("--debug", "import", "events", str(path), db=plain_db))
    assert re.search(r"^write lock held [\d.]+ s$", plain.stderr, re.MULTILINE), plain.stderr
    planned = re.search(r"40 new, 0 updated, 0 unchanged; (\d+) callbacks planned", r.stdout)
    assert planned is not None and int(planned.group(1)) > 120, r.stdout
    assert r.stdout.replace(str(db_path), "") == plain.stdout.replace(str(plain_db), "")
    assert dump(db_path) == dump(plain_db)
    assert _events_record(db_path) is None
    consistent(db_path)


@sqlite_only("on the server an events import writes its callbacks in its own transaction")
def test_a_clerk_between_two_runs_sees_the_callbacks_of_the_customers_new_events(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Between two of the short transactions a clerk reaches one of the file's
    customers whose events' callbacks wait in a later run, and archives another: the
    call settles those callbacks (planned first, the plain way), the archived customer
    keeps none pending, the import passes over both; every callback is then what the
    whole file in one transaction and the clerk's actions after it make."""
    import shutil

    from followup_cli.transfer.results import ImportReport

    load_office(initdb, tmp_path)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = _events_file(tmp_path)
    clerk = [
        ("log-call", "K00038", "--outcome", "reached", "--at", "2026-11-23 09:00"),
        ("customer", "archive", "K00039"),
    ]
    original = ImportReport.held
    holds: list[float] = []
    seen: list[Any] = []

    def held_then_a_clerk_writes(self: Any, seconds: float) -> None:
        original(self, seconds)
        holds.append(seconds)
        if len(holds) == 2:  # the file, then the first run of callbacks, committed
            seen.append(_events_record(db_path))
            for args in clerk:
                ok(initdb(*args))
            seen.append(_events_record(db_path))

    with monkeypatch.context() as patch:
        _small_event_runs(patch)
        patch.setattr(ImportReport, "held", held_then_a_clerk_writes)
        ok(initdb("import", "events", str(path)))
        _one_transaction(patch)
        ok(initdb("import", "events", str(path), db=plain_db))
    for args in clerk:
        ok(initdb(*args, db=plain_db))
    before, after = seen
    assert before is not None and before["planned"] == [], before
    conn = open_db(db_path)
    try:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM customers WHERE code IN ('K00038', 'K00039') ORDER BY code"
            )
        ]
        settled = conn.execute(
            "SELECT count(*) FROM callbacks b JOIN events e ON e.id = b.event_id"
            " WHERE e.ref = 'R-38' AND b.status = 'done'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert after["planned"] == ids and after["first"] == before["first"], after
    assert settled >= 1  # the clerk's call closed the new event's first follow-up

    def unnumbered(db: Path) -> list[tuple[Any, ...]]:
        c = open_db(db)
        try:
            return c.execute(
                "SELECT u.code, b.plan_key, b.due_on, b.status, b.assignee, b.closed_on"
                " FROM callbacks b JOIN customers u ON u.id = b.customer_id ORDER BY 1, 2"
            ).fetchall()
        finally:
            c.close()

    # (a plan key names its event by id: the same events, the same ids)
    assert unnumbered(db_path) == unnumbered(plain_db)
    assert _pending(db_path) == _pending(plain_db)
    assert _events_record(db_path) is None
    consistent(db_path)


@sqlite_only("on the server an events import writes its callbacks in its own transaction")
def test_event_callbacks_a_cut_off_import_still_owed_are_planned_by_the_next_due(
    initdb: Run, db_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """An events import cut off after its first run of callbacks (the disk full) says
    what is left; while its process lives `due` leaves the rest to it (and `db check`
    names it); once it is gone, the next `due` plans the rest the plain way: every
    callback is then the whole file's in one transaction."""
    import shutil

    from followup_cli.domain.callbacks import store

    load_office(initdb, tmp_path)
    plain_db = tmp_path / "plain.db"
    shutil.copyfile(db_path, plain_db)
    path = _events_file(tmp_path)
    with monkeypatch.context() as patch:
        _small_event_runs(patch)
        _full_on_the_second_run(patch, store, "insert_event_plans_run")
        cut = ok(initdb("import", "events", str(path)))
        assert "40 new" in cut.stdout
        left = re.search(
            r"the callbacks of (\d+) of its new events are not written yet", cut.stderr
        )
        assert left is not None and 10 < int(left.group(1)) < 40, cut.stderr
        _one_transaction(patch)
        ok(initdb("import", "events", str(path), db=plain_db))
    record = _events_record(db_path)
    assert record is not None and record["last"] - record["first"] + 1 == int(left.group(1))
    assert _pending(db_path) != _pending(plain_db)
    _written_by(db_path, "event_callbacks_owed", os.getppid())
    ok(initdb("due"))
    assert _events_record(db_path) == {**record, "pid": os.getppid()}  # left to it
    owing = ok(initdb("db", "check")).stdout
    span = f"event ids {record['first']}–{record['last']}"
    assert f"event callbacks owed: {span}; the events import (process {os.getppid()})" in owing
    _written_by(db_path, "event_callbacks_owed", _dead_pid())
    stopped = ok(initdb("db", "check")).stdout
    assert f"event callbacks owed: {span} of an events import that stopped" in stopped
    ok(initdb("due"))
    assert _events_record(db_path) is None
    assert "owed" not in ok(initdb("db", "check")).stdout
    assert _pending(db_path) == _pending(plain_db)
    consistent(db_path)


@sqlite_only("the lock is held here by a second SQLite connection")
def test_debug_says_how_long_a_write_waited_for_the_write_lock(
    office: Run, rows: Rows, db_path: Path
) -> None:
    """With --debug, a command that wrote says as it ends how long its writes waited for
    the write lock (bench/load.py tells a lock wait from a CPU wait by it); a read that
    wrote nothing says nothing, and without --debug nothing is said."""
    holder = open_db(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.6, lambda: holder.execute("ROLLBACK")).start()
    try:
        r = ok(office("--debug", "log-call", "C001", "--outcome", "reached",
                      "--at", "2026-11-23 09:00"))  # fmt: skip
    finally:
        time.sleep(0.7)
        holder.close()
    said = r"^write lock: waited (\d+\.\d{3}) s at most, held (\d+\.\d{3}) s at most, in (\d+)"
    waited = re.findall(said + " transactions$", r.stderr, re.MULTILINE)
    assert len(waited) == 1, r.stderr
    assert 0.5 <= float(waited[0][0]) < 5 and int(waited[0][2]) >= 1, waited
    assert float(waited[0][1]) < 0.5, waited  # (held: from its BEGIN, not while it waited)
    assert rows("SELECT count(*) AS n FROM calls WHERE at LIKE '2026-11-23T09:00%'")[0]["n"] == 1
    again = ok(office("--debug", "log-call", "C001", "--outcome", "reached",
                      "--at", "2026-11-23 10:00"))  # fmt: skip
    fresh = re.findall(r"^write lock: waited (\d+\.\d{3}) s", again.stderr, re.MULTILINE)
    assert fresh and float(fresh[0]) < 0.5, again.stderr  # (the last command's wait is not kept)
    assert "write lock" not in ok(office("--debug", "customer", "show", "C001")).stderr
    plain = ok(office("log-call", "C001", "--outcome", "reached", "--at", "2026-11-23 11:00"))
    assert "write lock" not in plain.stderr


def test_only_the_servers_try_again_before_anything_was_committed_runs_a_command_again() -> None:
    """A command is run again (cli/app.py) for the server's "try again" (a deadlock it
    broke, a serialization failure), never for a lock held past the busy timeout, and
    never once the command has committed a write (running it again could record that
    twice)."""
    from followup_cli.cli.app import _run_again
    from followup_cli.store import busy

    stopped = sqlite3.OperationalError(f"database is locked ({busy.TRY_AGAIN}: deadlock detected)")
    held = sqlite3.OperationalError("database is locked (canceling statement due to lock timeout)")
    assert busy.COMMITS == []
    assert _run_again(stopped) and _run_again(busy.busy_error(stopped))
    assert not _run_again(held) and not _run_again(busy.busy_error(held))
    assert not _run_again(busy.busy_error())
    busy.COMMITS.append(time.monotonic())
    try:
        assert not _run_again(stopped)
    finally:
        busy.COMMITS.clear()
