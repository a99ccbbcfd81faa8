"""One atomic writer: the target is replaced whole, or left as it was."""

from pathlib import Path

import pytest
import xarray as xr

from twin.atomic import atomic_path, write_atomic, write_netcdf_atomic


def test_text_and_bytes_replace_the_target(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.json"
    assert write_atomic(target, "one") == target and target.read_text() == "one"
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.json"]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_netcdf(tmp_path: Path) -> None:
    path = write_netcdf_atomic(xr.Dataset({"x": ("t", [1.0, 2.0])}), tmp_path / "r.nc")
    with xr.open_dataset(path) as ds:
        assert ds.x.values.tolist() == [1.0, 2.0]
    assert [p.name for p in tmp_path.iterdir()] == ["r.nc"]
