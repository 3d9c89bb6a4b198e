"""Lines of text for a person: confirmations, warnings and errors, each fitted to the
terminal's width (broken between words and phrases, see render/wrap.py) and written as
it is off a terminal (cron mail, pipes).

Split from render/output.py (which re-exports all of it) so that a command that only
says what it did (`log-call`) loads neither the tables nor the CSV and JSON writers.
Rich loads only when a terminal's width is asked for.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from followup_cli.render import wrap as wrapping
from followup_cli.support.controls import raw_stream, visible
from followup_cli.support.i18n import _

_wide = False


def set_wide(wide: bool) -> None:
    """`--wide`: terminal tables show every column, free text wrapped, however narrow
    the terminal (the table is then wider than it)."""
    global _wide
    _wide = wide


def wide_tables() -> bool:
    """Did the command ask for `--wide` tables?"""
    return _wide


def stdout_is_terminal() -> bool:
    if os.environ.get("FOLLOWUP_FORCE_TERMINAL"):
        return True
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def stream_is_terminal(stream: IO[str]) -> bool:
    """Is `stream` shown on a terminal (stdout: as `stdout_is_terminal` says)?"""
    if stream is sys.stdout:
        return stdout_is_terminal()
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def console(file: IO[str] | None = None, width: int | None = None) -> Any:
    """A Rich console on `file` (stdout by default)."""
    # Rich loads only when a terminal shows the output (start-up; cron and pipes skip it).
    from rich.console import Console

    # Rich writes its own colour sequences to the stream itself; what it draws is escaped.
    return Console(
        file=raw_stream(file or sys.stdout), highlight=False, emoji=False, markup=False, width=width
    )


def terminal_width() -> int:
    """The terminal's width in cells (COLUMNS first, as Rich reads it)."""
    return int(console().width)


def fitted(text: str, stream: IO[str] | None = None, hang: int = 0) -> str:
    """`text` as it is written to `stream`: on a terminal, every line fitted to its width
    (broken between words and phrases, see render/wrap.py; a line's continuation indented
    like it, `hang` cells more); off a terminal (cron mail, pipes), as it is."""
    stream = stream or sys.stdout
    text = visible(text)
    if not stream_is_terminal(stream):
        return text
    return "\n".join(wrapping.hanging(text, terminal_width(), hang))


def paragraph(text: str, hang: int = 0, err: bool = False) -> None:
    """A line of text for a person: on a terminal, wrapped between words and phrases;
    `err`: on stderr."""
    stream = sys.stderr if err else sys.stdout
    print(fitted(text, stream, hang), file=stream)


def message(text: str) -> None:
    """A confirmation or an item of a list for the user, on stdout: on a terminal, its
    continuation lines indented two cells more than it."""
    paragraph(text, hang=2)


def warn(text: str) -> None:
    paragraph(_("Warning: {message}").format(message=text), hang=2, err=True)


def error(text: str, hint: str | None = None) -> None:
    paragraph(_("Error: {message}").format(message=text), hang=2, err=True)
    if hint:
        paragraph(hint, err=True)
