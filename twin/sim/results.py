"""The result of one replication: KPI arrays, the lot ledger, recall reports; files.

:meth:`SimulationResult.to_dataset` gives an :class:`xarray.Dataset` with named dimensions
(time, priority, org, warehouse, item, scrap_reason, rejection, return_reason, recall), one
variable per KPI with ``units`` and ``description`` attributes, the per-item stock balance
(``opening + received + returned = issued + scrapped + closing_on_hand + closing_in_transit +
closing_in_repair`` each day)
and run-level summaries prefixed ``run_``. :meth:`SimulationResult.write` writes it to
NetCDF and the ledger beside it as Parquet; both are bit-identical for the same inputs.
"""

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import xarray as xr

from twin.atomic import NETCDF_LOCK, atomic_paths
from twin.domain.parties import PRIORITIES
from twin.domain.returns import RETURN_REASONS
from twin.sim.events import EVENTS, Event
from twin.sim.index import NetworkIndex
from twin.sim.kpis import KPIS, RECOVERY_WINDOWS, REJECTIONS, SCRAP_REASONS, run_kpi, summary
from twin.sim.ledger import SCHEMA, Ledger
from twin.sim.recall_kpis import recall_summary
from twin.sim.state import RecallReport

LEDGER_SUFFIX = ".ledger.parquet"
LEDGER_STATISTICS = ["day", "date"]
"""Columns whose minimum and maximum each Parquet row group records: the ledger is in day
order, so a reader selecting days skips the other row groups; the other columns hold every
value in every row group, and their statistics cost a third of the write (lot and
counterpart strings most)."""


def ledger_path(nc_path: str | os.PathLike[str]) -> Path:
    """``X.nc`` → ``X.ledger.parquet``."""
    p = Path(nc_path)
    return p.with_name(p.stem + LEDGER_SUFFIX)


@dataclass
class SimulationResult:
    """Everything a replication produced."""

    index: NetworkIndex
    start: dt.date
    days: int
    seed: int
    policy: str
    events: tuple[Event, ...]
    kpis: dict[str, np.ndarray]
    ledger_book: Ledger
    lot_names: list[str]
    lot_expiry: np.ndarray
    network_sha256: str
    """:attr:`twin.domain.Network.digest`, taken before the run: the network's JSON form
    (24 MB for 20 × 2,000 × 100) is then held while memory is lower than at the end."""
    recalls: list[RecallReport] = field(default_factory=list)

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """The lot-level movement ledger (one row per movement)."""
        return self.ledger_book.to_frame(self.index, self.lot_names, self.lot_expiry,
                                         self.start)

    def summary(self) -> dict[str, float]:
        """Run-level KPIs (see :func:`twin.sim.kpis.summary`), and the recall-response KPIs
        (:func:`twin.sim.recall_kpis.recall_summary`) when the run had a recall."""
        out = summary(self.kpis)
        if self.recalls:
            out |= recall_summary(self.recalls, self.days)
        return out

    def _attrs(self) -> dict[str, str | int]:
        net = self.index.network
        return {
            "title": f"medtwin simulation of {net.name}",
            "network": net.name, "network_sha256": self.network_sha256, "seed": self.seed,
            "days": self.days, "policy": self.policy, "start_date": self.start.isoformat(),
            "currency": net.settings.currency,
            "review_period_days": net.settings.review_period_days,
            "events": EVENTS.dump_json(list(self.events)).decode(),
        }

    def to_dataset(self) -> xr.Dataset:
        """KPIs as a labelled dataset (see the module docstring)."""
        ix = self.index
        coords = {
            "time": pd.date_range(self.start, periods=self.days, freq="D").values,
            "priority": list(PRIORITIES), "org": list(ix.orgs),
            "warehouse": list(ix.warehouses), "item": list(ix.items),
            "scrap_reason": list(SCRAP_REASONS), "rejection": list(REJECTIONS),
            "return_reason": list(RETURN_REASONS),
        }
        data = {name: ((("time",) if m.daily else ()) + m.dims, self.kpis[name],
                       {"units": m.unit, "description": m.description})
                for name, m in KPIS.items()}
        ds = xr.Dataset(data, coords=coords, attrs=self._attrs())
        total = ds["demand_units"].sum(("priority", "org"))
        on_time = ds["served_on_time_units"].sum(("priority", "org"))
        ds["fill_rate"] = (on_time / total.where(total > 0)).assign_attrs(
            units="1", description="units served on time / units demanded, per day")
        ds["stockout_rate"] = (ds["stockout_positions"] / ds["serving_positions"].where(
            ds["serving_positions"] > 0)).assign_attrs(
            units="1", description="share of stock points serving demand with no available "
                                   "stock at day end")
        ds["days_of_supply"] = (ds["inventory_value"] / ds["demand_value_rate"].where(
            ds["demand_value_rate"] > 0)).assign_attrs(
            units="days", description="inventory value / expected demand value per day")
        expired = ds["scrapped_units"].sel(scrap_reason="expired").sum("org")
        ds["expired_units"] = expired.assign_attrs(units="units", description="units expired")
        ds["expired_value"] = ds["scrapped_value"].sel(scrap_reason="expired").sum(
            "org").assign_attrs(units="currency", description="value of units expired")
        for name, value in self.summary().items():
            ds[f"run_{name}"] = xr.DataArray(value, attrs={"description": f"run {name}"})
        for dim in ("priority", "org"):
            other = "org" if dim == "priority" else "priority"
            demanded = ds["demand_units"].sum(("time", other))
            ds[f"run_fill_rate_by_{dim}"] = (
                ds["served_on_time_units"].sum(("time", other)) / demanded.where(demanded > 0)
            ).assign_attrs(units="1", description=f"run fill rate by {dim}")
        return ds.merge(self._recall_dataset())

    def _recall_dataset(self) -> xr.Dataset:
        r = self.recalls
        return xr.Dataset({
            "recall_day": ("recall", np.array([x.day for x in r], dtype=np.int64),
                           {"units": "day", "description": "day number of the recall"}),
            "recall_item": ("recall", np.array([x.item for x in r], dtype=object),
                            {"description": "item recalled"}),
            "recall_units_on_hand": ("recall", np.array([x.units_on_hand for x in r], np.int64),
                                     {"units": "units", "description": "units quarantined"}),
            "recall_units_in_transit": ("recall", np.array([x.units_in_transit for x in r],
                                                           dtype=np.int64),
                                        {"units": "units", "description": "units travelling"}),
            "recall_units_issued": ("recall", np.array([x.units_issued for x in r], np.int64),
                                    {"units": "units",
                                     "description": "units already issued to departments"}),
            "recall_departments": ("recall", np.array([len(x.departments) for x in r], np.int64),
                                   {"units": "departments",
                                    "description": "departments that received recalled units"}),
            "recall_days_to_identify": ("recall", np.array([x.days_to_identify for x in r],
                                                           dtype=np.int64),
                                        {"units": "days",
                                         "description": "days until every unit is located"}),
            "recall_units_used": ("recall", np.array([x.units_used for x in r], np.int64),
                                  {"units": "units",
                                   "description": "issued units used on patients (never "
                                                  "recovered)"}),
            "recall_units_to_recover": ("recall", np.array([x.units_to_recover for x in r],
                                                           dtype=np.int64),
                                        {"units": "units", "description": "units to recover"}),
            "recall_recovered_units": (("recall", "recovery_window"), np.array(
                [[x.recovered_by(min(x.day + n, self.days - 1)) for n in RECOVERY_WINDOWS]
                 for x in r], dtype=np.int64).reshape(len(r), len(RECOVERY_WINDOWS)),
                {"units": "units", "description": "units recovered within the window's days "
                                                  "of the recall, within the run"}),
        }, coords={"recall": np.arange(len(r)),
                   "recovery_window": ("recovery_window", list(RECOVERY_WINDOWS),
                                       {"units": "days"})})

    def write(self, nc_path: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write the dataset to ``nc_path`` and the ledger to ``…ledger.parquet`` beside it
        (both or neither, see :mod:`twin.atomic`)."""
        nc = Path(nc_path)
        parquet = ledger_path(nc)
        with atomic_paths(nc, parquet) as (nc_tmp, pq_tmp):
            ds = self.to_dataset()
            with NETCDF_LOCK:
                ds.to_netcdf(nc_tmp, engine="netcdf4", encoding=compressed(ds))
            with pq.ParquetWriter(pq_tmp, SCHEMA, compression="zstd",
                                  write_statistics=LEDGER_STATISTICS) as out:
                for batch in self.ledger_book.batches(self.index, self.lot_names,
                                                      self.lot_expiry, self.start):
                    out.write_batch(batch)
        return nc, parquet


def compressed(ds: xr.Dataset) -> dict[str, dict[str, object]]:
    """NetCDF encoding of ``ds``: every array with more than one value deflated (zlib level
    1 with the byte shuffle: daily KPI arrays are mostly zeros and repeats), chunked by
    the library (whole arrays up to its chunk cache)."""
    return {name: {"zlib": True, "complevel": 1, "shuffle": True}
            for name, var in ds.variables.items()
            if var.size > 1 and var.dtype.kind in "biuf"}


def summary_table(values: dict[str, float]) -> str:
    """Two aligned columns: run-level KPI name and value (printed as :data:`RUN_KPIS`
    says)."""
    width = max(map(len, values))
    return "\n".join(f"{name:<{width}}  {run_kpi(name).format(value):>16}"
                     for name, value in values.items())

