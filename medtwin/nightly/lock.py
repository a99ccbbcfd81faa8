"""A run lock so that two nightly runs never overlap (``flock`` on a lock file)."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another run holds the lock."""


@contextmanager
def run_lock(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock on ``path`` for the duration of the block.

    The kernel releases the lock when the process dies, so a crashed run never blocks the
    next one. The file records the holder's pid for people looking at it.
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = file.read_text(encoding="utf-8").strip() or "?"
            raise AlreadyRunning(f"another nightly run (pid {holder}) holds {file}") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
