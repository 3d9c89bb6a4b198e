"""Backups that rotate and prove themselves, and restore (issue 22), through the CLI.

`db backup DIR --keep N` writes dated, verified 0600 copies and deletes the oldest good
ones beyond N; a corrupted backup is reported and never counted as good; `db backups`
lists them; `db restore` round-trips every table, refuses while another process writes
(exit 75), keeps the current file, and a kill -9 leaves the old or the new file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assertions import ok, refused
from conftest import open_db, sqlite_only
from followup_cli.store import SCHEMA_VERSION

pytestmark = sqlite_only(
    "backups, rotation and restore of the database file (on a server: pg_dump)"
)

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "schema-v1.db"


def at(minute: int, day: str = "2026-12-01") -> dict[str, str]:
    """The wall clock a backup is named by (FOLLOWUP_NOW), 07:MM on `day`."""
    return {"FOLLOWUP_NOW": f"{day}T07:{minute:02d}:00+08:00"}


def backup(office, folder: Path, minute: int, *more: str):
    return office("--today", "2026-12-01", "db", "backup", str(folder), *more, env=at(minute))


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (the erasure log and migrations' names included)."""
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


def flip_bytes(path: Path, offset: int = 6000) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        chunk = fh.read(8)
        fh.seek(offset)
        fh.write(bytes(b ^ 0xFF for b in chunk))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "backups"
    path.mkdir()
    return path


# -- db backup DIR --keep N ---------------------------------------------------------------


def test_a_dated_backup_is_0600_verified_and_has_its_checksum(office, folder, db_path):
    r = ok(backup(office, folder, 30))
    dest = folder / "followup-2026-12-01T0730.db"
    assert r.stdout == (f"Backed up to {dest} (verified: integrity ok, schema v{SCHEMA_VERSION})\n")
    assert names(folder) == ["followup-2026-12-01T0730.db", "followup-2026-12-01T0730.db.sha256"]
    assert mode(dest) == 0o600 and mode(folder / (dest.name + ".sha256")) == 0o600
    assert dump(dest) == dump(db_path)
    import hashlib

    digest = hashlib.sha256(dest.read_bytes()).hexdigest()
    assert (folder / (dest.name + ".sha256")).read_text() == f"{digest}  {dest.name}\n"


def test_rotation_keeps_exactly_n(office, folder):
    for minute in range(10, 16):
        ok(backup(office, folder, minute, "--keep", "3"))
    kept = [n for n in names(folder) if n.endswith(".db")]
    assert kept == [
        "followup-2026-12-01T0713.db",
        "followup-2026-12-01T0714.db",
        "followup-2026-12-01T0715.db",
    ]
    assert len(names(folder)) == 6  # each with its checksum, the others' gone too
    r = ok(backup(office, folder, 16, "--keep", "3"))
    assert "deleted the older backup followup-2026-12-01T0713.db" in r.stdout


def test_two_backups_in_one_minute_both_stay(office, folder):
    ok(backup(office, folder, 30))
    ok(backup(office, folder, 30))
    assert [n for n in names(folder) if n.endswith(".db")] == [
        "followup-2026-12-01T0730-2.db",
        "followup-2026-12-01T0730.db",
    ]


def test_a_corrupted_backup_is_reported_and_never_counted_as_good(office, folder):
    for minute in (10, 11, 12):
        ok(backup(office, folder, minute))
    flip_bytes(folder / "followup-2026-12-01T0712.db")
    r = ok(backup(office, folder, 13, "--keep", "2"))
    # Two good ones kept (0711 and the new 0713), the corrupted newer one reported and
    # left for a person; the oldest good one beyond the two deleted.
    assert "Warning: followup-2026-12-01T0712.db does not verify" in r.stderr
    assert "it is not counted as a backup" in r.stderr
    assert [n for n in names(folder) if n.endswith(".db")] == [
        "followup-2026-12-01T0711.db",
        "followup-2026-12-01T0712.db",
        "followup-2026-12-01T0713.db",
    ]
    listed = office("db", "backups", str(folder), "--format", "json")
    assert listed.exit_code == 1
    rows = json.loads(listed.stdout)
    assert [(b["file"], b["verifies"]) for b in rows] == [
        ("followup-2026-12-01T0711.db", True),
        ("followup-2026-12-01T0712.db", False),
        ("followup-2026-12-01T0713.db", True),
    ]
    assert "checksum does not match" in rows[1]["problem"]
    assert "Error: 1 of the 3 backups do not verify" in listed.stderr


def test_a_corrupted_backup_older_than_every_kept_one_is_deleted(office, folder):
    for minute in (10, 11, 12):
        ok(backup(office, folder, minute))
    flip_bytes(folder / "followup-2026-12-01T0710.db")
    r = ok(backup(office, folder, 13, "--keep", "2"))
    assert r.stderr == ""
    assert [n for n in names(folder) if n.endswith(".db")] == [
        "followup-2026-12-01T0712.db",
        "followup-2026-12-01T0713.db",
    ]


def test_a_backup_that_fails_verification_keeps_the_older_ones_and_exits_1(
    office, folder, monkeypatch
):
    for minute in (10, 11):
        ok(backup(office, folder, minute))
    before = names(folder)
    from followup_cli.store import backups

    monkeypatch.setattr(backups, "_integrity", lambda conn: "row 3 missing from index")
    r = backup(office, folder, 12, "--keep", "1")
    refused(r, 1, "Error: the backup did not verify: row 3 missing from index")
    assert "no older backup was deleted" in r.stderr
    assert names(folder) == before  # nothing new, nothing deleted, no temp file left


def test_keep_needs_a_folder(office, tmp_path):
    r = office("db", "backup", str(tmp_path / "one.db"), "--keep", "3")
    refused(r, 2, "--keep needs a folder")
    assert not (tmp_path / "one.db").exists()


@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_keep_must_be_a_whole_number_of_at_least_one(office, folder, value):
    r = office("db", "backup", str(folder), "--keep", value)
    assert r.exit_code == 2, r.output
    assert names(folder) == []


def test_db_backups_lists_time_size_schema_and_verdict(office, folder):
    ok(backup(office, folder, 30))
    table = ok(office("db", "backups", str(folder)))
    size = (folder / "followup-2026-12-01T0730.db").stat().st_size
    assert "followup-2026-12-01T0730.db  2026-12-01 07:30" in table.stdout
    assert f"{size}" in table.stdout and "yes" in table.stdout
    data = json.loads(ok(office("db", "backups", str(folder), "--format", "json")).stdout)
    assert data == [
        {
            "file": "followup-2026-12-01T0730.db",
            "taken": "2026-12-01 07:30",
            "size": size,
            "schema_version": SCHEMA_VERSION,
            "verifies": True,
            "problem": None,
        }
    ]


def test_db_backups_of_a_missing_folder_is_refused(office, tmp_path):
    refused(office("db", "backups", str(tmp_path / "nope")), 1, "does not exist")


# -- db restore ------------------------------------------------------------------------


def test_restore_round_trips_every_table(office, folder, db_path, tmp_path):
    ok(backup(office, folder, 30))
    copy = folder / "followup-2026-12-01T0730.db"
    before = dump(db_path)
    ok(office("customer", "add", "新客户", "--code", "C900"))
    ok(office("log-call", "C001", "--outcome", "reached", "--satisfaction", "5"))
    assert dump(db_path) != before
    changed = dump(db_path)
    r = ok(office("db", "restore", str(copy), "--force", env=at(45)))
    kept = tmp_path / "followup.db.before-restore-2026-11-23T0745"
    assert f"Restored {copy} (schema v{SCHEMA_VERSION}) into {db_path}" in r.stdout
    assert f"the database as it was is kept in {kept}" in r.stdout
    assert dump(db_path) == before
    assert dump(kept) == changed  # what was there, whole
    assert mode(kept) == 0o600
    assert ok(office("db", "check")).stdout.endswith("Integrity: ok; foreign keys: ok\n")


def test_restore_refused_while_a_writer_holds_the_database(office, folder, db_path):
    ok(backup(office, folder, 30))
    ok(office("customer", "add", "新客户", "--code", "C900"))
    before = dump(db_path)
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        r = office(
            "db",
            "restore",
            str(folder / "followup-2026-12-01T0730.db"),
            "--force",
            env={"FOLLOWUP_BUSY_TIMEOUT_MS": "200"},
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    refused(r, 75, "Error: the database is busy")
    assert dump(db_path) == before
    assert not list(db_path.parent.glob("*before-restore*"))
    assert not list(db_path.parent.glob(".*restore.tmp*"))


def test_restore_off_a_terminal_needs_force(office, folder, db_path):
    ok(backup(office, folder, 30))
    ok(office("customer", "add", "新客户", "--code", "C900"))
    before = dump(db_path)
    r = office("db", "restore", str(folder / "followup-2026-12-01T0730.db"))
    refused(r, 2, "Error: restoring replaces the database")
    assert "--force" in r.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: flip_bytes(p), "its checksum does not match"),
        (lambda p: p.write_bytes(b"not a database at all"), "not a SQLite database"),
        (lambda p: p.unlink(), "no backup file at"),
    ],
    ids=["bytes flipped", "not sqlite", "missing"],
)
def test_restore_refuses_a_bad_backup_and_changes_nothing(office, folder, db_path, make, message):
    ok(backup(office, folder, 30))
    copy = folder / "followup-2026-12-01T0730.db"
    make(copy)
    before = dump(db_path)
    refused(office("db", "restore", str(copy), "--force"), 1, message)
    assert dump(db_path) == before
    assert not list(db_path.parent.glob("*before-restore*"))


def test_restore_refuses_another_programs_database(office, tmp_path, db_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (x)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    before = dump(db_path)
    refused(office("db", "restore", str(other), "--force"), 1, "not a followup database")
    assert dump(db_path) == before


def test_restore_refuses_the_database_itself(office, db_path):
    refused(office("db", "restore", str(db_path), "--force"), 2, "is the database itself")


def test_an_older_schema_backup_is_upgraded_as_on_open(office, tmp_path, db_path):
    old = tmp_path / "old-backup.db"
    shutil.copyfile(FIXTURE_V1, old)
    r = ok(office("db", "restore", str(old), "--force", env=at(50)))
    assert "(schema v1)" in r.stdout
    assert f"upgraded from schema v1 to v{SCHEMA_VERSION}" in r.stdout
    conn = open_db(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()
    assert (tmp_path / "followup.db.v1.bak").is_file()  # the upgrade's own backup
    assert dump(old)["customers"]  # the backup itself untouched (still v1)
    assert sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 1


def test_restore_onto_a_machine_without_a_database(run, office, folder, tmp_path):
    ok(backup(office, folder, 30))
    fresh = tmp_path / "new-pc" / "followup.db"
    fresh.parent.mkdir()
    r = ok(run("db", "restore", str(folder / "followup-2026-12-01T0730.db"), db=fresh))
    assert "kept in" not in r.stdout
    assert dump(fresh)["customers"] == dump(folder / "followup-2026-12-01T0730.db")["customers"]


# A restore killed (SIGKILL) at its most delicate points: right before and right after
# the rename that swaps the file in.
KILLED_RESTORE = """
import os, signal, sys
from followup_cli.store import backups
when = sys.argv[3]
real_replace = os.replace

def replace_then_die(src, dst, *a, **k):
    if str(dst).endswith("followup.db") and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst, *a, **k)
    if str(dst).endswith("followup.db") and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)

backups.os.replace = replace_then_die
from followup_cli.cli.app import main
sys.argv = ["followup", "--db", sys.argv[1], "--today", "2026-11-23", "db", "restore",
            sys.argv[2], "--force"]
main()
"""


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_kill_during_restore_leaves_the_old_or_the_new_file(office, folder, db_path, run, when):
    ok(backup(office, folder, 30))
    copy = folder / "followup-2026-12-01T0730.db"
    new = dump(copy)
    ok(office("customer", "add", "新客户", "--code", "C900"))
    old = dump(db_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RESTORE, str(db_path), str(copy), when],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "Asia/Shanghai"},
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert dump(db_path) == (old if when == "before" else new)
    r = ok(run("db", "check"))
    assert r.stdout.endswith("Integrity: ok; foreign keys: ok\n")
    # The next restore clears what the killed one left behind.
    ok(run("db", "restore", str(copy), "--force", env=at(59)))
    assert not list(db_path.parent.glob(".*restore.tmp*"))
    assert dump(db_path) == new
