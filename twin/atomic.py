"""Writing files all at once: a reader sees the old files or the new ones, never half of them.

Every result, plan, report and summary file is written through here: the content goes to a
hidden temporary file beside the target (``.<name>.tmp``, same folder, so the same file
system), which then replaces the target in one ``os.replace``; on any error the temporary
file is removed and the target is left as it was. Several files that belong together (a
NetCDF result and its ledger) are written with :func:`atomic_paths`: all of them replace
their targets, or none does. Folders created for the output are removed again when the
write fails. A file-system error (read-only folder, a path below a regular file, a target
that is a folder) becomes an :class:`~twin.problems.InputError` naming the output. Whole
directories: :func:`replacing_directory` (from :mod:`twin.atomic_dir`).

NetCDF files are read and written holding :data:`NETCDF_LOCK`: the netCDF4/HDF5 library is
not thread-safe, and two what-if runs of the dashboard's server writing their results at
the same moment crashed the process (a segmentation fault in the HDF5 library).
"""

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

from twin.atomic_dir import replacing_directory
from twin.problems import InputError, Problem

__all__ = ["atomic_path", "atomic_paths", "check_outputs", "output_error", "replacing_directory",
           "write_atomic", "write_netcdf_atomic"]


def output_error(target: Path, exc: OSError) -> InputError:
    """An input error saying why ``target`` cannot be written (``exc`` from the OS)."""
    why = exc.strerror or str(exc)
    if exc.filename is not None and Path(exc.filename) not in (target, _tmp_of(target)):
        why += f": {exc.filename}"
    return InputError([Problem(str(target), "", f"cannot write the output: {why}; "
                                               "nothing was written")])


def _tmp_of(target: Path) -> Path:
    return target.with_name(f".{target.name}.tmp")


def _make_parent(target: Path, created: list[Path]) -> None:
    """Create ``target``'s missing parent folders, recording them (outermost last)."""
    missing = [p for p in target.parents if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir()
        created.insert(0, folder)
    if not target.parent.is_dir():
        raise NotADirectoryError(20, "not a folder", str(target.parent))
    if target.is_dir():
        raise IsADirectoryError(21, "is a folder, not a file", str(target))


def _commit(pairs: list[tuple[Path, Path]]) -> None:
    """Move every temporary file onto its target; if one move fails, put back the targets
    already moved (their old content, or no file) and raise."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for tmp, target in pairs:
            backup = None
            if target.exists():
                backup = target.with_name(f".{target.name}.bak")
                backup.unlink(missing_ok=True)
                os.link(target, backup)
            done.append((target, backup))
            tmp.replace(target)
    except OSError:
        for target, backup in reversed(done[:-1]):
            if backup is not None:
                backup.replace(target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)


@contextmanager
def atomic_paths(*targets: str | os.PathLike[str]) -> Iterator[tuple[Path, ...]]:
    """Yield one temporary path per target (write each with any writer: NetCDF, Parquet,
    CSV…); when the block ends without an error they all replace their targets, else none.

    An :class:`OSError` from the block or the file system is raised as an
    :class:`~twin.problems.InputError` naming the target.
    """
    outs = [Path(t) for t in targets]
    created: list[Path] = []
    tmps = [_tmp_of(out) for out in outs]
    current = outs[0]
    try:
        with ExitStack() as cleanup:
            for tmp in tmps:
                cleanup.callback(_discard, tmp)
            for current in outs:
                _make_parent(current, created)
            current = outs[0]
            yield tuple(tmps)
            _commit(list(zip(tmps, outs, strict=True)))
    except OSError as exc:
        _remove_empty(created)
        failed = next((o for o in outs if exc.filename is not None
                       and Path(exc.filename) in (o, _tmp_of(o), o.parent)), current)
        raise output_error(failed, exc) from None
    except BaseException:
        _remove_empty(created)
        raise


def _discard(tmp: Path) -> None:
    """Remove a temporary file if there is one (its folder may not even exist)."""
    with suppress(OSError):
        tmp.unlink()


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders made for a failed write, innermost first, while they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield the temporary path to write ``target``'s content to (see :func:`atomic_paths`)."""
    with atomic_paths(target) as (tmp,):
        yield tmp


def write_atomic(target: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``target`` atomically."""
    with atomic_path(target) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
    return Path(target)


NETCDF_LOCK = threading.RLock()
"""Held by every NetCDF read and write of the process (the HDF5 library is not
thread-safe)."""


def write_netcdf_atomic(ds: Any, target: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write the xarray ``ds`` to ``target`` (NetCDF-4) atomically."""
    with atomic_path(target) as tmp, NETCDF_LOCK:
        ds.to_netcdf(tmp, engine="netcdf4", **kwargs)
    return Path(target)


def check_outputs(*targets: str | os.PathLike[str]) -> None:
    """Refuse, before any work is done, outputs that cannot be written: a target that is a
    folder, below a regular file, or in a folder this process may not write to.

    Missing folders are fine (:func:`atomic_paths` creates them). The write itself still
    reports what this cannot foresee (a full disk).
    """
    problems = []
    for target in map(Path, targets):
        existing = next(p for p in (target, *target.parents) if p.exists() or p.is_symlink())
        if existing == target:
            why = "is a folder, not a file" if target.is_dir() else None
            folder = target.parent
        elif not existing.is_dir():
            why, folder = f"{existing} is not a folder", existing
        else:
            why, folder = None, existing
        if why is None and not os.access(folder, os.W_OK | os.X_OK):
            why = f"the folder {folder} is not writable"
        if why is not None:
            problems.append(Problem(str(target), "", f"cannot write the output: {why}"))
    if problems:
        raise InputError(problems)
