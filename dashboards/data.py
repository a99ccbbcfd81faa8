"""What the dashboards show, computed from the network, result files and the plan store
(the store and the result folder through :mod:`medtwin.services`).

Pure functions (tested without a browser) plus :class:`DataStore`, the one place the
views get data from; heavy reads are cached with ``pn.cache`` keyed by file and mtime.
"""

import datetime as dt
from pathlib import Path

import pandas as pd
import panel as pn
import param
import xarray as xr

from medtwin.services import results
from medtwin.services.plans import PlanService
from medtwin.services.whatif import WhatIfRunner
from twin.domain import Network, Plan
from twin.domain.parties import PRIORITIES
from twin.network_files import load_network
from twin.sim import ledger_path

NEAR_EXPIRY_DAYS = 90
ON_HAND_SIGN = {"opening": 1, "receipt": 1, "transfer_in": 1, "transfer_out": -1,
                "issue": -1, "scrap": -1}
"""Change of on-hand units per ledger row kind (status changes move nothing)."""


def inventory_health(net: Network, near_days: int = NEAR_EXPIRY_DAYS) -> pd.DataFrame:
    """Per warehouse: units available / quarantine / reserved / in transit (inbound),
    value expiring within ``near_days`` days of the snapshot, and days of supply =
    available value / expected demand value per day of the departments it serves."""
    snap, items = net.snapshot, net.item_by_code
    rows = [(p.warehouse, p.status, p.quantity, p.quantity * items[p.item].unit_cost,
             (p.expiry - snap.as_of).days <= near_days) for p in snap.lots]
    lots = pd.DataFrame(rows, columns=["warehouse", "status", "units", "value", "near"])
    out = pd.DataFrame(index=pd.Index([w.id for w in net.warehouses], name="warehouse"))
    for status in ("available", "quarantine", "reserved"):
        out[status] = lots[lots.status == status].groupby("warehouse")["units"].sum()
    transit = pd.Series([t.quantity for t in snap.in_transit],
                        index=[t.target for t in snap.in_transit], dtype=float)
    out["in_transit"] = transit.groupby(level=0).sum()
    out["value_near_expiry"] = lots[lots.near].groupby("warehouse")["value"].sum()
    demand: dict[str, float] = {}
    for m in net.demand:
        w = net.serving_warehouse(m.hospital, m.item)
        if w is not None:
            demand[w] = demand.get(w, 0.0) + m.mean_per_day * items[m.item].unit_cost
    available_value = lots[lots.status == "available"].groupby("warehouse")["value"].sum()
    out["days_of_supply"] = available_value / pd.Series(demand)
    return out.fillna(0.0).round(1)


def network_layout(net: Network) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(warehouses, hospitals, lanes) with longitude/latitude for a map."""
    wh = pd.DataFrame([(w.id, w.name or w.id, w.org, w.region, w.cold_chain, w.longitude,
                        w.latitude) for w in net.warehouses],
                      columns=["id", "name", "org", "region", "cold_chain", "lon", "lat"])
    hosp = pd.DataFrame([(h.id, h.name, h.region, h.longitude, h.latitude)
                         for h in net.hospitals],
                        columns=["id", "name", "region", "lon", "lat"])
    at = wh.set_index("id")
    lanes = pd.DataFrame([(ln.id, ln.mode, ln.cold_chain, at.lon[ln.source], at.lat[ln.source],
                           at.lon[ln.target], at.lat[ln.target]) for ln in net.lanes],
                         columns=["id", "mode", "cold_chain", "x0", "y0", "x1", "y1"])
    return wh, hosp, lanes


def stock_over_time(ledger: pd.DataFrame, warehouse: str, item: str) -> pd.Series:
    """End-of-day on-hand units of one warehouse × item from a twin lot ledger."""
    rows = ledger[(ledger["warehouse"] == warehouse) & (ledger["item"] == item)]
    sign = rows["kind"].astype(str).map(ON_HAND_SIGN).fillna(0)
    delta = (rows["quantity"] * sign).groupby(rows["date"]).sum()
    if delta.empty:
        return pd.Series(dtype=float, name="units")
    days = pd.date_range(delta.index.min(), ledger["date"].max(), freq="D")
    return delta.reindex(days, fill_value=0).cumsum().rename("units")


def lots_by_expiry(net: Network, warehouse: str, item: str | None = None) -> pd.DataFrame:
    """Lots on hand at one warehouse (optionally one item), soonest expiry first."""
    as_of = net.snapshot.as_of
    rows = [(p.item, p.lot, p.expiry, (p.expiry - as_of).days, p.status, p.quantity)
            for p in net.snapshot.lots if p.warehouse == warehouse
            and (item is None or p.item == item)]
    return pd.DataFrame(rows, columns=["item", "lot", "expiry", "days_left", "status", "units"]
                        ).sort_values(["expiry", "item", "lot"]).reset_index(drop=True)


def lot_whereabouts(net: Network, lot: str) -> pd.DataFrame:
    """Where a lot is at the snapshot: on hand per warehouse and status, and in transit."""
    rows = [(p.warehouse, p.item, p.status, p.quantity, p.expiry) for p in net.snapshot.lots
            if p.lot == lot]
    rows += [(f"{t.source}→{t.target}", t.item, "in_transit", t.quantity, t.expiry)
             for t in net.snapshot.in_transit if t.lot == lot]
    return pd.DataFrame(rows, columns=["where", "item", "status", "units", "expiry"])


def served_priority(net: Network) -> dict[tuple[str, str], str]:
    """(warehouse, item) → the most urgent priority class of the departments whose demand
    for the item is served from that warehouse."""
    out: dict[tuple[str, str], str] = {}
    for m in net.demand:
        w = net.serving_warehouse(m.hospital, m.item)
        prio = next(d.priority for d in net.hospital_by_id[m.hospital].departments
                    if d.id == m.department)
        best = out.get((w or "", m.item))
        if w is not None and (best is None or PRIORITIES.index(prio) < PRIORITIES.index(best)):
            out[(w, m.item)] = prio
    return out


LINE_COLUMNS = ["key", "kind", "priority", "item", "from", "to", "org", "cold_chain",
                "qty", "cost", "approved", "reason", "evidence"]


def plan_lines(plan: Plan, net: Network, approved: set[str]) -> pd.DataFrame:
    """One row per plan line, for review by exception: the receiving warehouse (``to``) and
    its org, where it comes from (warehouse or supplier), the priority class it serves
    (:func:`served_priority`; routine when none), cold chain, units and their cost at unit
    cost (none for a reorder-point setting); most urgent first, then by cost."""
    items, wh, served = net.item_by_code, net.warehouse_by_id, served_priority(net)
    rows = []
    for a in plan.actions:
        to = a.target if a.kind == "transfer" else a.warehouse
        source = a.source if a.kind == "transfer" else a.supplier if a.kind == "purchase" \
            else ""
        qty = float(a.quantity) if a.kind != "reorder_point" else float("nan")
        rows.append((a.key, a.kind, served.get((to, a.item), PRIORITIES[-1]), a.item, source,
                     to, wh[to].org, items[a.item].cold_chain, qty,
                     qty * items[a.item].unit_cost, a.key in approved, a.reason,
                     ", ".join(f"{k}={v}" for k, v in a.evidence.items())))
    lines = pd.DataFrame(rows, columns=LINE_COLUMNS)
    rank = lines.priority.map(PRIORITIES.index)
    order = pd.DataFrame({"rank": rank, "cost": -lines.cost.fillna(0)}).sort_values(
        ["rank", "cost"], kind="stable").index
    return lines.loc[order].reset_index(drop=True)


def plan_summary(lines: pd.DataFrame) -> pd.DataFrame:
    """Per kind of line (and in total): lines, critical lines, units, cost."""
    by = lines.assign(critical=lines.priority == PRIORITIES[0]).groupby("kind").agg(
        lines=("key", "size"), critical=("critical", "sum"), units=("qty", "sum"),
        cost=("cost", "sum"))
    by.loc["total"] = by.sum()
    return by.reset_index().round(2)


@pn.cache(max_items=16)
def _read_dataset(path: str, mtime: float) -> xr.Dataset:
    del mtime  # part of the cache key only
    with xr.open_dataset(path) as ds:
        return ds.load()


@pn.cache(max_items=8)
def _read_ledger(path: str, mtime: float) -> pd.DataFrame:
    del mtime
    return pd.read_parquet(path)


@pn.cache(max_items=4)
def _network(name: str) -> Network:
    return load_network(name)


class DataStore(param.Parameterized):
    """Where the dashboards read from: a results folder, a network and the plan store."""

    results_dir = param.String(default="out", doc="folder of result files (.nc)")
    store_url = param.String(default=None, allow_None=True, doc="plan-store URL")
    network_name = param.String(default="reference", doc="network shown")

    def __init__(self, **params: object):
        super().__init__(**params)
        self._runner: WhatIfRunner | None = None

    def network(self) -> Network:
        """The network (cached)."""
        return _network(self.network_name)

    def files(self, kind: results.Kind) -> list[str]:
        """Result files in the folder: ``experiment`` (with replications) or ``simulation``
        (one run, with its lot ledger beside it); newest first."""
        return results.files(self.results_dir, kind)

    def experiments(self) -> list[results.ExperimentInfo]:
        """Experiment files in the folder, described by their attributes, newest first."""
        return results.experiments(self.results_dir)

    @staticmethod
    def opening_experiment(found: list[results.ExperimentInfo]
                           ) -> results.ExperimentInfo | None:
        """The one a reader starts on (the newest compare of two policies or more)."""
        return results.opening(found)

    def runner(self) -> WhatIfRunner:
        """The what-if runner every session of this server shares (one worker pool)."""
        if self._runner is None:
            self._runner = WhatIfRunner()
        return self._runner

    def dataset(self, path: str) -> xr.Dataset:
        """A result file, read once per modification (cached)."""
        return _read_dataset(path, Path(path).stat().st_mtime)

    def ledger(self, nc_path: str) -> pd.DataFrame:
        """The lot ledger beside a simulation result (cached)."""
        pq = ledger_path(nc_path)
        return _read_ledger(str(pq), pq.stat().st_mtime)

    def plans(self) -> PlanService:
        """The plans in the store (through the services layer)."""
        return PlanService(self.store_url)

    def today(self) -> dt.date:
        """The snapshot date of the network."""
        return self.network().snapshot.as_of

