"""Experiment result files: NetCDF, written atomically, read with a clear error."""

import os
from pathlib import Path

import xarray as xr

from twin.atomic import NETCDF_LOCK, write_netcdf_atomic
from twin.problems import InputError, Problem

KIND = "medtwin experiment"


def write(ds: xr.Dataset, path: str | os.PathLike[str]) -> Path:
    """Write ``ds`` to ``path`` (NetCDF-4) via a temporary file, so that a failed write leaves
    no partial file."""
    out = Path(path)
    if out.suffix != ".nc":
        raise InputError([Problem(str(out), "", "experiment results are written as NetCDF: "
                                  "give a file name ending in .nc")])
    return write_netcdf_atomic(ds.assign_attrs(kind=KIND), out)


def read(path: str | os.PathLike[str]) -> xr.Dataset:
    """An experiment file, loaded into memory; anything else is an input error."""
    file = Path(path)
    if not file.is_file():
        raise InputError([Problem(str(file), "", "file not found")])
    try:
        with NETCDF_LOCK, xr.open_dataset(file, engine="netcdf4") as ds:
            loaded = ds.load()
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(file), "", f"not a NetCDF file: {exc}")]) from None
    if loaded.attrs.get("kind") != KIND or "policy" not in loaded.dims:
        raise InputError([Problem(str(file), "attrs.kind",
                                  "not a medtwin experiment (written by `medtwin compare` "
                                  "or `medtwin stress`)")])
    return loaded
