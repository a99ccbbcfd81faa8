"""Lost-sales (s, S) estimated on one long demand path, for positions whose exact chain
(:mod:`.pipeline`) is beyond its state limit.

The position's own day recursion, in the twin's timing (:mod:`.periodic`): a delivery due on
day d arrives before day d's demand; demand takes what is on hand and the rest is lost; on
review days (t ≡ 0 mod R), after the day's demand, IP = on-hand + on order, and IP ≤ s orders
S − IP, due L days later. Over :data:`SIM_DAYS` days after :data:`WARM_DAYS` of warm-up
(starting full, nothing on order), with D_t drawn from the position's exact daily law with a
fixed seed — the same path for every (s, S) tried (common random numbers: a search compares
pairs on identical demand) and for every run (deterministic):

    fill = Σ served / Σ D,  on-hand = mean day-end on-hand,  orders/day = orders / days,
    cost/day = (K·orders + h·Σ on-hand + p·Σ (D − served)) / days.

These are estimates, not exact (sampling error of the fill rate: a few 10⁻⁴ at this length
on the positions the tests try; a plan's twin check measures such lines in the twin).
"""

import numpy as np

from solvers.inventory_theory.periodic import Performance, Position

SIM_DAYS = 100_000
"""Days simulated after the warm-up (one evaluation: ~50 ms of Python per (s, S))."""
WARM_DAYS = 1_000
"""Days simulated first and not counted (the path starts full with nothing on order)."""
SIM_SEED = 20261130
"""Seed of the demand path (fixed: the same position gives the same estimates everywhere)."""
TAIL = 1e-12
"""Demand above the day's (1 − TAIL)-quantile is not drawn (its mass is ~TAIL per day)."""


class SimulatedLostSales:
    """Estimates of (s, S) at a lost-sales ``pos`` on one fixed demand path (see the module
    docstring); :meth:`evaluate` as the exact chains have it, the result marked
    ``exact=False``."""

    def __init__(self, pos: Position, days: int = SIM_DAYS, warm: int = WARM_DAYS):
        if pos.backorder or len(pos.leads) > 1:
            raise ValueError("the simulated estimate is for lost sales with a fixed lead time")
        self.pos = pos
        self.warm = warm
        upto = pos.demand.quantile(1, 1 - TAIL)
        cdf = np.cumsum(pos.demand.pmf(upto))
        rng = np.random.default_rng(SIM_SEED)
        draws = np.searchsorted(cdf / cdf[-1], rng.random(warm + days), side="right")
        self.demand: list[int] = np.minimum(draws, upto).tolist()
        self._seen: dict[tuple[int, int], Performance] = {}

    def evaluate(self, s: int, S: int) -> Performance:
        """Estimated long-run means of (s, S) (units and currency per day)."""
        if (s, S) not in self._seen:
            self._seen[(s, S)] = self._recursion(s, S)
        return self._seen[(s, S)]

    def _recursion(self, s: int, S: int) -> Performance:
        review, lead, warm = self.pos.review_days, self.pos.lead_days, self.warm
        demand = self.demand
        due = [0] * (len(demand) + lead + 1)
        on_hand, on_order = S, 0
        served = held = orders = 0
        for t, d in enumerate(demand):
            arriving = due[t]
            on_hand += arriving
            on_order -= arriving
            sold = d if d < on_hand else on_hand
            on_hand -= sold
            if t % review == 0 and on_hand + on_order <= s:
                due[t + lead] += S - on_hand - on_order
                on_order = S - on_hand
                if t >= warm:
                    orders += 1
            if t >= warm:
                served += sold
                held += on_hand
        days = len(demand) - warm
        total = sum(demand[warm:])
        pos = self.pos
        cost = (pos.order_cost * orders + pos.holding * held
                + pos.shortage * (total - served)) / days
        return Performance(s, S, float(cost), served / total if total else 1.0, held / days,
                           orders / days, exact=False)
