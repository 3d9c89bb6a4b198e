"""The schema on a PostgreSQL server: the same migrations, versioned alike.

SQLite keeps the schema version in PRAGMA user_version; here it is the number of rows
in `_migrations`, which names each step applied in both engines. Every migration of
store/migrations.py runs as it is, its statements translated by the connection (tables'
types, triggers as PL/pgSQL functions: store/engines/pg_sql.py), all of them and the
version in one transaction under the write lock: a failed upgrade leaves the database
as it was, and a second process that waited finds the work done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from followup_cli.store.engines.urls import shown_url
from followup_cli.store.schema import SCHEMA_VERSION
from followup_cli.support.errors import StorageError
from followup_cli.support.i18n import _

OWN_TABLES = frozenset({"_migrations", "meta"})


def server_version(conn: Any) -> int:
    """The migrations applied to the database (0 for an empty one); a StorageError for
    a database holding another program's tables."""
    tables = conn.table_names()
    if not tables:
        return 0
    if not tables >= OWN_TABLES:
        raise StorageError(
            _("{path} is not a followup database (it holds other tables)").format(
                path=shown_url(conn.url)
            ),
            _("followup left it untouched. Point --db / FOLLOWUP_DB at your followup database."),
        )
    return int(conn.execute("SELECT count(*) FROM _migrations").fetchone()[0])


def _refuse_newer(conn: Any, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StorageError(
            _(
                "{path} was written by a newer followup (schema v{version}, this one knows"
                " v{known})"
            ).format(path=shown_url(conn.url), version=version, known=SCHEMA_VERSION),
            _("Upgrade followup before using this database."),
        )


class _Steps:
    """What a migration is handed (it asks for `execute` and `conn`, as of a
    sqlite_utils.Database)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.conn.execute(sql, params)


def bring_up_to_date(conn: Any, *, create: bool) -> None:
    version = server_version(conn)
    _refuse_newer(conn, version)
    if version == SCHEMA_VERSION:
        behind = conn.numbering_behind()
        if behind:
            _renew_numbering(conn)
        return
    if version == 0 and not create:
        # As for a file not created yet: the database is there, followup's is not.
        raise StorageError(
            _("no database at {path}").format(path=shown_url(conn.url)),
            _("Run `followup init` to create it, or point --db / FOLLOWUP_DB at your file."),
        )
    # Only a database behind this release loads the migrations.
    from followup_cli.store.migrations import apply_steps

    with _under_the_write_lock(conn):
        current = server_version(conn)
        _refuse_newer(conn, current)
        apply_steps(conn, _Steps(conn), current)
        if conn.pending_references:
            raise StorageError(
                _("the schema refers to tables it does not create: {tables}").format(
                    tables=", ".join(sorted({r[2] for r in conn.pending_references}))
                )
            )
        conn.renew_numbering(conn.numbering_behind())


def _renew_numbering(conn: Any) -> None:
    """A database of this schema whose ids an earlier release numbered without
    sequences: numbered as this one numbers them (pg_sql.row_numbering), under the
    write lock, once."""
    with _under_the_write_lock(conn):
        conn.renew_numbering(conn.numbering_behind())


@contextmanager
def _under_the_write_lock(conn: Any) -> Iterator[None]:
    """BEGIN IMMEDIATE (the lone writer's lock) ... COMMIT, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
