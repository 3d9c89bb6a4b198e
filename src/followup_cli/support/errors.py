"""Errors a user can see: each carries a message, a hint (what to do next) and an exit code.

Exit codes (SPEC section 5): 0 success; 1 refused or not found; 2 usage error;
65 bad input data; 75 database busy past the timeout (cron may retry); 130 interrupted
(Ctrl-C or end of input in the call script: nothing saved).
"""

from __future__ import annotations

import errno

from followup_cli.support.i18n import _, label

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_DATA = 65
EXIT_INTERNAL = 70
EXIT_BUSY = 75
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


class FollowupError(Exception):
    """Base of every error that is reported to the user as `Error: message`."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFound(FollowupError):
    """Something named on the command line does not exist."""


class Refused(FollowupError):
    """The action is not allowed in the current state (closing an un-notified ticket...)."""


class Conflict(Refused):
    """The action would duplicate something that exists (a customer code, a staff name)."""


class UsageError(FollowupError):
    """The command was called wrongly: an unknown choice, a missing option off a terminal."""

    exit_code = EXIT_USAGE


class DataError(FollowupError):
    """Input data is malformed: a date, a CSV cell, an encoding."""

    exit_code = EXIT_DATA


class StorageError(FollowupError):
    """The database file cannot be used: missing, unwritable, corrupt, not SQLite."""


class DiskFull(StorageError):
    """The disk (or the user's quota) has no room left: nothing was written (exit 1)."""


# SQLite's result code for "database or disk is full" (SQLITE_FULL).
_SQLITE_FULL = 13


def is_disk_full(exc: BaseException) -> bool:
    """Whether `exc` (an OSError, or an sqlite3 error) says the disk or quota is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL:
        return True
    return "database or disk is full" in str(exc)


def disk_full(what: str | None = None) -> DiskFull:
    """The refusal for a full disk; `what` names the file that could not be written."""
    message = (
        _("the disk is full: cannot write {path}").format(path=what)
        if what
        else _("the disk is full")
    )
    return DiskFull(
        message,
        _("Nothing was saved. Free some space on the disk (or write elsewhere) and try again."),
    )


class DatabaseBusy(FollowupError):
    """Another process held the write lock past the busy timeout."""

    exit_code = EXIT_BUSY
    # The server stopped the transaction to break a deadlock (or could not serialise
    # it): running the command again may cure it (store/busy.py, cli/app.py).
    retriable = False


class ConfigError(FollowupError):
    """The configuration file is unreadable or holds a wrong value."""

    exit_code = EXIT_DATA


class InvalidValue(DataError):
    """One field holds a value that is not allowed; `field` and `expected` say which and why."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(
            _("{field}: {value} is not valid; expected {expected}").format(
                field=label("field", field), value=repr(value), expected=expected
            )
        )
