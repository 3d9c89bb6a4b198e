"""Lines of text for a person: confirmations, warnings and errors, each fitted to the
terminal's width (broken between words and phrases, see render/wrap.py) and written as
it is off a terminal (cron mail, pipes).

Split from render/output.py (which re-exports all of it) so that a command that only
says what it did (`log-call`) loads neither the tables nor the CSV and JSON writers.
Rich is not loaded here: a terminal's width is read as Rich reads it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
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


def rich_is_terminal(file: Any, env: Mapping[str, str]) -> bool:
    """Console.is_terminal: TTY_COMPATIBLE, then FORCE_COLOR, decide first; else the
    stream's isatty. (Its Jupyter and IDLE cases cannot run a command-line tool.)"""
    tty_compatible = env.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "1"
    force_color = env.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    isatty = getattr(file, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:
        return False


def rich_dumb_terminal(env: Mapping[str, str]) -> bool:
    return env.get("TERM", "").lower() in ("dumb", "unknown")


def terminal_width(file: IO[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The terminal's width in cells, as a Rich console on `file` (stdout) reads it
    (Console.width; a test holds the two equal), without loading Rich: COLUMNS and
    LINES both set win; a dumb terminal is 80 wide; else the first of stdin, stdout and
    stderr that is a terminal, COLUMNS over it; 80 when nothing says."""
    env = os.environ if environ is None else environ
    columns, lines = env.get("COLUMNS"), env.get("LINES")
    if columns is not None and columns.isdigit() and lines is not None and lines.isdigit():
        return int(columns)
    if rich_dumb_terminal(env) and rich_is_terminal(
        raw_stream(sys.stdout if file is None else file), env
    ):
        return 80
    width: int | None = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


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
