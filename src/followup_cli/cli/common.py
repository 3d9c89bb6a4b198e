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


class DataFormat(StrEnum):
    """The formats of a command that writes data only (export)."""

    csv = "csv"
    json = "json"


DataFormatOption = Annotated[
    DataFormat,
    typer.Option("--format", "-f", help="Output: csv or json.", case_sensitive=False),
]


class TextFormat(StrEnum):
    """The formats of a command whose output is text for people or JSON (import's
    report, the configuration as TOML)."""

    table = "table"
    json = "json"


TextFormatOption = Annotated[
    TextFormat,
    typer.Option("--format", "-f", help="Output: table (text) or json.", case_sensitive=False),
]


ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        envvar="FOLLOWUP_STAFF",
        help="Who is doing this (a staff name); kept on record.",
    ),
]


def new_app(help_text: str, *examples: str) -> typer.Typer:
    """A command group with plain (fast, stable) help and no pretty tracebacks.

    `help_text` is the group's summary in the registry (followup_cli.cli.app.COMMANDS);
    it is translated, with the rest of the help, when the group is built. `examples`
    (two or three real commands) show how the group is used."""
    heading = "Examples:" if len(examples) > 1 else "Example:"
    lines = "\n".join(f"  {example}" for example in examples)
    return typer.Typer(
        help=f"{help_text}\n\n\b\n{heading}\n{lines}",
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
