"""Policies for the twin built from the planning models, registered by name.

* ``heuristic`` — the planner's rule of thumb: fixed-z safety stock
  s = μ(L+R) + z·√((L+R)σ² + μ²σ_L²) with z = 1.645 (95 % cycle service), S = s + max(μR,
  MOQ); replenishment from the configured source on the cheapest lane, FEFO at dispatch,
  and emergency shipments to critical departments from the nearest warehouse holding stock.
* ``optimised`` — (s, S) from the sample-average safety-stock model
  (:mod:`solvers.safety_stock`: fill-rate targets by priority class at least holding,
  ordering, shortage and expiry cost) under per-org budgets equal to what the heuristic
  invests (average inventory value c·(s − μ(L+R) + (S − s)/2)), executed the same way:
  the same money, placed where it serves the urgent classes and expires least.

Both differ only in their (s, S), so a comparison in the twin isolates the parameters.
Importing this module registers both names in :data:`twin.sim.policies.POLICIES`.
"""

import logging
import math
from dataclasses import replace

import numpy as np

from solvers.highs_bridge import Infeasible
from solvers.safety_stock import SafetyStockSettings, build_inputs, solve_safety_stock
from twin.domain import Network
from twin.sim.index import NetworkIndex
from twin.sim.policies import FixedSS, register_policy
from twin.sim.policy import Actions, ReorderPoints, StateView

log = logging.getLogger(__name__)
Z_95 = 1.645
BUDGET_SHARE = 0.97
"""Share of the heuristic's investment the optimised policy may use (room for rounding s, S up)."""
_CACHE: dict[tuple[int, str], tuple[Network, dict[tuple[str, str], tuple[int, int]]]] = {}
"""(id(network), kind) → (network, levels): solved once per network and process."""


def heuristic_levels(net: Network, z: float = Z_95) -> dict[tuple[str, str], tuple[int, int]]:
    """Fixed-z (s, S) per (warehouse, item), units."""
    x = build_inputs(net)
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for p in range(x.size):
        mu, var, lt = x.mean_per_day[p], x.var_per_day[p], x.lead_time[p]
        days = lt.mean + x.review_days
        sd = math.sqrt(days * var + mu * mu * lt.spread ** 2)
        s = math.ceil(mu * days + z * sd)
        out[(x.warehouse[p], x.item[p])] = (s, s + math.ceil(max(mu * x.review_days, x.moq[p])))
    return out


def investment(net: Network, levels: dict[tuple[str, str], tuple[int, int]]) -> dict[str, float]:
    """Average inventory value per org of ``levels``: Σ c·(s − μ(L+R) + (S − s)/2)."""
    x = build_inputs(net)
    out: dict[str, float] = {}
    for p in range(x.size):
        s, big_s = levels.get((x.warehouse[p], x.item[p]), (0, 0))
        mean_cycle = x.mean_per_day[p] * (x.lead_time[p].mean + x.review_days)
        out[x.org[p]] = out.get(x.org[p], 0.0) + x.unit_cost[p] * (
            s - mean_cycle + (big_s - s) / 2)
    return out


def optimised_levels(net: Network,
                     settings: SafetyStockSettings | None = None
                     ) -> dict[tuple[str, str], tuple[int, int]]:
    """(s, S) per (warehouse, item) from the safety-stock SAA, units. Without ``settings``
    the org budgets are the heuristic's investment; if the fill-rate targets cannot be met
    within them, the budgets are dropped (and the log says why)."""
    if settings is None:
        budget = investment(net, heuristic_levels(net))
        try:
            return optimised_levels(net, SafetyStockSettings(
                org_budget={o: BUDGET_SHARE * v for o, v in budget.items()}))
        except Infeasible as exc:
            log.warning("optimised policy without budgets: %s", exc)
            settings = SafetyStockSettings()
    rows = solve_safety_stock(net, settings).rows()
    return {(r["warehouse"], r["item"]): (r["reorder_point"], r["order_up_to"]) for r in rows}


def _levels(net: Network, kind: str) -> dict[tuple[str, str], tuple[int, int]]:
    key = (id(net), kind)
    if key not in _CACHE or _CACHE[key][0] is not net:
        _CACHE[key] = (net, heuristic_levels(net) if kind == "heuristic"
                       else optimised_levels(net))
    return _CACHE[key][1]


class LevelsSS(FixedSS):
    """:class:`FixedSS` run with its own (s, S); the first review records them in the twin."""

    def __init__(self, index: NetworkIndex, levels: dict[tuple[str, str], tuple[int, int]],
                 emergency: bool = True):
        super().__init__(index, emergency)
        s = index.reorder_point.copy()
        big_s = index.order_up_to.copy()
        for (w, i), (lo, hi) in levels.items():
            p = index.position(index.wh_of[w], index.item_of[i])
            s[p], big_s[p] = lo, hi
        self._s, self._big_s, self._announced = s, big_s, False

    def decide(self, view: StateView) -> Actions:
        """Replenish against this policy's (s, S); announce them on the first review."""
        shape = view.reorder_point.shape
        own = replace(view, reorder_point=self._s.reshape(shape).copy(),
                      order_up_to=self._big_s.reshape(shape).copy())
        actions = super().decide(own)
        if self._announced:
            return actions
        self._announced = True
        ix = self.index
        p = np.flatnonzero(self._big_s >= 0)
        rop = ReorderPoints(ix.position_warehouse[p].astype(np.int64),
                            ix.position_item[p].astype(np.int64), self._s[p], self._big_s[p])
        return replace(actions, reorder_points=rop)


@register_policy("heuristic")
def heuristic(index: NetworkIndex) -> LevelsSS:
    """Fixed-z (s, S), cheapest lane, FEFO, emergency shipments for critical demand."""
    return LevelsSS(index, _levels(index.network, "heuristic"))


@register_policy("optimised")
def optimised(index: NetworkIndex) -> LevelsSS:
    """(s, S) from the sample-average safety-stock model, executed like the heuristic."""
    return LevelsSS(index, _levels(index.network, "optimised"))
