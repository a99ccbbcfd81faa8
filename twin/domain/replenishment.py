"""Replenishment rules of the domain: which lane replenishes a position, and how late a late
purchase order is.

These are the rules the twin executes, written once. The SimPy twin
(:mod:`twin.sim.dispatch`, :class:`twin.sim.policies.FixedSS`) and the planning models
(:mod:`solvers.safety_stock`, :mod:`solvers.transfers.rolling`) call these functions instead
of re-deriving them, so that a plan is made for the network the twin runs.

**Lane choice.** A warehouse replenished from another warehouse receives on the lane from the
source to it that is cheapest per unit, then fastest (mean transit time), then first in the
network file (:func:`lane_preference`); a cold-chain item only on a cold-chain lane. When
that lane is closed, the next open lane in the same order is used
(:func:`replenishment_routes`, :func:`first_open`, :func:`replenishment_lane`).

**Lateness.** A purchase order is on time with the supplier's ``reliability``; otherwise it
is late by an exponential delay whose mean is :data:`LATE_DELAY_FACTOR` × the offer's mean
lead time (× the supplier's active delay factor in a disruption): :func:`late_delay_mean`.
Averaged over on-time and late orders the expected delay is
(1 − reliability) · :data:`LATE_DELAY_FACTOR` · mean lead time: :func:`expected_late_delay`.

The functions take plain numbers or numpy arrays (element-wise) and return the same.
"""

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from twin.domain.lanes import Lane

LATE_DELAY_FACTOR = 0.5
"""A late order (probability 1 − reliability) is late by an exponential delay with mean
``LATE_DELAY_FACTOR`` × the offer's mean lead time."""

Route = tuple[str, str, bool]
"""(source warehouse id, target warehouse id, item is cold-chain)."""

Days = TypeVar("Days", float, np.ndarray)


def late_delay_mean(lead_time_mean: Days) -> Days:
    """Mean extra delay of a late order (days): ``LATE_DELAY_FACTOR · lead_time_mean``."""
    return LATE_DELAY_FACTOR * lead_time_mean


def expected_late_delay(reliability: Days, lead_time_mean: Days) -> Days:
    """Expected extra delay of an order, on time or late (days):
    ``(1 − reliability) · LATE_DELAY_FACTOR · lead_time_mean``."""
    return (1 - reliability) * LATE_DELAY_FACTOR * lead_time_mean


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
