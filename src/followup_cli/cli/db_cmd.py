"""`followup db ...`: where the database is, online backup, integrity check."""

from pathlib import Path
from typing import Annotated

import typer

from followup_cli.cli.common import FileName, new_app
from followup_cli.cli.state import open_session, state
from followup_cli.store import backup_to
from followup_cli.store.checks import check_database
from followup_cli.support.errors import Refused, UsageError
from followup_cli.support.i18n import _
from followup_cli.support.output_files import is_stdout

app = new_app(
    "Database location, online backup, integrity check.",
    "followup db path",
    "followup db backup ~/backup/followup-2026-11-23.db",
    "followup db check",
)


@app.command("path")
def path_cmd(ctx: typer.Context) -> None:
    """Print the database location (from --db, FOLLOWUP_DB or the default).

    \b
    Example:
      sqlite3 "$(followup db path)" .tables
    """
    print(state(ctx).resolved_db_path())


@app.command("backup")
def backup_cmd(
    ctx: typer.Context,
    dest: Annotated[
        Path, typer.Argument(help="New file to write the backup to.", click_type=FileName())
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace DEST if it is an existing file.")
    ] = False,
) -> None:
    """Copy the database with SQLite's online backup (safe while others write); mode 0600.

    \b
    Example:
      followup db backup ~/backups/followup-$(date +%F).db
    """

    if is_stdout(dest):
        raise UsageError(
            _("a backup is a database file and cannot go to standard output"),
            _("Give a file name, e.g. `followup db backup ~/backups/followup.db`."),
        )
    session = open_session(ctx)
    backup_to(session.conn, dest, force=force)
    print(_("Backed up to {path}").format(path=dest))


@app.command("check")
def check_cmd(ctx: typer.Context) -> None:
    """Run SQLite's integrity and foreign-key checks; exit 1 if anything is wrong.

    \b
    Example:
      followup db check
    """

    session = open_session(ctx)
    report = check_database(session.conn)
    print(_("Database: {path}").format(path=state(ctx).resolved_db_path()))
    print(
        _("Schema version: {version}; journal mode: {mode}").format(
            version=report.schema_version, mode=report.journal_mode
        )
    )
    print(
        _("Rows: {counts}").format(counts=", ".join(f"{k} {v}" for k, v in report.counts.items()))
    )
    for line in report.integrity:
        print(_("integrity: {problem}").format(problem=line))
    for line in report.foreign_keys:
        print(_("foreign key: {problem}").format(problem=line))
    if not report.ok:
        raise Refused(
            _("the database has problems (listed above)"),
            _("Restore the latest backup, or copy what is readable with `sqlite3 .recover`."),
        )
    print(_("Integrity: ok; foreign keys: ok"))
