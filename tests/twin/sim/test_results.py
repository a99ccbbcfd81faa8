"""Result files: labelled dataset with units, closing stock balance, bit-identical files."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import xarray as xr

from twin.network_files import load_network
from twin.sim import RUN_KPIS, Kpis, Recall, WarehouseOutage, kpi_summary, simulate
from twin.sim.index import NetworkIndex
from twin.sim.results import ledger_path

EVENTS = [WarehouseOutage(warehouse="WH-HZ", start=5, end=9),
          Recall(item="IVD-TROP-100", lots=["TROP2610A"], day=10)]


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dataset_has_named_dims_units_and_a_closing_balance(tiny_dir):
    result = simulate(load_network(tiny_dir), days=40, seed=1, policy="fixed_ss_emergency",
                      events=EVENTS)
    ds = result.to_dataset()
    assert {"time", "warehouse", "item", "org", "priority", "scrap_reason"} <= set(ds.dims)
    for name in ("demand_units", "fill_rate", "holding_cost", "inventory_value",
                 "days_of_supply", "expired_value", "opening", "closing_in_transit"):
        assert "units" in ds[name].attrs, name
    lhs = ds["opening"] + ds["received"] + ds["returned"]
    rhs = (ds["issued"] + ds["scrapped"] + ds["closing_on_hand"] + ds["closing_in_transit"]
           + ds["closing_in_repair"])
    assert (lhs == rhs).all()
    assert ds.attrs["seed"] == 1 and ds.attrs["policy"] == "fixed_ss_emergency"
    assert "warehouse_outage" in ds.attrs["events"]
    assert ds["recall_units_on_hand"].values.tolist() == [result.recalls[0].units_on_hand]
    assert 0 <= float(ds["run_fill_rate"]) <= 1
    assert ds["run_fill_rate_by_org"].dims == ("org",)
    assert float(ds["run_fill_rate_by_priority"].sel(priority="critical")) == float(
        ds["run_fill_rate_critical"])


def test_same_seed_writes_identical_files_and_the_ledger_beside_them(tmp_path, tiny_dir):
    net = load_network(tiny_dir)
    paths = []
    for k in range(2):
        nc, ledger = simulate(net, days=30, seed=7, policy="fixed_ss",
                              events=EVENTS).write(tmp_path / f"run{k}" / "out.nc")
        assert ledger == ledger_path(nc) == nc.with_name("out.ledger.parquet")
        paths.append((nc, ledger))
    (nc0, led0), (nc1, led1) = paths
    assert _digest(nc0) == _digest(nc1)
    assert _digest(led0) == _digest(led1)
    other, _ = simulate(net, days=30, seed=8, policy="fixed_ss").write(tmp_path / "o.nc")
    assert _digest(other) != _digest(nc0)
    with xr.open_dataset(nc0) as ds:
        assert ds["issued"].sum() == pd.read_parquet(led0).query("kind == 'issue'")[
            "quantity"].sum()


def test_files_are_compressed_and_the_ledger_streams_in_row_groups(tmp_path, tiny_dir):
    """The NetCDF arrays are deflated; the ledger file is written batch by batch (a few
    rows each here) and reads back as the in-memory ledger, row for row."""
    result = simulate(load_network(tiny_dir), days=30, seed=7, policy="fixed_ss_emergency",
                      events=EVENTS)
    nc, led = result.write(tmp_path / "out.nc")
    with xr.open_dataset(nc) as ds:
        assert ds["inventory_units"].encoding["zlib"] and ds["demand_units"].encoding["zlib"]
    frame = result.ledger
    pd.testing.assert_frame_equal(pd.read_parquet(led), frame)
    batches = list(result.ledger_book.batches(result.index, result.lot_names,
                                              result.lot_expiry, result.start, rows=50))
    assert len(batches) == -(-len(frame) // 50) and {b.num_rows for b in batches[:-1]} == {50}
    rebuilt = pa.Table.from_batches(batches).to_pandas()
    pd.testing.assert_frame_equal(rebuilt, frame)


def test_files_are_identical_across_processes(tmp_path, tiny_dir):
    """Separate interpreters (different hash seeds) write the same bytes."""
    script = ("import sys; from twin.network_files import load_network; "
              "from twin.sim import simulate; "
              "simulate(load_network(sys.argv[1]), days=25, seed=4, policy='fixed_ss_emergency')"
              ".write(sys.argv[2])")
    digests = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed / "run.nc"
        subprocess.run([sys.executable, "-c", script, str(tiny_dir), str(out)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": hash_seed})
        digests.append((_digest(out), _digest(ledger_path(out))))
    assert digests[0] == digests[1]


def test_every_run_kpi_is_in_the_registry_with_a_direction() -> None:
    net = load_network(Path(__file__).resolve().parents[2] / "data" / "tiny")
    with np.errstate(all="ignore"):
        names = set(kpi_summary(Kpis(NetworkIndex(net), 2).arrays))
    assert names <= set(RUN_KPIS)
    assert {k.better for k in RUN_KPIS.values()} <= {"higher", "lower", "neither"}
    fill, cost = RUN_KPIS["fill_rate_critical"], RUN_KPIS["holding_cost"]
    assert (fill.format(0.98765), cost.format(1234567.8), cost.format(float("nan"))) == \
        ("0.9877", "1,234,568", "n/a")
    assert fill.improves(+0.01) and cost.improves(-5.0) and not cost.improves(+5.0)
    assert RUN_KPIS["demand_units"].improves(10) is None
