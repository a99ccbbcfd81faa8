"""Start and stop a local ``trytond`` on SQLite or PostgreSQL, and build the template
database.

Facts this relies on (``shared/notes/tryton.md``): the SQLite file must exist before
``trytond-admin`` initialises it; initialising the modules takes about a minute (more than
three on PostgreSQL), so it is done once into a template that is saved in a cache (a
``.sqlite`` file; a ``pg_dump`` archive) and copied for each server; ``trytond`` needs
``-d`` to serve a database.

Where the databases live is a :class:`Backend`: :data:`SQLITE` (files in the server's
folder, the default) or :class:`Postgres` (databases on a PostgreSQL server).

``python -m erp_adapter.tryton.server build DIR`` builds the template into ``DIR``.
"""

import argparse
import contextlib
import fcntl
import hashlib
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import ClassVar, Protocol

from tqdm import tqdm

from erp_adapter.errors import ErpError, ErpUnreachable
from erp_adapter.tryton.client import wait_until_listening

log = logging.getLogger(__name__)

MODULES = ("company", "currency", "party", "product", "stock", "stock_lot", "stock_lot_sled",
           "stock_supply", "purchase", "purchase_request", "purchase_requisition", "sale")
TEMPLATE_DB = "template"
MODULE_LOADED = re.compile(r"trytond\.modules (\w+) load\b")  # trytond-admin -vv log
ADMIN = "admin"


def _bin(name: str) -> str:
    """The console script ``name`` next to this Python, else on ``PATH``."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        raise ErpError(f"{name} is not installed: pip install -e '.[erp]'")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def copy_database(source: Path, target: Path) -> Path:
    """Copy a SQLite database consistently (Tryton runs SQLite in WAL mode, so the
    ``.sqlite`` file alone may miss committed transactions): SQLite's backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


class Backend(Protocol):
    """Where a server's databases live. A database is named by the server's folder and a
    name (``database`` gives the name trytond knows it by); a *saved* database is a file
    in the cache that :meth:`load` copies into a new database."""

    name: str  # ``sqlite``, ``postgresql`` (in logs)
    uri: str  # trytond's ``[database] uri``
    suffix: str  # of a saved database's file
    tag: str  # added to the names of its cache entries

    def database(self, directory: Path, name: str) -> str:
        """The database trytond serves for ``name`` in ``directory``."""
        ...

    def create(self, directory: Path, name: str) -> None:
        """A new empty database (for ``trytond-admin``), replacing one of that name."""
        ...

    def save(self, directory: Path, name: str, target: Path) -> Path:
        """Save the database (its server stopped) into the file ``target``."""
        ...

    def load(self, saved: Path, directory: Path, name: str) -> None:
        """A new database, a copy of the saved one, replacing one of that name."""
        ...

    def drop(self, directory: Path, name: str) -> None:
        """Remove the database, if there is one."""
        ...


class Sqlite:
    """Tryton's SQLite backend: database ``NAME`` is the file ``NAME.sqlite`` in the
    server's folder, and a saved database is such a file."""

    name: ClassVar[str] = "sqlite"
    uri: ClassVar[str] = "sqlite://"
    suffix: ClassVar[str] = ".sqlite"
    tag: ClassVar[str] = ""

    def database(self, directory: Path, name: str) -> str:
        return name

    def create(self, directory: Path, name: str) -> None:
        db_file = directory / f"{name}.sqlite"
        db_file.unlink(missing_ok=True)
        db_file.touch()  # trytond-admin needs the file

    def save(self, directory: Path, name: str, target: Path) -> Path:
        return copy_database(directory / f"{name}.sqlite", target)

    def load(self, saved: Path, directory: Path, name: str) -> None:
        copy_database(saved, directory / f"{name}.sqlite")

    def drop(self, directory: Path, name: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{directory / name}.sqlite{suffix}").unlink(missing_ok=True)


SQLITE = Sqlite()


@dataclass(frozen=True)
class Postgres:
    """Tryton's PostgreSQL backend on the server at ``uri`` (``postgresql://USER@HOST:PORT/``,
    a superuser: it creates and drops databases); ``bin`` is the folder of that server's
    ``pg_dump`` and ``pg_restore``.

    Databases are global to the server, so a server's database is named after its folder
    too. A saved database is a ``pg_dump`` archive; the first :meth:`load` restores it into
    a database on the server (``saved_…``, named after the archive) that every later one
    copies with ``CREATE DATABASE … TEMPLATE`` (a file copy, a fraction of a second).
    """

    uri: str
    bin: Path
    name: ClassVar[str] = "postgresql"
    suffix: ClassVar[str] = ".pgdump"
    tag: ClassVar[str] = "-postgresql"

    def database(self, directory: Path, name: str) -> str:
        folder = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:12]
        return f"{name}_{folder}"

    def _execute(self, *statements: str) -> list[tuple]:
        import psycopg  # the erp extra installs it (Tryton's backend needs it too)

        with psycopg.connect(f"{self.uri}postgres", autocommit=True) as con:
            rows: list[tuple] = []
            for statement in statements:
                cur = con.execute(statement.encode())  # bytes: composed, not literal
                rows = cur.fetchall() if cur.description else []
            return rows

    def _replace(self, database: str, template: str | None = None) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
                      f'CREATE DATABASE "{database}"'
                      + (f' TEMPLATE "{template}"' if template else ""))

    def _tool(self, name: str, *args: str) -> None:
        done = subprocess.run([str(self.bin / name), *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise ErpError(f"{name} failed: {done.stderr[-2000:]}")

    def create(self, directory: Path, name: str) -> None:
        self._replace(self.database(directory, name))

    def save(self, directory: Path, name: str, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        self._tool("pg_dump", "--format=custom", "--no-owner", f"--file={target}",
                   f"--dbname={self.uri}{self.database(directory, name)}")
        return target

    def load(self, saved: Path, directory: Path, name: str) -> None:
        saved = saved.resolve()
        stamp = f"{saved}:{saved.stat().st_mtime_ns}".encode()
        source = f"saved_{hashlib.sha256(stamp).hexdigest()[:16]}"
        with file_lock(saved.with_name(f".{saved.name}.lock")):
            if not self._execute(f"SELECT 1 FROM pg_database WHERE datname = '{source}'"):
                loading = f"{source}_loading"  # renamed once whole: never half a copy
                self._replace(loading)
                self._tool("pg_restore", "--no-owner", f"--dbname={self.uri}{loading}",
                           str(saved))
                self._execute(f'ALTER DATABASE "{loading}" RENAME TO "{source}"')
        self._replace(self.database(directory, name), template=source)

    def drop(self, directory: Path, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.database(directory, name)}" WITH (FORCE)')


def write_config(directory: Path, port: int, backend: Backend = SQLITE) -> Path:
    """A ``trytond.conf`` serving ``backend``'s databases (SQLite: the files in
    ``directory``) on ``127.0.0.1:port`` (``directory`` written as an absolute path:
    trytond resolves a relative one against its own folder, not the working directory)."""
    directory = directory.resolve()
    conf = directory / "trytond.conf"
    conf.write_text(
        f"[database]\nuri = {backend.uri}\npath = {directory}\n\n"
        f"[web]\nlisten = 127.0.0.1:{port}\n\n"
        "[session]\nmax_attempt = 50\n", encoding="utf-8")
    return conf


def template_fingerprint() -> str:
    """What the template depends on: the modules and the installed Tryton versions."""
    parts = [",".join(MODULES)]
    for dist in ("trytond", *(f"trytond_{m}" for m in MODULES if m != "ir")):
        try:
            parts.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}=?")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def build_template(directory: Path, password: str, backend: Backend = SQLITE) -> Path:
    """Initialise a database with :data:`MODULES` (~1 min on SQLite, ~3 on PostgreSQL);
    saved as ``template`` + the backend's suffix in ``directory``, which it returns."""
    directory = directory.resolve()
    work = directory / "build"
    work.mkdir(parents=True, exist_ok=True)
    conf = write_config(work, free_port(), backend)
    saved = directory / f"{TEMPLATE_DB}{backend.suffix}"
    backend.create(work, TEMPLATE_DB)
    passfile = directory / "admin-password"
    passfile.write_text(password + "\n", encoding="utf-8")
    passfile.chmod(0o600)
    env = {**os.environ, "TRYTONPASSFILE": str(passfile)}
    started = time.monotonic()
    log.info("building the Tryton template database on %s (once, a few minutes)",
             backend.name)
    tail: deque[str] = deque(maxlen=100)
    loaded: set[str] = set()
    with subprocess.Popen(
            [_bin("trytond-admin"), "-vv", "-c", str(conf), "-d",
             backend.database(work, TEMPLATE_DB), "--email",
             "admin@example.com", "--activate-dependencies", "-u", *MODULES],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc, \
            tqdm(desc="Tryton template", unit=" modules", disable=None, leave=False) as bar:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail.append(line)
            found = MODULE_LOADED.search(line)
            if found and found.group(1) not in loaded:
                loaded.add(found.group(1))
                bar.update(1)
    try:
        if proc.returncode != 0:
            raise ErpError("trytond-admin failed to build the template database:\n"
                           + "".join(tail)[-3000:])
        backend.save(work, TEMPLATE_DB, saved)
    finally:
        backend.drop(work, TEMPLATE_DB)
        shutil.rmtree(work, ignore_errors=True)
    log.info("built Tryton template (%d modules, %s) in %.0f s", len(loaded), backend.name,
             time.monotonic() - started)
    return saved


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (shared caches built once by parallel runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_template(cache_dir: Path, backend: Backend = SQLITE, password: str | None = None
                    ) -> tuple[Path, str]:
    """The cached template (the saved database: a ``.sqlite`` file, a ``pg_dump``
    archive) and its admin password, built on first use.

    The cache is keyed by :func:`template_fingerprint` and the backend's tag;
    a file lock lets parallel test sessions share one build. With ``password``, a cached
    template built with another one is built again.
    """
    cache_dir = cache_dir.resolve()
    target = cache_dir / f"{template_fingerprint()}{backend.tag}"
    saved, passfile = target / f"{TEMPLATE_DB}{backend.suffix}", target / "admin-password"
    with file_lock(cache_dir / f".{target.name}.lock"):
        if not (saved.exists() and passfile.exists() and (target / "ok").exists()
                and password in (None, passfile.read_text(encoding="utf-8").strip())):
            shutil.rmtree(target, ignore_errors=True)
            build_template(target, password or secrets.token_urlsafe(16), backend)
            (target / "ok").touch()
    return saved, passfile.read_text(encoding="utf-8").strip()


@dataclass
class TrytonServer:
    """A ``trytond`` serving ``database`` on ``127.0.0.1:port``, its configuration, log and
    (on SQLite) database file in ``directory``; ``backend`` says where its database lives.

    With ``optimize`` (the default) it runs with ``PYTHONOPTIMIZE=1`` (Python's ``-O``),
    which drops ``assert`` statements: trytond's ORM asserts, each time it instantiates
    a record, that every id of the record's batch is an int (``ModelStorage.__init__``),
    which makes reading a batch of n records O(n²). Seeding the reference network took
    ~25 % less server time with it; the first start writes ``.opt-1.pyc`` files.
    """

    directory: Path
    database: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    optimize: bool = True
    backend: Backend = SQLITE

    def __post_init__(self) -> None:
        self.directory = Path(self.directory).resolve()

    @classmethod
    def from_template(cls, template: Path, directory: Path, database: str = "medtwin",
                      backend: Backend = SQLITE) -> "TrytonServer":
        """A server on a fresh copy of ``template`` (a saved database of ``backend``)."""
        directory.mkdir(parents=True, exist_ok=True)
        backend.load(template, directory, database)
        return cls(directory=directory, database=database, backend=backend)

    @property
    def db_name(self) -> str:
        """The database trytond serves (on SQLite: ``database``)."""
        return self.backend.database(self.directory, self.database)

    @property
    def url(self) -> str:
        """The ERP URL medtwin takes (``--erp``)."""
        return f"http://127.0.0.1:{self.port}/{self.db_name}"

    @property
    def db_file(self) -> Path:
        """The SQLite database file (on SQLite only)."""
        return self.directory / f"{self.database}.sqlite"

    def start(self, timeout: float = 30.0) -> "TrytonServer":
        """Start ``trytond`` and wait until it listens."""
        if self.process is not None and self.process.poll() is None:
            return self
        conf = write_config(self.directory, self.port, self.backend)
        logfile = (self.directory / "trytond.log").open("ab")
        env = {**os.environ, "PYTHONOPTIMIZE": "1"} if self.optimize else None
        self.process = subprocess.Popen(
            [_bin("trytond"), "-c", str(conf), "-d", self.db_name],
            stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=env)
        logfile.close()
        try:
            wait_until_listening("127.0.0.1", self.port, timeout)
        except ErpUnreachable:
            self.stop()
            raise ErpUnreachable(f"trytond did not start on port {self.port}; see "
                                 f"{self.directory / 'trytond.log'}") from None
        if self.process.poll() is not None:
            raise ErpUnreachable(f"trytond exited at start; see {self.directory / 'trytond.log'}")
        log.info("trytond %s listening on %s", self.process.pid, self.url)
        return self

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> "TrytonServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """``build DIR``: build the template database into ``DIR`` (prints the .sqlite path)."""
    parser = argparse.ArgumentParser(prog="python -m erp_adapter.tryton.server")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build (or reuse) the cached template database")
    build.add_argument("cache_dir", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    db_file, _ = ensure_template(args.cache_dir)
    sys.stdout.write(f"{db_file}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
