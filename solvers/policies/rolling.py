"""``optimised_rolling``: the optimised (s, S) plus, at every review, the rolling transfer
MILP (:mod:`solvers.transfers.rolling`) and the replenishment MILP
(:mod:`solvers.replenishment.model`) built from the twin's state.

A review runs in three steps: (1) the (s, S) rule decides the replenishment of positions
fed by another warehouse and of VMI positions; (2) the transfer MILP moves stock above
order-up-to levels and stock that would expire unused to where it covers expected demand
within two weeks; (3) with the inventory positions that result, supplier-fed positions at
or below s are bought through the replenishment MILP (MOQ, one order cost per supplier,
supplier capacity) and the (s, S) rule is applied again for warehouse-fed ones, so that a
position topped up by a lateral transfer is not replenished twice.
"""

from dataclasses import replace

import numpy as np

from solvers.policies.levels import LevelsFactory
from solvers.policies.levels_ss import Levels, LevelsSS
from solvers.replenishment.model import Position, solve_replenishment
from solvers.safety_stock import build_inputs
from solvers.transfers.rolling import RollingTransfers
from twin.api import Actions, NetworkIndex, Purchases, StateView, Transfers


def usage_per_position(index: NetworkIndex) -> np.ndarray:
    """Units/day drawn from each position by its own and downstream demand (the safety-stock
    inputs' μ), 0 where none."""
    x = build_inputs(index.network)
    out = np.zeros(index.n_positions)
    out[index.position(np.array([index.wh_of[w] for w in x.warehouse], dtype=np.int64),
                       np.array([index.item_of[i] for i in x.item]))] = x.mean_per_day
    return out


def _concat(*parts: Transfers) -> Transfers:
    return Transfers(*(np.concatenate([getattr(p, f) for p in parts])
                       for f in ("lane", "item", "lot", "quantity")))


class RollingSS(LevelsSS):
    """:class:`LevelsSS` plus the rolling transfer and replenishment MILPs at each review."""

    def __init__(self, index: NetworkIndex, levels: Levels):
        super().__init__(index, levels)
        self.lateral = RollingTransfers(index, self._big_s, usage_per_position(index))
        self._buyers = np.flatnonzero((self._offer >= 0) & ~self._vmi & (self._big_s >= 0))

    def decide(self, view: StateView) -> Actions:
        """(s, S) replenishment, lateral transfers, then purchases (see module docstring)."""
        base = super().decide(view)
        lateral = self.lateral.plan(view, base.transfers, base.purchases)
        ix = self.index
        delta = (np.bincount(ix.position(ix.lane_dst[lateral.lane], lateral.item),
                             weights=lateral.quantity, minlength=ix.n_positions)
                 - np.bincount(ix.position(ix.lane_src[lateral.lane], lateral.item),
                               weights=lateral.quantity, minlength=ix.n_positions))
        after = replace(view, in_transit=view.in_transit + delta.astype(np.int64).reshape(
            view.in_transit.shape)) if len(lateral) else view
        again = super().decide(after) if len(lateral) else base
        vmi = self._vmi[ix.position(again.purchases.warehouse, again.purchases.item)]
        bought = self._buy(after)
        purchases = Purchases(*(np.concatenate([getattr(again.purchases, f)[vmi],
                                                getattr(bought, f)])
                                for f in ("supplier", "warehouse", "item", "quantity")))
        return Actions(purchases=purchases, transfers=_concat(again.transfers, lateral),
                       reorder_points=base.reorder_points)

    def _buy(self, view: StateView) -> Purchases:
        """Purchase lines of supplier-fed, non-VMI positions from the replenishment MILP."""
        ix = self.index
        p = self._buyers
        ip = view.inventory_position().ravel()[p]
        s, big_s = self._s[p], self._big_s[p]
        offer = self._offer[p]
        price, moq, cap = ix.offer_price[offer], ix.offer_moq[offer], ix.offer_capacity_week[offer]
        sup = self._supplier[p]
        positions = [Position(ix.warehouses[ix.position_warehouse[q]],
                              ix.items[ix.position_item[q]], ix.suppliers[sup[k]], int(s[k]),
                              int(big_s[k]), int(ip[k]), int(moq[k]), float(price[k]),
                              int(cap[k]) if cap[k] >= 0 else None)
                      for k, q in enumerate(p.tolist()) if ip[k] <= s[k]
                      and not view.supplier_down[sup[k]]]
        review_weeks = ix.network.settings.review_period_days / 7
        plan = solve_replenishment(ix.network, positions, view.date, weeks=review_weeks)
        rows = [(ix.supplier_of[a.supplier], ix.wh_of[a.warehouse], ix.item_of[a.item],
                 a.quantity) for a in plan.actions]
        if not rows:
            return Purchases.empty()  # type: ignore[return-value]
        return Purchases(*(np.array(col, dtype=np.int64) for col in zip(*rows, strict=True)))


optimised_rolling = LevelsFactory("optimised_rolling", "optimised", RollingSS)
"""Optimised (s, S), lateral transfers and purchases re-solved at every review."""
