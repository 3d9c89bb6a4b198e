"""The `followup` command: global options, error handling, and the command groups.

Every command module imports only typer at load time; domain modules are imported
inside the command that needs them, so `--help` and simple commands stay fast.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from followup_cli import __version__
from followup_cli.cli import (
    callback_cmd,
    config_cmd,
    contact_cmd,
    customer_cmd,
    db_cmd,
    event_cmd,
    report_cmd,
    staff_cmd,
    ticket_cmd,
)
from followup_cli.cli.due_cmd import due_cmd
from followup_cli.cli.escalate_cmd import escalate_cmd
from followup_cli.cli.export_cmd import export_cmd
from followup_cli.cli.import_cmd import import_cmd
from followup_cli.cli.logcall_cmd import log_call_cmd
from followup_cli.cli.state import parse_date_option, state
from followup_cli.errors import EXIT_INTERNAL, FollowupError


def _report(text: str, hint: str | None = None) -> None:
    print(f"Error: {text}", file=sys.stderr)
    if hint:
        print(hint, file=sys.stderr)


class FollowupGroup(TyperGroup):
    """Turns every error into one `Error: ...` line (and a hint) with the right exit code.

    Only --debug lets a traceback through.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FollowupError as exc:
            if state(ctx).debug:
                raise
            _report(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except sqlite3.Error as exc:
            from followup_cli.store.connection import busy_error, is_busy

            if state(ctx).debug:
                raise
            if is_busy(exc):
                busy = busy_error()
                _report(busy.message, busy.hint)
                raise typer.Exit(busy.exit_code) from None
            _report(
                f"database error: {exc}",
                "Nothing was saved. Run `followup db check`; re-run with --debug for details.",
            )
            raise typer.Exit(EXIT_INTERNAL) from None
        except BrokenPipeError:
            raise  # the reader went away (`due | head`): Click exits quietly
        except Exception as exc:
            if type(exc).__module__.startswith("typer") or state(ctx).debug:
                raise
            _report(
                f"unexpected internal error ({type(exc).__name__}: {exc})",
                "Nothing was saved. Re-run with --debug to see the traceback, and report it.",
            )
            raise typer.Exit(EXIT_INTERNAL) from None


app = typer.Typer(
    cls=FollowupGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["--help", "-h"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"followup {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="FOLLOWUP_DB",
            help="Database file. Default: $XDG_DATA_HOME/followup/followup.db.",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="FOLLOWUP_CONFIG",
            help="Config file. Default: $XDG_CONFIG_HOME/followup/config.toml (if present).",
            show_default=False,
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            envvar="FOLLOWUP_TODAY",
            help="Act as if today were this date (YYYY-MM-DD): backfill and tests.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", envvar="FOLLOWUP_DEBUG", help="Show tracebacks.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Plan every callback and visit, log calls, close complaints only when the
    customer has been told, escalate what stalls, and report on it all.

    \b
    Examples:
      followup init
      followup customer add 山东鲁建机械 --grade 2 --owner 王伟
      followup due
      followup log-call 山东鲁建机械 --outcome reached --satisfaction 5 --by 李娜
    """
    st = state(ctx)
    st.db_path = db
    st.config_path = config
    st.debug = debug
    st.today = parse_date_option("--today", today)


@app.command("init")
def init_cmd(ctx: typer.Context) -> None:
    """Create the database, or upgrade it; safe to repeat.

    \b
    Example:
      followup --db ~/office/followup.db init
    """
    from followup_cli.cli.state import open_session

    session = open_session(ctx, create=True)
    path = state(ctx).resolved_db_path()
    version = session.conn.execute("PRAGMA user_version").fetchone()[0]
    print(f"Database ready: {path} (schema v{version})")


app.command("due")(due_cmd)
app.command("log-call")(log_call_cmd)
app.add_typer(customer_cmd.app, name="customer")
app.add_typer(contact_cmd.app, name="contact")
app.add_typer(event_cmd.app, name="event")
app.add_typer(callback_cmd.app, name="callback")
app.add_typer(ticket_cmd.app, name="ticket")
app.command("escalate")(escalate_cmd)
app.add_typer(report_cmd.app, name="report")
app.command("import")(import_cmd)
app.command("export")(export_cmd)
app.add_typer(staff_cmd.app, name="staff")
app.add_typer(db_cmd.app, name="db")
app.add_typer(config_cmd.app, name="config")


def main() -> None:
    app(prog_name="followup")
