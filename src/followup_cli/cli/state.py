"""What the global options decide, and how a command gets its session from them."""

import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer

from followup_cli.support.errors import DataError, InvalidValue, UsageError
from followup_cli.support.i18n import _

T = TypeVar("T")

# Bad dates are bad input data (exit 65), like a bad CSV cell; other bad option values
# are usage errors (exit 2).
DATE_FIELDS = {"date", "at", "birthday", "in_use", "anniversary"}
# Values that are data, not a choice among options: a bad one is bad input data (exit 65),
# as a bad date is (an event's amount, as its import refuses it).
DATA_FIELDS = DATE_FIELDS | {"amount"}


class AppState:
    """The global options of one run (a plain class: `--help` loads no dataclasses)."""

    def __init__(self) -> None:
        self.db_path: Path | None = None
        self.db_url: str | None = None  # --db postgresql://...: a server, not a file
        self.config_path: Path | None = None
        self.today: date | None = None
        self.debug = False

    def set_database(self, db: str | None) -> None:
        """--db / FOLLOWUP_DB: a file's path, or a PostgreSQL URL (libpq's form)."""
        self.db_path = self.db_url = None
        if db is None:
            return
        if db.strip().lower().startswith(("postgresql://", "postgres://")):
            self.db_url = db.strip()
        else:
            self.db_path = Path(db)

    def resolved_db_path(self) -> Path:
        """The SQLite file; a command that works on the file alone refuses a URL."""
        if self.db_url is not None:
            # Only a file-only command given a URL builds this refusal.
            from followup_cli.store.engines import file_only

            raise file_only(self.db_url)
        # Loaded only when a command asks where the database is.
        from followup_cli.store.connection import default_db_path

        return self.db_path or default_db_path()

    def location(self) -> str:
        """Where the database is, as it may be shown (a URL without its password)."""
        if self.db_url is not None:
            # Only a URL needs the password taken out before it is shown.
            from followup_cli.store.engines import shown

            return shown(self.db_url)
        return str(self.resolved_db_path())

    def resolved_config_path(self) -> Path:
        # Loaded only when a command asks where the config is.
        from followup_cli.support.config import default_config_path

        return self.config_path or default_config_path()


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def load_config(ctx: typer.Context) -> Any:
    # Every command passes here, --help included: each piece loads when first needed.
    from followup_cli.support.config import load_config as load

    st = state(ctx)
    config = load(st.resolved_config_path(), explicit=st.config_path is not None)
    for name in config.retired:
        print(
            _("Warning: setting '{name}' is no longer read (it never changed anything);"
              " delete it from {path}").format(name=name, path=config.source),
            file=sys.stderr,
        )  # fmt: skip
    return config


def open_session(ctx: typer.Context, *, create: bool = False) -> Any:
    """The Session for this command; the database is closed when the command ends."""
    # Not for --help, config or usage errors: only a command that opens the database.
    from followup_cli.domain.session import Session, moment
    from followup_cli.store import open_database

    st = state(ctx)
    config = load_config(ctx)
    if st.db_url is not None:
        # Only a PostgreSQL URL loads the second engine (and its driver).
        from followup_cli.store.engines import open_server

        conn = open_server(st.db_url, create=create)
    else:
        path = st.resolved_db_path()
        if create and st.db_path is None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = open_database(path, create=create, warn=warn)
    ctx.find_root().call_on_close(conn.close)
    today, now = moment(st.today, config.zone, frozen_clock())
    return Session(conn=conn, config=config, today=today, now=now, today_given=st.today is not None)


def warn(line: str) -> None:
    """A one-line warning about the database file, on stderr."""
    print(line, file=sys.stderr)


def frozen_clock() -> datetime | None:
    """FOLLOWUP_NOW, for tests and screen snapshots only: the wall clock, as ISO 8601 with
    an offset (2026-11-23T09:00:00+08:00), so stamps written and shown do not depend on
    when the test ran; --today still names the day. Unset, the real clock."""
    raw = os.environ.get("FOLLOWUP_NOW", "").strip()
    if not raw:
        return None
    try:
        wall = datetime.fromisoformat(raw)
    except ValueError:
        wall = None
    if wall is None or wall.tzinfo is None:
        raise UsageError(
            _("FOLLOWUP_NOW={value} is not a time with an offset").format(value=repr(raw)),
            _("Give it as 2026-11-23T09:00:00+08:00, or unset it to use the clock."),
        )
    return wall


def acting_session(ctx: typer.Context, by: str | None) -> Any:
    """The Session of a command that changes data for a person: `by` (--by, default
    FOLLOWUP_STAFF) must name a staff member; it is checked before anything is written
    and recorded as who did it."""
    if not by or not by.strip():
        raise UsageError(_("who is doing this? Give --by NAME (or set FOLLOWUP_STAFF)"))
    # Only a command acting for a person looks the name up.
    from followup_cli.domain.staff.records import acting_staff

    session = open_session(ctx)
    session.actor = acting_staff(session, by)
    return session


def checked(
    fn: Callable[..., T], *args: Any, arguments: tuple[str, ...] = ("name",), **kwargs: Any
) -> T:
    """Run a validator on option values: a bad value is a usage error (exit 2) naming
    the option (`--field`), or the argument (`NAME`) for fields in `arguments`."""
    try:
        return fn(*args, **kwargs)
    except InvalidValue as exc:
        if exc.field in DATA_FIELDS:
            raise DataError(exc.message) from None
        hint = exc.field.upper() if exc.field in arguments else "--" + exc.field.replace("_", "-")
        raise typer.BadParameter(
            _("{value} is not valid; expected {expected}").format(
                value=repr(exc.value), expected=exc.expected
            ),
            param_hint=f"'{hint}'",
        ) from None


def parse_date_option(option: str, value: str | None) -> date | None:
    """A date given on the command line; a bad one is bad input data (exit 65)."""
    if value is None:
        return None
    # Only a --today on the command line needs the date parser.
    from followup_cli.support.dates import (
        MAX_YEAR,
        MIN_YEAR,
        DateOutOfRange,
        out_of_range_text,
        parse_date,
    )

    try:
        return parse_date(value, option)
    except DateOutOfRange:
        raise DataError(
            _("{option}: {value} is {range}").format(
                option=option, value=repr(value), range=out_of_range_text()
            ),
            _("Give a date from {low}-01-01 to {high}-12-31.").format(low=MIN_YEAR, high=MAX_YEAR),
        ) from None
    except InvalidValue as exc:
        raise DataError(
            _("{option}: {value} is not a date; expected {expected}").format(
                option=option, value=repr(value), expected=exc.expected
            )
        ) from None
