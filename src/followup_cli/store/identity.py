"""Is this file a followup database? Told before anything in it is changed.

A followup database carries SQLite's application id 0x464F4C55 ('FOLU', set by every
migration and on the first writable open of a current database that lacks it). A file
from before the id was set is recognised by its schema version (user_version > 0) and
followup's own `_migrations` and `meta` tables. Anything else, another program's SQLite
file with or without a user_version, is refused and left exactly as it was.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from followup_cli.support.errors import StorageError
from followup_cli.support.i18n import _

APPLICATION_ID = 0x464F4C55  # 'FOLU'
OWN_TABLES = frozenset({"_migrations", "meta"})


@dataclass(frozen=True)
class Identity:
    version: int  # PRAGMA user_version: the migrations applied (0: an empty database)
    application_id: int

    @property
    def marked(self) -> bool:
        return self.application_id == APPLICATION_ID


def read_identity(conn: sqlite3.Connection) -> tuple[Identity, set[str]]:
    """Reads only: the header fields and the table names."""
    # SQLite-only: PRAGMA application_id / user_version and sqlite_master. A second
    # engine keeps the version in a table and knows its own tables by information_schema.
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    return Identity(version, app_id), tables


def identify(conn: sqlite3.Connection, path: Path, *, create: bool, known: int) -> Identity:
    """The database's identity if it is followup's (or, with `create`, an empty SQLite
    file followup may set up); a StorageError naming what it is otherwise. Writes
    nothing, so a refused file is left untouched."""
    found, tables = read_identity(conn)
    ours = found.marked or (
        found.application_id == 0 and found.version > 0 and tables >= OWN_TABLES
    )
    if not ours:
        refuse_foreign(path, found, tables, create=create)
        return found
    if found.version < 0 or (found.version == 0 and tables):
        raise StorageError(
            _(
                "{path} has an impossible schema version ({version}): it was changed by"
                " another tool"
            ).format(path=path, version=found.version),
            _(
                "followup left it untouched. Restore the latest backup"
                " (see `followup db backup`), or set it back with sqlite3."
            ),
        )
    if found.version > known:
        raise StorageError(
            _(
                "{path} was written by a newer followup (schema v{version}, this one knows"
                " v{known})"
            ).format(path=path, version=found.version, known=known),
            _("Upgrade followup before using this database."),
        )
    return found


def refuse_foreign(path: Path, found: Identity, tables: set[str], *, create: bool) -> None:
    """Refuse a SQLite file that is not followup's; an empty one only without `create`."""
    hint = _("Run `followup init` to set it up, or point --db at your followup database.")
    untouched = _("followup left it untouched. Point --db / FOLLOWUP_DB at your followup database.")
    if found.application_id != 0:
        raise StorageError(
            _("{path} belongs to another program (application id {app_id:#010x})").format(
                path=path, app_id=found.application_id & 0xFFFFFFFF
            ),
            _("followup left it untouched. Point --db / FOLLOWUP_DB at your followup database."),
        )
    if tables:
        if create:
            raise StorageError(
                _("{path} holds tables of another program").format(path=path),
                _("Choose a new file for followup's database."),
            )
        raise StorageError(
            _("{path} is not a followup database (it holds other tables)").format(path=path),
            untouched,
        )
    if found.version != 0:
        raise StorageError(
            _(
                "{path} is not a followup database (schema version {version}, but none of"
                " followup's tables)"
            ).format(path=path, version=found.version),
            untouched,
        )
    if not create:
        raise StorageError(
            _("{path} is not a followup database (it is empty)").format(path=path), hint
        )
