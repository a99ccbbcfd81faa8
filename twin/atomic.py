"""Writing files all at once: a reader sees the old file or the new one, never half of one.

Every result, plan, report and summary file is written through here: the content goes to a
hidden temporary file beside the target (``.<name>.tmp``, same folder, so the same file
system), which then replaces the target in one ``os.replace``; on any error the temporary
file is removed and the target is left as it was. Whole directories:
:func:`replacing_directory` (from :mod:`twin.atomic_dir`).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from twin.atomic_dir import replacing_directory

__all__ = ["atomic_path", "replacing_directory", "write_atomic", "write_netcdf_atomic"]


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield the temporary path to write ``target``'s content to (any writer: NetCDF,
    Parquet, CSV…); it replaces ``target`` when the block ends without an error."""
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        yield tmp
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``target`` atomically."""
    with atomic_path(target) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
    return Path(target)


def write_netcdf_atomic(ds: Any, target: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write the xarray ``ds`` to ``target`` (NetCDF-4) atomically."""
    with atomic_path(target) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4", **kwargs)
    return Path(target)
