"""Writing a directory all at once: never a half-written result on disk."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from twin.problems import InputError, Problem


@contextmanager
def replacing_directory(target: Path, marker: str, what: str) -> Iterator[Path]:
    """Yield a temporary directory beside ``target`` that replaces it on success.

    An existing ``target`` is replaced only if it is empty or holds ``marker`` (a file
    that shows it is a ``what``); on any error the temporary directory is removed and
    ``target`` is left as it was.
    """
    if target.exists() and (not target.is_dir() or (any(target.iterdir())
                                                    and not (target / marker).exists())):
        raise InputError([Problem(str(target), "", f"exists and is not {what} (no {marker}); "
                                                   "refusing to overwrite it")])
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

