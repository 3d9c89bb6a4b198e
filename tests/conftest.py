"""Shared fixtures: every test gets its own SQLite file, config dir and a fixed date.

Tests drive the real CLI (`run`) against a real database file and read rows back with
sqlite3 (`rows`); domain tests open a Session on the same file (`session`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from followup_cli.cli.app import app
from followup_cli.support import i18n

# CI runs the same examples every time (a failure found there can be run again as it
# was); a developer's run explores new ones, and hypothesis keeps what fails in
# .hypothesis/ to try first next time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

TODAY = "2026-11-23"  # a Monday
# Who the commands that act for a person (--by, default FOLLOWUP_STAFF) act for: `run`
# sets FOLLOWUP_STAFF to the office's clerk unless a test's `env` says otherwise (None
# unsets it). The refusals without --by, with an unknown name, and the recording of who
# did it are each tested with their own env or --by (test_acting_staff.py).
ACTING = "李娜"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the user's real database, config, or clock-dependent settings, nor
    the interface language a test before it switched to (a CLI run under a zh locale
    switches this process's language)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for var in (
        "FOLLOWUP_DB",
        "FOLLOWUP_CONFIG",
        "FOLLOWUP_TODAY",
        "FOLLOWUP_STAFF",
        "FOLLOWUP_DEBUG",
        "NO_COLOR",
        "FOLLOWUP_FORCE_TERMINAL",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FOLLOWUP_LANGUAGE", "en")  # tests read English unless they say so
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    i18n.use_language(i18n.ENGLISH)


# FOLLOWUP_TEST_ENGINE=postgres (`make test-postgres`): each test's database is a new
# database on one throwaway PostgreSQL server (tests/pg_server.py) instead of a file.
ENGINE = os.environ.get("FOLLOWUP_TEST_ENGINE", "sqlite")


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Mark a test (or a module's `pytestmark`) as about a SQLite file itself: skipped
    on the server engine, saying why."""
    return pytest.mark.skipif(ENGINE != "sqlite", reason=f"SQLite only: {reason}")


SERVERS: list[Any] = []  # the run's PostgreSQL server, once started


def copy_office(template: Any, dest: Path) -> Any:
    """A copy of the office database `template`: the file copied to `dest`, or on the
    server a new database made from it (its URL)."""
    if str(template).startswith("postgresql://"):
        from pg_server import database_of

        server = SERVERS[0]
        url = server.url(server.new_database(template=database_of(template)))
        return url
    shutil.copyfile(template, dest)
    return dest


def open_db(db: Any, **options: Any) -> Any:
    """The test database opened straight, as sqlite3 opens a file (with `options`); on
    the server, a connection with the same surface (store/engines/postgres.py)."""
    if str(db).startswith("postgresql://"):
        from followup_cli.store.engines import postgres

        return postgres.connect(str(db), 10_000)
    return sqlite3.connect(db, **options)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """One PostgreSQL server for the run, started in a temporary folder (skipped, with
    the reason, where no server can be installed or the driver is missing)."""
    pytest.importorskip("psycopg", reason="no psycopg: pip install 'followup-cli[postgres]'")
    from pg_server import PgServer, install_server

    why = install_server()
    if why is not None:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    server = PgServer()
    server.start()
    SERVERS.append(server)
    yield server
    SERVERS.remove(server)
    server.stop()


@pytest.fixture
def db_path(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    if ENGINE == "postgres":
        server = request.getfixturevalue("pg_server")
        return server.url(server.new_database())
    return tmp_path / "followup.db"


@pytest.fixture
def run(db_path: Path) -> Callable[..., Result]:
    """run("customer", "add", ...) -> Result, against db_path with --today fixed, acting
    as ACTING (FOLLOWUP_STAFF) unless `env` says otherwise."""
    runner = CliRunner()

    def invoke(
        *args: str,
        today: str = TODAY,
        input: str | None = None,
        env: dict[str, str] | None = None,
        db: Path | None = None,
    ) -> Result:
        argv = ["--db", str(db or db_path), "--today", today, *args]
        env = {"FOLLOWUP_STAFF": ACTING, **(env or {})}
        r = runner.invoke(app, argv, input=input, env=env, catch_exceptions=True)
        return Result(
            r.exit_code,
            r.stdout,
            r.stderr,
            r.exception if r.exit_code != 0 and not isinstance(r.exception, SystemExit) else None,
        )

    return invoke


@pytest.fixture
def initdb(run: Callable[..., Result]) -> Callable[..., Result]:
    """`run`, with the database already created."""
    r = run("init")
    assert r.exit_code == 0, r.output
    return run


@pytest.fixture
def rows(db_path: Path) -> Callable[..., list[dict[str, Any]]]:
    """rows("SELECT ...", params) -> list of dicts, read straight from the file."""

    def query(sql: str, *params: Any) -> list[dict[str, Any]]:
        if ENGINE == "postgres":
            server = open_db(db_path)
            try:
                return [dict(zip(r.keys(), r, strict=True)) for r in server.execute(sql, params)]
            finally:
                server.close()
        conn = sqlite3.connect(db_path)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    return query


def build_office(run: Callable[..., Result]) -> None:
    """A small office: one person per role, two customers with contacts."""
    staff = [
        ("李娜", "clerk"),
        ("王伟", "account_manager"),
        ("赵强", "service"),
        ("陈静", "service_supervisor"),
        ("刘洋", "service_manager"),
        ("孙丽", "sales_manager"),
        ("周杰", "marketing_director"),
        ("吴刚", "gm"),
    ]
    for name, role in staff:
        r = run("staff", "add", name, "--role", role)
        assert r.exit_code == 0, r.output
    for args in (
        (
            "customer",
            "add",
            "山东鲁建机械有限公司",
            "--code",
            "C001",
            "--grade",
            "1",
            "--phone",
            "0531-88886666",
            "--owner",
            "王伟",
            "--region",
            "济南",
        ),
        (
            "customer",
            "add",
            "泰安宏达建设",
            "--code",
            "C002",
            "--grade",
            "4",
            "--phone",
            "13800138000",
            "--region",
            "泰安",
        ),
        ("contact", "add", "C001", "张建国", "--role", "decision-maker", "--phone", "13905310001"),
        (
            "contact",
            "add",
            "C001",
            "李明",
            "--role",
            "operator",
            "--phone",
            "13905310002",
            "--primary",
        ),
    ):
        r = run(*args)
        assert r.exit_code == 0, r.output


@pytest.fixture(scope="session")
def office_template(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Any:
    """The small office, built once per test run through the CLI; `office` copies it (on
    the server: a database each test's is made from, CREATE DATABASE ... TEMPLATE)."""
    folder = tmp_path_factory.mktemp("office")
    template: Any = folder / "followup.db"
    if ENGINE == "postgres":
        server = request.getfixturevalue("pg_server")
        template = server.url(server.new_database())
    with pytest.MonkeyPatch.context() as patch:
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            patch.setenv(var, str(folder / var.lower()))
        for var in ("FOLLOWUP_DB", "FOLLOWUP_CONFIG", "FOLLOWUP_TODAY", "FOLLOWUP_STAFF"):
            patch.delenv(var, raising=False)
        patch.setenv("FOLLOWUP_LANGUAGE", "en")
        patch.setenv("TZ", "Asia/Shanghai")
        time.tzset()
        runner = CliRunner()

        def run(*args: str) -> Result:
            r = runner.invoke(app, ["--db", str(template), "--today", TODAY, *args])
            return Result(r.exit_code, r.stdout, r.stderr, r.exception)

        assert run("init").exit_code == 0
        build_office(run)
    time.tzset()
    if ENGINE == "postgres":
        return template
    assert not Path(f"{template}-wal").exists() or Path(f"{template}-wal").stat().st_size == 0
    return template


@pytest.fixture
def office(
    office_template: Path,
    db_path: Path,
    run: Callable[..., Result],
    request: pytest.FixtureRequest,
) -> Callable[..., Result]:
    """`run`, on a copy of the small office (see `build_office`)."""
    if ENGINE == "postgres":
        # The office built once, through the CLI, on the server; each test a copy.
        from pg_server import database_of

        server = request.getfixturevalue("pg_server")
        server.sql("postgres", f"DROP DATABASE {database_of(db_path)}")
        server.sql(
            "postgres",
            f"CREATE DATABASE {database_of(db_path)} TEMPLATE {database_of(office_template)}",
        )
        return run
    for leftover in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(office_template, db_path)
    db_path.chmod(0o600)
    return run


@pytest.fixture
def session(db_path: Path) -> Iterator[Callable[..., Any]]:
    """session(today="2026-11-23") -> a domain Session on the test database."""
    from followup_cli.domain.session import Session
    from followup_cli.store import open_database
    from followup_cli.support.config import load_config

    opened: list[sqlite3.Connection] = []

    def make(today: str = TODAY, config: Any = None) -> Session:
        if ENGINE == "postgres":
            from followup_cli.store.engines import open_server

            conn = open_server(str(db_path), create=True)
        else:
            conn = open_database(db_path, create=True)
        opened.append(conn)
        day = date.fromisoformat(today)
        now = datetime.fromisoformat(f"{today}T10:00:00+08:00")
        return Session(conn=conn, config=config or load_config(None), today=day, now=now)

    yield make
    for conn in opened:
        conn.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="write the screens as they are now into tests/snapshots (tests/test_screens.py)",
    )
