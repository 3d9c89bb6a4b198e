"""A damaged database (issue 16, "`db check` fails on the damage it exists to find"):
`db check` reports what it finds and exits 1 with what to do, never 70; any command
meeting a damaged file or text that is not UTF-8 exits 1 saying so; a write refuses a
file whose check fails; `init` restores missing indexes and triggers.

The damaged files are copies of the small office with bytes flipped (seeded), or with
one page of a table or an index overwritten.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from assertions import ok, refused
from conftest import open_db, sqlite_only
from followup_cli.support.errors import StorageError

pytestmark = sqlite_only("a damaged SQLite file (flipped bytes, lost pages)")

TABLES = ("customers", "contacts", "staff", "calls", "callbacks", "tickets", "escalations")
DAMAGED = "Error: the database is damaged"


def settle(db_path: Path) -> None:
    """Fold the WAL into the file, so that its bytes are the whole database."""
    conn = open_db(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def counts(db_path: Path) -> dict[str, int]:
    conn = open_db(db_path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def page_of(db_path: Path, name: str) -> tuple[int, int]:
    """The root page of table or index `name`, and the page size."""
    conn = open_db(db_path)
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,))
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        return root.fetchone()[0], size
    finally:
        conn.close()


def overwrite_page(db_path: Path, name: str, junk: bytes = b"\x55" * 64) -> None:
    """Damage the root page of `name`: its header and first cell pointers are junk."""
    page, size = page_of(db_path, name)
    with db_path.open("r+b") as fh:
        fh.seek((page - 1) * size + (100 if page == 1 else 0))
        fh.write(junk)


def flip_bytes(db_path: Path, seed: int, n: int = 50) -> None:
    data = bytearray(db_path.read_bytes())
    rng = random.Random(seed)
    for _ in range(n):
        i = rng.randrange(100, len(data))
        data[i] ^= 1 << rng.randrange(8)
    db_path.write_bytes(bytes(data))


@pytest.fixture
def calls_office(office, db_path):
    """The small office with a few calls logged, its WAL folded into the file."""
    for minute in range(10, 16):
        ok(office("log-call", "C001", "--outcome", "reached", "--at", f"2026-11-20 09:{minute}"))
    settle(db_path)
    return office


def no_traceback(r) -> None:
    assert r.exit_code != 70, r.output
    assert "Traceback" not in r.output
    assert "internal error" not in r.output


# -- db check on damaged files ------------------------------------------------------------


SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]


def sqlite_sees_damage(db_path: Path) -> bool:
    """SQLite's own verdict on the file (on a copy): its integrity or foreign-key check
    fails, or reading the schema does. Bits flipped in free space are not damage."""
    copy = db_path.with_name("verdict.db")
    shutil.copyfile(db_path, copy)
    try:
        conn = sqlite3.connect(copy)
        try:
            found = conn.execute("PRAGMA integrity_check").fetchall()
            keys = conn.execute("PRAGMA foreign_key_check").fetchall()
            return found != [("ok",)] or bool(keys)
        finally:
            conn.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError):  # (text SQLite reads is garbled)
        return True
    finally:
        copy.unlink()


@pytest.mark.parametrize("seed", SEEDS)
def test_db_check_on_flipped_bytes_reports_and_exits_1(calls_office, db_path, seed):
    flip_bytes(db_path, seed)
    damaged = sqlite_sees_damage(db_path)
    r = calls_office("db", "check")
    no_traceback(r)
    if not damaged:  # (the bits fell where nothing is read: see the test below)
        assert r.exit_code in (0, 1), r.output
        return
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith("Error: "), r.stderr
    assert "backup" in r.stderr and ".recover" in r.stderr


def test_fifty_flipped_bits_mostly_hit_what_sqlite_reads(calls_office, db_path, tmp_path):
    """The flips of the test above are damage SQLite sees for most seeds (so that test
    checks `db check` on real damage, not on untouched files)."""
    clean = tmp_path / "clean.db"
    shutil.copyfile(db_path, clean)
    seen = 0
    for seed in SEEDS:
        shutil.copyfile(clean, db_path)
        flip_bytes(db_path, seed)
        seen += sqlite_sees_damage(db_path)
    assert seen >= len(SEEDS) - 2, seen


def test_db_check_on_a_damaged_index_page(calls_office, db_path):
    overwrite_page(db_path, "calls_day")
    r = calls_office("db", "check")
    refused(r, 1, "Error: the database has problems (listed above)")
    assert "integrity" in r.stdout or "check failed" in r.stdout, r.stdout
    assert "`.recover` in the sqlite3 shell" in r.stderr
    assert "Integrity: ok" not in r.stdout


def test_db_check_on_a_damaged_table_page(calls_office, db_path):
    overwrite_page(db_path, "calls")
    r = calls_office("db", "check")
    refused(r, 1, "Error: the database has problems (listed above)")
    assert "check failed: " in r.stdout and "malformed" in r.stdout, r.stdout
    # The checks that can still run do: the other tables are counted.
    assert "customers 2" in r.stdout


def test_check_database_reports_a_failing_check_as_a_finding(calls_office, db_path):
    from followup_cli.store.checks import check_database

    overwrite_page(db_path, "calls")
    conn = open_db(db_path)
    try:
        report = check_database(conn)
    finally:
        conn.close()
    assert not report.ok
    assert any("malformed" in line for line in report.failed), report.failed
    assert report.counts["customers"] == 2


# -- any command on a damaged file ------------------------------------------------------


def test_a_command_reading_a_damaged_page_exits_1(calls_office, db_path):
    overwrite_page(db_path, "calls")
    r = calls_office("report", "daily")
    refused(r, 1, DAMAGED)
    assert "Run `followup db check`" in r.stderr
    no_traceback(r)


def test_an_undecodable_sqlite_message_exits_1(office, db_path):
    """SQLite's message quotes a damaged schema's bytes, which are not UTF-8: Python's
    sqlite3 raises UnicodeDecodeError instead of the error."""
    conn = open_db(db_path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = CAST(? AS TEXT) WHERE name = 'escalations'",
        (b"CREATE TABLE escalations (id INTEGER PRIMARY KEY) \xff",),
    )
    conn.commit()
    conn.close()
    r = office("due")
    assert r.exit_code == 1, r.output
    assert "malformed database schema" in r.stderr and "\ufffd" in r.stderr, r.stderr
    no_traceback(r)
    r = office("db", "check")
    assert r.exit_code == 1, r.output
    no_traceback(r)


def test_text_that_is_not_utf8_exits_1_and_db_check_names_the_row(office, db_path, rows):
    conn = open_db(db_path)
    conn.execute("UPDATE customers SET name = CAST(x'ff41' AS TEXT) WHERE code = 'C002'")
    conn.commit()
    conn.close()
    r = office("customer", "list")
    refused(r, 1, "Error: the database holds text that is not valid UTF-8")
    assert "Run `followup db check`" in r.stderr
    no_traceback(r)
    r = office("db", "check")
    refused(r, 1, "Error: the database has problems (listed above)")
    assert "text: customers row 2: name is not valid UTF-8" in r.stdout, r.stdout


# -- writes refuse a damaged file --------------------------------------------------------


def test_log_call_refuses_a_database_damaged_in_the_calls_table(calls_office, db_path):
    overwrite_page(db_path, "sqlite_autoindex_calls_1")
    before = counts_ok(db_path)
    r = calls_office("log-call", "C002", "--outcome", "reached")
    refused(r, 1, DAMAGED)
    assert "nothing was written" in r.stderr
    assert "Run `followup db check`" in r.stderr
    no_traceback(r)
    assert counts_ok(db_path) == before


def test_a_write_refuses_damage_it_does_not_touch(calls_office, db_path):
    """Damage in the calls index stops a staff change too: the file is not sound."""
    overwrite_page(db_path, "calls_day")
    r = calls_office("staff", "add", "钱多", "--role", "clerk")
    refused(r, 1, DAMAGED)
    conn = open_db(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM staff WHERE name = '钱多'").fetchone()[0] == 0
    finally:
        conn.close()


def counts_ok(db_path: Path) -> dict[str, int]:
    """Row counts of the tables a damaged calls index does not stop counting."""
    conn = open_db(db_path)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t} NOT INDEXED").fetchone()[0] for t in TABLES
        }
    finally:
        conn.close()


def test_refuse_damaged_passes_a_sound_file_and_stays_small(office, db_path):
    from followup_cli.store.damage import QUICK_CHECK_MAX_PAGES, refuse_damaged

    conn = open_db(db_path)
    try:
        refuse_damaged(conn)
        assert conn.execute("PRAGMA page_count").fetchone()[0] <= QUICK_CHECK_MAX_PAGES
    finally:
        conn.close()


def test_refuse_damaged_finds_a_page_that_is_two_roots(office, db_path):
    from followup_cli.store.damage import refuse_damaged

    conn = open_db(db_path)
    conn.execute("PRAGMA writable_schema = ON")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'calls'").fetchone()[0]
    conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'calls_day'", (root,))
    conn.commit()
    conn.close()
    conn = open_db(db_path)
    try:
        with pytest.raises(StorageError, match="calls_day has an impossible root page"):
            refuse_damaged(conn)
    finally:
        conn.close()


# -- missing indexes and triggers ---------------------------------------------------------


def test_db_check_reports_missing_trigger_and_index_and_init_restores_them(calls_office, db_path):
    office = calls_office
    conn = open_db(db_path)
    conn.execute("DROP TRIGGER calls_never_deleted")
    conn.execute("DROP INDEX calls_day")
    conn.commit()
    conn.close()
    r = office("db", "check")
    refused(r, 1, "Error: the database has problems (listed above)")
    assert "missing index: calls_day\n" in r.stdout
    assert "missing trigger: calls_never_deleted\n" in r.stdout
    assert "run `followup init` to create them again" in r.stdout
    r = ok(office("init"))
    assert "Restored missing index: calls_day\n" in r.stdout
    assert "Restored missing trigger: calls_never_deleted\n" in r.stdout
    ok(office("db", "check"))
    conn = open_db(db_path)
    try:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
        assert {"calls_day", "calls_never_deleted"} <= names
        with pytest.raises(sqlite3.IntegrityError, match="calls are never deleted"):
            conn.execute("DELETE FROM calls")
    finally:
        conn.close()
    # Safe to repeat: nothing more to restore.
    r = ok(office("init"))
    assert "Restored" not in r.stdout


def test_restore_schema_on_a_whole_database_restores_nothing(office, db_path):
    from followup_cli.store.checks import missing_schema, restore_schema

    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        assert missing_schema(conn) == []
        assert restore_schema(conn) == []
    finally:
        conn.close()


# -- the one place that tells damage from other errors ------------------------------------


def test_is_damage_tells_sqlite_damage_from_other_errors():
    from followup_cli.store.damage import decoded, is_damage, is_orphan_write

    assert is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    assert is_damage(sqlite3.DatabaseError("file is not a database"))
    assert is_damage(sqlite3.OperationalError("Could not decode to UTF-8 column 'name'"))
    schema = UnicodeDecodeError("utf-8", b"malformed database schema (t) - \xff", 32, 33, "x")
    assert is_damage(schema)
    assert decoded(schema) == "malformed database schema (t) - \ufffd"
    # Not damage: a lock, a constraint, a file's own decoding error.
    assert not is_damage(sqlite3.OperationalError("database is locked"))
    assert not is_damage(sqlite3.IntegrityError("UNIQUE constraint failed: staff.name"))
    assert not is_damage(UnicodeDecodeError("utf-8", b"\xff\xfe", 0, 1, "invalid start byte"))
    assert is_orphan_write(sqlite3.IntegrityError("FOREIGN KEY constraint failed"))
    assert not is_orphan_write(sqlite3.IntegrityError("NOT NULL constraint failed: calls.at"))


def test_check_database_groups_orphans_per_table(office, db_path):
    from followup_cli.store.checks import check_database, orphan_lines

    conn = open_db(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM customers WHERE code = 'C001'")
    conn.commit()
    try:
        report = check_database(conn)
    finally:
        conn.close()
    assert not report.ok and not report.damaged
    assert report.orphans["contacts"] == {"customers": [1, 2]}
    assert set(report.orphans) == {"contacts", "callbacks"}  # C001's planned visits too
    assert "contacts: 2 rows refer to a missing customers row (rows 1, 2)" in orphan_lines(report)


def test_init_refuses_cleanly_an_index_the_rows_no_longer_satisfy(office, db_path):
    """Two pending yearly callbacks for one customer (written once the unique index was
    dropped): init cannot create it again, and says so without a traceback."""
    conn = open_db(db_path)
    conn.execute("DROP INDEX callbacks_one_pending_rule")
    conn.execute(
        "INSERT INTO callbacks (customer_id, due_on, reason, source, plan_key, role, status,"
        " planned_on, created_at, updated_at) SELECT customer_id, due_on, reason, source,"
        " plan_key || '-copy', role, status, planned_on, created_at, updated_at FROM callbacks"
        " WHERE status = 'pending' AND reason IN ('visit', 'yearly') LIMIT 1"
    )
    conn.commit()
    conn.close()
    r = office("init")
    refused(r, 1, "Error: cannot create the index callbacks_one_pending_rule again: UNIQUE")
    no_traceback(r)
    conn = open_db(db_path)
    try:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert "callbacks_one_pending_rule" not in names
    assert "calls_never_deleted" in names
