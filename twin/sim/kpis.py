"""Daily KPI arrays of one run, declared once with their dimensions, unit and meaning.

Flows are per day (units or currency of the day); levels are end-of-day. Per position
(warehouse × item) the run totals of departments' demand, of its part served on time and of
the on-hand unit-days give each position's fill rate and mean on-hand. Run-level
ratios are computed from the flows by :func:`summary`: fill rate = units served on the day
they were demanded (a unit covered by a substitute item counts as served) / units demanded;
fill rate without substitutes leaves those out; stockout rate = share of stock points
serving demand with no available stock at day end; days of supply = inventory value /
expected daily demand value served from the warehouse. Returns: units back by reason, of
them restocked, back from repair, scrapped (scrap reason ``returned``), the repair cost
(part of the total cost) and units in repair at the end.
"""

from dataclasses import dataclass

import numpy as np

from twin.domain.parties import PRIORITIES
from twin.domain.returns import RETURN_REASONS
from twin.sim.index import NetworkIndex
from twin.sim.ledger import Reason

SCRAP_REASONS = ("expired", "qc_fail", "excursion", "returned")
SCRAP_REASON_CODES = (Reason.EXPIRED, Reason.QC_FAIL, Reason.EXCURSION, Reason.RETURNED)
REJECTIONS = ("no_offer", "supplier_outage", "warehouse_outage", "lane_closed", "cold_chain",
              "not_registered", "lane_capacity", "supplier_capacity", "unavailable")
RECOVERY_WINDOWS = (1, 3, 7)
"""Days after a recall within which recovered units are counted (``recall_recovered_<n>d``)."""
BALANCE = ("opening", "received", "returned", "issued", "scrapped", "closing_on_hand",
           "closing_in_transit", "closing_in_repair")
"""Per item and day: opening + received + returned = issued + scrapped + closing on hand +
closing in transit + closing in repair (returned: units back from departments)."""


@dataclass(frozen=True)
class Meta:
    """Dimensions (after ``time`` where ``daily``), unit and description of one KPI."""

    dims: tuple[str, ...]
    unit: str
    description: str
    daily: bool = True


KPIS: dict[str, Meta] = {
    "demand_units": Meta(("priority", "org"), "units", "units demanded (new demand)"),
    "served_on_time_units": Meta(("priority", "org"), "units",
                                 "units served on the day they were demanded"),
    "served_late_units": Meta(("priority", "org"), "units", "backordered units served later"),
    "backordered_units": Meta(("priority", "org"), "units", "units demanded and backordered"),
    "lost_units": Meta(("priority", "org"), "units", "units demanded and lost"),
    "emergency_units": Meta(("priority", "org"), "units",
                            "units served by an emergency shipment from another warehouse"),
    "substituted_units": Meta(("priority", "org"), "units",
                              "units of demand covered by a substitute item (served)"),
    "substituted_on_time_units": Meta(("priority", "org"), "units",
                                      "of the units served on time, those covered by a "
                                      "substitute item"),
    "substitute_units": Meta(("priority", "org"), "units",
                             "units of substitute items issued to cover demand"),
    "backlog_units": Meta(("item",), "units", "backordered units waiting at day end"),
    "stockout_positions": Meta((), "positions",
                               "stock points serving demand with no available stock at day end"),
    "serving_positions": Meta((), "positions", "stock points serving demand"),
    "scrapped_units": Meta(("scrap_reason", "org"), "units", "units scrapped"),
    "scrapped_value": Meta(("scrap_reason", "org"), "currency", "value of units scrapped"),
    "returned_units": Meta(("return_reason",), "units",
                           "units departments returned, arrived at a warehouse (quarantine)"),
    "restocked_units": Meta((), "units", "returned units QC put back into available stock"),
    "repaired_units": Meta((), "units", "units back from repair, available"),
    "repair_cost": Meta(("org",), "currency", "repair cost of units sent for repair"),
    "holding_cost": Meta(("org",), "currency", "holding cost of units on hand"),
    "transport_cost": Meta(("org",), "currency", "transport cost paid by the receiving org"),
    "purchase_cost": Meta(("org",), "currency", "purchase cost incl. order cost, at ordering"),
    "transfer_cost": Meta(("org",), "currency", "inter-org transfer price paid (buyer)"),
    "transfer_revenue": Meta(("org",), "currency", "inter-org transfer price received (seller)"),
    "inventory_units": Meta(("warehouse",), "units", "units on hand at day end, any status"),
    "available_units": Meta(("warehouse",), "units", "available units on hand at day end"),
    "inventory_value": Meta(("warehouse",), "currency", "value of units on hand at day end"),
    "demand_value_rate": Meta(("warehouse",), "currency/day",
                              "expected demand value per day served from the warehouse"),
    "on_order_units": Meta(("item",), "units", "units on open purchase orders at day end"),
    **{name: Meta(("item",), "units", f"stock balance: {name.replace('_', ' ')}")
       for name in BALANCE},
    "position_demand_units": Meta(("warehouse", "item"), "units",
                                  "departments' new demand routed to the position, run total",
                                  daily=False),
    "position_served_on_time_units": Meta(
        ("warehouse", "item"), "units", "of it, units served on the day demanded (emergency "
        "shipments from other warehouses and substitutes included), run total", daily=False),
    "position_on_hand_unit_days": Meta(("warehouse", "item"), "unit-days",
                                       "Σ over days of units on hand at day end, any status",
                                       daily=False),
    "rejected_actions": Meta(("rejection",), "actions",
                             "actions refused or cut by a physical rule", daily=False),
    "rejected_units": Meta(("rejection",), "units", "units refused by a physical rule",
                           daily=False),
}


class Kpis:
    """Preallocated KPI arrays, shape ``(days, *dims)`` (or ``dims`` for run totals)."""

    def __init__(self, index: NetworkIndex, days: int):
        self.sizes = {"priority": len(PRIORITIES), "org": len(index.orgs),
                      "warehouse": index.n_warehouses, "item": index.n_items,
                      "scrap_reason": len(SCRAP_REASONS), "rejection": len(REJECTIONS),
                      "return_reason": len(RETURN_REASONS)}
        self.days = days
        self.arrays = {name: np.zeros(((days,) if m.daily else ()) +
                                      tuple(self.sizes[d] for d in m.dims),
                                      dtype=float if "currency" in m.unit else np.int64)
                       for name, m in KPIS.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def reject(self, rejection: str, actions: int, units: int | np.integer) -> None:
        """Count actions refused or cut for ``rejection`` (one of :data:`REJECTIONS`)."""
        k = REJECTIONS.index(rejection)
        self.arrays["rejected_actions"][k] += actions
        self.arrays["rejected_units"][k] += units


@dataclass(frozen=True)
class RunKpi:
    """A run-level KPI (``run_<name>`` in result files): what it measures, its unit
    (``1`` for a share), which way is better (``higher``, ``lower``, or ``neither`` for
    what no policy chooses) and how many decimals it is printed with."""

    label: str
    unit: str
    better: str
    digits: int = 0

    def format(self, value: float | None) -> str:
        """``value`` as printed: grouped thousands, :attr:`digits` decimals, ``n/a`` when
        missing or not finite."""
        if value is None or not np.isfinite(value):
            return "n/a"
        return f"{value:,.{self.digits}f}"

    def shown(self, value: float | None, currency: str = "", change: bool = False) -> str:
        """``value`` with its unit, as a reader sees it: a share as a percentage (a
        ``change`` of one in percentage points), money with the ``currency`` code, other
        amounts with their unit; a ``change`` signed."""
        if value is None or not np.isfinite(value):
            return "n/a"
        sign = "+" if change else ""
        if self.unit == "1":
            number = f"{100 * value:{sign},.{max(self.digits - 2, 0)}f}"
            unit = "pp" if change else "%"
        else:
            number = f"{value:{sign},.{self.digits}f}"
            unit = currency if self.unit == "currency" and currency else self.unit
        return f"{number.replace('-', '−')} {unit}"

    def improves(self, change: float) -> bool | None:
        """Whether a change of ``change`` (new − old) is an improvement (None: neither)."""
        if self.better == "neither" or change == 0:
            return None
        return (change > 0) == (self.better == "higher")


TOTAL_COST = ("transport_cost", "purchase_cost", "holding_cost", "scrapped_value_expired",
              "repair_cost")
"""The run-level costs whose sum is ``total_cost`` (currency)."""
_SCRAPPED = {"expired": "expired", "qc_fail": "failed QC", "excursion": "cold-chain excursion",
             "returned": "after return QC"}
RUN_KPIS: dict[str, RunKpi] = {
    "fill_rate": RunKpi("fill rate", "1", "higher", 4),
    **{f"fill_rate_{p}": RunKpi(f"{p} fill rate", "1", "higher", 4) for p in PRIORITIES},
    "fill_rate_own_item": RunKpi("fill rate without substitutes", "1", "higher", 4),
    "stockout_rate": RunKpi("stockout rate", "1", "lower", 4),
    "backordered_units": RunKpi("backordered units", "units", "lower"),
    "lost_units": RunKpi("lost units", "units", "lower"),
    "emergency_units": RunKpi("emergency units", "units", "lower"),
    "substituted_units": RunKpi("units covered by substitutes", "units", "neither"),
    "substitute_units": RunKpi("substitute units issued", "units", "neither"),
    "backlog_units_end": RunKpi("backlog at the end", "units", "lower"),
    **{f"scrapped_units_{r}": RunKpi(f"units scrapped ({t})", "units", "lower")
       for r, t in _SCRAPPED.items()},
    **{f"scrapped_value_{r}": RunKpi(f"value scrapped ({t})", "currency", "lower")
       for r, t in _SCRAPPED.items()},
    "holding_cost": RunKpi("holding cost", "currency", "lower"),
    "transport_cost": RunKpi("transport cost", "currency", "lower"),
    "purchase_cost": RunKpi("purchase cost", "currency", "lower"),
    "transfer_cost": RunKpi("transfer cost", "currency", "lower"),
    "repair_cost": RunKpi("repair cost", "currency", "lower"),
    "total_cost": RunKpi("total cost (transport, purchase, holding, expired, repair)",
                         "currency", "lower"),
    "inventory_value_mean": RunKpi("mean inventory value", "currency", "lower"),
    "days_of_supply_mean": RunKpi("mean days of supply", "days", "lower", 1),
    "returned_units": RunKpi("units returned", "units", "neither"),
    **{f"returned_units_{r}": RunKpi(f"units returned ({r.replace('_', ' ')})", "units",
                                     "neither") for r in RETURN_REASONS},
    "restocked_units": RunKpi("returned units restocked", "units", "neither"),
    "repaired_units": RunKpi("units back from repair", "units", "neither"),
    "in_repair_units_end": RunKpi("units in repair at the end", "units", "neither"),
    "demand_units": RunKpi("units demanded", "units", "neither"),
    "recall_units": RunKpi("units recalled", "units", "neither"),
    "recall_days_to_locate": RunKpi("days to locate every recalled unit", "days", "lower"),
    "recall_units_to_recover": RunKpi("recalled units to recover", "units", "neither"),
    **{f"recall_recovered_{n}d": RunKpi(
        f"recalled units recovered within {n} day{'s' * (n > 1)}", "1", "higher", 4)
       for n in RECOVERY_WINDOWS},
    "recall_days_to_recover": RunKpi("days to recover every recalled unit", "days", "lower"),
    "recall_units_not_recovered": RunKpi("recalled units not recovered (used or not back)",
                                         "units", "lower"),
}
"""Every run-level KPI: those :func:`summary` computes, ``demand_units`` and
``recall_units``, which experiments add, and the recall-response KPIs ``recall_*`` of
:func:`twin.sim.recall_kpis.recall_summary`."""
RETURN_KPIS = ("returned_units", "restocked_units", "repaired_units", "scrapped_units_returned",
               "repair_cost", "in_repair_units_end")
"""The returns-and-repairs KPIs shown where a run had returns."""
RECALL_KPIS = tuple(k for k in RUN_KPIS if k.startswith("recall_") and k != "recall_units")
"""The recall-response KPIs (see :mod:`twin.sim.recall_kpis`)."""


def run_kpi(name: str) -> RunKpi:
    """The run-level KPI ``name`` (with or without its ``run_`` prefix)."""
    return RUN_KPIS[name.removeprefix("run_")]


def summary(arrays: dict[str, np.ndarray]) -> dict[str, float]:
    """Run-level KPIs from the daily arrays (a flat name → value mapping)."""
    a = arrays
    demanded = a["demand_units"].sum()
    out = {"fill_rate": a["served_on_time_units"].sum() / demanded if demanded else np.nan}
    for k, prio in enumerate(PRIORITIES):
        d = a["demand_units"][:, k].sum()
        out[f"fill_rate_{prio}"] = a["served_on_time_units"][:, k].sum() / d if d else np.nan
    own = a["served_on_time_units"].sum() - a["substituted_on_time_units"].sum()
    out["fill_rate_own_item"] = own / demanded if demanded else np.nan
    serving = a["serving_positions"].sum()
    out["stockout_rate"] = a["stockout_positions"].sum() / serving if serving else np.nan
    for name in ("backordered_units", "lost_units", "emergency_units", "substituted_units",
                 "substitute_units"):
        out[name] = float(a[name].sum())
    out["backlog_units_end"] = float(a["backlog_units"][-1].sum())
    for k, reason in enumerate(SCRAP_REASONS):
        out[f"scrapped_units_{reason}"] = float(a["scrapped_units"][:, k].sum())
        out[f"scrapped_value_{reason}"] = float(a["scrapped_value"][:, k].sum())
    for name in ("holding_cost", "transport_cost", "purchase_cost", "transfer_cost",
                 "repair_cost"):
        out[name] = float(a[name].sum())
    out["total_cost"] = sum(out[k] for k in TOTAL_COST)
    out["returned_units"] = float(a["returned_units"].sum())
    for k, reason in enumerate(RETURN_REASONS):
        out[f"returned_units_{reason}"] = float(a["returned_units"][:, k].sum())
    for name in ("restocked_units", "repaired_units"):
        out[name] = float(a[name].sum())
    out["in_repair_units_end"] = float(a["closing_in_repair"][-1].sum())
    out["inventory_value_mean"] = float(a["inventory_value"].sum(axis=1).mean())
    rate = a["demand_value_rate"].sum(axis=1)
    out["days_of_supply_mean"] = float(np.mean(np.divide(
        a["inventory_value"].sum(axis=1), rate, out=np.full(len(rate), np.nan), where=rate > 0)))
    return out
