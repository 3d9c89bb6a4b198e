"""`db backup` on a PostgreSQL server: the server's own `pg_dump`, into a file made as a
file backup is (a 0600 temp file beside the target, renamed only when complete; never
through a link, a device or a folder). Restored with `pg_restore`."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import psycopg

from followup_cli.store.engines.postgres import host_of
from followup_cli.store.engines.urls import shown_url
from followup_cli.support.errors import StorageError
from followup_cli.support.i18n import _
from followup_cli.support.output_files import staged_file

# Debian keeps the server's tools per major version out of PATH.
TOOL_FOLDERS = "/usr/lib/postgresql/*/bin"


def find_pg_dump() -> str | None:
    """The newest pg_dump on this machine (PATH first), or None."""
    found = shutil.which("pg_dump")
    if found:
        return found
    # Newest major version last; a folder not named by a number sorts first, not fails.
    folders = sorted(glob.glob(TOOL_FOLDERS), key=lambda p: _major(Path(p).parent.name))
    for folder in reversed(folders):
        tool = Path(folder) / "pg_dump"
        if os.access(tool, os.X_OK):
            return str(tool)
    return None


def _major(name: str) -> int:
    return int(name) if name.isdigit() else -1


def _without_password(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq keywords without the password, and the environment carrying it
    (a password on a command line is visible to every user of the machine)."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    env = dict(os.environ)
    password = info.pop("password", None)
    if password:
        env["PGPASSWORD"] = str(password)
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()}), env


def dump_to(url: str, dest: Path, *, force: bool = False) -> None:
    """The whole database at `url` dumped (pg_dump's custom format) into `dest`."""
    tool = find_pg_dump()
    if tool is None:
        raise StorageError(
            _("a backup of a PostgreSQL database needs pg_dump, which is not installed"),
            _("Install the server's client tools (Debian: `apt install postgresql-client`)."),
        )
    conninfo, env = _without_password(url)
    dest = dest.expanduser()
    with staged_file(dest, force=force) as tmp:
        done = subprocess.run(
            [tool, "--format=custom", "--no-password", f"--file={tmp}", f"--dbname={conninfo}"],
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            problem = lines[0] if lines else f"exit {done.returncode}"
            raise StorageError(
                _("pg_dump of {url} failed: {error}").format(
                    url=shown_url(url), error=problem.removeprefix("pg_dump: error: ")
                ),
                _(
                    "Check that {host} is reachable and that pg_dump is as new as the server."
                ).format(host=host_of(url)),
            )
