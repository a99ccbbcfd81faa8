"""The shipped policies and the name → factory registry.

``register_policy(name)`` adds a factory ``(NetworkIndex) -> Policy``; the CLI lists the
registered names, and other packages (``solvers``) register their optimised policies the
same way.
"""

import functools
from collections.abc import Callable

import numpy as np

from twin.sim.index import NetworkIndex
from twin.sim.policy import Actions, Policy, PolicyFactory, Purchases, StateView, Transfers

POLICIES: dict[str, PolicyFactory] = {}


def register_policy(name: str) -> Callable[[PolicyFactory], PolicyFactory]:
    """Decorator registering a policy factory under ``name``."""
    def add(factory: PolicyFactory) -> PolicyFactory:
        POLICIES[name] = factory
        return factory
    return add


def make_policy(name: str, index: NetworkIndex) -> Policy:
    """The registered policy ``name`` for ``index`` (``KeyError`` naming the known ones)."""
    if name not in POLICIES:
        raise KeyError(f"unknown policy {name!r}; known: {', '.join(sorted(POLICIES))}")
    return POLICIES[name](index)


@register_policy("none")
class NoAction:
    """Never acts: the network lives off its opening stock and open orders."""

    emergency = False

    def __init__(self, index: NetworkIndex):
        del index

    def decide(self, view: StateView) -> Actions:
        """No actions."""
        return Actions()


@register_policy("fixed_ss")
class FixedSS:
    """Fixed (s, S) per warehouse × item from the network's ``stock_policies``.

    At a review, with inventory position IP (see :meth:`StateView.inventory_position`):
    when IP ≤ s, replenish S − IP from the configured source — a purchase (at least the
    supplier's MOQ) or a transfer from the source warehouse on its cheapest open lane that
    suits the item (cold items on cold lanes). Positions sourced from a VMI supplier are
    topped up to S by the supplier whenever IP < S. The current (s, S) come from the view,
    so reorder-point actions of other policies take effect.
    """

    def __init__(self, index: NetworkIndex, emergency: bool = False):
        self.index, self.emergency = index, emergency
        sup = index.source_supplier
        self._supplier = sup
        self._offer = np.where(sup >= 0, index.offer_of[np.maximum(sup, 0), index.position_item],
                               -1)
        self._vmi = (sup >= 0) & index.supplier_vmi[np.maximum(sup, 0)]
        self._routes = self._lane_preferences(index)

    @staticmethod
    def _lane_preferences(index: NetworkIndex) -> dict[tuple[int, int, bool], np.ndarray]:
        """Lanes per (from, to, item is cold), cheapest per unit first, then fastest."""
        routes: dict[tuple[int, int, bool], list[int]] = {}
        order = np.lexsort((index.lane_transit.mean, index.lane_cost_unit))
        for k in order.tolist():
            src, dst = int(index.lane_src[k]), int(index.lane_dst[k])
            routes.setdefault((src, dst, False), []).append(k)
            if index.lane_cold[k]:
                routes.setdefault((src, dst, True), []).append(k)
        return {key: np.array(v) for key, v in routes.items()}

    def decide(self, view: StateView) -> Actions:
        """Purchases and transfers for positions at or below their reorder point."""
        ix = self.index
        s, S = view.reorder_point.ravel(), view.order_up_to.ravel()
        ip = view.inventory_position().ravel()
        trigger = (S >= 0) & np.where(self._vmi, ip < S, ip <= s)
        qty = S - ip
        buy = np.flatnonzero(trigger & (self._offer >= 0))
        buy_qty = np.maximum(qty[buy], ix.offer_moq[self._offer[buy]])
        move = np.flatnonzero(trigger & (ix.source_warehouse >= 0))
        lanes = self._pick_lanes(move, view.lane_closed)
        ok = lanes >= 0
        return Actions(
            purchases=Purchases(self._supplier[buy].astype(np.int64),
                                ix.position_warehouse[buy].astype(np.int64),
                                ix.position_item[buy].astype(np.int64), buy_qty),
            transfers=Transfers(lanes[ok], ix.position_item[move][ok].astype(np.int64),
                                np.full(int(ok.sum()), -1, dtype=np.int64), qty[move][ok]))

    def _pick_lanes(self, positions: np.ndarray, closed: np.ndarray) -> np.ndarray:
        ix = self.index
        src = ix.source_warehouse[positions]
        dst = ix.position_warehouse[positions]
        cold = ix.item_cold[ix.position_item[positions]]
        n_wh = ix.n_warehouses
        codes, which = np.unique((src.astype(np.int64) * n_wh + dst) * 2 + cold,
                                 return_inverse=True)
        chosen = np.full(len(codes), -1, dtype=np.int64)
        for k, code in enumerate(codes.tolist()):
            options = self._routes.get((code // 2 // n_wh, code // 2 % n_wh, bool(code % 2)),
                                       np.zeros(0, dtype=np.int64))
            open_ = options[~closed[options]]
            if len(open_):
                chosen[k] = open_[0]
        return chosen[which]


register_policy("fixed_ss_emergency")(functools.partial(FixedSS, emergency=True))
