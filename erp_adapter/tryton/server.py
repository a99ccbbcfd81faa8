"""Start and stop a local ``trytond`` on SQLite, and build the template database.

Facts this relies on (``shared/notes/tryton.md``): the SQLite file must exist before
``trytond-admin`` initialises it; initialising the modules takes about a minute, so it is
done once into a template whose ``.sqlite`` file is copied for each server; ``trytond``
needs ``-d`` to serve a database.

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


def write_config(directory: Path, port: int) -> Path:
    """A ``trytond.conf`` serving SQLite databases in ``directory`` on ``127.0.0.1:port``
    (written as an absolute path: trytond resolves a relative one against its own
    folder, not the working directory)."""
    directory = directory.resolve()
    conf = directory / "trytond.conf"
    conf.write_text(
        f"[database]\nuri = sqlite://\npath = {directory}\n\n"
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


def build_template(directory: Path, password: str) -> Path:
    """Initialise a SQLite database with :data:`MODULES` in ``directory`` (~1 min)."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    conf = write_config(directory, free_port())
    db_file = directory / f"{TEMPLATE_DB}.sqlite"
    db_file.unlink(missing_ok=True)
    db_file.touch()
    passfile = directory / "admin-password"
    passfile.write_text(password + "\n", encoding="utf-8")
    passfile.chmod(0o600)
    env = {**os.environ, "TRYTONPASSFILE": str(passfile)}
    started = time.monotonic()
    log.info("building the Tryton template database (once, about a minute)")
    tail: deque[str] = deque(maxlen=100)
    loaded: set[str] = set()
    with subprocess.Popen(
            [_bin("trytond-admin"), "-vv", "-c", str(conf), "-d", TEMPLATE_DB, "--email",
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
    if proc.returncode != 0:
        db_file.unlink(missing_ok=True)
        raise ErpError("trytond-admin failed to build the template database:\n"
                       + "".join(tail)[-3000:])
    log.info("built Tryton template (%d modules) in %.0f s", len(loaded),
             time.monotonic() - started)
    return db_file


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


def ensure_template(cache_dir: Path) -> tuple[Path, str]:
    """The cached template ``.sqlite`` and its admin password, built on first use.

    The cache is keyed by :func:`template_fingerprint`; a file lock lets parallel test
    sessions share one build.
    """
    cache_dir = cache_dir.resolve()
    target = cache_dir / template_fingerprint()
    db_file, passfile = target / f"{TEMPLATE_DB}.sqlite", target / "admin-password"
    with file_lock(cache_dir / f".{target.name}.lock"):
        if not (db_file.exists() and passfile.exists() and (target / "ok").exists()):
            shutil.rmtree(target, ignore_errors=True)
            build_template(target, secrets.token_urlsafe(16))
            (target / "ok").touch()
    return db_file, passfile.read_text(encoding="utf-8").strip()


@dataclass
class TrytonServer:
    """A ``trytond`` serving ``database`` from ``directory`` on ``127.0.0.1:port``.

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

    def __post_init__(self) -> None:
        self.directory = Path(self.directory).resolve()

    @classmethod
    def from_template(cls, template: Path, directory: Path, database: str = "medtwin"
                      ) -> "TrytonServer":
        """A server on a fresh copy of ``template`` (a ``.sqlite`` file)."""
        copy_database(template, directory / f"{database}.sqlite")
        return cls(directory=directory, database=database)

    @property
    def url(self) -> str:
        """The ERP URL medtwin takes (``--erp``)."""
        return f"http://127.0.0.1:{self.port}/{self.database}"

    @property
    def db_file(self) -> Path:
        return self.directory / f"{self.database}.sqlite"

    def start(self, timeout: float = 30.0) -> "TrytonServer":
        """Start ``trytond`` and wait until it listens."""
        if self.process is not None and self.process.poll() is None:
            return self
        conf = write_config(self.directory, self.port)
        logfile = (self.directory / "trytond.log").open("ab")
        env = {**os.environ, "PYTHONOPTIMIZE": "1"} if self.optimize else None
        self.process = subprocess.Popen(
            [_bin("trytond"), "-c", str(conf), "-d", self.database],
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
