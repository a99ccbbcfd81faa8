"""Running a plan in the twin: its lines on their dates, then its reorder points.

:class:`PlanPolicy` executes each transfer and purchase line of a :class:`~twin.domain.Plan`
at the review whose period contains the line's date (a line dated before the run starts goes
at the first review), sets the plan's reorder points at the first review, and otherwise behaves
like :class:`~twin.sim.policies.FixedSS` with emergency shipments: at each review, a
position at or below its reorder point is replenished up to S — except on a day when a plan
line already replenishes that position. This is how operations would follow an approved
plan: the documents published, then the order points set in the ERP.
"""

import datetime as dt
from dataclasses import replace

import numpy as np

from twin.domain import DispositionAction, Plan, PurchaseAction, ReorderPointAction, TransferAction
from twin.sim.index import NetworkIndex
from twin.sim.policies import FixedSS
from twin.sim.policy import Actions, Purchases, StateView, Transfers


def _date(line: PurchaseAction | TransferAction) -> dt.date:
    return line.order_date if isinstance(line, PurchaseAction) else line.ship_date


class PlanPolicy(FixedSS):
    """A plan's lines on their dates, then its (s, S) (see the module docstring)."""

    def __init__(self, index: NetworkIndex, plan: Plan, emergency: bool = True):
        super().__init__(index, emergency)
        if plan.network != index.network.name:
            raise ValueError(f"plan {plan.id} is for network {plan.network!r}, "
                             f"not {index.network.name!r}")
        start = index.network.snapshot.as_of
        self._lines = sorted(((max((_date(a) - start).days, 0), k, a)
                              for k, a in enumerate(plan.actions)
                              if not isinstance(a, ReorderPointAction | DispositionAction)),
                             key=lambda t: (t[0], t[1]))
        self._levels = [a for a in plan.actions if isinstance(a, ReorderPointAction)]
        self._next = 0
        self._review = index.network.settings.review_period_days

    def decide(self, view: StateView) -> Actions:
        """Due plan lines, the plan's (s, S) on the first review, (s, S) replenishment for
        positions no due line replenishes."""
        ix = self.index
        due = []
        while self._next < len(self._lines) and self._lines[self._next][0] < \
                view.day + self._review:
            due.append(self._lines[self._next][2])
            self._next += 1
        levels, self._levels = self._levels, []
        planned = Actions.from_domain(due + levels, ix, view.find_lot)
        if len(planned.reorder_points):
            rp = planned.reorder_points
            s, big_s = view.reorder_point.copy(), view.order_up_to.copy()
            s[rp.warehouse, rp.item], big_s[rp.warehouse, rp.item] = rp.reorder_point, \
                rp.order_up_to
            view = replace(view, reorder_point=s, order_up_to=big_s)
        own = super().decide(view)
        covered = np.zeros(ix.n_positions, dtype=bool)
        covered[ix.position(planned.purchases.warehouse, planned.purchases.item)] = True
        covered[ix.position(ix.lane_dst[planned.transfers.lane], planned.transfers.item)] = True
        buy = ~covered[ix.position(own.purchases.warehouse, own.purchases.item)]
        move = ~covered[ix.position(ix.lane_dst[own.transfers.lane], own.transfers.item)]
        return Actions(
            purchases=Purchases(*(np.concatenate([getattr(planned.purchases, f),
                                                  getattr(own.purchases, f)[buy]])
                                  for f in ("supplier", "warehouse", "item", "quantity"))),
            transfers=Transfers(*(np.concatenate([getattr(planned.transfers, f),
                                                  getattr(own.transfers, f)[move]])
                                  for f in ("lane", "item", "lot", "quantity"))),
            reorder_points=planned.reorder_points)
