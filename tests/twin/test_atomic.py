"""One atomic writer: the target is replaced whole, or left as it was."""

import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

from twin import atomic
from twin.atomic import atomic_path, atomic_paths, check_outputs, write_atomic, write_netcdf_atomic
from twin.problems import InputError


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


def test_several_files_are_written_all_or_none(tmp_path: Path) -> None:
    """The second target is a folder: the first is not left behind, old content stays."""
    first, second = tmp_path / "s.nc", tmp_path / "s.ledger.parquet"
    first.write_text("old")
    second.mkdir()
    with pytest.raises(InputError, match=r"s\.ledger\.parquet: .*is a folder"), \
            atomic_paths(first, second) as (a, b):
        a.write_text("new")
        b.write_text("new")
    assert first.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.ledger.parquet", "s.nc"]


def test_a_failed_move_puts_back_the_files_already_moved(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("old a")
    real_replace = Path.replace

    def failing(self: Path, target: Path) -> Path:
        if Path(target) == second:
            raise PermissionError(13, "Permission denied", str(self))
        return real_replace(self, target)
    monkeypatch.setattr(Path, "replace", failing)
    with pytest.raises(InputError, match=r"b\.txt: .*Permission denied"), \
            atomic_paths(first, second) as (a, b):
        a.write_text("new a")
        b.write_text("new b")
    assert first.read_text() == "old a" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_a_new_file_below_a_regular_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        write_atomic(tmp_path / "f" / "out.json", "{}")
    with pytest.raises(InputError, match="f is not a folder"):
        check_outputs(tmp_path / "f" / "out.json")
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_folders_made_for_a_failed_write_are_removed(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "a" / "b" / "c.csv") as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_check_outputs_refuses_folders_and_read_only_places(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="is a folder, not a file"):
        check_outputs(tmp_path)
    check_outputs(tmp_path / "new" / "deeper" / "x.nc")  # missing folders are made later
    monkeypatch.setattr(atomic.os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(InputError, match="is not writable") as info:
        check_outputs(tmp_path / "x.nc", tmp_path / "y.nc")
    assert len(info.value.problems) == 2



RACE = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import xarray as xr

from twin.atomic import write_netcdf_atomic

ds = xr.Dataset({f"v{k}": ("x", np.arange(2_000.0) * k) for k in range(60)},
                attrs={f"a{k}": "x" * 50 for k in range(30)})
folder = Path(sys.argv[1])


def write(n):
    for k in range(10):
        write_netcdf_atomic(ds, folder / f"t{n}-{k}.nc")


with ThreadPoolExecutor(8) as pool:
    list(pool.map(write, range(8)))
for f in folder.glob("*.nc"):
    with xr.open_dataset(f) as back:
        xr.testing.assert_identical(back.load(), ds)
print(len(list(folder.glob("*.nc"))))
"""


def test_netcdf_writes_from_several_threads_at_once(tmp_path: Path) -> None:
    # the HDF5 library is not thread-safe: two what-ifs writing their results at the same
    # moment crashed the server process. Without the lock this child dies of a segmentation
    # fault (4 of 4 runs); in a child, a crash fails this test instead of ending the session
    done = subprocess.run([sys.executable, "-c", RACE, str(tmp_path)], capture_output=True,
                          text=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "80"
