"""(s, S) levels and the policy that runs them in the twin."""

from dataclasses import replace

import numpy as np

from twin.api import Actions, FixedSS, NetworkIndex, ReorderPoints, StateView

Levels = dict[tuple[str, str], tuple[int, int]]
"""(warehouse, item) → (s, S), units."""


class LevelsSS(FixedSS):
    """:class:`FixedSS` run with its own (s, S); the first review records them in the twin."""

    def __init__(self, index: NetworkIndex, levels: Levels,
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
