"""Transport lanes between warehouses: which pairs, by which modes, how long and how dear.

Distances are great-circle km times a circuity factor of 1.25 for road and rail.
Transit (days): road 0.5 handling + km / 550 km per day; rail 2 + km / 700; air
about one day door to door. Costs (CNY) grow with distance: road
0.25 + 0.9/1000 km per unit and 400 + 4 per km per truck; rail and air likewise
with their own rates; 2–8 °C lanes cost 1.5× and carry an excursion probability
that grows with distance (road 0.5 % + 1.5 % per 1000 km).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.domain import Warehouse
from twin.synthetic.geography import distance_matrix_km

CIRCUITY = 1.25
RAIL_FROM_KM = 800.0  # great-circle km from which a rail service runs between hubs
AIR_FROM_KM = 1000.0  # great-circle km from which an air service is offered
NEIGHBOUR_KM = 300.0  # lateral lanes between nearby warehouses of different orgs
SAME_ORG_KM = 600.0  # lateral lanes between warehouses of one org


@dataclass(frozen=True)
class ModeRates:
    """Speed and tariff of one transport mode."""

    handling_days: float
    km_per_day: float  # inf for air
    cv: float  # coefficient of variation of transit time
    per_unit: float  # CNY/unit
    per_unit_per_1000km: float  # CNY/unit
    per_shipment: float  # CNY/shipment
    per_shipment_per_km: float  # CNY/shipment/km
    excursion: float  # probability, cold lanes
    excursion_per_1000km: float


MODES: dict[str, ModeRates] = {
    "road": ModeRates(0.5, 550.0, 0.25, 0.25, 0.9, 400.0, 4.0, 0.005, 0.015),
    "rail": ModeRates(2.0, 700.0, 0.3, 0.2, 0.5, 1200.0, 1.8, 0.008, 0.01),
    "air": ModeRates(1.0, float("inf"), 0.2, 3.0, 5.0, 800.0, 1.0, 0.008, 0.0),
}
COLD_COST_FACTOR = 1.5


def lane_pairs(warehouses: Sequence[Warehouse], hub_of: np.ndarray) -> list[tuple[int, int, str]]:
    """The lanes a group like this runs, as ``(source index, target index, mode)``.

    Hub ↔ hub by road, plus rail and air over long distances; hub ↔ its own warehouses by
    road (plus air when far); warehouses of one org within 600 km of each other; and
    warehouses of different orgs within 300 km (lateral transfers).
    """
    lat = np.array([w.latitude for w in warehouses])
    lon = np.array([w.longitude for w in warehouses])
    dist = distance_matrix_km(lat, lon, lat, lon)
    is_hub = hub_of == np.arange(len(warehouses))
    org = [w.org for w in warehouses]
    pairs: list[tuple[int, int, str]] = []
    n = len(warehouses)
    for a in range(n):
        for b in range(n):
            if a == b:
                continue
            d = dist[a, b]
            own = hub_of[b] == a or hub_of[a] == b
            if (is_hub[a] and is_hub[b]) or own:
                pairs.append((a, b, "road"))
                if d >= RAIL_FROM_KM and not own:
                    pairs.append((a, b, "rail"))
                if d >= AIR_FROM_KM:
                    pairs.append((a, b, "air"))
            elif (org[a] == org[b] and d <= SAME_ORG_KM) or d <= NEIGHBOUR_KM:
                pairs.append((a, b, "road"))
    return pairs


def make_lanes(warehouses: Sequence[Warehouse], pairs: Sequence[tuple[int, int, str]],
               rng: np.random.Generator) -> list[dict[str, Any]]:
    """Lane records for ``pairs``; cold-chain when both ends have 2–8 °C storage."""
    if not pairs:
        return []
    src = np.array([p[0] for p in pairs])
    dst = np.array([p[1] for p in pairs])
    modes = [p[2] for p in pairs]
    lat = np.array([w.latitude for w in warehouses])
    lon = np.array([w.longitude for w in warehouses])
    cold_wh = np.array([w.cold_chain for w in warehouses])
    gc = distance_matrix_km(lat, lon, lat, lon)[src, dst]
    km = gc * CIRCUITY

    def rate(name: str) -> np.ndarray:
        return np.array([getattr(MODES[m], name) for m in modes])

    air = np.array([m == "air" for m in modes])
    transit = rate("handling_days") + np.where(air, gc / 5000.0, km / rate("km_per_day"))
    noise = rng.uniform(0.85, 1.15, (4, len(pairs)))
    transit = np.round(transit * noise[0], 2)
    spread = np.round(transit * rate("cv"), 2)
    cold = cold_wh[src] & cold_wh[dst]
    factor = np.where(cold, COLD_COST_FACTOR, 1.0)
    per_unit = np.round(factor * noise[1] * (rate("per_unit") + rate("per_unit_per_1000km") * km
                                             / 1000), 2)
    per_ship = np.round(factor * noise[2] * (rate("per_shipment") + rate("per_shipment_per_km")
                                             * km), -1)
    excursion = np.where(cold, np.minimum(0.1, noise[3] * (rate("excursion") + rate(
        "excursion_per_1000km") * km / 1000)), 0.0)
    excursion = np.round(excursion, 4)
    lanes = []
    for k in range(len(pairs)):
        lane: dict[str, Any] = {
            "from": warehouses[src[k]].id, "to": warehouses[dst[k]].id, "mode": modes[k],
            "transit_time": {"family": "gamma", "mean": float(transit[k]),
                             "spread": float(spread[k])},
            "cost_per_unit": float(per_unit[k]), "cost_per_shipment": float(per_ship[k]),
        }
        if cold[k]:
            lane["cold_chain"] = True
            lane["excursion_probability"] = float(excursion[k])
        lanes.append(lane)
    return lanes
