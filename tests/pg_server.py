"""A real, throwaway PostgreSQL server for the tests: `initdb` in a temporary folder, a Unix
socket in that folder (no TCP port), `pg_ctl start`, a database per test module.

The server's binaries come from the system (Debian's `postgresql` package puts them in
/usr/lib/postgresql/VERSION/bin); when they are missing and we may install packages
(root, apt-get), `postgresql` is installed once. `initdb` refuses to run as root: as
root, the server runs as the `postgres` user the package creates (runuser).

Two roles: `postgres` (trusted over the socket: the tests' own connections) and
`clerk` with a password (scram-sha-256), for the wrong-password test.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

CLERK_PASSWORD = "s3cret-Pa55"


def server_binaries() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin holding initdb and pg_ctl, or None."""
    found = [
        Path(d)
        for d in glob.glob("/usr/lib/postgresql/*/bin")
        if Path(d, "initdb").is_file() and Path(d, "pg_ctl").is_file()
    ]
    found.sort(key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)
    return found[-1] if found else None


def install_server() -> str | None:
    """Install Debian's `postgresql` when its binaries are missing; None when done, else
    why it could not be (the PostgreSQL tests then skip with that note)."""
    if server_binaries() is not None:
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install `postgresql`)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
    ):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"`{' '.join(argv)}` failed: {done.stderr.strip()[-300:]}"
    if server_binaries() is None:
        return "`apt-get install postgresql` left no server binaries"
    return None


def database_of(url: object) -> str:
    """The database name at the end of a URL this server made."""
    return str(url).rsplit("/", 1)[1]


class PgServer:
    """One server in a temporary folder; `url(dbname)` is libpq's URL for a database."""

    def __init__(self) -> None:
        self.bin = server_binaries()
        assert self.bin is not None
        self.folder = Path(tempfile.mkdtemp(prefix="followup-pg-"))
        self.data = self.folder / "data"
        self.as_root = os.geteuid() == 0
        self._n = 0

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self.folder.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--auth-local=trust", "-N")  # fmt: skip
        (self.data / "pg_hba.conf").write_text(
            "local all clerk scram-sha-256\nlocal all all trust\n", encoding="utf-8"
        )
        options = (
            f"-k {self.folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=300"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "start")  # fmt: skip
        self.sql(
            "postgres",
            f"CREATE ROLE clerk LOGIN SUPERUSER PASSWORD '{CLERK_PASSWORD}'",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, dbname: str, user: str = "postgres", password: str | None = None) -> str:
        who = urllib.parse.quote(user, safe="")
        if password is not None:
            who += ":" + urllib.parse.quote(password, safe="")
        host = urllib.parse.quote(str(self.folder), safe="")
        return f"postgresql://{who}@{host}/{dbname}"

    def sql(self, dbname: str, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[call-overload]

    def new_database(self, template: str | None = None) -> str:
        """A new, empty database's name (or a copy of `template`)."""
        self._n += 1
        name = f"t{os.getpid()}_{self._n}"
        copy = f" TEMPLATE {template}" if template else ""
        self.sql("postgres", f"CREATE DATABASE {name}{copy}")
        return name
