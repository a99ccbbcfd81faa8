"""What the dashboards show, computed from the network, result files and the plan store
(the store and the result folder through :mod:`medtwin.services`).

Pure functions (tested without a browser) plus :class:`DataStore`, the one place the
views get data from; heavy reads are cached with ``pn.cache`` keyed by file and mtime.
"""

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import panel as pn
import param
import xarray as xr

from medtwin.services import results
from medtwin.services.plans import PlanService
from medtwin.services.whatif import WhatIfRunner
from twin.atomic import NETCDF_LOCK
from twin.domain import Network, Plan
from twin.domain.parties import PRIORITIES
from twin.domain.plan import Action
from twin.network_files import load_network
from twin.sim import ON_HAND_SIGN, ledger_path

NEAR_EXPIRY_DAYS = 90


REGIONS_FILE = Path(__file__).with_name("regions.json")
"""Simplified outline of mainland China's seven regions (shipped, no tile server)."""
DAYS_OF_SUPPLY_TARGET = 30.0
"""Days of supply below which a warehouse is flagged on the Network page (days)."""
NEAR_EXPIRY_ALERT = 0.05
"""Share of a warehouse's stock value expiring soon above which it is flagged (1)."""


def inventory_health(net: Network, near_days: int = NEAR_EXPIRY_DAYS) -> pd.DataFrame:
    """Per warehouse (by name): units available / quarantine / reserved / in transit
    (inbound); stock value and value expiring within ``near_days`` days of the snapshot
    (currency of the network), their ratio ``near_expiry_share`` (1); and days of supply =
    available value / expected demand value per day of the departments it serves (days;
    none where it serves no demand).
    A last row ``total`` sums the network (its days of supply from the sums)."""
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
    out["stock_value"] = lots.groupby("warehouse")["value"].sum()
    out["value_near_expiry"] = lots[lots.near].groupby("warehouse")["value"].sum()
    demand: dict[str, float] = {}
    for m in net.demand:
        w = net.serving_warehouse(m.hospital, m.item)
        if w is not None:
            demand[w] = demand.get(w, 0.0) + m.mean_per_day * items[m.item].unit_cost
    out["available_value"] = lots[lots.status == "available"].groupby("warehouse")["value"].sum()
    out["demand_value_per_day"] = pd.Series(demand)
    out = out.fillna(0.0)
    out.loc["total"] = out.sum()
    out["near_expiry_share"] = out.value_near_expiry / out.stock_value.where(out.stock_value > 0)
    out["days_of_supply"] = out.available_value / out.demand_value_per_day.where(
        out.demand_value_per_day > 0)
    names = {w.id: w.name or w.id for w in net.warehouses} | {"total": "total"}
    out.insert(0, "name", [names[w] for w in out.index])
    return out.drop(columns=["available_value", "demand_value_per_day"])


def region_outlines(net: Network) -> tuple[list[dict[str, object]], pd.DataFrame]:
    """The regions of :data:`REGIONS_FILE` that the network names: one polygon ring per
    entry (``x`` longitude, ``y`` latitude in degrees, ``region`` name), and one label point
    per region at the mean of its largest ring's vertices."""
    shapes = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]
    rings, labels = [], []
    for region in net.regions:
        for ring in shapes.get(region.id, []):
            xs, ys = zip(*ring, strict=True)
            rings.append({"x": list(xs), "y": list(ys), "region": region.name})
        if region.id in shapes:
            lon, lat = zip(*max(shapes[region.id], key=len), strict=True)
            labels.append((sum(lon) / len(lon), sum(lat) / len(lat), region.name))
    return rings, pd.DataFrame(labels, columns=["lon", "lat", "region"])


def network_layout(net: Network) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(warehouses, hospitals, lanes) with longitude/latitude (degrees) for a map; lanes
    with origin and destination names, mode, cold chain, mean transit (days) and cost per
    unit (currency/unit)."""
    wh = pd.DataFrame([(w.id, w.name or w.id, w.org, w.region, w.cold_chain, w.longitude,
                        w.latitude) for w in net.warehouses],
                      columns=["id", "name", "org", "region", "cold_chain", "lon", "lat"])
    hosp = pd.DataFrame([(h.id, h.name, h.region, h.longitude, h.latitude)
                         for h in net.hospitals],
                        columns=["id", "name", "region", "lon", "lat"])
    at = wh.set_index("id")
    lanes = pd.DataFrame([(ln.id, at.name[ln.source], at.name[ln.target], ln.mode,
                           ln.cold_chain, ln.transit_time.mean, ln.cost_per_unit,
                           at.lon[ln.source], at.lat[ln.source], at.lon[ln.target],
                           at.lat[ln.target]) for ln in net.lanes],
                         columns=["id", "from", "to", "mode", "cold_chain", "transit_days",
                                  "cost_per_unit", "x0", "y0", "x1", "y1"])
    return wh, hosp, lanes


FLOW_COLUMNS = ["from", "to", "units", "value"]


def plan_flows(plan: Plan, net: Network) -> pd.DataFrame:
    """Transfers of a plan summed per (from, to) warehouse: units and value at unit cost
    (currency); largest first."""
    items = net.item_by_code
    rows = [(a.source, a.target, float(a.quantity), a.quantity * items[a.item].unit_cost)
            for a in plan.actions if a.kind == "transfer"]
    return _flows(pd.DataFrame(rows, columns=FLOW_COLUMNS))


def run_flows(ledger: pd.DataFrame, net: Network) -> pd.DataFrame:
    """Transfers shipped in a simulated run (its ledger's ``transfer_out`` rows, whose
    counterpart is the lane ``from>to:mode``) summed per (from, to): units and value at unit
    cost (currency); largest first."""
    out = ledger[ledger["kind"].astype(str) == "transfer_out"]
    lane = out["counterpart"].astype(str).str.split(":").str[0].str.split(">")
    cost = out["item"].astype(str).map({i.code: i.unit_cost for i in net.items})
    return _flows(pd.DataFrame({"from": lane.str[0], "to": lane.str[1],
                                "units": out["quantity"].astype(float),
                                "value": out["quantity"] * cost}))


def _flows(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.groupby(["from", "to"], as_index=False)[["units", "value"]].sum(
        ).sort_values("units", ascending=False, ignore_index=True)


def stock_over_time(ledger: pd.DataFrame, warehouse: str, item: str) -> pd.Series:
    """End-of-day on-hand units of one warehouse × item from a twin lot ledger."""
    rows = ledger[(ledger["warehouse"] == warehouse) & (ledger["item"] == item)]
    sign = rows["kind"].astype(str).map(ON_HAND_SIGN).fillna(0)
    delta = (rows["quantity"] * sign).groupby(rows["date"]).sum()
    if delta.empty:
        return pd.Series(dtype=float, name="units")
    days = pd.date_range(delta.index.min(), ledger["date"].max(), freq="D")
    return delta.reindex(days, fill_value=0).cumsum().rename("units")


def stock_levels(net: Network, warehouse: str, item: str) -> tuple[int, int] | None:
    """The configured (reorder point s, order-up-to S) of a warehouse × item (units), or
    None when the network sets none."""
    return next(((sp.reorder_point, sp.order_up_to) for sp in net.stock_policies
                 if sp.warehouse == warehouse and sp.item == item), None)


def why_not_stocked(net: Network, warehouse: str, item: str) -> str | None:
    """Why ``warehouse`` does not stock ``item`` (None when it does: it has a stock policy
    for it, lots of it at the snapshot or demand for it routed to it)."""
    wh, it = net.warehouse_by_id[warehouse], net.item_by_code[item]
    held = any(p.warehouse == warehouse and p.item == item for p in net.snapshot.lots)
    served = any(m.item == item and net.serving_warehouse(m.hospital, item) == warehouse
                 for m in net.demand)
    if held or served or stock_levels(net, warehouse, item) is not None:
        return None
    if it.cold_chain and not wh.cold_chain:
        return f"{item} needs 2–8 °C storage and {warehouse} has no cold chain."
    if wh.region not in it.registered_regions:
        return (f"{item} is not registered in {warehouse}'s region ({wh.region}); it may be "
                f"shipped only to {', '.join(it.registered_regions)}.")
    return (f"{warehouse} does not stock {item}: no stock policy, no lots at the snapshot and "
            "no department's demand for it is served from there.")


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


LINE_COLUMNS = ["key", "kind", "decision", "priority", "item", "from", "to", "org",
                "cold_chain", "qty", "cost", "approved", "reason", "evidence"]


def _source(a: Action) -> str:
    """Where a line's units come from: the origin warehouse of a transfer, the supplier of
    a purchase, the repairer of a repair (else none)."""
    if a.kind == "transfer":
        return a.source
    if a.kind == "purchase":
        return a.supplier
    return (a.repairer or "") if a.kind == "disposition" else ""


def plan_lines(plan: Plan, net: Network, approved: set[str]) -> pd.DataFrame:
    """One row per plan line, for review by exception: the receiving warehouse (``to``; the
    warehouse holding returned units for a disposition) and its org, where it comes from
    (:func:`_source`), QC's decision for a disposition, the priority class it serves
    (:func:`served_priority`; routine when none), cold chain, units and their cost at unit
    cost (none for a reorder-point setting); most urgent first, then by cost."""
    items, wh, served = net.item_by_code, net.warehouse_by_id, served_priority(net)
    rows = []
    for a in plan.actions:
        to = a.target if a.kind == "transfer" else a.warehouse
        qty = float(a.quantity) if a.kind != "reorder_point" else float("nan")
        rows.append((a.key, a.kind, a.decision if a.kind == "disposition" else "",
                     served.get((to, a.item), PRIORITIES[-1]), a.item, _source(a),
                     to, wh[to].org, items[a.item].cold_chain, qty,
                     qty * items[a.item].unit_cost, a.key in approved, a.explanation(),
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
    with NETCDF_LOCK, xr.open_dataset(path) as ds:
        return ds.load()


@pn.cache(max_items=8)
def _read_ledger(path: str, mtime: float) -> pd.DataFrame:
    del mtime
    return pd.read_parquet(path)


@pn.cache(max_items=4)
def _network(name: str) -> Network:
    return load_network(name)


@pn.cache(max_items=4)
def _health(name: str) -> pd.DataFrame:
    return inventory_health(_network(name))


@pn.cache(max_items=4)
def _map_layers(name: str) -> tuple[list[dict[str, object]], pd.DataFrame, pd.DataFrame,
                                    pd.DataFrame, pd.DataFrame]:
    net = _network(name)
    return (*region_outlines(net), *network_layout(net))


@pn.cache(max_items=8)
def _run_flows(path: str, mtime: float, name: str) -> pd.DataFrame:
    del mtime
    return run_flows(pd.read_parquet(path), _network(name))


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

    def health(self) -> pd.DataFrame:
        """:func:`inventory_health` of the network, computed once per server process and
        shared by every session (read only)."""
        return _health(self.network_name)

    def map_layers(self) -> tuple[list[dict[str, object]], pd.DataFrame, pd.DataFrame,
                                  pd.DataFrame, pd.DataFrame]:
        """(region rings, region labels, warehouses, hospitals, lanes) of the network
        (:func:`region_outlines`, :func:`network_layout`), once per server process and
        shared by every session (read only)."""
        return _map_layers(self.network_name)

    def run_flows(self, nc_path: str) -> pd.DataFrame:
        """:func:`run_flows` of the simulated run at ``nc_path``, once per modification of
        its ledger and shared by every session (read only)."""
        pq = ledger_path(nc_path)
        return _run_flows(str(pq), pq.stat().st_mtime, self.network_name)

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

