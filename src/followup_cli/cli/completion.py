"""Shell completion: `--install-completion`, `--show-completion`, and the values a shell
offers after an option or argument (customer codes, staff names, categories...).

The shell runs `followup` with `_FOLLOWUP_COMPLETE=complete_bash` (or zsh, fish) and
the words typed so far; the candidates come from the registry (command names) and from
the database, opened read-only. A completer never fails loudly: a missing or locked
database, a bad config, anything at all gives no candidates rather than an error in the
middle of the user's command line.

This module is imported with the commands that declare completers (for the functions'
names); everything it needs to complete loads only when the shell asks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from followup_cli.support.i18n import _

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
# Candidates offered at most: a shell shows them all, and a long list helps nobody.
MOST = 50


def prepare_completion() -> None:
    """Register Typer's shell classes (bash, zsh, fish, PowerShell) before Click looks
    them up."""
    # Only a completion request needs Typer's shell classes.
    from typer._completion_classes import completion_init

    completion_init()


def detect_shell() -> str | None:
    """The shell the user is typing in: the parent processes first (as Typer does),
    then $SHELL; None if neither is one completion supports."""
    # Only --install-completion / --show-completion look at the parent processes.
    import shellingham  # type: ignore[import-untyped]

    try:
        name = str(shellingham.detect_shell()[0]).lower()
    except (shellingham.ShellDetectionFailure, RuntimeError, OSError):
        name = ""
    if name in SHELLS:
        return name
    name = os.path.basename(os.environ.get("SHELL", "")).lower()
    return name if name in SHELLS else None


def _shell_or_exit() -> str:
    shell = detect_shell()
    if shell is None:
        print(
            _("Error: {message}").format(
                message=_("cannot tell which shell this is (completion supports {shells})").format(
                    shells=", ".join(SHELLS[:3])
                )
            ),
            file=sys.stderr,
        )
        print(_("Run the command from bash, zsh or fish, or set SHELL."), file=sys.stderr)
        raise typer.Exit(2)
    return shell


def show_completion() -> None:
    """Print the completion script of the user's shell, and exit."""
    # Only --show-completion needs the script templates.
    from typer._completion_shared import get_completion_script

    print(
        get_completion_script(
            prog_name="followup", complete_var="_FOLLOWUP_COMPLETE", shell=_shell_or_exit()
        )
    )
    raise typer.Exit(0)


def install_completion() -> None:
    """Install the completion script where the user's shell reads it, and exit."""
    # Only --install-completion needs the installer.
    from typer._completion_shared import install

    shell = _shell_or_exit()
    shell, path = install(shell=shell, prog_name="followup", complete_var="_FOLLOWUP_COMPLETE")
    print(_("{shell} completion installed in {path}").format(shell=shell, path=path))
    print(_("It takes effect in a new terminal."))
    raise typer.Exit(0)


# -- the values of options and arguments -----------------------------------------------


def _root_path(ctx: typer.Context, name: str) -> Path | None:
    value = ctx.find_root().params.get(name)
    return Path(value) if value else None


def _quietly(find: Callable[[typer.Context, str], list[tuple[str, str]]]) -> Any:
    """A Typer `autocompletion=` callback that gives no candidates on any error."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        try:
            return find(ctx, incomplete)[:MOST]
        except Exception:
            return []

    complete.__name__ = find.__name__
    complete.__doc__ = find.__doc__
    return complete


def _read_only(ctx: typer.Context) -> Any:
    """The database named by --db / FOLLOWUP_DB (or the default), opened read-only, or
    None if there is none."""
    # Only a completion request opens the database this way.
    from followup_cli.store.connection import default_db_path, open_read_only
    from followup_cli.store.engines import is_server_url, open_server_as_it_is

    value = ctx.find_root().params.get("db")
    if value and is_server_url(str(value)):  # (a URL is not a path: Path() folds its //)
        return open_server_as_it_is(str(value))
    return open_read_only(Path(value) if value else default_db_path())


@_quietly
def complete_customer(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Active customers whose code or name starts with what was typed: the code, with
    the name as its description."""
    # Only a completion request reads the customer file.
    from followup_cli.domain.customers.records import customers_starting

    conn = _read_only(ctx)
    if conn is None:
        return []
    try:
        return customers_starting(conn, incomplete, MOST)
    finally:
        conn.close()


@_quietly
def complete_staff(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Staff names starting with what was typed, with their role."""
    # Only a completion request reads the roster.
    from followup_cli.domain.staff.records import staff_starting
    from followup_cli.support.i18n import label

    conn = _read_only(ctx)
    if conn is None:
        return []
    try:
        return [(name, label("role", role)) for name, role in staff_starting(conn, incomplete)]
    finally:
        conn.close()


@_quietly
def complete_category(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The office's complaint categories (from the config in use), with their labels."""
    # Only a completion request reads the config's categories.
    from followup_cli.support.config import default_config_path, load_config

    given = _root_path(ctx, "config")
    config = load_config(given or default_config_path(), explicit=given is not None)
    return [
        (code, _(str(entry.get("label", ""))))
        for code, entry in config.data["categories"].items()
        if code.startswith(incomplete)
    ]


def complete_words(kind: str) -> Any:
    """A completer offering the stored values of a vocabulary kind (roles, event kinds,
    outcomes...), with their labels."""

    def find(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        # Only a completion request reads the vocabulary.
        from followup_cli.domain.vocabulary import VOCABULARIES
        from followup_cli.support.i18n import label

        vocabulary = VOCABULARIES[kind]
        return [
            (value, label(vocabulary.label_kind, value))
            for value in vocabulary.values
            if value.startswith(incomplete.lower())
        ]

    find.__name__ = f"complete_{kind}"
    return _quietly(find)


def complete_choices(*choices: str) -> Any:
    """A completer offering fixed words (the tables `import` and `export` take)."""

    def find(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        return [(choice, "") for choice in choices if choice.startswith(incomplete)]

    return _quietly(find)
