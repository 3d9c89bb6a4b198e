"""`followup init`: create the database (or bring an old one up to date)."""

import typer

from followup_cli.cli.state import open_session, state
from followup_cli.store.connection import schema_version
from followup_cli.support.i18n import _


def init_cmd(ctx: typer.Context) -> None:
    """Create the database, or upgrade it; safe to repeat.

    \b
    Example:
      followup --db ~/office/followup.db init
    """
    session = open_session(ctx, create=True)
    path = state(ctx).resolved_db_path()
    version = schema_version(session.conn)
    print(_("Database ready: {path} (schema v{version})").format(path=path, version=version))
