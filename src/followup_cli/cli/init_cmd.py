"""`followup init`: create the database (or bring an old one up to date)."""

import typer

from followup_cli.cli.state import open_session, state
from followup_cli.store.checks import restore_schema
from followup_cli.store.connection import schema_version
from followup_cli.support.i18n import _


def init_cmd(ctx: typer.Context) -> None:
    """Create the database, or upgrade it; safe to repeat.

    Indexes and triggers missing from an existing database are created again.

    \b
    Example:
      followup --db ~/office/followup.db init
    """
    session = open_session(ctx, create=True)
    path = state(ctx).location()
    version = schema_version(session.conn)
    for kind, name in restore_schema(session.conn):
        print(
            (
                _("Restored missing index: {name}")
                if kind == "index"
                else _("Restored missing trigger: {name}")
            ).format(name=name)
        )
    print(_("Database ready: {path} (schema v{version})").format(path=path, version=version))
