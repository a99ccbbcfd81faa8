"""Which demand accepts which substitute, per warehouse, item and priority class.

The twin serves a department's shortfall from the substitutes its rules name, issued from
the warehouse serving the demanded item (:meth:`twin.domain.Network.substitutes_for`). For
the planning models that pool demand through substitutes, :func:`acceptances` sums the
mean demand (units/day) routed to each (warehouse, item, class) and the part of it from
departments that accept a given substitute, with the factor (substitute units per unit)
and the preference rank at which they try it (the lowest over those departments).
"""

from collections import defaultdict
from dataclasses import dataclass

from twin.domain import Network
from twin.domain.parties import PRIORITIES


@dataclass(frozen=True)
class Acceptance:
    """Demand of ``item`` at ``warehouse`` in class ``priority`` that accepts ``substitute``."""

    warehouse: str
    item: str
    priority: str
    substitute: str
    factor: float     # substitute units per unit of the item
    rank: int         # preference rank it is tried at (1 first)
    accepting: float  # units/day of this demand from departments that accept it
    demand: float     # units/day of this demand in all

    @property
    def share(self) -> float:
        """Fraction α of the (warehouse, item, class) demand that accepts the substitute."""
        return self.accepting / self.demand if self.demand > 0 else 0.0


def routed_demand(net: Network) -> dict[tuple[str, str, str], float]:
    """Mean demand (units/day) per (serving warehouse, item, priority class)."""
    classes = {(h.id, d.id): d.priority for h in net.hospitals for d in h.departments}
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for d in net.demand:
        wh = net.serving_warehouse(d.hospital, d.item)
        if wh is not None:
            out[(wh, d.item, classes[(d.hospital, d.department)])] += d.mean_per_day
    return dict(out)


def least_urgent_class(net: Network) -> dict[tuple[str, str], str]:
    """Per (serving warehouse, item), the least urgent class with demand: the one a
    shortfall falls on first, as the twin serves the most urgent first."""
    out: dict[tuple[str, str], str] = {}
    for (w, i, c), mean in routed_demand(net).items():
        if mean > 0:
            out[(w, i)] = max(out.get((w, i), c), c, key=PRIORITIES.index)
    return out


def acceptances(net: Network) -> list[Acceptance]:
    """Every (warehouse, item, class, substitute) with demand that accepts it, sorted."""
    if not net.substitutes:
        return []
    classes = {(h.id, d.id): d.priority for h in net.hospitals for d in h.departments}
    demand = routed_demand(net)
    accepting: dict[tuple[str, str, str, str], float] = defaultdict(float)
    factor: dict[tuple[str, str, str, str], float] = {}
    rank: dict[tuple[str, str, str, str], int] = {}
    for d in net.demand:
        wh = net.serving_warehouse(d.hospital, d.item)
        if wh is None:
            continue
        c = classes[(d.hospital, d.department)]
        for r, rule in enumerate(net.substitutes_for(d.hospital, d.department, d.item), 1):
            key = (wh, d.item, c, rule.substitute)
            accepting[key] += d.mean_per_day
            factor.setdefault(key, rule.factor)
            rank[key] = min(rank.get(key, r), r)
    return [Acceptance(*key, factor[key], rank[key], accepting[key], demand[key[:3]])
            for key in sorted(accepting) if accepting[key] > 0]
