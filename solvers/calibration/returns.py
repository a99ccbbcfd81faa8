"""Return rates from an ERP history: how many of a department's issued units come back, why
and how long after.

Per (hospital, department, item, reason), over a window of issues and returns ending on
``until``:

- each returned quantity comes from the issue the ERP links it to (``issued``), else from
  the latest issue of its lot to the same department on or before its arrival (for a lot
  issued day after day this shortens delays: link returns where the ERP can); its delay is
  the days between them (returns whose issue lies outside the window are left out, and
  counted);
- the rate is returned units / exposed issued units, where an issue of q units on day d
  exposes q · F̂(until − d): F̂ is the empirical share of the key's matched delays of at
  most that many days (returns of the window's last issues have not all arrived yet:
  dividing by every issued unit would bias the rate low);
- the delay distribution has the matched delays' unit-weighted mean and standard deviation
  (``gamma``, or ``fixed`` when they never vary); a mean below half a day is floored there.

A department's rates are scaled down together if they add up to more than 1.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from twin.domain import Distribution, Network
from twin.domain.returns import RATE_REASONS, ReturnRate

log = logging.getLogger(__name__)

RATE_DECIMALS = 4
DAY_DECIMALS = 2
MIN_MEAN_DAYS = 0.5

Key = tuple[str, str, str]
"""(hospital, department, item)"""


class Issued(Protocol):
    """An issue of units to a department (e.g. :class:`erp_adapter.protocol.DemandRecord`)."""

    date: dt.date
    hospital: str
    department: str
    item: str
    lot: str
    quantity: int


class Returned(Issued, Protocol):
    """Units a department returned (e.g. :class:`erp_adapter.protocol.ReturnRecord`)."""

    reason: str
    issued: dt.date | None


@dataclass(frozen=True)
class RateFit:
    """A fitted return rate with what it rests on."""

    key: Key
    rate: ReturnRate
    returned: int  # matched returned units
    exposed: float  # issued units weighted by the share of returns already arrived


@dataclass
class ReturnFit:
    """Every fitted rate, and the returned units no issue of the window explains."""

    rates: list[RateFit]
    unmatched: int

    def by_model(self) -> dict[Key, list[ReturnRate]]:
        """The rates by demand model key, in :data:`RATE_REASONS` order."""
        out: dict[Key, list[ReturnRate]] = defaultdict(list)
        for f in sorted(self.rates, key=lambda f: (f.key, RATE_REASONS.index(f.rate.reason))):
            out[f.key].append(f.rate)
        return dict(out)


def _delay(days: list[int], weights: list[int]) -> Distribution:
    d, w = np.asarray(days, float), np.asarray(weights, float)
    mean = float(np.average(d, weights=w))
    sd = float(np.sqrt(np.average((d - mean) ** 2, weights=w)))
    mean = round(max(mean, MIN_MEAN_DAYS), DAY_DECIMALS)
    sd = round(sd, DAY_DECIMALS)
    return Distribution(family="gamma", mean=mean, spread=sd) if sd > 0 else Distribution(
        family="fixed", mean=mean)


def fit_return_rates(issues: Iterable[Issued], returns: Iterable[Returned], until: dt.date
                     ) -> ReturnFit:
    """The return rates of the window of ``issues`` and ``returns`` ending on ``until``
    (see the module docstring)."""
    by_lot: dict[tuple[str, str, str, str], list[dt.date]] = defaultdict(list)
    issued: dict[Key, list[tuple[dt.date, int]]] = defaultdict(list)
    for i in issues:
        by_lot[(i.hospital, i.department, i.item, i.lot)].append(i.date)
        issued[(i.hospital, i.department, i.item)].append((i.date, i.quantity))
    for dates in by_lot.values():
        dates.sort()
    delays: dict[tuple[Key, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    unmatched = 0
    for r in returns:
        if r.reason not in RATE_REASONS:
            continue  # recalled units come back through the recall, not at a rate
        before = [d for d in by_lot.get((r.hospital, r.department, r.item, r.lot), ())
                  if d <= r.date and (r.issued is None or d == r.issued)]
        if not before:
            unmatched += r.quantity
            continue
        days, weights = delays[((r.hospital, r.department, r.item), r.reason)]
        days.append((r.date - before[-1]).days)
        weights.append(r.quantity)
    fits: list[RateFit] = []
    for (key, reason), (days, weights) in sorted(delays.items()):
        order = np.argsort(days, kind="stable")
        d_sorted = np.asarray(days)[order]
        cum = np.cumsum(np.asarray(weights)[order]) / sum(weights)
        exposed = 0.0
        for day, q in issued[key]:
            n = np.searchsorted(d_sorted, (until - day).days, side="right")
            exposed += q * (float(cum[n - 1]) if n else 0.0)
        if exposed <= 0:
            continue
        rate = min(1.0, sum(weights) / exposed)
        fits.append(RateFit(key, ReturnRate(reason=reason, rate=rate,
                                            delay_days=_delay(days, weights)),
                            sum(weights), exposed))
    return ReturnFit(_capped(fits), unmatched)


def _capped(fits: Sequence[RateFit]) -> list[RateFit]:
    """``fits`` with each key's rates scaled to add up to at most 1, then rounded down to
    :data:`RATE_DECIMALS`."""
    total: dict[Key, float] = defaultdict(float)
    for f in fits:
        total[f.key] += f.rate.rate
    scale = 10 ** RATE_DECIMALS
    out = []
    for f in fits:
        rate = f.rate.rate / max(1.0, total[f.key])
        out.append(RateFit(f.key, f.rate.model_copy(update={
            "rate": float(np.floor(rate * scale) / scale)}), f.returned, f.exposed))
    return out


def with_return_rates(net: Network, fit: ReturnFit) -> Network:
    """``net`` whose demand models carry the fitted return rates (a model the history has
    no return for keeps its own)."""
    rates = fit.by_model()
    demand = [d.model_copy(update={"returns": rates[k]})
              if (k := (d.hospital, d.department, d.item)) in rates else d for d in net.demand]
    return net.model_copy(update={"demand": demand})
