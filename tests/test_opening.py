"""Opening the database safely (issue 16, files and paths): an existing file's mode is
never changed, a read-only database is read and not written, another program's file is
refused untouched, one migrator at a time with backups that are whole or absent, and
network filesystems told by a properly decoded mount table.

The tests run as root, whom permissions do not stop: the rule "no write bit for anyone
(or access(2) says no) => read-only" is what makes chmod 400 mean the same for root.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import sqlite_only
from followup_cli.store import SCHEMA_VERSION, open_database
from followup_cli.support.errors import StorageError

pytestmark = sqlite_only(
    "opening a database file (modes, symlinks, devices, network filesystems, read-only files)"
)

# Imported where used, so that each test fails on its own against older code.
APPLICATION_ID = 0x464F4C55  # 'FOLU'
V1 = Path(__file__).parent / "fixtures" / "schema-v1.db"
TODAY = "2026-11-23"


# -- helpers --------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_refused(r, *fragments: str, code: int = 1) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Error: " in r.stderr, r.stderr
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


def read_only_count(path: Path, table: str) -> int:
    """Rows in `table`, read without writing anything (no -wal switch, no -shm)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def header_field(path: Path, offset: int) -> int:
    """A 4-byte big-endian field of the SQLite header (60 user_version, 68 application_id)."""
    return int.from_bytes(path.read_bytes()[offset : offset + 4], "big", signed=True)


def snapshot(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, stat.S_IMODE(st.st_mode)


def checkpointed(path: Path) -> Path:
    """Fold any -wal into the file and leave it in rollback mode, alone on disk."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path


def backups(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(".bak"))


def v1_copy(folder: Path, name: str = "office.db") -> Path:
    db = folder / name
    shutil.copyfile(V1, db)
    db.chmod(0o600)
    return db


# -- modes: set only on files followup creates ---------------------------------------


def test_a_read_keeps_a_group_shared_file_0660_and_warns_once_per_mode(office, db_path):
    checkpointed(db_path)
    db_path.chmod(0o660)
    r = office("customer", "list")
    assert r.exit_code == 0, r.output
    assert mode(db_path) == 0o660
    for extra in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        assert not extra.exists() or mode(extra) == 0o660, extra
    assert r.stderr == (
        f"Warning: {db_path} can be read by other users (mode 0660);"
        f" `chmod 600 {db_path}` if only you should read it\n"
    )
    r = office("log-call", "C002", "--outcome", "reached")
    assert r.exit_code == 0, r.output
    assert mode(db_path) == 0o660
    assert r.stderr == ""  # said once
    db_path.chmod(0o640)
    r = office("customer", "list")
    assert r.stderr.startswith(f"Warning: {db_path} can be read by other users (mode 0640)")


def test_a_read_by_root_leaves_another_users_shared_file_theirs(office, db_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to hand the file to another user")
    import pwd

    nobody = pwd.getpwnam("nobody")
    checkpointed(db_path)
    os.chown(db_path, nobody.pw_uid, nobody.pw_gid)
    db_path.chmod(0o660)
    r = office("due", today="2026-11-30")  # the day's roll writes, as root
    assert r.exit_code == 0, r.output
    for f in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        if f.exists():
            st = f.stat()
            assert (st.st_uid, st.st_gid, mode(f)) == (nobody.pw_uid, nobody.pw_gid, 0o660), f


def test_a_private_file_gets_no_warning(office, db_path):
    r = office("customer", "list")
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    assert mode(db_path) == 0o600


# -- a read-only database -------------------------------------------------------------


def test_a_read_only_database_serves_reads_and_refuses_writes(office, db_path):
    checkpointed(db_path)
    db_path.chmod(0o400)
    before = snapshot(db_path)
    calls = read_only_count(db_path, "calls")
    # A later day: the greeting roll would write; on a read-only database it is skipped.
    for command in (
        ("due",),
        ("due", "--format", "json"),
        ("customer", "list"),
        ("customer", "show", "C001"),
        ("ticket", "list"),
        ("report", "daily"),
        ("export", "customers"),
    ):
        r = office(*command, today="2026-11-30")
        assert r.exit_code == 0, (command, r.output)
        assert "Error" not in r.stderr, (command, r.stderr)
    assert snapshot(db_path) == before
    assert mode(db_path) == 0o400

    r = office("log-call", "C002", "--outcome", "reached")
    assert_refused(
        r,
        f"Error: the database is read-only: {db_path} has no write permission (mode 0400)",
        "Nothing was written",
        "chmod u+w",
    )
    assert snapshot(db_path) == before
    assert read_only_count(db_path, "calls") == calls
    assert mode(db_path) == 0o400


@pytest.mark.parametrize(
    "command",
    [
        ("customer", "add", "甲公司"),
        ("staff", "add", "王五", "--role", "clerk"),
        ("escalate", "--auto"),
        ("import", "customers", "CSV"),
        ("init",),
    ],
)
def test_every_write_on_a_read_only_database_is_refused(office, db_path, tmp_path, command):
    csv = tmp_path / "new.csv"
    csv.write_text("客户编号,客户名称,等级\nC900,新来的公司,二级\n", encoding="utf-8")
    command = tuple(str(csv) if part == "CSV" else part for part in command)
    checkpointed(db_path)
    db_path.chmod(0o444)
    before = snapshot(db_path)
    customers, staff = read_only_count(db_path, "customers"), read_only_count(db_path, "staff")
    r = office(*command)
    if command == ("init",):
        # init has nothing to do on a current database: it says so and writes nothing.
        assert r.exit_code == 0, r.output
    else:
        assert_refused(r, "the database is read-only", "Nothing was written")
    assert snapshot(db_path) == before
    assert read_only_count(db_path, "customers") == customers
    assert read_only_count(db_path, "staff") == staff


def test_a_database_in_a_read_only_folder(office, db_path, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "office.db"
    shutil.copyfile(checkpointed(db_path), db)
    db.chmod(0o600)
    folder.chmod(0o500)
    try:
        before = snapshot(db)
        r = office("due", db=db, today="2026-11-30")
        assert r.exit_code == 0, r.output
        r = office("log-call", "C002", "--outcome", "reached", db=db)
        assert_refused(r, f"the database is read-only: its folder {folder} is read-only")
        assert "corrupt" not in r.stderr
        assert snapshot(db) == before
        assert mode(folder) == 0o500
    finally:
        folder.chmod(0o700)


def test_a_read_only_database_behind_the_schema_is_refused_untouched(run, tmp_path):
    db = v1_copy(tmp_path)
    db.chmod(0o400)
    before = snapshot(db)
    r = run("due", db=db)
    assert_refused(
        r,
        f"{db} is read-only and its schema (v1) is older than this followup's (v{SCHEMA_VERSION})",
        "Make it writable once",
    )
    assert snapshot(db) == before
    assert backups(tmp_path) == []


def test_read_only_is_told_by_the_write_bits_and_access(tmp_path):
    from followup_cli.store.files import read_only_reason

    db = tmp_path / "x.db"
    db.write_bytes(b"")
    assert read_only_reason(db) is None
    db.chmod(0o444)
    assert read_only_reason(db) == f"{db} has no write permission (mode 0444)"
    db.chmod(0o640)
    tmp_path.chmod(0o555)
    try:
        assert read_only_reason(db) == f"its folder {tmp_path} is read-only for you (mode 0555)"
    finally:
        tmp_path.chmod(0o755)


def test_a_read_only_connection_is_known_and_refuses_in_write_transaction(office, db_path):
    from followup_cli.store import write_transaction
    from followup_cli.store.connection import is_read_only

    checkpointed(db_path).chmod(0o400)
    conn = open_database(db_path)
    try:
        assert is_read_only(conn)
        with (
            pytest.raises(StorageError, match="the database is read-only"),
            write_transaction(conn),
        ):
            raise AssertionError("never reached")
        assert not conn.in_transaction
    finally:
        conn.close()


# -- another program's database --------------------------------------------------------


def foreign(path: Path, *, user_version: int = 0, application_id: int = 0) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO orders (total) VALUES (9.5)")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.execute(f"PRAGMA application_id = {application_id}")
    conn.close()
    path.chmod(0o644)
    return path


@pytest.mark.parametrize(
    ("user_version", "application_id", "message"),
    [
        (3, 0, "is not a followup database (it holds other tables)"),
        (0, 0, "is not a followup database (it holds other tables)"),
        (7, 0x4C4F4F4B, "belongs to another program (application id 0x4c4f4f4b)"),
    ],
)
@pytest.mark.parametrize("command", [("customer", "list"), ("log-call", "C001"), ("db", "check")])
def test_another_programs_database_is_refused_untouched(
    run, tmp_path, user_version, application_id, message, command
):
    db = foreign(tmp_path / "other.db", user_version=user_version, application_id=application_id)
    before = snapshot(db)
    r = run(*command, db=db)
    assert_refused(r, f"{db} {message}", "followup left it untouched")
    assert snapshot(db) == before  # no WAL switch (the header would say so), no chmod
    assert sorted(p.name for p in tmp_path.glob("other.db*")) == ["other.db"]  # no -wal, no -shm


def test_init_on_another_programs_database_is_refused_untouched(run, tmp_path):
    db = foreign(tmp_path / "other.db", user_version=3)
    before = snapshot(db)
    r = run("init", db=db)
    assert_refused(r, f"{db} holds tables of another program")
    assert snapshot(db) == before
    assert sorted(p.name for p in tmp_path.glob("other.db*")) == ["other.db"]


@pytest.mark.parametrize("version", [-1, -2147483648])
def test_a_nonsense_schema_version_is_refused_untouched(office, db_path, version):
    checkpointed(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    before = snapshot(db_path)
    r = office("customer", "list")
    assert_refused(
        r, f"{db_path} has an impossible schema version ({version})", "Restore the latest backup"
    )
    assert snapshot(db_path) == before


def test_a_new_database_carries_followups_application_id(run, db_path):
    assert run("init").exit_code == 0
    assert header_field(db_path, 68) == APPLICATION_ID
    assert header_field(db_path, 60) == SCHEMA_VERSION


def test_a_current_database_without_the_id_gets_it_on_the_first_writable_open(office, db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA application_id = 0")
    conn.close()
    r = office("customer", "list")  # recognised by its version and its own tables
    assert r.exit_code == 0, r.output
    checkpointed(db_path)
    assert header_field(db_path, 68) == APPLICATION_ID


def test_identify_reads_only(tmp_path):
    from followup_cli.store.identity import identify

    db = foreign(tmp_path / "other.db", user_version=3)
    before = snapshot(db)
    conn = sqlite3.connect(db)
    try:
        with pytest.raises(StorageError, match="it holds other tables"):
            identify(conn, db, create=False, known=SCHEMA_VERSION)
    finally:
        conn.close()
    assert snapshot(db) == before


# -- migrations under concurrency and crashes -----------------------------------------


def followup(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "followup_cli", "--db", str(db), "--today", TODAY, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TZ": "Asia/Shanghai", **(env or {})},
    )


def schema_of(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_two_commands_opening_a_v1_database_at_once_both_succeed(tmp_path):
    db = v1_copy(tmp_path)
    procs = [followup(db, "customer", "list"), followup(db, "due"), followup(db, "db", "check")]
    results = [(p.wait(timeout=120), p.communicate()) for p in procs]
    for code, (_out, err) in results:
        assert code == 0, err
        assert "Traceback" not in err
    assert schema_of(db) == SCHEMA_VERSION
    assert [p.name for p in backups(tmp_path)] == ["office.db.v1.bak"]
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


KILLED_MID_BACKUP = """
import os, signal, sys
from followup_cli.store import files

def copy_then_die(path, dest):
    real_copy(path, dest)
    with open(dest, "r+b") as fh:
        fh.truncate(os.path.getsize(dest) // 2)
    os.kill(os.getpid(), signal.SIGKILL)

real_copy = files._copy_database
files._copy_database = copy_then_die
from followup_cli.cli.app import main
sys.argv = ["followup", "--db", sys.argv[1], "--today", "2026-11-23", "customer", "list"]
main()
"""


def test_a_kill_during_the_backup_leaves_no_backup_and_the_next_run_cleans_up(tmp_path, run):
    db = v1_copy(tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_BACKUP, str(db)],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "Asia/Shanghai"},
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    assert backups(tmp_path) == []  # only the half copy, under a temp name
    stale = [p for p in tmp_path.iterdir() if p.name.startswith(".office.db.v1.bak.tmp")]
    assert stale
    assert schema_of(db) == 1
    assert read_only_count(db, "customers") > 0

    r = run("customer", "list", db=db)
    assert r.exit_code == 0, r.output
    assert schema_of(db) == SCHEMA_VERSION
    assert [p.name for p in backups(tmp_path)] == ["office.db.v1.bak"]
    assert schema_of(tmp_path / "office.db.v1.bak") == 1
    assert [p for p in tmp_path.iterdir() if ".tmp" in p.name] == []


def test_a_failed_backup_leaves_nothing_named_like_a_backup(tmp_path, run, monkeypatch):
    from followup_cli.store import files

    db = v1_copy(tmp_path)

    def broken(path: Path, dest: Path) -> None:
        dest.write_bytes(b"SQLite format 3\x00 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_copy_database", broken)
    r = run("customer", "list", db=db)
    assert_refused(
        r,
        f"cannot write the backup {tmp_path / 'office.db.v1.bak'} taken before the upgrade:"
        " No space left on device",
        "Nothing was changed",
    )
    assert backups(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert schema_of(db) == 1


def test_repeated_failed_migrations_leave_one_backup_per_version(tmp_path, run, monkeypatch):
    from followup_cli.store import migrations

    db = v1_copy(tmp_path)

    def broken(database: object) -> None:
        raise RuntimeError("disk full")

    broken.__name__ = "m002_report_indexes"
    monkeypatch.setattr(migrations, "MIGRATIONS", [migrations.m001_initial, broken])
    for _attempt in range(3):
        r = run("customer", "list", db=db)
        assert r.exit_code != 0
        assert schema_of(db) == 1
    assert [p.name for p in backups(tmp_path)] == ["office.db.v1.bak"]
    first = (tmp_path / "office.db.v1.bak").stat().st_mtime_ns
    monkeypatch.undo()
    r = run("customer", "list", db=db)
    assert r.exit_code == 0, r.output
    assert [p.name for p in backups(tmp_path)] == ["office.db.v1.bak"]
    assert (tmp_path / "office.db.v1.bak").stat().st_mtime_ns == first  # kept, not rewritten


def test_a_broken_backup_of_that_version_is_replaced(tmp_path):
    from followup_cli.store.files import migration_backup

    db = v1_copy(tmp_path)
    bad = tmp_path / "office.db.v1.bak"
    bad.write_bytes(b"SQLite format 3\x00" + b"\0" * 100)
    assert migration_backup(db, 1) == bad
    assert schema_of(bad) == 1
    assert mode(bad) == 0o600


def test_a_link_in_the_way_of_the_backup_is_refused(tmp_path):
    from followup_cli.store.files import migration_backup

    db = v1_copy(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (tmp_path / "office.db.v1.bak").symlink_to(victim)
    with pytest.raises(StorageError, match="is in the way of the backup"):
        migration_backup(db, 1)
    assert victim.read_text() == "keep"


# -- other filesystems: the mount table -----------------------------------------------

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:26 / /srv rw,relatime shared:2 - ext4 /dev/sdb1 rw
31 30 0:40 / /srv/office\\040share\\011tab rw,relatime shared:3 - nfs4 fs:/export rw
32 31 0:41 / /srv/office\\040share\\011tab/local rw shared:4 master:9 - tmpfs tmpfs rw
33 22 0:42 / /home/li/smb rw,nosuid,nodev - fuse.gvfsd-fuse gvfsd-fuse rw
34 22 0:43 / /mnt/back\\134slash rw - cifs //nas/share rw
"""


def test_mountinfo_fields_and_escapes_are_decoded(tmp_path):
    from followup_cli.store import filesystems as fs

    table = fs.parse_mountinfo(MOUNTINFO)
    assert table == [
        ("/", "ext4"),
        ("/srv", "ext4"),
        ("/srv/office share\ttab", "nfs4"),
        ("/srv/office share\ttab/local", "tmpfs"),
        ("/home/li/smb", "fuse.gvfsd-fuse"),
        ("/mnt/back\\slash", "cifs"),
    ]
    assert fs.decode_mount_field("a\\012b") == "a\nb"


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("/srv/office share\ttab/followup.db", "nfs4"),
        ("/srv/office share\ttab/local/followup.db", "tmpfs"),  # the longest mount wins
        ("/srv/office share/followup.db", "ext4"),
        ("/srv", "ext4"),
        ("/srvx/followup.db", "ext4"),
        ("/home/li/smb/followup.db", "fuse.gvfsd-fuse"),
        ("/mnt/back\\slash/f.db", "cifs"),
    ],
)
def test_the_longest_mount_point_holding_the_path_wins(target, kind):
    from followup_cli.store import filesystems as fs

    assert fs.holding_mount(target, fs.parse_mountinfo(MOUNTINFO)) == kind


def test_the_mounts_file_is_the_fallback(tmp_path):
    from followup_cli.store import filesystems as fs

    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\nfs:/x /data\\040x nfs rw 0 0\n")
    table = fs.mount_table(tmp_path / "missing-mountinfo", mounts)
    assert fs.holding_mount("/data x/f.db", table) == "nfs"


@pytest.mark.parametrize(
    "kind",
    [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "fuse.sshfs",
        "fuse.gvfsd-fuse", "davfs", "fuse.davfs2", "fuse.rclone", "glusterfs",
        "fuse.glusterfs", "ceph", "fuse.ceph", "lustre", "gpfs", "fuse.s3fs", "ocfs2",
        "gfs2", "beegfs",
    ],
)  # fmt: skip
def test_the_network_filesystems_named_in_the_issue_are_listed(kind):
    from followup_cli.store import filesystems as fs

    assert fs.is_network_filesystem(kind)


@pytest.mark.parametrize("kind", ["ext4", "xfs", "btrfs", "tmpfs", "zfs", "overlay", None])
def test_local_filesystems_are_not(kind):
    from followup_cli.store import filesystems as fs

    assert not fs.is_network_filesystem(kind)


@pytest.mark.parametrize("kind", ["fuse.gvfsd-fuse", "fuse.rclone", "ceph", "lustre", "beegfs"])
def test_a_database_on_a_network_filesystem_is_refused_untouched(
    office, db_path, tmp_path, monkeypatch, kind
):
    from followup_cli.store import filesystems as fs

    folder = tmp_path / "net\tshare x"
    folder.mkdir()
    db = folder / "office.db"
    shutil.copyfile(checkpointed(db_path), db)
    escaped = str(folder).replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011")
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        f"22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n"
        f"40 22 0:50 / {escaped} rw,nosuid shared:7 - {kind} server:/share rw\n"
    )
    monkeypatch.setattr(fs, "MOUNTINFO", mountinfo)
    before = snapshot(db)
    r = office("customer", "list", db=db)
    assert_refused(r, f"is on a network filesystem ({kind})", "Keep the database on a local disk")
    assert snapshot(db) == before
    assert sorted(p.name for p in folder.iterdir()) == ["office.db"]
    r = office("init", db=folder / "new.db")
    assert_refused(r, f"is on a network filesystem ({kind})")
    assert not (folder / "new.db").exists()


# -- as another user: what root's permissions hide -------------------------------------

SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.fixture
def as_nobody(tmp_path):
    """Run followup as the user nobody (setpriv), in a folder owned by root (0755) that
    nobody may enter but not write; skipped where that cannot be arranged."""
    if os.geteuid() != 0 or not shutil.which("setpriv") or not SYSTEM_PYTHON.exists():
        pytest.skip("needs root, setpriv and /usr/bin/python3")
    import followup_cli

    src = Path(followup_cli.__file__).resolve().parent.parent
    import typer

    site = Path(typer.__file__).resolve().parent.parent
    folder = Path(tempfile.mkdtemp(prefix="followup-nobody-", dir="/tmp"))
    folder.chmod(0o755)

    def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
            + [str(SYSTEM_PYTHON), "-m", "followup_cli", "--db", str(db), "--today", TODAY]
            + list(args),
            capture_output=True,
            text=True,
            timeout=120,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "PYTHONPATH": f"{src}:{site}",
                "HOME": str(folder),
                "FOLLOWUP_LANGUAGE": "en",
                "FOLLOWUP_STAFF": "李娜",
                "TZ": "Asia/Shanghai",
            },
        )

    probe = run(folder / "none.db", "db", "path")
    if probe.returncode != 0:
        shutil.rmtree(folder)
        pytest.skip(f"followup does not run as nobody here: {probe.stderr[-200:]}")
    yield folder, run
    shutil.rmtree(folder)


def test_another_users_database_is_read_and_not_written(office, db_path, as_nobody):
    folder, run_as_nobody = as_nobody
    db = folder / "office.db"
    shutil.copyfile(checkpointed(db_path), db)
    db.chmod(0o644)  # root's, readable by all: nobody reads, may not write
    before = snapshot(db)
    calls = read_only_count(db, "calls")
    r = run_as_nobody(db, "customer", "list")
    assert r.returncode == 0, r.stderr
    assert "C001" in r.stdout
    r = run_as_nobody(db, "log-call", "C002", "--outcome", "reached")
    assert r.returncode == 1, r.stderr
    assert f"Error: the database is read-only: {db} belongs to root and you may not write" in (
        r.stderr
    )
    assert "corrupt" not in r.stderr and "Traceback" not in r.stderr
    assert snapshot(db) == before
    assert read_only_count(db, "calls") == calls
    assert sorted(p.name for p in folder.iterdir()) == ["office.db"]


def test_a_wal_database_in_a_folder_nobody_may_write_says_so(office, db_path, as_nobody):
    folder, run_as_nobody = as_nobody
    db = folder / "office.db"
    shutil.copyfile(checkpointed(db_path), db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()  # the last connection removes -wal and -shm: none are left
    db.chmod(0o666)  # writable by all, but its folder is not
    before = snapshot(db)
    r = run_as_nobody(db, "due")
    assert r.returncode == 1, r.stderr
    assert (
        f"Error: cannot read {db}: SQLite needs to create office.db-shm in its folder {folder},"
        " and you may not write there"
    ) in r.stderr
    assert "corrupt" not in r.stderr and "Traceback" not in r.stderr
    assert snapshot(db) == before
