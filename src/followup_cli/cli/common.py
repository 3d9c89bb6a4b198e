"""Shared pieces of the command line: sub-app factory, common options."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.models import TyperPath

from followup_cli.render.lines import set_wide
from followup_cli.support.errors import FollowupError
from followup_cli.support.i18n import _
from followup_cli.support.output_files import check_name

# The longest look-ahead of `due --days`: ten years, as the longest planning interval
# (support.dates.INTERVAL_MAX), so date arithmetic stays in range.
DAYS_MAX = 3660


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


class FileName(TyperPath):
    """A file the command writes (`--output`, `db backup DEST`, `config init PATH`): an
    empty name, a name longer than the filesystem takes (255 bytes) or a path longer than
    PATH_MAX is a usage error (exit 2) before anything is opened. Completion offers files."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                self.fail(_("an empty name is not a file name"), param, ctx)
            try:
                check_name(value)
            except FollowupError as exc:
                self.fail(exc.message, param, ctx)
        return super().convert(value, param, ctx)
