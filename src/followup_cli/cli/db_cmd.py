"""`followup db ...`: where the database is, backups and restore, integrity check, prune."""

import sqlite3
from pathlib import Path

import typer

from followup_cli.cli.backup_cmd import backup_cmd, backups_cmd, restore_cmd
from followup_cli.cli.common import new_app
from followup_cli.cli.privacy_cmd import prune_cmd
from followup_cli.cli.state import load_config, open_session, state
from followup_cli.domain.callbacks.owed import events_owed, owed, yearly_owed
from followup_cli.store.checks import (
    MAX_LINES,
    CheckReport,
    check_database,
    first,
    orphan_lines,
)
from followup_cli.store.connection import open_read_only
from followup_cli.store.damage import decoded, is_damage
from followup_cli.support.errors import Refused, StorageError
from followup_cli.support.i18n import _

app = new_app(
    "Database location, backups and restore, checks, retention.",
    "followup db backup /var/backups/followup --keep 14",
    "followup db restore /var/backups/followup/followup-2026-12-01T0730.db --force",
    "followup db check",
)


@app.command("path")
def path_cmd(ctx: typer.Context) -> None:
    """Print the database location (from --db, FOLLOWUP_DB or the default).

    \b
    Example:
      sqlite3 "$(followup db path)" .tables
    """
    print(state(ctx).location())


@app.command("copy")
def copy_cmd(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="The database to copy: a file or a PostgreSQL URL."),
    dest: str = typer.Argument(..., help="Where to: a file or a PostgreSQL URL."),
    replace: bool = typer.Option(
        False, "--replace", help="Empty a destination that holds data first."
    ),
) -> None:
    """Copy a whole office between SQLite and PostgreSQL (either way), in one transaction.

    Every table's rows are copied, ids kept, and each table's row count checked
    against the source's before the commit; a destination that holds data is refused
    unless --replace. The source is only read.

    \b
    Example:
      followup db copy ~/office/followup.db postgresql://followup@db.example/followup
    """
    load_config(ctx)
    # Only a copy opens two databases and loads the copier.
    from followup_cli.store.copying import copy_office, open_location
    from followup_cli.store.engines import shown_location

    src = open_location(source)
    ctx.call_on_close(src.close)
    target = open_location(dest, create=True)
    ctx.call_on_close(target.close)
    report = copy_office(src, target, replace=replace)
    print(
        _("Copied {rows} rows in {tables} tables from {source} to {dest}").format(
            rows=sum(report.counts.values()),
            tables=len(report.counts),
            source=shown_location(source),
            dest=shown_location(dest),
        )
    )


app.command("backup")(backup_cmd)
app.command("backups")(backups_cmd)
app.command("restore")(restore_cmd)
app.command("prune")(prune_cmd)


@app.command("check")
def check_cmd(ctx: typer.Context) -> None:
    """Check the database: integrity, foreign keys (orphans), missing indexes and triggers, text.

    Exit 1 if anything is wrong, with what to do. Each check runs on its own: on a
    damaged file every check that can still run reports.

    \b
    Example:
      followup db check
    """

    print(_("Database: {path}").format(path=state(ctx).location()))
    try:
        conn = open_session(ctx).conn
    except (StorageError, sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        # A file that cannot be opened may still be checked, read-only and as it is: if
        # the checks find damage, that is what to report; else the error stands.
        if isinstance(exc, sqlite3.DatabaseError | UnicodeDecodeError) and not is_damage(exc):
            raise
        if state(ctx).db_url is not None:
            raise
        report = _check_unopened(state(ctx).resolved_db_path())
        if report is None or not report.damaged:
            raise
        _show(report)
        message = exc.message if isinstance(exc, StorageError) else decoded(exc)
        raise StorageError(message, _problems().hint) from None
    report = check_database(conn)
    _show(report)
    _show_owed(conn)
    if report.ok:
        print(_("Integrity: ok; foreign keys: ok"))
        return
    if report.orphans:
        print(
            _(
                "Orphans are rows whose customer, ticket or contact row was deleted outside"
                " followup: copy the missing rows back from a backup, or restore the backup."
            )
        )
    if report.missing_schema:
        print(_("Missing indexes and triggers: run `followup init` to create them again."))
    raise _problems()


def _show_owed(conn: sqlite3.Connection) -> None:
    """What a large import has not yet written after its file (domain/callbacks/owed.py):
    its new customers' callbacks, its reached calls' yearly floors, its new events'
    callbacks. Not a fault, but a list short of them meanwhile."""
    try:
        customers, yearly, events = owed(conn), yearly_owed(conn), events_owed(conn)
    except sqlite3.Error:
        return  # (the checks above say what is wrong with the file)
    if customers is not None and customers.last >= customers.first:
        n = customers.last - customers.first + 1
        if customers.writer_alive:
            print(
                _(
                    "callbacks owed: {n} new customers; the import (process {pid}) is writing them"
                ).format(n=n, pid=customers.pid)
            )
        else:
            print(
                _(
                    "callbacks owed: {n} new customers of an import that stopped; the next"
                    " `followup due` plans them"
                ).format(n=n)
            )
    if yearly is not None and yearly.last >= yearly.first:
        if yearly.writer_alive:
            print(
                _(
                    "yearly floors owed: customer ids {first}–{last}; the calls import (process"
                    " {pid}) is re-anchoring them"
                ).format(first=yearly.first, last=yearly.last, pid=yearly.pid)
            )
        else:
            print(
                _(
                    "yearly floors owed: customer ids {first}–{last} of a calls import that"
                    " stopped; the next `followup due` re-anchors them"
                ).format(first=yearly.first, last=yearly.last)
            )
    if events is not None and events.last >= events.first:
        if events.writer_alive:
            print(
                _(
                    "event callbacks owed: event ids {first}–{last}; the events import"
                    " (process {pid}) is writing them"
                ).format(first=events.first, last=events.last, pid=events.pid)
            )
        else:
            print(
                _(
                    "event callbacks owed: event ids {first}–{last} of an events import that"
                    " stopped; the next `followup due` plans them"
                ).format(first=events.first, last=events.last)
            )


def _show(report: CheckReport) -> None:
    print(
        _("Schema version: {version}; journal mode: {mode}").format(
            version=report.schema_version, mode=report.journal_mode
        )
    )
    print(
        _("Rows: {counts}").format(counts=", ".join(f"{k} {v}" for k, v in report.counts.items()))
    )
    for line in first(report.failed):
        print(_("check failed: {problem}").format(problem=line))
    for line in first(report.integrity):
        print(_("integrity: {problem}").format(problem=line))
    for line in first(report.foreign_keys):
        print(_("foreign key: {problem}").format(problem=line))
    for line in orphan_lines(report):
        print(_("orphans: {problem}").format(problem=line))
    for kind, name in report.missing_schema:
        print(
            (
                _("missing index: {name}") if kind == "index" else _("missing trigger: {name}")
            ).format(name=name)
        )
    for line in first(report.bad_text):
        print(_("text: {problem}").format(problem=line))
    hidden = sum(
        max(len(lines) - MAX_LINES, 0)
        for lines in (report.failed, report.integrity, report.foreign_keys, report.bad_text)
    )
    if hidden:
        print(_("… and {n} more problems").format(n=hidden))


def _check_unopened(path: Path) -> CheckReport | None:
    """The checks of a file the tool cannot open, read on a read-only connection."""
    try:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return None  # not SQLite at all: the opening error says so
    except OSError:
        return None
    conn = open_read_only(path)
    if conn is None:
        return None
    try:
        return check_database(conn)
    finally:
        conn.close()


def _problems() -> Refused:
    return Refused(
        _("the database has problems (listed above)"),
        _(
            "Restore the latest backup (`followup db backup` copies), or copy what is"
            " readable with `.recover` in the sqlite3 shell."
        ),
    )
