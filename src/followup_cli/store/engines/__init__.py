"""The second engine: a PostgreSQL server named by a URL instead of a SQLite file.

Nothing here imports the driver: `is_server_url` and `is_server` are cheap, and
`open_server` loads store.engines.postgres (and psycopg) only when a URL is given, so a
SQLite start-up pays nothing for the second engine.
"""

from __future__ import annotations

from typing import Any

from followup_cli.support.errors import StorageError
from followup_cli.support.i18n import _

SCHEMES = ("postgresql://", "postgres://")
INSTALL = "pip install 'followup-cli[postgres]'"


def is_server_url(text: str) -> bool:
    """Whether --db / FOLLOWUP_DB names a PostgreSQL database (libpq's URL form)."""
    return text.strip().lower().startswith(SCHEMES)


def is_server(conn: Any) -> bool:
    """Whether an open connection is to a PostgreSQL server (not a SQLite file)."""
    return getattr(conn, "engine", "sqlite") == "postgresql"


def writes_alone(conn: Any) -> bool:
    """Whether the write transaction open on `conn` is the only writer: SQLite's always
    is; on a server, all but a clerk's write on one customer (store.connection's shared
    write), beside which what every action shares (a cache) is left unwritten."""
    return not getattr(conn, "shared_write", False)


def stage_row(conn: Any, alias: str) -> str:
    """SQL: a staged row's number, naming it within its temp table (a stage: one row per
    line of the file). A dialect choice: SQLite's rowid, the table's own key and its
    insertion order (no index, no sort); the server has no rowid, and the row's `line`
    (the file's line number, unique within a stage) stands for it."""
    return f"{alias}.line" if is_server(conn) else f"{alias}.rowid"


def shown(url: str) -> str:
    """A URL as it may be printed: without its password."""
    # Loaded when a URL is shown, not by every start-up.
    from followup_cli.store.engines.urls import shown_url

    return shown_url(url)


def open_server(url: str, *, create: bool = False) -> Any:
    """The followup database at `url`, its schema brought up to date (with `create`, an
    empty database is set up); a one-line StorageError without the driver."""
    try:
        import psycopg  # noqa: F401  (the driver, loaded only for a URL)
    except ImportError:
        raise StorageError(
            _("a PostgreSQL database needs the psycopg driver, which is not installed"),
            _("Install it with `{command}`, or point --db at a SQLite file.").format(
                command=INSTALL
            ),
        ) from None
    # The driver's module and the server's schema, loaded only for a URL.
    from followup_cli.store.busy import busy_timeout_ms
    from followup_cli.store.engines import pg_schema, postgres

    conn = postgres.connect(url, busy_timeout_ms())
    try:
        pg_schema.bring_up_to_date(conn, create=create)
    except BaseException:
        conn.close()
        raise
    return conn


def open_server_as_it_is(url: str) -> Any:
    """The database at `url` as it stands, no schema step (nothing written): for shell
    completion, which must answer at once and change nothing; its queries fail (and it
    offers nothing) on a database not yet brought up to date."""
    # The driver and the server's module, loaded only for a URL (without the driver,
    # ImportError: completion offers nothing).
    from followup_cli.store.engines import postgres

    return postgres.connect(url, 200)


def file_only(url: str) -> StorageError:
    """The refusal of a command that works on a SQLite file, given a server's URL."""
    return StorageError(
        _("this command works on a SQLite file, and {url} is a PostgreSQL database").format(
            url=shown(url)
        ),
        _(
            "On the server, use its own tools (pg_dump, pg_restore); `followup db copy`"
            " moves an office between the two."
        ),
    )


def shown_location(location: str) -> str:
    """A database's name as it may be printed (a URL without its password)."""
    return shown(location) if is_server_url(location) else location
