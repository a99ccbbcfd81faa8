"""Substitutes pool demand: which positions stand in for which, and the shortage they leave.

A *link* l = (a, b) says that part of position a's demand (warehouse w, item i) accepts
item j from the same warehouse when i is short, as the twin serves it
(:meth:`twin.domain.Network.substitutes_for`; the substitute is issued from the warehouse
serving the item): ``share`` α_l is the fraction of the shortfall of a that falls on
departments whose rule names j, ``factor`` f_l the units of j per unit of i,
``preference`` the rank the departments try it at (the lowest over them). The twin issues
an item's own stock to the most urgent class first, so a shortfall falls on the least
urgent class a serves: α_l is the accepting share of that class's mean demand (an ICU
that accepts a substitute is rarely the one left short).

In a demand scenario k with a shortfall (D_ak − s_a)⁺, the twin serves each item's own
demand first and then covers shortfalls from what the substitute has left, in preference
order. :func:`pooled_shortage` does the same over the scenarios of the safety-stock model:
per link, in preference order, cover_lk = min(α_l·short_ak, left_bk / f_l); short_ak −=
cover; left_bk −= f_l·cover. The shortage a position's own demand meets is unchanged.
"""

from dataclasses import dataclass

import numpy as np

from solvers.substitution import acceptances, least_urgent_class
from twin.domain import Network


@dataclass(frozen=True)
class Links:
    """Substitution links between positions (arrays of length L), in preference order."""

    item: np.ndarray        # position index of the demanded item a
    substitute: np.ndarray  # position index of the substitute b (same warehouse)
    factor: np.ndarray      # units of b per unit of a
    share: np.ndarray       # α: fraction of a's own demand that accepts b
    preference: np.ndarray  # rank tried at (1 first)

    @property
    def size(self) -> int:
        """Number of links L."""
        return len(self.item)

    def subset(self, idx: np.ndarray, n: int) -> "Links":
        """The links between positions ``idx`` (of ``n``), renumbered to ``idx``'s order."""
        new = np.full(n, -1, dtype=np.int64)
        new[idx] = np.arange(len(idx))
        keep = (new[self.item] >= 0) & (new[self.substitute] >= 0)
        return Links(new[self.item[keep]], new[self.substitute[keep]], self.factor[keep],
                     self.share[keep], self.preference[keep])

    def pooled(self) -> np.ndarray:
        """Position indices that take part in a link (either side), sorted."""
        return np.unique(np.concatenate((self.item, self.substitute)))


NO_LINKS = Links(*(np.zeros(0, dtype=np.int64) for _ in range(2)), np.zeros(0), np.zeros(0),
                 np.zeros(0, dtype=np.int64))


def substitution_links(net: Network, keys: list[tuple[str, str]]) -> Links:
    """The links between the positions ``keys`` (warehouse, item) from the network's
    substitute rules and demand models (:func:`solvers.substitution.acceptances`; α of the
    least urgent class with demand, see the module docstring); a substitute not stocked at
    the warehouse (no position) pools nothing."""
    at = {k: p for p, k in enumerate(keys)}
    found = acceptances(net)
    if not found:
        return NO_LINKS
    last = least_urgent_class(net)
    rows = sorted((a.rank, at[(a.warehouse, a.item)], at[(a.warehouse, a.substitute)],
                   a.factor, a.share) for a in found
                  if a.priority == last.get((a.warehouse, a.item))
                  and (a.warehouse, a.item) in at and (a.warehouse, a.substitute) in at)
    if not rows:
        return NO_LINKS
    pref, a, b, f, share = (np.array(c) for c in zip(*rows, strict=True))
    return Links(a.astype(np.int64), b.astype(np.int64), f.astype(float), share.astype(float),
                 pref.astype(np.int64))


def pooled_shortage(d: np.ndarray, s: np.ndarray, links: Links) -> np.ndarray:
    """Units short per position and scenario (P, K) at reorder points ``s`` over demand
    scenarios ``d`` (P, K), after substitutes cover what they can (module docstring)."""
    short = np.maximum(d - s[:, None], 0.0)
    left = np.maximum(s[:, None] - d, 0.0)
    for a, b, f, alpha in zip(links.item.tolist(), links.substitute.tolist(),
                              links.factor.tolist(), links.share.tolist(), strict=True):
        cover = np.minimum(alpha * short[a], left[b] / f)
        short[a] -= cover
        left[b] -= f * cover
    return short
