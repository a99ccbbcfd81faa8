"""Replenishment rules of the domain: which lane replenishes a position, and how late a
purchase order arrives.

These are the rules the twin executes, written once. The SimPy twin
(:mod:`twin.sim.dispatch`, :class:`twin.sim.policies.FixedSS`) and the planning models
(:mod:`solvers.safety_stock`, :mod:`solvers.transfers.rolling`) call these functions instead
of re-deriving them, so that a plan is made for the network the twin runs.

**Lane choice.** A warehouse replenished from another warehouse receives on the lane from the
source to it that is cheapest per unit, then fastest (mean transit time), then first in the
network file (:func:`lane_preference`); a cold-chain item only on a cold-chain lane. When
that lane is closed, the next open lane in the same order is used
(:func:`replenishment_routes`, :func:`first_open`, :func:`replenishment_lane`).

**Lateness.** Lateness is data: each supplier offer has a :class:`~twin.domain.Lateness`
(its own or its supplier's), calibrated from history. A purchase order's arrival is
``whole_days(lead time) + (late ? rint(delay) : 0)`` days after ordering, late with the
lateness ``probability``, the lead time and the delay both × the supplier's active delay
factor in a disruption (:func:`late_days`). The expected extra delay is p · E[delay]
(:attr:`Lateness.expected_delay`).

The functions take plain numbers or numpy arrays (element-wise) and return the same.
"""

from collections.abc import Sequence

import numpy as np

from twin.domain.lanes import Lane

Route = tuple[str, str, bool]
"""(source warehouse id, target warehouse id, item is cold-chain)."""


def late_days(late: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """Whole days a purchase order arrives after its whole-day lead time: ``rint(delay)``
    where ``late``, else 0 (``delay``: the drawn extra delay in days)."""
    return np.where(late, np.rint(delay), 0.0).astype(np.int32)


def lane_preference(lane: Lane) -> tuple[float, float]:
    """Sort key of the replenishment lanes between two warehouses: cost per unit, then mean
    transit time (ties keep network order)."""
    return (lane.cost_per_unit, lane.transit_time.mean)


def replenishment_routes(lanes: Sequence[Lane]) -> dict[Route, tuple[int, ...]]:
    """Candidate lanes per (source, target, item is cold), preferred first.

    Values are positions in ``lanes`` (the network's lane numbers). A cold item's candidates
    are the cold-chain lanes only; a route without a candidate is absent."""
    order = sorted(range(len(lanes)), key=lambda k: lane_preference(lanes[k]))
    routes: dict[Route, list[int]] = {}
    for k in order:
        lane = lanes[k]
        routes.setdefault((lane.source, lane.target, False), []).append(k)
        if lane.cold_chain:
            routes.setdefault((lane.source, lane.target, True), []).append(k)
    return {route: tuple(ks) for route, ks in routes.items()}


def first_open(candidates: Sequence[int] | np.ndarray, closed: np.ndarray | None = None) -> int:
    """The first of ``candidates`` (lane numbers, preferred first) that is not closed
    (``closed[k]``: lane k is closed; ``None``: none is), −1 if there is none."""
    options = np.asarray(candidates, dtype=np.int64)
    if closed is not None:
        options = options[~closed[options]]
    return int(options[0]) if len(options) else -1


def replenishment_lane(lanes: Sequence[Lane], source: str, target: str, cold: bool,
                       closed: np.ndarray | None = None) -> Lane | None:
    """The lane replenishing ``target`` from ``source`` for an item (cold-chain when
    ``cold``), given closed lanes (see :func:`first_open`); ``None`` when there is none.

    For many look-ups on one network, build :func:`replenishment_routes` once."""
    k = first_open(replenishment_routes(lanes).get((source, target, cold), ()), closed)
    return lanes[k] if k >= 0 else None
