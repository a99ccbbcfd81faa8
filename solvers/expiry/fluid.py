"""FEFO issue at mean demand: how many units of each lot a warehouse uses before it expires.

A fluid replay of the twin's issue rule (:mod:`twin.sim.issue`) with every series' daily
demand set to its mean (:class:`twin.api.DemandMeans`). Each day, series are served in the
twin's order — critical, high, routine, and within a class the strictest minimum shelf life
first — and each takes, earliest expiry first, from lots that have arrived and are still
eligible for it. A lot expiring on day ``e`` (days from the snapshot) is scrapped at the
start of day ``e``; a series with minimum remaining shelf life ``m`` may use it on days
``d ≤ e − max(m, 1)``. Unmet demand of a backordered item is owed and served first the next
day; of a lost-sales item it is dropped.

With integer daily demand this is exactly what the twin does without replenishment; with
random demand it is the certainty-equivalent (mean-demand) estimate.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from twin.api import DemandMeans, NetworkIndex
from twin.domain import Network


@dataclass(frozen=True)
class Stock:
    """Units of one lot at one warehouse: ``expiry_day`` and ``arrives`` in days from the
    snapshot (0: on hand)."""

    lot: str
    expiry_day: int
    quantity: float
    arrives: int = 0


@dataclass(frozen=True)
class Position:
    """The demand one warehouse serves for one item over the days replayed: ``daily``
    (days × series, units/day) in issue order, each series' minimum shelf life ``min_shelf``
    (days) and whether unmet demand is backordered."""

    daily: np.ndarray
    min_shelf: np.ndarray
    backorder: bool


def used_before_expiry(stock: list[Stock], demand: Position) -> np.ndarray:
    """Units of each of ``stock`` issued before it expires (same order as ``stock``).

    Under FEFO a lot is never issued while an earlier-expiring lot is eligible, so lots
    expiring later than the days replayed do not change what happens to the others; the
    caller may leave them out. Plain Python on purpose: the lists are short and numpy's
    per-call overhead would dominate; lots used up or past use drop out of the scan, and the
    replay stops when none is left."""
    order = sorted(range(len(stock)), key=lambda j: (stock[j].expiry_day, stock[j].lot))
    used = [0.0] * len(order)
    days, n_series = demand.daily.shape
    if not n_series or not stock:
        return np.zeros(len(stock))
    left = [stock[j].quantity for j in order]
    arrives = [stock[j].arrives for j in order]
    shelf = [max(int(m), 1) for m in demand.min_shelf]
    last_use = [[stock[j].expiry_day - m for j in order] for m in shelf]  # series × lots
    usable_until = [max(lu[j] for lu in last_use) for j in range(len(order))]
    daily = demand.daily[:min(days, max(usable_until) + 1)].tolist()
    owed = [0.0] * n_series
    live = list(range(len(order)))  # lots some series may still take, FEFO order
    for day, today in enumerate(daily):
        live = [j for j in live if left[j] > 0 and usable_until[j] >= day]
        if not live:
            break  # nothing left to issue: the rest of the days change nothing
        for s in range(n_series):
            need = owed[s] + today[s]
            lu = last_use[s]
            for j in live:
                if need <= 0:
                    break
                if left[j] > 0 and arrives[j] <= day and lu[j] >= day:
                    take = min(need, left[j])
                    left[j] -= take
                    used[j] += take
                    need -= take
            owed[s] = need if demand.backorder else 0.0
    out = np.empty(len(order))
    out[order] = used
    return out


class NetworkDemand:
    """Mean daily demand per (warehouse, item) of a network over ``days`` days from its
    snapshot, grouped as :class:`Position` (series served by the warehouse the twin routes
    them to when no warehouse is out)."""

    def __init__(self, net: Network, days: int):
        self.net, self.days = net, days
        ix = NetworkIndex(net)
        as_of = net.snapshot.as_of
        self._daily = np.array([DemandMeans(ix).on(as_of + dt.timedelta(days=d))
                                for d in range(days)]).reshape(days, ix.n_series)
        rank = np.empty(ix.n_series, dtype=np.int64)
        rank[ix.series_order] = np.arange(ix.n_series)
        self._series: dict[tuple[str, str], list[int]] = {}
        for k, d in enumerate(net.demand):  # the index numbers series in this order
            w = net.serving_warehouse(d.hospital, d.item)
            if w is not None:
                self._series.setdefault((w, d.item), []).append(k)
        for ks in self._series.values():
            ks.sort(key=lambda k: rank[k])
        self._min_shelf = ix.series_min_shelf
        self._backorder = {i.code: i.unmet_demand == "backorder" for i in net.items}

    def at(self, warehouse: str, item: str) -> Position:
        """The demand ``warehouse`` serves for ``item`` (no series: zero demand)."""
        ks = self._series.get((warehouse, item), [])
        return Position(self._daily[:, ks], self._min_shelf[ks].astype(np.int64),
                        self._backorder[item])

    def units(self, warehouse: str, item: str) -> float:
        """Expected units demanded from ``warehouse`` for ``item`` over the days replayed."""
        return float(self.at(warehouse, item).daily.sum())
