"""The twin's own policies and the explicit policy registry.

A :class:`PolicyRegistry` maps policy names to factories ``(NetworkIndex) -> Policy``. It is
an immutable value: nothing registers into it by importing a module. The twin ships
:data:`BASE_POLICIES` (``none``, ``fixed_ss``, ``fixed_ss_emergency``); the registry of every
shipped policy, with the planning policies of ``solvers``, is assembled in one place that
knows both (:func:`solvers.registry.shipped_policies`). Callers pass a registry (or a
factory) to :func:`twin.sim.simulate`.
"""

import functools
from collections.abc import Iterator, Mapping

import numpy as np

from twin.domain.replenishment import first_open, replenishment_routes
from twin.sim.index import NetworkIndex
from twin.sim.policy import Actions, Policy, PolicyFactory, Purchases, StateView, Transfers


class PolicyRegistry(Mapping[str, PolicyFactory]):
    """Policy name → factory ``(NetworkIndex) -> Policy``, immutable and picklable (so it
    travels to Dask workers with the factories it names).

    ``registry[name]`` is the factory; :meth:`make` builds the policy; :meth:`with_policies`
    gives a new registry with more (or replaced) entries.
    """

    def __init__(self, factories: Mapping[str, PolicyFactory] | None = None):
        self._factories: dict[str, PolicyFactory] = dict(factories or {})

    def __getitem__(self, name: str) -> PolicyFactory:
        try:
            return self._factories[name]
        except KeyError:
            raise KeyError(f"unknown policy {name!r}; known: {', '.join(sorted(self))}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._factories)

    def __len__(self) -> int:
        return len(self._factories)

    def __repr__(self) -> str:
        return f"PolicyRegistry({sorted(self)})"

    def make(self, name: str, index: NetworkIndex) -> Policy:
        """The policy ``name`` for ``index`` (``KeyError`` naming the known ones)."""
        return self[name](index)

    def with_policies(self, factories: Mapping[str, PolicyFactory]) -> "PolicyRegistry":
        """A new registry with ``factories`` added (a known name is replaced)."""
        return PolicyRegistry({**self._factories, **factories})


class NoAction:
    """Never acts: the network lives off its opening stock and open orders."""

    emergency = False

    def __init__(self, index: NetworkIndex):
        del index

    def decide(self, view: StateView) -> Actions:
        """No actions."""
        return Actions()


class FixedSS:
    """Fixed (s, S) per warehouse × item from the network's ``stock_policies``.

    At a review, with inventory position IP (see :meth:`StateView.inventory_position`):
    when IP ≤ s, replenish S − IP from the configured source — a purchase (at least the
    supplier's MOQ) or a transfer from the source warehouse on the replenishment lane
    (:mod:`twin.domain.replenishment`: the cheapest open lane per unit, then the fastest;
    cold items on cold lanes). Positions sourced from a VMI supplier are topped up to S by
    the supplier whenever IP < S. The current (s, S) come from the view, so reorder-point
    actions of other policies take effect.
    """

    def __init__(self, index: NetworkIndex, emergency: bool = False):
        self.index, self.emergency = index, emergency
        sup = index.source_supplier
        self._supplier = sup
        self._offer = np.where(sup >= 0, index.offer_of[np.maximum(sup, 0), index.position_item],
                               -1)
        self._vmi = (sup >= 0) & index.supplier_vmi[np.maximum(sup, 0)]
        wh = index.wh_of
        self._routes = {(wh[src], wh[dst], cold): np.array(lanes) for (src, dst, cold), lanes
                        in replenishment_routes(index.network.lanes).items()}

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
        """The replenishment lane of each position (−1 none open)."""
        ix = self.index
        if not len(positions):
            return np.zeros(0, dtype=np.int64)
        src = ix.source_warehouse[positions]
        dst = ix.position_warehouse[positions]
        cold = ix.item_cold[ix.position_item[positions]]
        n_wh = ix.n_warehouses
        codes, which = np.unique((src.astype(np.int64) * n_wh + dst) * 2 + cold,
                                 return_inverse=True)
        chosen = np.full(len(codes), -1, dtype=np.int64)
        for k, code in enumerate(codes.tolist()):
            options = self._routes.get((code // 2 // n_wh, code // 2 % n_wh, bool(code % 2)))
            if options is not None:
                chosen[k] = first_open(options, closed)
        return chosen[which]


BASE_POLICIES = PolicyRegistry({
    "none": NoAction,
    "fixed_ss": FixedSS,
    "fixed_ss_emergency": functools.partial(FixedSS, emergency=True),
})
"""The twin's own policies; :func:`solvers.registry.shipped_policies` adds the planning
policies."""
