"""Bad input never gives exit 70 (issue 16, "Exit 70 from bad input" and "Dates outside
the supported range"): invalid UTF-8 in arguments and the environment, integers SQLite
cannot hold, a huge search, unusable output names, a full disk, a closed or full stdout,
a reader that quits, and dates out of 1900–2200. Each: a one-line error with the right
exit code, and nothing written.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import open_db, sqlite_only

TODAY = "2026-11-23"
BAD = "\udcff"  # the byte 0xff, as Python hands a non-UTF-8 argument over (surrogateescape)


def counts(db: Path) -> dict[str, int]:
    conn = open_db(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def assert_error(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    assert r.stderr.startswith(("Error: ", "错误：", "Usage: ", "用法：")), r.stderr
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


def followup(db: Path, *args: str | bytes, **kwargs) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "followup_cli", "--db", str(db), "--today", TODAY, *args]
    env = {**os.environ, "TZ": "Asia/Shanghai", "FOLLOWUP_STAFF": "李娜", **kwargs.pop("env", {})}
    return subprocess.run(
        [a if isinstance(a, bytes) else os.fsencode(a) for a in argv],
        capture_output=kwargs.pop("capture_output", True),
        env=env,
        timeout=60,
        **kwargs,
    )


# -- invalid UTF-8 in arguments --------------------------------------------------------

UTF8_CASES = [
    ("customer", "show", BAD),  # an argument
    ("customer", "add", f"公司{BAD}", "--grade", "2"),  # an argument of a write
    ("customer", "list", "--search", BAD),  # a text option
    ("customer", "list", f"--search={BAD}"),  # the --opt=value form
    ("customer", "list", "--limit", f"1{BAD}"),  # an integer option
    ("customer", "list", "--format", BAD),  # a choice
    ("due", "--date", BAD),  # a date option
    ("due", "--staff", BAD),
    ("log-call", "C001", "--outcome", "reached", "--by", BAD),  # --by
    ("log-call", "C001", "--outcome", "reached", "--answer", f"k={BAD}"),  # repeatable
    ("log-call", "C001", "--outcome", "reached", "--wide", BAD),  # a stray argument
    ("ticket", "show", BAD),
    ("ticket", "open", "C001", "--summary", f"坏了{BAD}"),
    ("export", "customers", "--output", f"out{BAD}.csv"),  # a path option
    ("import", "customers", f"客户{BAD}.csv"),  # a path argument
    ("db", "backup", f"b{BAD}.db"),
    (f"cust{BAD}omer", "show", "C001"),  # a command: the did-you-mean path
    ("customer", f"sh{BAD}ow", "C001"),  # a subcommand
    (f"--{BAD}", "due"),  # an unknown option
    ("due", f"--{BAD}"),
    ("--config", f"c{BAD}.toml", "due"),  # a root path option
    ("--today", f"2026{BAD}", "due"),  # a root date option
]


@pytest.mark.parametrize(
    "args",
    UTF8_CASES,
    ids=lambda a: (
        " ".join(a).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    ),
)
def test_invalid_utf8_in_any_argument_is_a_one_line_usage_error(
    office, db_path, tmp_path, monkeypatch, args
):
    monkeypatch.chdir(tmp_path)  # (main wrote `out\xff.csv` into the folder it ran in)
    files = sorted(os.listdir(tmp_path))
    before = counts(db_path)
    r = office(*args)
    assert_error(r, 2, "is not valid UTF-8 text", "\\xff")
    assert r.stderr.startswith("Error: the argument '"), r.stderr
    assert len(r.stderr.splitlines()) == 2  # the error and what to do
    assert "\udcff" not in r.output
    assert "UnicodeEncodeError" not in r.output
    assert counts(db_path) == before
    assert sorted(os.listdir(tmp_path)) == files


@pytest.mark.parametrize(
    "raw",
    [b"\xff", b"\xe4\xb8", b"\xc0\xaf", b"\xed\xa0\x80", "山东".encode("gbk")],
    ids=["ff", "truncated", "overlong", "surrogate", "gbk"],
)
def test_invalid_utf8_bytes_in_real_argv(office, db_path, tmp_path, raw):
    files = sorted(os.listdir(tmp_path))
    before = counts(db_path)
    for args in (
        (b"customer", b"show", raw),
        (b"customer", b"add", raw, b"--grade", b"2"),
        (b"cust" + raw + b"omer",),
        (b"export", b"customers", b"--output", raw),
    ):
        p = followup(db_path, *args, cwd=tmp_path)
        assert p.returncode == 2, (args, p.stderr)
        err = p.stderr.decode("utf-8")  # what reached the terminal is UTF-8 text
        assert err.startswith("Error: the argument '"), err
        assert "is not valid UTF-8 text" in err
        assert "\\x" in err and "Traceback" not in err
        assert p.stdout == b""
    assert counts(db_path) == before
    assert sorted(os.listdir(tmp_path)) == files


def test_invalid_utf8_in_the_environment_is_refused(office, db_path):
    before = counts(db_path)
    r = office("log-call", "C001", "--outcome", "reached", env={"FOLLOWUP_STAFF": BAD})
    assert_error(r, 2, "the environment variable FOLLOWUP_STAFF ('\\xff') is not valid UTF-8")
    p = followup(db_path, "due", env={"FOLLOWUP_STAFF": os.fsdecode(b"\xff")})
    assert p.returncode == 2, p.stderr
    assert b"FOLLOWUP_STAFF ('\\xff')" in p.stderr
    assert counts(db_path) == before


def test_invalid_utf8_refusal_reads_in_chinese(office):
    r = office("customer", "show", BAD, env={"FOLLOWUP_LANGUAGE": "zh_CN"})
    assert_error(r, 2, "错误：参数“\\xff”不是有效的 UTF-8 文本")


def test_valid_text_arguments_still_work(office):
    r = office("customer", "show", "C001")
    assert r.exit_code == 0, r.output


# -- integers SQLite cannot hold, and a huge search --------------------------------------

HUGE = "99999999999999999999"  # > 2**63


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("ticket", "show", HUGE), 1, f"Error: no ticket #{HUGE}"),
        (("ticket", "show", "#" + HUGE), 1, f"Error: no ticket #{HUGE}"),
        (("ticket", "close", HUGE), 1, f"Error: no ticket #{HUGE}"),
        (("escalate", HUGE, "--reason", "x"), 1, f"Error: no ticket #{HUGE}"),
        (("ticket", "show", "9" * 5000), 1, "Error: no ticket #9999"),
        (("customer", "show", HUGE), 1, f"no customer matches '{HUGE}'"),
        (("customer", "show", "9" * 5000), 1, "no customer matches"),
        (("callback", "skip", HUGE), 2, "is too large (at most 9223372036854775807)"),
        (("callback", "skip", "--reason", "x", "--", "-5"), 2, "-5 is not in the range x>=1"),
        (("callback", "reschedule", HUGE, "2026-12-01"), 2, "is too large"),
        (("callback", "reschedule", "9" * 5000, "2026-12-01"), 2, "is not a whole number from 1"),
        (
            ("log-call", "C001", "--outcome", "reached", "--callback", HUGE),
            2,
            "'--callback': 99999999999999999999 is too large",
        ),
        (("due", "--limit", HUGE), 2, "is too large (at most 9223372036854775807)"),
        (("due", "--limit", str(2**63)), 2, f"{2**63} is too large"),
        (("due", "--limit", "0"), 2, "0 is not in the range x>=1"),
        (("due", "--limit", "1e30"), 2, "'1e30' is not a valid int"),
        (("due", "--days", "2147483648"), 2, "'--days': 2147483648 is not in the range 0<=x<=3660"),
        (("due", "--days", HUGE), 2, "is not in the range 0<=x<=3660"),
        (("due", "--days", "-1"), 2, "is not in the range"),
        (("customer", "list", "--limit", HUGE), 2, "is too large"),
        (("event", "list", "C001", "--limit", HUGE), 2, "is too large"),
    ],
)
def test_huge_and_negative_integers_are_refused_cleanly(office, db_path, args, code, message):
    before = counts(db_path)
    r = office(*args)
    assert_error(r, code, message)
    assert "OverflowError" not in r.output and "int too large" not in r.output
    assert counts(db_path) == before


def test_the_largest_id_sqlite_holds_is_simply_not_found(office):
    r = office("ticket", "show", str(2**63 - 1))
    assert_error(r, 1, f"no ticket #{2**63 - 1}")
    r = office("callback", "reschedule", str(2**63 - 1), "2026-12-01")
    assert_error(r, 1, f"no callback #{2**63 - 1}")


def test_due_days_at_the_cap_works(office):
    r = office("due", "--days", "3660", "--format", "json")
    assert r.exit_code == 0, r.output


def test_a_128_kib_search_is_refused_as_too_long(office, db_path):
    before = counts(db_path)
    r = office("customer", "list", "--search", "x" * 128 * 1024)
    assert_error(r, 2, "Error: Invalid value for '--search'", "expected at most 200 characters")
    assert "LIKE" not in r.output
    assert len(r.stderr) < 500  # the text is not echoed whole
    assert counts(db_path) == before
    r = office("customer", "list", "--search", "鲁建")
    assert r.exit_code == 0, r.output
    assert "C001" in r.stdout


def test_a_128_kib_customer_name_is_simply_not_found(office, db_path):
    r = office("customer", "show", "x" * 128 * 1024)
    assert_error(r, 1, "no customer matches")
    assert "LIKE" not in r.output
    assert "'" + "x" * 80 + "…(131,072)'" in r.stderr  # the text is not echoed whole
    assert len(r.stderr) < 500
    short = office("customer", "show", "无此客户")
    assert "no customer matches '无此客户'" in short.stderr  # a short one is, as given


# -- output names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("export", "customers", "--output", ""), 2, "an empty name is not a file name"),
        (("export", "customers", "-o", " "), 2, "an empty name is not a file name"),
        (("export", "customers", "--output", "/"), 1, "Error: / is a folder, not a file"),
        (("export", "customers", "--output", "a" * 256), 2, "is too long (256 bytes; at most 255)"),
        (("export", "customers", "--output", "客" * 86), 2, "is too long (258 bytes; at most 255)"),
        (
            ("export", "customers", "--output", "a/" * 2100),
            2,
            "is too long (4200 bytes; at most 4095)",
        ),
        (("db", "backup", ""), 2, "an empty name is not a file name"),
        (("db", "backup", "b" * 300 + ".db"), 2, "is too long"),
        (("config", "init", ""), 2, "an empty name is not a file name"),
        (("config", "init", "c" * 300), 2, "is too long"),
    ],
)
def test_unusable_output_names_are_refused(
    office, db_path, tmp_path, monkeypatch, args, code, message
):
    monkeypatch.chdir(tmp_path)
    files = sorted(os.listdir(tmp_path))
    before = counts(db_path)
    r = office(*args)
    assert_error(r, code, message)
    assert len(r.stderr) < 600
    assert sorted(os.listdir(tmp_path)) == files
    assert counts(db_path) == before


# -- a full disk -------------------------------------------------------------------------


def test_disk_full_is_recognised() -> None:
    from followup_cli.support.errors import is_disk_full

    assert is_disk_full(OSError(28, "No space left on device"))
    assert is_disk_full(sqlite3.OperationalError("database or disk is full"))
    assert not is_disk_full(sqlite3.OperationalError("database is locked"))
    assert not is_disk_full(OSError(13, "Permission denied"))


@pytest.fixture
def full_database(office, db_path, monkeypatch):
    """The office database, opened by every command with no room to grow: SQLite's
    max_page_count at its current size gives the very SQLITE_FULL a full disk gives."""
    import followup_cli.store as store

    real_open = store.open_database

    def cramped(*args, **kwargs):
        conn = real_open(*args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(store, "open_database", cramped)
    return office


@sqlite_only("a full disk under the database file")
def test_a_full_database_says_the_disk_is_full_and_writes_nothing(full_database, db_path, tmp_path):
    csv = tmp_path / "many.csv"
    csv.write_text(
        "code,name,grade,note\n"
        + "".join(f"Z{i:05d},公司{i}号,3,{'备注' * 100}\n" for i in range(500)),
        encoding="utf-8",
    )
    before = counts(db_path)
    r = full_database("import", "customers", str(csv))
    assert_error(r, 1, f"Error: the disk is full: cannot write {db_path}", "Nothing was saved")
    assert "database error" not in r.output
    assert counts(db_path) == before


def _mount_tmpfs(folder: Path, size: str) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root (the simulated full disk covers it)")
    folder.mkdir()
    p = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if p.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {p.stderr.strip()}")


def _fill(folder: Path, leave: int) -> None:
    free = shutil.disk_usage(folder).free
    with open(folder / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


@pytest.fixture
def small_disk(tmp_path: Path):
    folder = tmp_path / "small"
    _mount_tmpfs(folder, "1m")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@sqlite_only("a full disk under the database file")
def test_a_full_disk_for_real(small_disk, office_template, tmp_path):
    """On a 1 MiB tmpfs: the database write, the export and the backup each say the disk
    is full (exit 1), and nothing is left half written."""
    db = small_disk / "followup.db"
    shutil.copyfile(office_template, db)
    assert followup(db, "due").returncode == 0  # WAL and shared memory exist before the disk fills
    csv = tmp_path / "many.csv"
    csv.write_text(
        "code,name,grade,note\n"
        + "".join(f"Z{i:05d},公司{i}号,3,{'备注' * 100}\n" for i in range(2000)),
        encoding="utf-8",
    )
    _fill(small_disk, 64 * 1024)
    before = counts(db)
    p = followup(db, "import", "customers", str(csv))
    err = p.stderr.decode()
    assert p.returncode == 1, err
    assert err.startswith(f"Error: the disk is full: cannot write {db}"), err
    assert "Nothing was saved" in err
    assert counts(db) == before
    # The export and the backup of a database elsewhere, onto the full disk.
    (small_disk / "filler").unlink()
    _fill(small_disk, 0)
    elsewhere = tmp_path / "elsewhere.db"
    shutil.copyfile(office_template, elsewhere)
    elsewhere.chmod(0o600)  # as followup makes it: no "others may read it" warning
    on_disk = sorted(os.listdir(small_disk))
    for args, target in (
        (("export", "customers", "--output", str(small_disk / "out.csv")), "out.csv"),
        (("db", "backup", str(small_disk / "copy.db")), "copy.db"),
    ):
        p = followup(elsewhere, *args)
        err = p.stderr.decode()
        assert p.returncode == 1, err
        assert err.startswith(f"Error: the disk is full: cannot write {small_disk / target}"), err
        assert sorted(os.listdir(small_disk)) == on_disk  # no half-written file, no .part
    (small_disk / "filler").unlink()
    assert counts(db) == before


# -- stdout closed, full, or gone --------------------------------------------------------


@sqlite_only("a full disk under the database file")
def test_a_full_disk_at_open_says_the_disk_is_full(small_disk, office_template):
    """A database closed cleanly (no -wal, no -shm beside it) on a disk with no room:
    SQLite cannot make its shared-memory file and says only "disk I/O error"; followup
    says the disk is full (exit 1), not that the file may be corrupt, and the file is
    left as it was."""
    db = small_disk / "followup.db"
    shutil.copyfile(office_template, db)
    db.chmod(0o600)
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    data = db.read_bytes()
    _fill(small_disk, 0)
    p = followup(db, "due")
    err = p.stderr.decode()
    assert p.returncode == 1, err
    assert err.startswith(f"Error: the disk is full: cannot write {db}"), err
    assert "corrupt" not in err
    assert db.read_bytes() == data


def _shell(command: str, db: Path) -> subprocess.CompletedProcess[bytes]:
    exe = f"{sys.executable} -m followup_cli --db {db} --today {TODAY}"
    # (stdout buffered, as in a user's shell: PYTHONUNBUFFERED, if this one sets it,
    # would hide what is left in the buffer when the reader has gone)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        ["sh", "-c", command.replace("FOLLOWUP", exe)],
        capture_output=True,
        env={**env, "TZ": "Asia/Shanghai", "FOLLOWUP_STAFF": "李娜"},
        timeout=60,
    )


def test_a_closed_stdout_is_a_one_line_error(office, db_path):
    p = _shell("FOLLOWUP due --days 30 >&-", db_path)
    assert p.returncode == 1, p.stderr
    lines = p.stderr.decode().splitlines()
    assert lines[0] == "Error: cannot write the output: standard output is closed", lines
    assert len(lines) == 2 and "Traceback" not in p.stderr.decode()


def test_stdout_on_a_full_device_is_a_one_line_error(office, db_path):
    for command in ("FOLLOWUP due --days 30 > /dev/full", "FOLLOWUP export customers > /dev/full"):
        p = _shell(command, db_path)
        assert p.returncode == 1, (command, p.stderr)
        lines = p.stderr.decode().splitlines()
        assert lines[0] == "Error: cannot write the output: the disk is full", lines
        assert len(lines) == 2 and "Exception ignored" not in p.stderr.decode()


@pytest.mark.parametrize(
    "command", ["FOLLOWUP --version", "FOLLOWUP config init -", "FOLLOWUP db path"]
)
@pytest.mark.parametrize("redirect", [">&-", "> /dev/full"])
def test_output_outside_a_command_body_fails_cleanly_too(office, db_path, command, redirect):
    p = _shell(f"{command} {redirect}", db_path)
    assert p.returncode == 1, p.stderr
    lines = p.stderr.decode().splitlines()
    assert lines[0].startswith("Error: cannot write the output: "), lines
    assert len(lines) == 2, lines


def test_a_reader_that_quits_is_a_quiet_exit(office, db_path, tmp_path):
    err = tmp_path / "err.txt"
    p = _shell(f"FOLLOWUP export customers 2>{err} | head -c 10 >/dev/null", db_path)
    assert p.returncode == 0
    assert err.read_bytes() == b""
    p = _shell(f"FOLLOWUP due --days 3660 2>{err} | head -1 >/dev/null", db_path)
    assert err.read_bytes() == b""
    # A reader gone before the first line: Python's own flush at exit found the rest of
    # the buffer and said "Exception ignored ... BrokenPipeError" (exit 120).
    for reader in ("true", "head -c 1 >/dev/null"):
        p = _shell(f"(FOLLOWUP due --days 3660 2>{err}; echo $? >{tmp_path}/code) | {reader}",
                   db_path)  # fmt: skip
        assert p.returncode == 0, p.stderr
        assert err.read_bytes() == b""
        assert (tmp_path / "code").read_text().strip() in ("0", "1")  # Click's quiet exit


def test_a_closed_stdout_does_not_stop_a_command_that_prints_nothing_to_it(
    office, db_path, tmp_path
):
    out = tmp_path / "c.csv"
    p = _shell(f"FOLLOWUP export customers --output {out} >&-", db_path)
    assert p.returncode == 0, p.stderr  # its report goes to stderr
    assert out.read_text(encoding="utf-8-sig").startswith("code,")


# -- dates out of range ------------------------------------------------------------------

OUT_OF_RANGE = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01", "2201/1/1", "22010101"]
DATE_OPTIONS = [
    ("--today", "{d}", "due"),
    ("due", "--date", "{d}"),
    ("event", "add", "C001", "--kind", "sale", "--date", "{d}"),
    ("event", "list", "C001", "--from", "{d}"),
    ("event", "list", "C001", "--to", "{d}"),
    ("report", "satisfaction", "--from", "{d}"),
    ("report", "categories", "--to", "{d}"),
    ("report", "staff", "--from", "{d}"),
    ("report", "discrepancies", "--to", "{d}"),
    ("callback", "reschedule", "1", "{d}"),
    ("log-call", "C001", "--outcome", "reached", "--at", "{d}"),
    ("log-call", "C001", "--outcome", "reached", "--at", "{d} 10:00"),
    ("contact", "add", "C001", "王五", "--birthday", "{d}"),
]


@pytest.mark.parametrize("day", OUT_OF_RANGE)
@pytest.mark.parametrize("template", DATE_OPTIONS, ids=lambda t: " ".join(t[:3]))
def test_dates_out_of_range_say_so_in_every_date_option(office, db_path, template, day):
    before = counts(db_path)
    r = office(*(part.format(d=day) for part in template))
    assert_error(r, 65, "is out of range (1900–2200)")
    assert "is not a date" not in r.output and "not valid" not in r.output
    assert counts(db_path) == before


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_range_ends_are_accepted(office, day):
    r = office("--today", day, "due")
    assert r.exit_code == 0, r.output
    r = office("report", "satisfaction", "--from", "1900-01-01", "--to", day)
    assert r.exit_code == 0, r.output


def test_a_date_that_is_no_date_still_says_so(office):
    r = office("due", "--date", "9999-13-45")
    assert_error(r, 65, "Error: --date: '9999-13-45' is not a date")


def test_out_of_range_reads_in_chinese(office):
    r = office("--today", "9999-12-31", "due", env={"FOLLOWUP_LANGUAGE": "zh_CN"})
    assert_error(r, 65, "错误：--today：'9999-12-31' 超出范围（1900–2200 年）")


def test_the_range_is_one_rule_in_the_date_parsers() -> None:
    from followup_cli.support.dates import DateOutOfRange, parse_date, parse_datetime
    from followup_cli.support.errors import InvalidValue

    for text in ("9999-12-31", "1899-12-31", "2201-01-01", "0001/01/01", "2201年1月1日"):
        with pytest.raises(DateOutOfRange) as caught:
            parse_date(text)
        assert "out of range (1900–2200)" in caught.value.message
        assert isinstance(caught.value, InvalidValue)  # importers catch it as before
        with pytest.raises(DateOutOfRange):
            parse_datetime(text + " 10:00")
    assert parse_date("2200-12-31").year == 2200
    assert parse_date("1900-01-01").year == 1900
    with pytest.raises(InvalidValue) as caught:
        parse_date("9999-02-30")  # no such day, in any year
    assert not isinstance(caught.value, DateOutOfRange)


@pytest.mark.parametrize(
    "args",
    [("config", "init", "a\x00b"), ("--db", "\x00", "due"), ("--config", "c\x00", "due")],
)
def test_a_nul_in_an_argument_is_a_usage_error(office, db_path, tmp_path, monkeypatch, args):
    # (a real argv cannot hold a NUL; a program calling the CLI in-process can)
    monkeypatch.chdir(tmp_path)
    before = counts(db_path)
    r = office(*args)
    assert_error(r, 2, "contains a NUL character", "\\x00")
    assert "ValueError" not in r.output
    assert counts(db_path) == before
