"""Nothing is lost: kill -9 at many points, concurrent cron + clerk + import, busy past the
timeout. Each test runs real followup processes against one database file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

TODAY = "2026-11-23"


def followup(
    db: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "followup_cli", "--db", str(db), "--today", TODAY, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TZ": "Asia/Shanghai", **(env or {})},
    )


def start(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "followup_cli", "--db", str(db), "--today", TODAY, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TZ": "Asia/Shanghai", **(env or {})},
    )


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def make_office(tmp_path: Path, customers: int = 200) -> Path:
    db = tmp_path / "office.db"
    assert followup(db, "init").returncode == 0
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "name,role\n李娜,clerk\n王伟,account_manager\n赵强,service\n", encoding="utf-8"
    )
    cust = tmp_path / "customers.csv"
    cust.write_text(
        "code,name,grade,phone\n"
        + "".join(
            f"K{i:05d},客户{i}号机械有限公司,{1 + i % 5},1380000{i:04d}\n" for i in range(customers)
        ),
        encoding="utf-8",
    )
    for kind, path in (("staff", staff), ("customers", cust)):
        r = followup(db, "import", kind, str(path))
        assert r.returncode == 0, r.stderr
    return db


def events_file(tmp_path: Path, rows: int, customers: int, name: str = "events.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as fh:
        fh.write("customer_code,kind,date,ref,staff,result,note\n")
        for i in range(rows):
            day = 1 + i % 28
            month = 1 + (i // 28) % 10
            fh.write(
                f"K{i % customers:05d},service,2026-{month:02d}-{day:02d},WO-{i},赵强,"
                f"fixed,发动机保养第{i}次\n"
            )
    return path


def check_ok(db: Path) -> None:
    r = followup(db, "db", "check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Integrity: ok; foreign keys: ok" in r.stdout


def test_import_killed_at_many_points_is_all_or_nothing(tmp_path: Path) -> None:
    db = make_office(tmp_path)
    path = events_file(tmp_path, 30_000, 200)
    began = time.perf_counter()
    proc = start(db, "import", "events", str(path), "--dry-run")
    proc.communicate(timeout=300)
    duration = max(time.perf_counter() - began, 0.5) * 1.6  # a real import writes too
    before_events, before_callbacks = count(db, "events"), count(db, "callbacks")
    outcomes = set()
    interrupted = 0
    for fraction in (0.1, 0.25, 0.4, 0.55, 0.7, 0.8, 0.9, 0.97):
        proc = start(db, "import", "events", str(path))
        time.sleep(duration * fraction)
        interrupted += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        events = count(db, "events")
        assert events in (before_events, before_events + 30_000), events
        if events == before_events:
            assert count(db, "callbacks") == before_callbacks
        outcomes.add(events)
        check_ok(db)
        if events != before_events:
            break
    assert interrupted >= 3, "the kills must land while the import is running"
    # Whatever happened, a full import afterwards completes and a re-run changes nothing.
    r = followup(db, "import", "events", str(path))
    assert r.returncode == 0, r.stderr
    assert count(db, "events") == before_events + 30_000
    check_ok(db)


def test_log_call_killed_at_many_points_is_before_or_after(tmp_path: Path) -> None:
    db = make_office(tmp_path, customers=20)
    r = followup(
        db, "event", "add", "K00001", "--kind", "service", "--date", "2026-11-20", "--by", "李娜"
    )
    assert r.returncode == 0, r.stderr
    pending = "SELECT count(*) FROM callbacks WHERE customer_id = 2 AND status = 'pending'"
    began = time.perf_counter()
    r = followup(db, "log-call", "K00002", "--outcome", "no-answer", "--by", "李娜")
    assert r.returncode == 0, r.stderr
    duration = time.perf_counter() - began
    interrupted = 0
    for i in range(15):
        conn = sqlite3.connect(db)
        before = conn.execute(pending).fetchone()[0]
        conn.close()
        proc = start(
            db,
            "log-call",
            "K00001",
            "--outcome",
            "no-answer",
            "--by",
            "李娜",
            "--at",
            f"2026-11-23 09:{i:02d}",
        )
        time.sleep(duration * (0.05 + 0.06 * i))  # from start-up to just before the end
        interrupted += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        conn = sqlite3.connect(db)
        calls = conn.execute(
            "SELECT count(*) FROM calls WHERE at = ?", (f"2026-11-23T09:{i:02d}:00+08:00",)
        ).fetchone()[0]
        attempts = conn.execute(
            "SELECT count(*) FROM callbacks WHERE customer_id = 2 AND attempts > 0"
        ).fetchone()[0]
        after = conn.execute(pending).fetchone()[0]
        conn.close()
        assert calls in (0, 1)
        assert after == before  # a missed call never completes or loses a callback
        if calls:
            assert attempts >= 1  # the call and its attempt were written together
    assert interrupted >= 5, "the kills must land while log-call is running"
    check_ok(db)


def test_cron_clerk_and_import_at_once_all_succeed(tmp_path: Path) -> None:
    db = make_office(tmp_path, customers=300)
    path = events_file(tmp_path, 20_000, 300)
    importer = start(db, "import", "events", str(path))
    clerks: list[subprocess.Popen[str]] = []
    readers: list[subprocess.Popen[str]] = []
    for i in range(8):
        clerks.append(
            start(
                db,
                "log-call",
                f"K{i:05d}",
                "--outcome",
                "reached",
                "--by",
                "李娜",
                "--satisfaction",
                "4",
                "--at",
                f"2026-11-23 10:{i:02d}",
            )
        )
        readers.append(start(db, "due", "--format", "csv"))
        time.sleep(0.15)
    failures = []
    for proc in [importer, *clerks, *readers]:
        out, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            failures.append((proc.args, proc.returncode, err))
    assert not failures, failures
    assert count(db, "events") == 20_000
    assert count(db, "calls") == 8
    check_ok(db)


def test_busy_past_the_timeout_exits_75_with_a_clear_message(tmp_path: Path) -> None:
    db = make_office(tmp_path, customers=3)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = followup(db, "customer", "add", "新客户", env={"FOLLOWUP_BUSY_TIMEOUT_MS": "300"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 75, r.stderr
    assert "Error: the database is busy" in r.stderr
    assert "Traceback" not in r.stderr
    assert count(db, "customers") == 3


@pytest.mark.skipif(not Path("/proc/self/mounts").exists(), reason="Linux only")
def test_database_on_a_network_filesystem_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import followup_cli.store.filesystems as filesystems
    from followup_cli.store.files import refuse_network_filesystem
    from followup_cli.store.filesystems import filesystem_type
    from followup_cli.support.errors import StorageError

    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/sda1 / ext4 rw 0 0\nserver:/export {tmp_path / 'share'} nfs4 rw 0 0\n",
        encoding="utf-8",
    )
    share = tmp_path / "share"
    share.mkdir()
    # /proc/self/mounts is read when /proc/self/mountinfo cannot be.
    monkeypatch.setattr(filesystems, "MOUNTINFO", tmp_path / "no-mountinfo")
    assert filesystem_type(share / "f.db", mounts=mounts) == "nfs4"
    assert filesystem_type(tmp_path / "local.db", mounts=mounts) == "ext4"
    monkeypatch.setattr(filesystems, "MOUNTS", mounts)
    with pytest.raises(StorageError, match="network filesystem \\(nfs4\\)"):
        refuse_network_filesystem(share / "f.db")
