"""A throw-away PostgreSQL server for tests: Debian's ``initdb`` into a temporary folder,
listening on 127.0.0.1 only, trust authentication for the ``medtwin`` superuser, stopped
and deleted by whoever started it.

PostgreSQL refuses to run as root; as root the server runs as the ``postgres`` system
account (Debian's package creates it) through ``runuser``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "medtwin"
ENV_REQUIRED = "MEDTWIN_POSTGRES"
"""``required``: a missing PostgreSQL fails the tests that need it (``make test`` sets it);
otherwise they are skipped on a machine without one."""


def pg_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (PATH first, then Debian's place)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalPostgres:
    """A running server: its port and how to reach a database on it."""

    bin: Path
    folder: Path
    port: int
    run_as: str | None

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return [*prefix, *args]

    def _run(self, *args: str) -> None:
        subprocess.run(self._cmd(*args), check=True, capture_output=True, text=True)

    def url(self, database: str, driver: str = "") -> str:
        """SQLAlchemy URL of ``database`` (``driver``: e.g. ``+psycopg``)."""
        return f"postgresql{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def createdb(self, name: str) -> str:
        """Create database ``name``; its URL."""
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", SUPERUSER, name)
        return self.url(name)

    def dropdb(self, name: str) -> None:
        """Drop database ``name`` (closing its connections)."""
        self._run(str(self.bin / "dropdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", SUPERUSER, "--force", "--if-exists", name)


@contextlib.contextmanager
def local_postgres() -> Iterator[LocalPostgres]:
    """Start a fresh server; stop it and delete its folder on exit."""
    bin_ = pg_bin()
    if bin_ is None:
        raise FileNotFoundError("PostgreSQL's initdb was not found (apt-get install postgresql)")
    run_as = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="medtwin-pg-"))
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    server = LocalPostgres(bin_, folder, _free_port(), run_as)
    data, log = folder / "data", folder / "server.log"
    try:
        server._run(str(bin_ / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
                    "--encoding=UTF8", "--no-sync")
        server._run(str(bin_ / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                    f"-c listen_addresses=127.0.0.1 -c port={server.port} "
                    f"-c unix_socket_directories={folder} -c fsync=off "
                    f"-c max_connections=200", "start")
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            server._run(str(bin_ / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                        "stop")
        shutil.rmtree(folder, ignore_errors=True)
