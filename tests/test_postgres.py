"""followup on a real PostgreSQL server (issue 21): the same commands give the same
output as on a SQLite file, and a bad URL, a wrong password, a server that is down or a
database of a newer schema each get one line, the right exit code, no traceback and no
password. The server is tests/pg_server.py's throwaway one; no mock anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import ACTING, TODAY, Result, build_office
from followup_cli.cli.app import app

pytestmark = pytest.mark.usefixtures("pg_server")

CORE_FLOW = [
    ("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", "--ref", "WO1",
     "--staff", "赵强"),
    ("due", "--format", "json"),
    ("due", "--explain"),
    ("log-call", "C001", "--outcome", "reached", "--satisfaction", "2"),
    ("ticket", "open", "C002", "--summary", "漏油", "--category", "product.defect"),
    ("ticket", "resolve", "1", "--resolution", "换密封件"),
    ("ticket", "notify", "1", "--via", "phone"),
    ("ticket", "close", "1"),
    ("ticket", "show", "1", "--format", "json"),
    ("escalate", "--auto"),
    ("customer", "show", "C001"),
    ("customer", "list", "--format", "csv"),
    ("export", "calls"),
    ("export", "callbacks", "--format", "json"),
    ("report", "daily"),
    ("report", "complaints"),
    ("report", "staff", "--format", "json"),
]  # fmt: skip


def invoke(db: str, *args: str, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    r = runner.invoke(
        app,
        ["--db", db, "--today", TODAY, *args],
        env={"FOLLOWUP_STAFF": ACTING, "FOLLOWUP_NOW": "2026-11-23T09:00:00+08:00", **(env or {})},
    )
    return Result(r.exit_code, r.stdout, r.stderr, r.exception)


def test_the_core_flow_reads_the_same_on_both_engines(pg_server: Any, tmp_path: Path) -> None:
    url = pg_server.url(pg_server.new_database())
    file = str(tmp_path / "followup.db")
    for db in (file, url):
        assert invoke(db, "init").exit_code == 0
        build_office(lambda *a, db=db: invoke(db, *a))  # type: ignore[misc]
    for args in CORE_FLOW:
        on_file, on_server = invoke(file, *args), invoke(url, *args)
        assert on_server.exit_code == on_file.exit_code, (args, on_server.output)
        assert on_server.stdout.replace(url, "DB") == on_file.stdout.replace(file, "DB"), args


def test_init_twice_is_safe_and_names_the_schema(pg_server: Any) -> None:
    url = pg_server.url(pg_server.new_database())
    for _ in range(2):
        r = invoke(url, "init")
        assert r.exit_code == 0, r.output
        assert "(schema v" in r.stdout


def test_the_triggers_refuse_deleting_a_call_on_the_server(pg_server: Any) -> None:
    import psycopg

    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    build_office(lambda *a: invoke(url, *a))
    assert invoke(url, "log-call", "C001", "--outcome", "reached").exit_code == 0
    with psycopg.connect(url, autocommit=True) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute("DELETE FROM calls")
    assert "calls are never deleted" in str(caught.value)


def _one_line_error(r: Result, code: int) -> str:
    assert r.exit_code == code, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    assert r.stderr.startswith("Error: "), r.stderr
    return r.stderr


def test_a_malformed_url_is_one_line(pg_server: Any) -> None:
    err = _one_line_error(invoke("postgresql://u@h:notaport/db", "due"), 1)
    assert "not a valid PostgreSQL URL" in err


def test_a_wrong_password_is_refused_without_showing_it(pg_server: Any) -> None:
    name = pg_server.new_database()
    url = pg_server.url(name, user="clerk", password="wrong-Secret-9")
    err = _one_line_error(invoke(url, "init"), 1)
    assert "refused the login" in err
    assert "wrong-Secret-9" not in err
    from pg_server import CLERK_PASSWORD

    good = pg_server.url(name, user="clerk", password=CLERK_PASSWORD)
    r = invoke(good, "init")
    assert r.exit_code == 0, r.output
    assert CLERK_PASSWORD not in r.output


def test_a_server_that_is_down_is_exit_75_naming_the_host(tmp_path: Path) -> None:
    url = "postgresql://clerk:Pa55word@127.0.0.1:1/followup"
    err = _one_line_error(invoke(url, "due"), 75)
    assert "127.0.0.1" in err
    assert "Pa55word" not in err


def test_a_database_of_a_newer_schema_is_refused(pg_server: Any) -> None:
    import psycopg

    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO _migrations (name) VALUES ('m999_from_the_future')")
    err = _one_line_error(invoke(url, "due"), 1)
    assert "newer followup" in err


def test_another_programs_database_is_left_alone(pg_server: Any) -> None:
    url = pg_server.url(pg_server.new_database())
    pg_server.sql(url.rsplit("/", 1)[1], "CREATE TABLE orders (id int)")
    err = _one_line_error(invoke(url, "init"), 1)
    assert "not a followup database" in err


def test_without_the_driver_a_url_names_the_install_command(pg_server: Any) -> None:
    url = pg_server.url(pg_server.new_database())
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from followup_cli.cli.app import main\n"
        f"sys.argv = ['followup', '--db', {url!r}, 'due']\n"
        "main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert done.returncode == 1, done.stderr
    assert "pip install 'followup-cli[postgres]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_sqlite_start_up_never_loads_the_driver(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from followup_cli.cli.app import main\n"
        f"sys.argv = ['followup', '--db', {str(tmp_path / 'f.db')!r}, 'init']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'psycopg' not in sys.modules, 'psycopg loaded for a SQLite file'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


Runner = Callable[..., Result]


EXPORTS = ("customers", "contacts", "events", "calls", "tickets", "callbacks")


def test_db_copy_round_trip_gives_identical_exports(pg_server: Any, tmp_path: Path) -> None:
    first, back = str(tmp_path / "office.db"), str(tmp_path / "back.db")
    url = pg_server.url(pg_server.new_database())
    assert invoke(first, "init").exit_code == 0
    build_office(lambda *a: invoke(first, *a))
    for args in CORE_FLOW[:9]:
        invoke(first, *args)
    up = invoke(first, "db", "copy", first, url)
    assert up.exit_code == 0, up.output
    assert up.stdout.startswith("Copied ")
    down = invoke(first, "db", "copy", url, back)
    assert down.exit_code == 0, down.output
    for kind in EXPORTS:
        exports = [
            invoke(db, "export", kind, "--format", "json").stdout for db in (first, url, back)
        ]
        assert exports[0] == exports[1] == exports[2], kind
    dues = [invoke(db, "due", "--format", "json").stdout for db in (first, url, back)]
    assert dues[0] == dues[1] == dues[2]


def test_db_copy_refuses_a_destination_with_data_unless_replace(
    pg_server: Any, tmp_path: Path
) -> None:
    file = str(tmp_path / "office.db")
    url = pg_server.url(pg_server.new_database())
    assert invoke(file, "init").exit_code == 0
    build_office(lambda *a: invoke(file, *a))
    assert invoke(file, "db", "copy", file, url).exit_code == 0
    assert invoke(url, "customer", "add", "新客户", "--code", "C900").exit_code == 0
    refused = _one_line_error(invoke(file, "db", "copy", file, url), 1)
    assert "already holds data" in refused
    assert "C900" in invoke(url, "customer", "list").stdout  # nothing was touched
    replaced = invoke(file, "db", "copy", file, url, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "C900" not in invoke(url, "customer", "list").stdout
    assert invoke(url, "export", "customers").stdout == invoke(file, "export", "customers").stdout


def test_db_copy_never_shows_a_password(pg_server: Any, tmp_path: Path) -> None:
    from pg_server import CLERK_PASSWORD

    file = str(tmp_path / "office.db")
    url = pg_server.url(pg_server.new_database(), user="clerk", password=CLERK_PASSWORD)
    assert invoke(file, "init").exit_code == 0
    r = invoke(file, "db", "copy", file, url)
    assert r.exit_code == 0, r.output
    assert CLERK_PASSWORD not in r.output


def _office_and_calls(
    pg_server: Any, tmp_path: Path, customers: int, called: range
) -> tuple[str, Path]:
    """A new database on the server: the small office, customers K000 .. K{customers-1},
    and a calls file (not imported) reaching the customers `called` numbers."""
    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    build_office(lambda *a: invoke(url, *a))
    rows = "".join(f"K{n:03d},客户{n},3,1390000{n:04d}\r\n" for n in range(customers))
    listed = tmp_path / "customers.csv"
    listed.write_text("code,name,grade,phone\r\n" + rows, encoding="utf-8")
    assert invoke(url, "import", "customers", str(listed)).exit_code == 0
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "客户编号,时间,回访人,回访结果\r\n"
        + "".join(f"K{n:03d},2026-11-20 10:{n:02d},李娜,接通\r\n" for n in called),
        encoding="utf-8",
    )
    return url, calls


def _until_a_session_waits_for_a_lock(url: str, process: Any, but: int | None = None) -> None:
    """Return once a server session (other than backend `but`) waits for a lock; fail if
    `process` ends first or none does within a minute."""
    import time

    import psycopg

    with psycopg.connect(url, autocommit=True) as look:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = look.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND pid <> %s",
                (but or 0,),
            ).fetchone()
            if waiting and waiting[0]:
                return
            assert process.poll() is None, process.communicate()
            time.sleep(0.02)
    pytest.fail("no session waited for a lock")


def test_clerks_readers_an_import_and_cron_at_once_on_the_server(
    pg_server: Any, tmp_path: Path
) -> None:
    """20 clerks' log-calls on different customers, 10 readers, an import and escalate
    --auto twice, all at once: every command succeeds, nothing is recorded twice."""
    url, calls = _office_and_calls(pg_server, tmp_path, 40, range(20, 40))
    assert invoke(url, "ticket", "open", "C001", "--summary", "漏油", "--category",
                  "product.defect", "--severity", "critical").exit_code == 0  # fmt: skip
    env = {**os.environ, "FOLLOWUP_DB": url, "FOLLOWUP_TODAY": "2026-11-26",
           "FOLLOWUP_STAFF": ACTING, "FOLLOWUP_LANGUAGE": "en"}  # fmt: skip
    followup = [str(Path(sys.executable).parent / "followup")]
    commands = [["log-call", f"K{n:03d}", "--outcome", "reached"] for n in range(20)]
    commands += [["due", "--format", "json"]] * 10
    commands += [["import", "calls", str(calls)], ["escalate", "--auto"], ["escalate", "--auto"]]
    started = [
        subprocess.Popen(
            [*followup, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for args in commands
    ]
    for args, process in zip(commands, started, strict=True):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, (args, err.decode())
    import psycopg

    with psycopg.connect(url) as conn:
        logged = conn.execute("SELECT count(*), count(DISTINCT customer_id) FROM calls").fetchone()
        assert logged == (40, 40)
        escalated = conn.execute(
            "SELECT count(*), count(DISTINCT (ticket_id, day, level)) FROM escalations"
            " WHERE kind = 'ticket'"
        ).fetchone()
        assert escalated is not None and escalated[0] == escalated[1]


def test_clerks_on_different_customers_write_side_by_side(pg_server: Any) -> None:
    """A clerk's call to C001 held open mid-transaction (its customer locked, its call
    written): another clerk's log-call on C002, a note on C002's ticket and a skip of one
    of C002's callbacks write at once beside it; one on C001
    waits for it and, past the busy timeout, is refused with nothing written; a lone
    writer (escalate --auto) waits for it too. Both held and beside calls are kept,
    each with its own id."""
    import time
    from datetime import date, datetime

    import psycopg

    from followup_cli.domain.calls.log import CallInput, Planner, record_call
    from followup_cli.domain.customers.records import locked_customer_row
    from followup_cli.domain.session import Session
    from followup_cli.store.engines import open_server
    from followup_cli.support.config import load_config

    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    build_office(lambda *a: invoke(url, *a))
    opened = invoke(url, "ticket", "open", "C002", "--summary", "漏油", "--category",
                    "product.defect")  # fmt: skip
    assert opened.exit_code == 0, opened.output
    with psycopg.connect(url) as look:
        found = look.execute(
            "SELECT b.id FROM callbacks b JOIN customers c ON c.id = b.customer_id"
            " WHERE c.code = 'C002' AND b.status = 'pending' ORDER BY b.id LIMIT 1"
        ).fetchone()
    assert found is not None
    conn = open_server(url)
    session = Session(
        conn=conn,
        config=load_config(None),
        today=date(2026, 11, 23),
        now=datetime.fromisoformat("2026-11-23T10:00:00+08:00"),
        actor=ACTING,
    )
    short = {"FOLLOWUP_BUSY_TIMEOUT_MS": "1500"}
    try:
        with session.write(one_customer=True) as held:
            customer = locked_customer_row(session, held, "C001")
            at = datetime.fromisoformat("2026-11-23T09:30:00+08:00")
            call = CallInput(outcome="reached", by=ACTING, at=at)
            record_call(session, Planner(session, held), customer, call)
            started = time.monotonic()
            beside = invoke(url, "log-call", "C002", "--outcome", "reached", env=short)
            beside_took = time.monotonic() - started
            noted = invoke(url, "ticket", "note", "1", "已联系", env=short)
            skipped = invoke(url, "callback", "skip", str(found[0]), "--reason", "客户要求",
                             env=short)  # fmt: skip
            same = invoke(url, "log-call", "C001", "--outcome", "no-answer", env=short)
            lone = invoke(url, "escalate", "--auto", env=short)
    finally:
        conn.close()
    assert beside.exit_code == 0, beside.output
    assert beside_took < 1.5  # it did not wait out the busy timeout behind C001's call
    assert noted.exit_code == 0, noted.output  # a ticket of C002's, beside it too
    assert skipped.exit_code == 0, skipped.output  # and a callback of C002's
    assert same.exit_code == 75, same.output
    assert "busy" in same.stderr and "Nothing was written" in same.stderr
    assert lone.exit_code == 75, lone.output
    with psycopg.connect(url) as check:
        rows = check.execute(
            "SELECT c.code, k.id, k.outcome FROM calls k JOIN customers c"
            " ON c.id = k.customer_id ORDER BY k.id"
        ).fetchall()
    assert [(code, outcome) for code, _id, outcome in rows] == [
        ("C001", "reached"),
        ("C002", "reached"),
    ]
    assert len({r[1] for r in rows}) == 2


def test_a_command_the_server_stops_to_break_a_deadlock_is_run_again(pg_server: Any) -> None:
    """A clerk's log-call on C001 holds the writers' shared lock and waits for C001's
    row, which another session holds and which then asks for the lone writer's lock:
    the server breaks the deadlock by stopping the log-call (its deadlock check runs
    first). Nothing of it was committed, so it is run again, and succeeds once the other
    session is done: exit 0, one call recorded. (The other session's own check is set
    late, so that the server stops the command, not it.)"""

    import psycopg

    from followup_cli.store.engines.postgres import WRITE_LOCK

    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    build_office(lambda *a: invoke(url, *a))
    env = {**os.environ, "FOLLOWUP_DB": url, "FOLLOWUP_TODAY": TODAY,
           "FOLLOWUP_STAFF": ACTING, "FOLLOWUP_LANGUAGE": "en"}  # fmt: skip
    with psycopg.connect(url) as other:
        other.execute("SET deadlock_timeout = '20s'")
        found = other.execute("SELECT id FROM customers WHERE code = 'C001' FOR UPDATE").fetchone()
        assert found is not None
        clerk = subprocess.Popen(
            [str(Path(sys.executable).parent / "followup"), "--debug", "log-call", "C001",
             "--outcome", "reached", "--at", "2026-11-23 09:10"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            _until_a_session_waits_for_a_lock(url, clerk, but=other.info.backend_pid)  # (C001)
            # The lone writer's lock, which waits for the clerk's shared one: a deadlock.
            other.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            other.commit()
            out, err = clerk.communicate(timeout=120)
        finally:
            if clerk.poll() is None:
                clerk.kill()
    assert clerk.returncode == 0, err
    assert "the server asks to try again: running the command again" in err
    with psycopg.connect(url) as check:
        logged = check.execute(
            "SELECT count(*) FROM calls k JOIN customers c ON c.id = k.customer_id"
            " WHERE c.code = 'C001'"
        ).fetchone()
    assert logged == (1,)


def test_an_import_writes_beside_clerks_on_other_customers(pg_server: Any, tmp_path: Path) -> None:
    """A calls import on the server holds its file's customers, not the whole database:
    held mid-write (another session holds the last of its customers), a clerk's
    log-call on a customer outside the file writes at once; one on a customer of the
    file waits for the import, saying so once, and is written after it. Every call is
    recorded once."""
    import time

    import psycopg

    url, calls = _office_and_calls(pg_server, tmp_path, 20, range(20))
    env = {**os.environ, "FOLLOWUP_DB": url, "FOLLOWUP_TODAY": TODAY,
           "FOLLOWUP_STAFF": ACTING, "FOLLOWUP_LANGUAGE": "en"}  # fmt: skip
    followup = [str(Path(sys.executable).parent / "followup")]

    def start(*args: str, busy_ms: str = "10000") -> subprocess.Popen[str]:
        return subprocess.Popen([*followup, *args], text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                env={**env, "FOLLOWUP_BUSY_TIMEOUT_MS": busy_ms})  # fmt: skip

    with psycopg.connect(url) as other:
        other.execute("SELECT id FROM customers WHERE code = 'K019' FOR UPDATE")
        importer = start("import", "calls", str(calls))
        try:
            _until_a_session_waits_for_a_lock(url, importer)  # (for K019)
            started = time.monotonic()
            outside = start("log-call", "C002", "--outcome", "reached", busy_ms="3000")
            out, err = outside.communicate(timeout=60)
            took = time.monotonic() - started
            assert outside.returncode == 0, err
            assert "waiting for an import" not in err
            inside = start("log-call", "K003", "--outcome", "no-answer", "--at",
                           "2026-11-23 09:00", busy_ms="1000")  # fmt: skip
            time.sleep(2.0)  # past its busy timeout: it waits for the import, not fails
            assert inside.poll() is None, inside.communicate()
            assert importer.poll() is None
            other.commit()  # K019 let go: the import writes, then the clerk
            i_out, i_err = importer.communicate(timeout=120)
            c_out, c_err = inside.communicate(timeout=120)
        finally:
            for p in (importer,):
                if p.poll() is None:
                    p.kill()
    assert importer.returncode == 0, i_err
    assert inside.returncode == 0, c_err
    assert c_err.count("waiting for an import to finish writing: calls from calls.csv") == 1
    assert took < 30
    with psycopg.connect(url) as check:
        logged = check.execute(
            "SELECT c.code, count(*) FROM calls k JOIN customers c ON c.id = k.customer_id"
            " GROUP BY c.code ORDER BY c.code"
        ).fetchall()
    expected = {f"K{n:03d}": 1 for n in range(20)}
    expected["K003"] = 2
    expected["C002"] = 1
    assert dict(logged) == expected


def test_ids_are_numbered_as_sqlite_numbers_them_after_a_shared_write_rolled_back(
    pg_server: Any, tmp_path: Path
) -> None:
    """A shared write (a clerk's call) refused after it took an id leaves a gap in the
    sequence; the next lone writer numbers from the largest id + 1, as SQLite does, and
    sets the sequence there: the next clerk's call takes the id after it. An upsert of
    a row already there takes no id at all."""
    import psycopg

    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    build_office(lambda *a: invoke(url, *a))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("BEGIN")
        conn.execute("SET LOCAL followup.writers = 'shared'")
        conn.execute(
            "INSERT INTO events (customer_id, kind, date, ref, created_at)"
            " SELECT id, 'service', '2026-11-20', 'GAP', '' FROM customers LIMIT 1"
        )
        conn.execute("ROLLBACK")
    # A lone writer (an import; `event add` is a clerk's write on one customer).
    events = tmp_path / "events.csv"
    events.write_text("customer_code,kind,date,ref,staff\nC001,service,2026-11-20,WO1,赵强\n",
                      encoding="utf-8")  # fmt: skip
    added = invoke(url, "import", "events", str(events))
    assert added.exit_code == 0, added.output
    with psycopg.connect(url) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id")]
        assert ids == list(range(1, len(ids) + 1))
        before = conn.execute("SELECT last_value, is_called FROM events_ids").fetchone()
        # Beside other writers, an upsert of an event already there takes no id.
        conn.execute("SET LOCAL followup.writers = 'shared'")
        conn.execute(
            "INSERT INTO events (customer_id, kind, date, ref, created_at)"
            " SELECT customer_id, kind, date, ref, '' FROM events WHERE ref = 'WO1'"
            " ON CONFLICT (customer_id, kind, date, ref) DO NOTHING"
        )
        assert conn.execute("SELECT last_value, is_called FROM events_ids").fetchone() == before
        following = conn.execute("SELECT nextval('events_ids')").fetchone()
        assert following == (len(ids) + 1,)


def test_a_database_numbered_before_sequences_is_renumbered_on_open(pg_server: Any) -> None:
    """A database whose tables an earlier release numbered without sequences: the next
    command makes their numbering this release's, and a clerk's call is numbered."""
    import psycopg

    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    build_office(lambda *a: invoke(url, *a))
    with psycopg.connect(url) as conn:
        conn.execute("DROP SEQUENCE calls_ids")
        conn.execute("DROP SEQUENCE tickets_ids")
    logged = invoke(url, "log-call", "C001", "--outcome", "reached")
    assert logged.exit_code == 0, logged.output
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relkind = 'S'"
            " AND relname IN ('calls_ids', 'tickets_ids')"
        ).fetchone()
        assert found == (2,)
        assert conn.execute("SELECT id FROM calls").fetchall() == [(1,)]


def test_db_check_on_the_server_checks_the_schema(pg_server: Any) -> None:
    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    r = invoke(url, "db", "check")
    assert r.exit_code == 0, r.output
    from followup_cli.store.schema import SCHEMA_VERSION

    assert f"Schema version: {SCHEMA_VERSION}; journal mode: PostgreSQL" in r.stdout
    assert "Integrity: ok; foreign keys: ok" in r.stdout
    pg_server.sql(url.rsplit("/", 1)[1], "DROP INDEX customers_owner")
    missing = invoke(url, "db", "check")
    assert missing.exit_code == 1
    assert "missing index: customers_owner" in missing.stdout
    restored = invoke(url, "init")
    assert "Restored missing index: customers_owner" in restored.stdout
    assert invoke(url, "db", "check").exit_code == 0


def test_db_backup_on_the_server_is_a_pg_dump_that_restores(pg_server: Any, tmp_path: Path) -> None:
    """`db backup FILE` on a URL: pg_dump's custom format, 0600, renamed only when whole;
    pg_restore into an empty database gives back the same office."""
    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    build_office(lambda *a: invoke(url, *a))
    out = tmp_path / "out"
    out.mkdir()
    target = out / "office.dump"
    r = invoke(url, "db", "backup", str(target))
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Backed up to {target} (pg_dump; restore with pg_restore)\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in out.iterdir()) == ["office.dump"]  # no temp left
    again = invoke(url, "db", "backup", str(target))
    assert again.exit_code == 1 and "--force" in again.stderr, again.output
    restored = pg_server.new_database()
    done = subprocess.run(
        [str(pg_server.bin / "pg_restore"), "--no-owner", f"--dbname={pg_server.url(restored)}",
         str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for kind in ("customers", "calls", "tickets"):
        mine = invoke(url, "export", kind, "--output", "-")
        theirs = invoke(pg_server.url(restored), "export", kind, "--output", "-")
        assert mine.exit_code == 0 and theirs.stdout == mine.stdout, kind


def test_db_backup_on_the_server_into_a_folder_names_a_dated_dump(
    pg_server: Any, tmp_path: Path
) -> None:
    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    r = invoke(url, "db", "backup", str(tmp_path))
    assert r.exit_code == 0, r.output
    (made,) = tmp_path.glob("followup-*.dump")
    assert f"Backed up to {made} (pg_dump" in r.stdout
    err = _one_line_error(invoke(url, "db", "backup", str(tmp_path), "--keep", "3"), 2)
    assert "--keep" in err and "not rotated" in err


def test_db_backup_on_the_server_without_pg_dump_says_what_to_install(
    pg_server: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from followup_cli.store.engines import pg_dump

    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    monkeypatch.setattr(pg_dump, "find_pg_dump", lambda: None)
    err = _one_line_error(invoke(url, "db", "backup", str(tmp_path / "b.dump")), 1)
    assert "needs pg_dump, which is not installed" in err
    assert "postgresql-client" in err
    assert not (tmp_path / "b.dump").exists()


def test_db_restore_refuses_a_url_saying_what_to_use(pg_server: Any, tmp_path: Path) -> None:
    url = pg_server.url(pg_server.new_database())
    assert invoke(url, "init").exit_code == 0
    dump = tmp_path / "b.dump"
    assert invoke(url, "db", "backup", str(dump)).exit_code == 0
    err = _one_line_error(invoke(url, "db", "restore", "--force", str(dump)), 1)
    assert "is a PostgreSQL database" in err
    assert "pg_restore" in err
