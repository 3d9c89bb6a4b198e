"""Shared pieces of the command line: sub-app factory, common options."""

from enum import StrEnum
from typing import Annotated

import typer

from followup_cli.render.output import set_wide


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output: table (aligned text; Rich on a terminal), csv or json.",
        case_sensitive=False,
    ),
]


def _wide(value: bool) -> bool:
    set_wide(value)
    return value


WideOption = Annotated[
    bool,
    typer.Option(
        "--wide",
        callback=_wide,
        help="On a terminal, every column (free text wrapped), even if wider than it.",
    ),
]


ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        envvar="FOLLOWUP_STAFF",
        help="Who is doing this (a staff name); kept on record.",
    ),
]


def new_app(help_text: str, example: str) -> typer.Typer:
    """A command group with plain (fast, stable) help and no pretty tracebacks.

    `help_text` is the group's summary in the registry (followup_cli.cli.app.COMMANDS);
    it is translated, with the rest of the help, when the group is built."""
    return typer.Typer(
        help=f"{help_text}\n\n\b\nExample:\n  {example}",
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
