"""Storage: init, db path/backup/check, PRAGMAs, bad --db files, migrations, triggers.

SPEC section 6: one SQLite file in WAL mode, foreign keys on, busy_timeout >= 5 s,
database and backups 0600, schema versioned, nothing ever deleted from tickets/calls.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import sqlite_only
from followup_cli.cli.app import app
from followup_cli.store import SCHEMA_VERSION, open_database
from followup_cli.support.errors import StorageError

pytestmark = sqlite_only("the file's WAL, PRAGMAs, permissions and locks")

SPEC_TABLES = (
    "customers",
    "contacts",
    "staff",
    "events",
    "callbacks",
    "calls",
    "tickets",
    "ticket_history",
    "escalations",
)
STAMP = "2026-11-23T10:00:00+08:00"


# -- helpers --------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_error(r, code: int, *fragments: str) -> None:
    """A clean failure: the exit code, each fragment on stderr, no traceback."""
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    assert r.stderr.startswith("Error: "), r.stderr
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


@contextmanager
def raw(path: Path, *, foreign_keys: bool = True) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection, as any other tool would open the file."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def siblings(path: Path) -> list[Path]:
    """The -wal / -shm / -journal files SQLite would leave next to `path`."""
    return [Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal") if Path(f"{path}{s}").exists()]


def plain_cli(*args: str, env: dict[str, str] | None = None):
    """The CLI without the fixture's --db: for defaults and environment variables."""
    return CliRunner().invoke(app, ["--today", "2026-11-23", *args], env=env)


def table_names(path: Path) -> set[str]:
    with raw(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# -- init -------------------------------------------------------------------------------


def test_init_creates_the_database_with_mode_0600(run, db_path):
    with umask(0):  # even with a permissive umask, only the owner may read it
        r = run("init")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Database ready: {db_path} (schema v{SCHEMA_VERSION})\n"
    assert db_path.exists()
    assert mode(db_path) == 0o600
    for extra in siblings(db_path):
        assert mode(extra) == 0o600, extra


@pytest.mark.parametrize("command", [("init",), ("due",), ("customer", "add", "济南鲁通")])
def test_a_db_path_linking_to_nothing_is_refused_and_nothing_is_created(
    run, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A dangling symbolic link as --db: SQLite would create the link's target (a file
    wherever the link points, planted by someone else). Refused, exit 1, saying so."""
    link = tmp_path / "followup.db"
    target = tmp_path / "elsewhere" / "planted.db"
    target.parent.mkdir()
    link.symlink_to(target)
    r = run(*command, db=link)
    assert r.exit_code == 1, r.output
    assert "is a symbolic link to" in r.stderr and "which does not exist" in r.stderr
    assert "creates no database through a link" in r.stderr
    assert not target.exists() and link.is_symlink()
    assert {p.name for p in tmp_path.iterdir()} - {"cache"} == {"elsewhere", "followup.db"}
    assert list(target.parent.iterdir()) == []


def test_init_twice_is_safe_and_keeps_the_data(initdb, rows, db_path):
    assert initdb("staff", "add", "李娜", "--role", "clerk").exit_code == 0
    r = initdb("init")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Database ready: {db_path} (schema v{SCHEMA_VERSION})\n"
    assert [s["name"] for s in rows("SELECT name FROM staff")] == ["李娜"]
    assert rows("PRAGMA user_version")[0]["user_version"] == SCHEMA_VERSION
    assert mode(db_path) == 0o600


def test_wal_and_shm_files_are_0600_while_open(initdb, db_path):
    with umask(0):
        conn = open_database(db_path)
        try:
            conn.execute(
                "INSERT INTO staff (name, role, created_at, updated_at) VALUES (?, ?, ?, ?)",
                ("李娜", "clerk", STAMP, STAMP),
            )
            wal, shm = Path(f"{db_path}-wal"), Path(f"{db_path}-shm")
            assert wal.exists() and shm.exists()
            assert mode(wal) == 0o600
            assert mode(shm) == 0o600
            assert mode(db_path) == 0o600
        finally:
            conn.close()


def test_init_without_db_uses_the_xdg_data_folder(tmp_path):
    r = plain_cli("init")
    expected = tmp_path / "data" / "followup" / "followup.db"
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Database ready: {expected} (schema v{SCHEMA_VERSION})\n"
    assert expected.exists()
    assert mode(expected) == 0o600


# -- db path ----------------------------------------------------------------------------


def test_db_path_prints_the_db_option(run, db_path):
    r = run("db", "path")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"{db_path}\n"
    assert not db_path.exists(), "db path must not create the database"


def test_db_path_default_is_under_xdg_data_home(tmp_path):
    r = plain_cli("db", "path")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"{tmp_path / 'data' / 'followup' / 'followup.db'}\n"


def test_db_path_follows_followup_db_env(tmp_path):
    target = tmp_path / "elsewhere.db"
    r = plain_cli("db", "path", env={"FOLLOWUP_DB": str(target)})
    assert r.exit_code == 0, r.output
    assert r.stdout == f"{target}\n"


# -- db backup --------------------------------------------------------------------------


def test_backup_is_0600_and_readable_with_sqlite3(office, tmp_path):
    dest = tmp_path / "backup.db"
    with umask(0):
        r = office("db", "backup", str(dest))
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Backed up to {dest}\n"
    assert mode(dest) == 0o600
    with raw(dest) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        codes = [r[0] for r in conn.execute("SELECT code FROM customers ORDER BY code")]
        contacts = [r[0] for r in conn.execute("SELECT name FROM contacts ORDER BY id")]
        staff = conn.execute("SELECT count(*) FROM staff").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert codes == ["C001", "C002"]
    assert contacts == ["张建国", "李明"]
    assert staff == 8
    assert version == SCHEMA_VERSION


def test_backup_refuses_an_existing_destination(office, tmp_path):
    dest = tmp_path / "backup.db"
    dest.write_bytes(b"keep me")
    r = office("db", "backup", str(dest))
    assert_error(r, 1, f"Error: {dest} already exists", "Choose a new file name")
    assert dest.read_bytes() == b"keep me"


def test_backup_into_a_missing_folder_is_refused(office, tmp_path):
    dest = tmp_path / "no-such-folder" / "backup.db"
    r = office("db", "backup", str(dest))
    assert_error(r, 1, f"the folder {dest.parent} does not exist")
    assert not dest.parent.exists()


def test_backup_before_init_says_to_run_init(run, db_path, tmp_path):
    dest = tmp_path / "backup.db"
    r = run("db", "backup", str(dest))
    assert_error(r, 1, f"no database at {db_path}", "followup init")
    assert not dest.exists()
    assert not db_path.exists()


# -- db check ---------------------------------------------------------------------------


def test_db_check_ok(office, db_path):
    r = office("db", "check")
    assert r.exit_code == 0, r.output
    assert f"Database: {db_path}\n" in r.stdout
    assert f"Schema version: {SCHEMA_VERSION}; journal mode: wal\n" in r.stdout
    assert "customers 2" in r.stdout and "staff 8" in r.stdout and "contacts 2" in r.stdout
    assert r.stdout.endswith("Integrity: ok; foreign keys: ok\n")
    assert r.stderr == ""


def test_db_check_reports_a_foreign_key_violation(initdb, db_path):
    with raw(db_path, foreign_keys=False) as conn:
        conn.execute(
            "INSERT INTO contacts (customer_id, name, created_at, updated_at)"
            " VALUES (999, '无主', ?, ?)",
            (STAMP, STAMP),
        )
    r = initdb("db", "check")
    assert_error(r, 1, "Error: the database has problems")
    assert "foreign key: contacts row 1 refers to a missing customers row" in r.stdout
    assert "Integrity: ok" not in r.stdout


# -- PRAGMAs ----------------------------------------------------------------------------


def test_connection_pragmas(initdb, db_path):
    conn = open_database(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        conn.close()


def test_connection_enforces_foreign_keys(initdb, db_path, rows):
    conn = open_database(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute(
                "INSERT INTO contacts (customer_id, name, created_at, updated_at)"
                " VALUES (999, '无主', ?, ?)",
                (STAMP, STAMP),
            )
    finally:
        conn.close()
    assert rows("SELECT count(*) AS n FROM contacts")[0]["n"] == 0


def test_write_transaction_rolls_back_on_error(initdb, session, rows):
    s = session()
    with pytest.raises(RuntimeError), s.write() as conn:
        conn.execute(
            "INSERT INTO staff (name, role, created_at, updated_at) VALUES (?, ?, ?, ?)",
            ("李娜", "clerk", STAMP, STAMP),
        )
        raise RuntimeError("half-way")
    assert rows("SELECT count(*) AS n FROM staff")[0]["n"] == 0


def test_busy_database_exits_75_and_writes_nothing(initdb, db_path, rows):
    with raw(db_path) as holder:
        holder.execute("BEGIN IMMEDIATE")
        r = initdb(
            "staff", "add", "李娜", "--role", "clerk", env={"FOLLOWUP_BUSY_TIMEOUT_MS": "100"}
        )
        holder.execute("ROLLBACK")
    assert_error(r, 75, "Error: the database is busy", "Nothing was written")
    assert rows("SELECT count(*) AS n FROM staff")[0]["n"] == 0


# -- a bad --db -------------------------------------------------------------------------


def test_missing_folder(run, tmp_path):
    target = tmp_path / "missing" / "followup.db"
    r = run("init", db=target)
    assert_error(r, 1, f"Error: the folder {target.parent} does not exist")
    assert not target.parent.exists()


def test_unwritable_folder(run, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        target = folder / "followup.db"
        r = run("init", db=target)
        assert_error(r, 1, f"cannot write in the folder {folder}")
        assert not target.exists()
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("command", [("init",), ("customer", "list"), ("db", "check")])
def test_a_text_file_is_not_a_database_and_stays_untouched(run, tmp_path, command):
    target = tmp_path / "notes.txt"
    content = "客户名单\nthis is not a database\n".encode()
    target.write_bytes(content)
    r = run(*command, db=target)
    assert_error(r, 1, f"Error: {target} is not a SQLite database")
    assert target.read_bytes() == content
    assert siblings(target) == []


def test_a_folder_given_as_db(run, tmp_path):
    r = run("init", db=tmp_path)
    assert_error(r, 1, f"{tmp_path} is a folder, not a database file")


def corrupt_copy(source: Path, target: Path) -> bytes:
    """A real database file with everything after its 100-byte header overwritten."""
    data = source.read_bytes()
    broken = data[:100] + b"\xa5" * (len(data) - 100)
    target.write_bytes(broken)
    return broken


@pytest.mark.parametrize("command", [("init",), ("customer", "list")])
def test_a_sqlite_header_followed_by_garbage(run, tmp_path, command):
    target = tmp_path / "broken.db"
    content = b"SQLite format 3\x00" + b"garbage " * 512
    target.write_bytes(content)
    r = run(*command, db=target)
    assert_error(r, 1, f"Error: {target} cannot be opened as a database", "backup")
    assert target.read_bytes() == content


@pytest.mark.parametrize("command", [("init",), ("customer", "list"), ("db", "check")])
def test_a_corrupt_followup_database(office, db_path, tmp_path, command):
    target = tmp_path / "corrupt.db"
    content = corrupt_copy(db_path, target)
    r = office(*command, db=target)
    assert_error(r, 1, f"Error: {target} cannot be opened as a database", "backup")
    assert target.read_bytes() == content


@pytest.mark.parametrize(
    "command",
    [
        ("customer", "list"),
        ("customer", "add", "甲公司"),
        ("staff", "add", "李娜", "--role", "clerk"),
        ("contact", "list"),
        ("db", "check"),
    ],
)
def test_a_command_before_init_says_to_run_init(run, db_path, command):
    r = run(*command)
    assert_error(r, 1, f"Error: no database at {db_path}", "Run `followup init`")
    assert not db_path.exists()


def test_an_empty_file_is_not_yet_a_followup_database(run, db_path):
    db_path.write_bytes(b"")
    r = run("customer", "list")
    assert_error(r, 1, f"{db_path} is not a followup database (it is empty)", "followup init")
    assert run("init").exit_code == 0
    assert set(SPEC_TABLES) <= table_names(db_path)


def test_a_refused_command_leaves_an_empty_file_untouched(run, db_path):
    db_path.write_bytes(b"")
    r = run("customer", "list")
    assert r.exit_code == 1, r.output
    assert db_path.read_bytes() == b"", "the refused command switched the file to WAL"


def test_another_programs_database_is_left_alone(run, tmp_path):
    target = tmp_path / "other.db"
    with raw(target) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO orders (total) VALUES (9.5)")
    r = run("init", db=target)
    assert_error(r, 1, f"{target} holds tables of another program")
    assert table_names(target) == {"orders"}
    r = run("customer", "list", db=target)
    assert_error(r, 1, f"{target} is not a followup database (it holds other tables)")


def test_a_database_from_a_newer_followup_is_refused(initdb, db_path):
    with raw(db_path) as conn:
        conn.execute("PRAGMA user_version = 99")
    r = initdb("customer", "list")
    assert_error(r, 1, f"(schema v99, this one knows v{SCHEMA_VERSION})", "Upgrade followup")
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 99


def test_open_database_without_create_raises_storage_error(db_path):
    with pytest.raises(StorageError, match="no database at"):
        open_database(db_path)
    assert not db_path.exists()


# -- schema and migrations --------------------------------------------------------------


def test_schema_version_and_migrations_recorded(initdb, rows):
    assert rows("PRAGMA user_version")[0]["user_version"] == SCHEMA_VERSION
    applied = rows("SELECT name FROM _migrations ORDER BY name")
    assert len(applied) == SCHEMA_VERSION
    assert applied[0]["name"].startswith("m001")


def test_every_spec_table_exists(initdb, db_path):
    assert set(SPEC_TABLES) <= table_names(db_path)


@pytest.fixture
def recorded(initdb, db_path):
    """One customer with a ticket, its history and a call, inserted with plain sqlite3."""
    with raw(db_path) as conn:
        conn.execute(
            "INSERT INTO customers (id, code, name, grade, created_at, updated_at)"
            " VALUES (1, 'C001', '山东鲁建', 1, ?, ?)",
            (STAMP, STAMP),
        )
        conn.execute(
            "INSERT INTO tickets (id, customer_id, opened_on, category, summary,"
            " created_at, updated_at) VALUES (1, 1, '2026-11-23', 'billing', '多收费', ?, ?)",
            (STAMP, STAMP),
        )
        conn.execute(
            "INSERT INTO ticket_history (ticket_id, at, action) VALUES (1, ?, 'open')", (STAMP,)
        )
        conn.execute(
            "INSERT INTO calls (customer_id, at, day, outcome, created_at)"
            " VALUES (1, ?, '2026-11-23', 'reached', ?)",
            (STAMP, STAMP),
        )
    return db_path


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM tickets", "tickets are never deleted"),
        ("DELETE FROM calls", "calls are never deleted"),
        ("DELETE FROM ticket_history", "ticket history is never deleted"),
        ("UPDATE ticket_history SET action = 'x'", "ticket history is never changed"),
    ],
)
def test_the_record_cannot_be_deleted(recorded, rows, sql, message):
    with raw(recorded) as conn, pytest.raises(sqlite3.IntegrityError, match=message):
        conn.execute(sql)
    assert rows("SELECT count(*) AS n FROM tickets")[0]["n"] == 1
    assert rows("SELECT count(*) AS n FROM calls")[0]["n"] == 1
    assert rows("SELECT action FROM ticket_history") == [{"action": "open"}]


# -- upgrading an older database --------------------------------------------------------


@pytest.fixture
def next_version(monkeypatch):
    """Pretend this followup knows one more migration than the shipped ones."""
    from followup_cli.store import connection, migrations

    def install(step):
        monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, step])
        monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
        monkeypatch.setattr(connection, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    return install


def m_next_add_table(db) -> None:
    db.execute("CREATE TABLE visits_log (id INTEGER PRIMARY KEY, note TEXT)")


def m_next_fails(db) -> None:
    db.execute("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
    raise RuntimeError("migration failed half-way")


def test_an_older_database_is_backed_up_then_upgraded_in_place(office, db_path, next_version):
    next_version(m_next_add_table)
    r = office("customer", "list", "--format", "json")
    assert r.exit_code == 0, r.output
    backups = list(db_path.parent.glob(f"{db_path.name}.v{SCHEMA_VERSION}.bak"))
    assert len(backups) == 1
    assert mode(backups[0]) == 0o600
    with raw(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 2
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 2
    assert "visits_log" in table_names(db_path)


def test_a_failed_migration_leaves_the_database_as_it_was(office, db_path, next_version):
    next_version(m_next_fails)
    with pytest.raises(RuntimeError, match="half-way"):
        open_database(db_path)
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 2
    assert "half_done" not in table_names(db_path)
