"""A damaged database, text that is not UTF-8, a change a trigger refuses: how to tell,
what to say. The CLI's one error handler asks here (like store/busy.py for a lock), so
every command reports a damaged file the same way: exit 1, "run `followup db check`"."""

from __future__ import annotations

import sqlite3

from followup_cli.support.errors import Refused, StorageError
from followup_cli.support.i18n import _

# What SQLite says when the file's pages do not hold what they should (SQLITE_CORRUPT,
# SQLITE_NOTADB), in the words of sqlite3_errstr and of its schema parser.
DAMAGE_WORDS = (
    "malformed",
    "file is not a database",
    "database corruption",
    "disk image",
)

# Python's sqlite3 module, reading a TEXT value whose bytes are not UTF-8.
NOT_UTF8 = "could not decode to utf-8"

# The triggers' RAISE(ABORT, ...) texts (store/migrations.py): a change the schema
# refuses whoever makes it.
TRIGGER_WORDS = ("are never", "is never", "cannot be closed", "append-only")


def decoded(exc: BaseException) -> str:
    """An error's text, safe to print: an error SQLite raised with bytes that are not
    UTF-8 (a damaged schema) arrives as a UnicodeDecodeError holding those bytes."""
    if isinstance(exc, UnicodeDecodeError) and isinstance(exc.object, bytes):
        return exc.object.decode("utf-8", errors="replace")
    return str(exc)


def is_damage(exc: BaseException) -> bool:
    """True for SQLite's "database disk image is malformed" / "file is not a database"
    (and the undecodable variants of them), and for text in the file that is not UTF-8."""
    if isinstance(exc, UnicodeDecodeError):
        # Only SQLite's own message arrives so (a TEXT value that is not UTF-8 is an
        # OperationalError); any other decoding error is not the database's.
        text = decoded(exc).lower()
        return any(word in text for word in DAMAGE_WORDS)
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.IntegrityError):
        return False
    text = str(exc).lower()
    return NOT_UTF8 in text or any(word in text for word in DAMAGE_WORDS)


def is_damage_text(text: str) -> bool:
    """True if an error's text (as `decoded` gives it) says the file is damaged."""
    lowered = text.lower()
    return NOT_UTF8 in lowered or any(word in lowered for word in DAMAGE_WORDS)


def damage_error(exc: BaseException) -> StorageError:
    text = decoded(exc)
    if NOT_UTF8 in text.lower():
        message = _("the database holds text that is not valid UTF-8 ({error})")
    else:
        message = _("the database is damaged ({error})")
    return StorageError(
        message.format(error=text),
        _(
            "Nothing was saved. Run `followup db check` to see what is wrong; restore the"
            " latest backup (`followup db backup` copies), or copy what is readable with"
            " `.recover` in the sqlite3 shell."
        ),
    )


def is_refused_by_trigger(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.IntegrityError):
        return False
    text = str(exc).lower()
    return any(word in text for word in TRIGGER_WORDS)


def is_orphan_write(exc: BaseException) -> bool:
    """A write that would refer to a row that is gone: with foreign keys on, followup
    never writes one, so the row it refers to (a customer, a ticket) was deleted outside
    followup and the row being written from is an orphan."""
    return isinstance(exc, sqlite3.IntegrityError) and "foreign key" in str(exc).lower()


def orphan_write_error() -> Refused:
    return Refused(
        _("this change refers to a row that is missing (deleted outside followup)"),
        _(
            "Nothing was saved. Run `followup db check`: it lists the orphans and what to"
            " do about them."
        ),
    )


def trigger_error(exc: BaseException) -> Refused:
    return Refused(
        _("the database refused the change: {reason}").format(reason=decoded(exc)),
        _("Nothing was saved. Calls, closed tickets and escalations are kept as recorded."),
    )


# A write first checks that the file is sound, within a budget of a few milliseconds on
# the 10k-customer bench office (figures: bench/README.md, "Costs behind the code").
# SQLite's `PRAGMA quick_check` reads every page it checks (`quick_check(calls)` every
# page of calls and its indexes), so it runs only on a small database (at most this many
# pages: 1 MiB at 4 KiB a page).
# Every database gets the cheap checks: the freelist count against the page count, and
# every table's and index's root page within the file and used once. The trade-off:
# damage deep inside a large table passes this check; SQLite still refuses the pages
# the write itself reads ("malformed", exit 1), and `followup db check` finds the rest.
QUICK_CHECK_MAX_PAGES = 256


def refuse_damaged(conn: sqlite3.Connection) -> None:
    """Raise StorageError if the database fails the check before a write (see above)."""
    # SQLite-only: PRAGMA page_count, freelist_count, quick_check and sqlite_master.
    try:
        problem = _write_check(conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        if isinstance(exc, sqlite3.DatabaseError) and not is_damage(exc):
            raise
        problem = decoded(exc)
    if problem is not None:
        raise StorageError(
            _("the database is damaged ({error}); nothing was written").format(error=problem),
            _(
                "Run `followup db check` to see what is wrong; restore the latest backup"
                " (`followup db backup` copies), or copy what is readable with `.recover`"
                " in the sqlite3 shell."
            ),
        )


def _write_check(conn: sqlite3.Connection) -> str | None:
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    if free >= pages:
        return _("the freelist counts {free} of {pages} pages").format(free=free, pages=pages)
    roots = [
        (name, root)
        for name, root in conn.execute(
            "SELECT name, rootpage FROM sqlite_master WHERE type IN ('table', 'index')"
        )
    ]
    seen: set[int] = set()
    for name, root in roots:
        if not isinstance(root, int) or (root != 0 and (root < 1 or root > pages or root in seen)):
            return _("{name} has an impossible root page {root}").format(name=name, root=root)
        seen.add(root)
    if pages <= QUICK_CHECK_MAX_PAGES:
        line = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if line != "ok":
            return str(line).replace("*** in database main ***\n", "").replace("\n", "; ")
    return None
