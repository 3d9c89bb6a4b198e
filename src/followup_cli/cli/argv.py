"""What the command line and the environment hand over is text: checked before parsing.

Python reads argv and the environment with `surrogateescape`, so bytes that are not
UTF-8 (`$'\\xff'`, a GBK file name in a UTF-8 shell) arrive as lone surrogates, which
SQLite, the terminal and every encoder refuse with a UnicodeEncodeError. One look before
any parsing refuses them (exit 2), showing the bytes escaped (`\\xff`), so no later
path — a did-you-mean suggestion, an echoed value, a lookup — ever meets one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import _

# The variables the tool reads (its own, and those its default paths are built from).
_PATH_VARIABLES = ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
_SHOWN_MAX = 60  # characters of a refused value shown in the message


def is_text(value: str) -> bool:
    """Whether `value` is valid Unicode text (no lone surrogate from undecodable bytes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_bytes(value: str) -> str:
    """`value` as printable text: undecodable bytes as `\\xff` (and any other lone
    surrogate as `\\udcff`), cut to a readable length."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "backslashreplace")
    shown = raw.decode("utf-8", "backslashreplace")
    if len(shown) > _SHOWN_MAX:
        shown = shown[:_SHOWN_MAX] + "…"
    return shown


def check_arguments(args: Sequence[str]) -> None:
    """UsageError (exit 2) naming the first argument that is not valid UTF-8."""
    for arg in args:
        if "\x00" in arg:  # only in-process: a real argv cannot hold one
            raise UsageError(
                _("the argument '{value}' contains a NUL character").format(
                    value=shown_bytes(arg).replace("\x00", "\\x00")
                ),
                _("Give the text without it."),
            )
        if not is_text(arg):
            raise UsageError(
                _("the argument '{value}' is not valid UTF-8 text").format(value=shown_bytes(arg)),
                _(
                    "followup reads UTF-8: type it again in a UTF-8 terminal, or rename"
                    " the file to a UTF-8 name."
                ),
            )


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """UsageError (exit 2) naming a FOLLOWUP_* (or path) variable that is not valid UTF-8."""
    env = os.environ if environ is None else environ
    for name, value in env.items():
        if (name.startswith("FOLLOWUP_") or name in _PATH_VARIABLES) and not is_text(value):
            raise UsageError(
                _("the environment variable {name} ('{value}') is not valid UTF-8 text").format(
                    name=name, value=shown_bytes(value)
                ),
                _("Set it again in UTF-8, or unset it."),
            )
