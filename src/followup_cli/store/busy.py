"""A database held by another process: how long to wait, how to tell, what to say."""

from __future__ import annotations

import os
import sqlite3

from followup_cli.support.errors import DatabaseBusy
from followup_cli.support.i18n import _

DEFAULT_BUSY_TIMEOUT_MS = 10_000


def busy_timeout_ms() -> int:
    raw = os.environ.get("FOLLOWUP_BUSY_TIMEOUT_MS", "")
    return int(raw) if raw.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


def is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def busy_error() -> DatabaseBusy:
    return DatabaseBusy(
        _(
            "the database is busy: another followup process held it for more than {seconds} s"
        ).format(seconds=f"{busy_timeout_ms() / 1000:g}"),
        _("Nothing was written. Try again in a moment (cron may simply retry)."),
    )
