"""Per-plan locks: approve, reject, gate and publish of one plan never overlap.

A second act on a plan while one is in progress is refused at once
(:class:`PlanBusy`), not queued: a publish can take minutes and a manager should not
approve lines of a plan being sent. SQLite stores lock a file beside the database
(``flock``; released by the kernel if the process dies), PostgreSQL stores take a session
advisory lock on a connection held for the act (released when it closes).
"""

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

_MEMORY: dict[str, threading.Lock] = {}
_MEMORY_GUARD = threading.Lock()


class PlanBusy(RuntimeError):
    """Another act on the plan is in progress."""


def _key(plan_id: str) -> int:
    """A signed 64-bit advisory-lock key for ``plan_id``."""
    return int.from_bytes(hashlib.sha256(plan_id.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def plan_lock(engine: Engine, plan_id: str, act: str) -> Iterator[None]:
    """Hold ``plan_id``'s lock for ``act`` (a verb for the refusal: "published"…)."""
    busy = PlanBusy(f"plan {plan_id}: another act on it is in progress (approve, reject, gate "
                    f"or publish); it was not {act} — try again when that one is done")
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                               {"k": _key(plan_id)}).scalar()
            conn.commit()
            if not got:
                raise busy
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(plan_id)})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with _MEMORY_GUARD:
            lock = _MEMORY.setdefault(f"{id(engine)}:{plan_id}", threading.Lock())
        if not lock.acquire(blocking=False):
            raise busy
        try:
            yield
        finally:
            lock.release()
        return
    folder = Path(f"{database.removeprefix('file:')}.locks")
    folder.mkdir(exist_ok=True)
    path = folder / f"{hashlib.sha256(plan_id.encode()).hexdigest()[:32]}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        yield
    finally:
        os.close(fd)
