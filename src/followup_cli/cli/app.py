"""The `followup` command: global options, error handling, and the command groups.

Commands load lazily: `followup due` imports and builds only the `due` command, and
`--help` lists the commands from the registry below without importing them. Inside a
command, domain modules are imported only when it runs. A test checks that each
registry summary is the first line of its command's help.

The interface language (English, or Chinese for a zh locale: see followup_cli.support.i18n) is
decided first, from the environment and the config file's `language`, before any help
is built or any message is written.
"""

import os
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from followup_cli import __version__
from followup_cli.cli.argv import check_arguments, check_environment
from followup_cli.cli.localized import LocalizedContext, localize, localize_usage_error
from followup_cli.cli.output_stream import GuardedOutput, OutputFailed
from followup_cli.cli.placeholders import describe_values
from followup_cli.cli.state import parse_date_option, state
from followup_cli.support.controls import visible_stream
from followup_cli.support.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    FollowupError,
    disk_full,
    is_disk_full,
)
from followup_cli.support.i18n import ENGLISH, N_, _, current_language, setup_language

# How many times a command the server stopped (a deadlock it broke, a serialization
# failure) is run again before it is reported busy (exit 75).
SERVER_RETRIES = 3


class _RunAgain(Exception):
    """The command is to be run again from its command line (FollowupGroup.invoke)."""


def _run_again(exc: BaseException) -> bool:
    """The server's "try again" (store/busy.py), with nothing of this command committed
    yet: running it again cannot record anything twice."""
    busy = sys.modules.get("followup_cli.store.busy")
    return busy is not None and not busy.COMMITS and bool(busy.is_retriable(exc))


def _tell_lock_waits(debug: bool) -> None:
    """As a command ends, with --debug: the longest its writes waited for the write
    lock and held it (one line on stderr; none if it wrote nothing; a side write such as
    the day's roll counts its wait, not its hold). The records (and that of commits) are
    then cleared for the next command of this process (tests run many). The store is
    not loaded for it."""
    busy = sys.modules.get("followup_cli.store.busy")
    if busy is None:
        return
    busy.COMMITS.clear()
    waits: list[float] = busy.LOCK_WAITS
    holds: list[float] = busy.LOCK_HOLDS
    if not waits:
        return
    if debug:
        print(
            _(
                "write lock: waited {seconds} s at most, held {held} s at most, in {n} transactions"
            ).format(
                seconds=f"{max(waits):.3f}", held=f"{max(holds, default=0):.3f}", n=len(waits)
            ),
            file=sys.stderr,
        )
    waits.clear()
    holds.clear()


def _report(text: str, hint: str | None = None) -> None:
    # Rendering loads only when a terminal shows the error (fitted to its width).
    from followup_cli.render.lines import error

    error(text, hint)


# The shipped defaults.toml: its `language` applies when the user's file sets none.
SHIPPED_DEFAULTS = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "support", "defaults.toml"
)


def _flush_output(guarded: GuardedOutput, code: Any) -> None:
    """Flush stdout at the end of a command: a full disk or a closed stdout reported
    (one line, exit 1) where it would otherwise fail at interpreter exit."""
    try:
        guarded.flush()
    except BrokenPipeError:
        # The reader went away (`due | head -1`): Click's quiet exit. What is still
        # buffered goes to /dev/null, or Python's own flush at exit fails again on it
        # ("Exception ignored ... BrokenPipeError", exit 120).
        guarded.discard()
        return
    except OutputFailed:
        pass  # (kept as guarded.failure)
    failure = guarded.failure
    if failure is None or code not in (0, None):
        return  # written; or failed, and the command's handler has said so
    _report(failure.message, failure.hint)
    raise SystemExit(failure.exit_code)


def config_language(args: Sequence[str]) -> str | None:
    """The `language` setting of the config file in use (--config in `args`, else
    FOLLOWUP_CONFIG, else the default path), or else of the shipped defaults, read
    without loading the config: it is a top-level key, so it comes before the first
    [table]."""
    path: str | None = None
    for i, arg in enumerate(args):
        if arg == "--config" and i + 1 < len(args):
            path = args[i + 1]
        elif arg.startswith("--config="):
            path = arg.partition("=")[2]
    if path is None:
        path = os.environ.get("FOLLOWUP_CONFIG") or os.path.join(
            os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"),
            "followup",
            "config.toml",
        )
    return _file_language(path) or _file_language(SHIPPED_DEFAULTS, "utf-8")


def _file_language(path: str, encoding: str = "utf-8-sig") -> str | None:
    """The top-level `language = "..."` of a TOML file; None if it has none. (A user's
    file may start with a BOM; the shipped one has none, and plain UTF-8 needs no codec
    to load.)"""
    # Only a regular file is read (a FIFO would block, /dev/zero never ends), and only
    # up to the loader's size cap: anything else is left for the loader to refuse.
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(_LANGUAGE_READ_MAX)
        for line in raw.decode(encoding).splitlines():
            text = line.strip()
            if text.startswith("["):
                break
            found = _language_value(text)
            if found is not None:
                return found
    except (OSError, UnicodeDecodeError, ValueError):  # ValueError: a NUL in the path
        pass
    return None


_LANGUAGE_READ_MAX = 1024 * 1024  # (support.config.CONFIG_MAX_BYTES, without importing it)


def _language_value(line: str) -> str | None:
    """The quoted value of a `language = "..."` line, else None: read by hand, as every
    command reads it before anything else (no regular expression to compile)."""
    key, equals, rest = line.partition("=")
    if not equals or key.strip() != "language":
        return None
    value = rest.strip()
    if value[:1] not in ("'", '"'):
        return None
    end = value.find(value[0], 1)
    return value[1:end] if end > 0 else None


# name -> (module, attribute: a Typer group or a command function, one-line summary)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("init_cmd", "init_cmd", N_("Create the database, or upgrade it; safe to repeat.")),
    "due": ("due_cmd", "due_cmd", N_("Show the callbacks and visits due: one row per customer.")),
    "log-call": (
        "logcall_cmd",
        "log_call_cmd",
        N_("Log a call and settle every reason it covers."),
    ),
    "customer": ("customer_cmd", "app", N_("The customer file: add, list, show, edit, archive.")),
    "contact": ("contact_cmd", "app", N_("Contacts: the people at each customer.")),
    "event": (
        "event_cmd",
        "app",
        N_("Events: sales, service jobs, parts... each plans its callbacks."),
    ),
    "callback": ("callback_cmd", "app", N_("Move, book or skip one planned callback.")),
    "call": ("call_cmd", "app", N_("Logged calls: a supervisor's review of a visit report.")),
    "ticket": ("ticket_cmd", "app", N_("Complaints: open, resolve, tell the customer, close.")),
    "escalate": (
        "escalate_cmd",
        "escalate_cmd",
        N_("Escalate a ticket one rung up its tier's ladder."),
    ),
    "warning": (
        "warning_cmd",
        "app",
        N_("Early warnings: record the measure taken (see `followup report warnings`)."),
    ),
    "notify": (
        "notify_cmd",
        "app",
        N_("Notices: deliver what escalation and warnings queued (email, group robots)."),
    ),
    "report": (
        "report_cmd",
        "app",
        N_("Reports: daily, complaints, satisfaction, staff, categories..."),
    ),
    "import": (
        "import_cmd",
        "import_cmd",
        N_("Import a CSV file: every row checked, all or nothing."),
    ),
    "export": ("export_cmd", "export_cmd", N_("Export a table as CSV for Excel, or as JSON.")),
    "staff": ("staff_cmd", "app", N_("Staff: who calls, visits and takes escalations.")),
    "db": ("db_cmd", "app", N_("Database location, backups and restore, checks, retention.")),
    "config": ("config_cmd", "app", N_("The rules in force: defaults and your overrides.")),
}


def load_command(name: str) -> Any:
    """Import and build the click command for `name` (a group or a single command)."""
    # `followup --help` lists the registry without importing any command module.
    import importlib

    from typer.main import get_command

    module, attr, _summary = COMMANDS[name]
    loaded = importlib.import_module(f"followup_cli.cli.{module}")
    target = getattr(loaded, attr)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name, cls=getattr(loaded, "COMMAND_CLASS", None))(target)
        target = single
    command = get_command(target)
    command.name = name
    describe_values(command, name)
    if current_language() != ENGLISH:
        localize(command)
    return command


class _NoDatabaseError(Exception):
    """Never raised: what `_sqlite_error` gives while sqlite3 is not loaded."""


def _sqlite_error() -> type[Exception]:
    """sqlite3.Error, without importing sqlite3 (`--help` opens no database): one can
    only be raised once a module that uses sqlite3 has imported it."""
    module = sys.modules.get("sqlite3")
    if module is None:
        return _NoDatabaseError
    error: type[Exception] = module.Error
    return error


class FollowupGroup(TyperGroup):
    """The root group: lazy commands, and one handler for every error.

    Every error becomes one `Error: ...` line (and a hint) with the right exit code;
    only --debug lets a traceback through.
    """

    context_class = LocalizedContext

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run a command with stdout and stderr writing every control character
        visibly escaped (`\\x1b`): stored data, messages and echoed arguments alike
        (support/controls.py; Rich draws on the stream beneath, its text escaped)."""
        out, err = sys.stdout, sys.stderr
        guarded = GuardedOutput(out)
        sys.stdout = visible_stream(guarded)
        sys.stderr = visible_stream(GuardedOutput(err, quiet=True))
        try:
            try:
                result = super().main(*args, **kwargs)
            except SystemExit as done:
                _flush_output(guarded, done.code)
                raise
            except OutputFailed as exc:  # outside a command: --version, help, completion
                _report(exc.message, exc.hint)
                raise SystemExit(exc.exit_code) from None
            _flush_output(guarded, 0)
            return result
        finally:
            sys.stdout, sys.stderr = out, err

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Decide the interface language before anything is shown (help, errors)."""
        setup_language(config_language(args))
        try:
            check_arguments(args)
            check_environment()
        except FollowupError as exc:
            _report(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        if not getattr(self, "_followup_described", False):
            describe_values(self, "")
            self._followup_described = True
        if current_language() != ENGLISH or getattr(self, "_followup_help", None) is not None:
            localize(self)
        try:
            return super().parse_args(ctx, args)
        except UsageError as exc:
            raise localize_usage_error(exc) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """A mistyped command gets a "did you mean" from the whole registry (Typer's
        own suggestion looks only at the commands already loaded: none, at the root)."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            if args and "Did you mean" not in exc.message:
                # Only a mistyped command pays for difflib.
                from difflib import get_close_matches

                matches = get_close_matches(args[0], list(COMMANDS))
                if matches:
                    exc.message = "{message}. Did you mean {matches}?".format(
                        message=exc.message.rstrip("."),
                        matches=", ".join(repr(m) for m in matches),
                    )
            raise

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        """Command names (with their summaries) from the registry, so completing the
        first word loads no command module; options when the word starts with `-`."""
        # Only shell completion needs Click's completion items.
        from typer._click.core import Command
        from typer._click.shell_completion import CompletionItem

        items = [
            CompletionItem(name, help=_(summary))
            for name, (_module, _attr, summary) in COMMANDS.items()
            if name.startswith(incomplete)
        ]
        return items + Command.shell_complete(self, ctx, incomplete)

    def _main_shell_completion(
        self, ctx_args: Any, prog_name: str, complete_var: str | None = None
    ) -> None:
        if os.environ.get(complete_var or "_FOLLOWUP_COMPLETE"):
            # Typer's shell classes register only when completion is asked for (start-up).
            from followup_cli.cli.completion import prepare_completion

            prepare_completion()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, _(summary)) for name, (_module, _attr, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        # The command line, kept: a command the server stopped to break a deadlock (or
        # could not serialise) is run again from it, if it had committed nothing yet.
        given = (list(ctx._protected_args), list(ctx.args))
        try:
            for attempt in range(1 + SERVER_RETRIES):
                try:
                    return self._invoke(ctx, may_retry=attempt < SERVER_RETRIES)
                except _RunAgain:
                    if state(ctx).debug:
                        print(_("the server asks to try again: running the command again"),
                              file=sys.stderr)  # fmt: skip
                    ctx._protected_args, ctx.args = list(given[0]), list(given[1])
                    # (50-200 ms, longer each time, apart from the other party's retry)
                    jitter = 0.05 + (time.monotonic_ns() % 150_000_000) / 1e9
                    time.sleep(jitter * (attempt + 1))
            raise AssertionError("unreachable: the last attempt is never run again")
        finally:
            _tell_lock_waits(state(ctx).debug)

    def _invoke(self, ctx: Any, *, may_retry: bool) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise localize_usage_error(exc) from None
        except FollowupError as exc:
            if may_retry and _run_again(exc):
                raise _RunAgain from None
            if state(ctx).debug:
                raise
            _report(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except (_sqlite_error(), UnicodeDecodeError) as exc:
            # Only an error that reached here pays for the store's modules.
            from followup_cli.store.busy import busy_error, is_busy
            from followup_cli.store.damage import (
                damage_error,
                is_damage,
                is_orphan_write,
                is_refused_by_trigger,
                orphan_write_error,
                trigger_error,
            )

            if may_retry and _run_again(exc):
                raise _RunAgain from None
            if state(ctx).debug:
                raise
            known = (
                busy_error()
                if is_busy(exc)
                else damage_error(exc)
                if is_damage(exc)
                else trigger_error(exc)
                if is_refused_by_trigger(exc)
                else orphan_write_error()
                if is_orphan_write(exc)
                else disk_full(state(ctx).location())
                if is_disk_full(exc)
                else None
            )
            if known is not None:
                _report(known.message, known.hint)
                raise typer.Exit(known.exit_code) from None
            _report(
                _("unexpected internal error ({error})").format(
                    error=f"{type(exc).__name__}: {exc}"
                )
                if isinstance(exc, UnicodeDecodeError)
                else _("database error: {error}").format(error=exc),
                _("Nothing was saved. Run `followup db check`; re-run with --debug for details."),
            )
            raise typer.Exit(EXIT_INTERNAL) from None
        except BrokenPipeError:
            raise  # the reader went away (`due | head`): Click exits quietly
        except KeyboardInterrupt:
            # Ctrl-C: every write is one transaction, rolled back on the way out.
            print(file=sys.stderr)
            print(_("Interrupted: nothing saved."), file=sys.stderr)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if isinstance(exc, OSError) and is_disk_full(exc) and not state(ctx).debug:
                full = disk_full(exc.filename if isinstance(exc.filename, str) else None)
                _report(full.message, full.hint)
                raise typer.Exit(full.exit_code) from None
            if type(exc).__module__.startswith("typer") or state(ctx).debug:
                raise
            _report(
                _("unexpected internal error ({error})").format(
                    error=f"{type(exc).__name__}: {exc}"
                ),
                _("Nothing was saved. Re-run with --debug to see the traceback, and report it."),
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


def _install_completion(ctx: typer.Context, _param: Any, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        # Only --install-completion loads the completion machinery.
        from followup_cli.cli.completion import install_completion

        install_completion()


def _show_completion(ctx: typer.Context, _param: Any, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        # Only --show-completion loads the completion machinery.
        from followup_cli.cli.completion import show_completion

        show_completion()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="FOLLOWUP_DB",
            help="Database file, or a PostgreSQL URL (postgresql://USER@HOST/DB)."
            " Default: $XDG_DATA_HOME/followup/followup.db.",
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
    install_completion: Annotated[
        bool,
        typer.Option(
            "--install-completion",
            callback=_install_completion,
            is_eager=True,
            expose_value=False,
            help="Install tab completion for your shell (bash, zsh, fish).",
        ),
    ] = False,
    show_completion: Annotated[
        bool,
        typer.Option(
            "--show-completion",
            callback=_show_completion,
            is_eager=True,
            expose_value=False,
            help="Print the completion script for your shell, to install it by hand.",
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
    # Loaded here, not at the top: `followup --help` starts without the output layer.
    from followup_cli.render.lines import set_wide

    set_wide(False)  # until a command's --wide says otherwise (tests run many in one process)
    st = state(ctx)
    st.set_database(db)
    st.config_path = config
    st.debug = debug
    st.today = parse_date_option("--today", today)


def main() -> None:
    app(prog_name="followup")
