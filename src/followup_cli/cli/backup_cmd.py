"""`followup db backup | restore | backups`: copies that rotate and prove themselves."""

from pathlib import Path
from typing import Annotated

import typer

from followup_cli.cli.common import FileName, Format, FormatOption, WideOption
from followup_cli.cli.numbers import WholeNumber
from followup_cli.cli.privacy_cmd import interactive
from followup_cli.cli.state import frozen_clock, load_config, open_session, state
from followup_cli.render.output import Column, print_records, warn
from followup_cli.store import backup_to
from followup_cli.store.backups import (
    backup_into,
    backup_name,
    list_backups,
    restorable,
    restore_backup,
)
from followup_cli.support.errors import StorageError, UsageError
from followup_cli.support.i18n import _
from followup_cli.support.output_files import is_stdout


def backup_cmd(
    ctx: typer.Context,
    dest: Annotated[
        Path,
        typer.Argument(
            help="A folder for dated backups (followup-2026-12-01T0730.db), or a new file.",
            click_type=FileName(),
        ),
    ],
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep",
            click_type=WholeNumber(1),
            help="Into a folder: keep the newest N good backups, delete older ones.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace DEST if it is an existing file.")
    ] = False,
) -> None:
    """Copy the database with SQLite's online backup (safe while others write); mode 0600.

    Into a folder: a dated backup, verified on the copy (integrity check, schema
    version, its checksum kept beside it as .sha256); with --keep N the oldest good
    backups beyond N are deleted. A copy that does not verify is removed, older ones
    are all kept, and the command exits 1. On a PostgreSQL URL: the server's pg_dump
    (custom format, restored with pg_restore), into the file or a dated .dump.

    \b
    Examples:
      followup db backup /var/backups/followup --keep 14
      followup db backup ~/backups/followup-$(date +%F).db
    """

    if is_stdout(dest):
        raise UsageError(
            _("a backup is a database file and cannot go to standard output"),
            _("Give a file name, e.g. `followup db backup ~/backups/followup.db`."),
        )
    folder = dest.expanduser().is_dir()
    if keep is not None and not folder:
        raise UsageError(
            _("--keep needs a folder, and {path} is not one").format(path=dest),
            _("Create the folder first (e.g. `mkdir -p {path}`).").format(path=dest),
        )
    session = open_session(ctx)
    if (url := state(ctx).db_url) is not None:
        # A server is backed up by its own tool, pg_dump (loaded only for a URL).
        from followup_cli.store.engines.pg_dump import dump_to

        if keep is not None:
            raise UsageError(
                _("--keep rotates file backups; a server's dumps are not rotated"),
                _("Leave out --keep, or rotate the dumps with the server's own backup tools."),
            )
        target = backup_name(dest.expanduser(), session.now, ".dump") if folder else dest
        dump_to(url, target, force=force)
        print(_("Backed up to {path} (pg_dump; restore with pg_restore)").format(path=target))
        return
    if not folder:
        backup_to(session.conn, dest, force=force)
        print(_("Backed up to {path}").format(path=dest))
        return
    run = backup_into(session.conn, dest, session.now, keep)
    print(
        _("Backed up to {path} (verified: integrity ok, schema v{version})").format(
            path=run.path, version=run.verdict.schema_version
        )
    )
    for old in run.deleted:
        print("  " + _("deleted the older backup {name}").format(name=old.name))
    for bad in run.bad:
        warn(
            _("{name} does not verify ({problem}): it is not counted as a backup").format(
                name=bad.path.name, problem=bad.problem
            )
        )


def backups_cmd(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(help="The folder `db backup DIR` writes into.", click_type=FileName()),
    ],
    fmt: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List the dated backups in a folder: time, size, schema version, whether each verifies.

    Exit 1 if any backup does not verify (its problem is shown).

    \b
    Example:
      followup db backups /var/backups/followup
    """

    load_config(ctx)
    found = list_backups(folder.expanduser())
    records = [b.to_dict() for b in found]
    for record in records:
        record["verifies_text"] = _("yes") if record["verifies"] else _("NO")
    columns = [
        Column("file", _("File"), priority=1),
        Column("taken", _("Taken"), priority=2),
        Column("size", _("Size (bytes)"), justify="right", priority=4),
        Column("schema_version", _("Schema"), justify="right", priority=5),
        Column("verifies_text", _("Verifies"), priority=3),
        Column("problem", _("Problem"), wrap=True, priority=6),
    ]
    print_records(
        records,
        columns,
        fmt.value,
        empty=_("No backups in {folder}.").format(folder=folder),
        json_data=[b.to_dict() for b in found],
    )
    bad = [b for b in found if not b.verdict.ok]
    if bad:
        raise StorageError(
            _("{n} of the {total} backups do not verify").format(n=len(bad), total=len(found)),
            _("Do not restore those; take a new backup (`followup db backup DIR`)."),
        )


def restore_cmd(
    ctx: typer.Context,
    backup: Annotated[
        Path, typer.Argument(help="The backup file to put in place.", click_type=FileName())
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the database without asking.")
    ] = False,
) -> None:
    """Put a backup in place of the database; the current file is kept beside it.

    The backup is checked first (integrity, a followup database, schema version); the
    command is refused while another process writes (exit 75). The current database
    is kept as NAME.before-restore-<time> (0600) and the backup swapped in at once: the
    file is always either the old or the new one. An older backup is upgraded as on
    any open. Off a terminal, --force is needed.

    \b
    Example:
      followup db restore /var/backups/followup/followup-2026-12-01T0730.db --force
    """

    load_config(ctx)
    path = state(ctx).resolved_db_path().expanduser()
    restorable(path, backup.expanduser())  # refused before anything is asked
    if path.exists() and not force:
        if not interactive():
            raise UsageError(
                _("restoring replaces the database {path}").format(path=path),
                _("Give --force to confirm (nothing is asked off a terminal)."),
            )
        if not typer.confirm(
            _("Replace {path} with {backup}? (the current file is kept beside it)").format(
                path=path, backup=backup
            )
        ):
            print(_("Nothing was changed."))
            return
    # Only a restore needs the clock for the name it keeps the current file under.
    from followup_cli.domain.session import moment

    config = load_config(ctx)
    _today, now = moment(state(ctx).today, config.zone, frozen_clock())
    done = restore_backup(path, backup, now)
    session = open_session(ctx)  # an older backup is upgraded here, as on any open
    print(
        _("Restored {backup} (schema v{version}) into {path}").format(
            backup=backup, version=done.schema_version, path=path
        )
    )
    if done.kept is not None:
        print("  " + _("the database as it was is kept in {path}").format(path=done.kept))
    # Only a restore asks for the schema version it ends at.
    from followup_cli.store.connection import schema_version

    now_version = schema_version(session.conn)
    if now_version != done.schema_version:
        print(
            "  "
            + _("upgraded from schema v{old} to v{new}").format(
                old=done.schema_version, new=now_version
            )
        )
