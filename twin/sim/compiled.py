"""The twin's hot loops compiled with numba: FEFO allocation, eligible stock, segment totals
(the lot table) and the return draw.

Same contract and same output, bit for bit, as the numpy reference
:func:`twin.sim.lots.allocate`, :func:`twin.sim.lots.eligible_stock` and
:meth:`twin.sim.lots.LotTable.totals` (property tests hold them equal). Request k takes
``qty[k]`` units from the rows of position ``pos[k]`` that are available, expire on or after
``min_expiry[k]`` and (where ``lot[k] ≥ 0``) belong to lot ``lot[k]``, earliest expiry first.
Requests at one position are served in request order; positions do not interact, so serving
every request in request order is the same. Picks come out ordered by request, then row
(FEFO), as the reference's do.

Cost: O(requests + rows of the requested positions); the numpy reference makes ~40 array
passes per call, which is what dominates at a few thousand requests a day.

Random draws use numba's ``np.random.Generator`` support on the run's own generator: its
binomial is numpy's algorithm on the same bit stream (numpy's multinomial is a binomial per
category, on the remaining units with the remaining probability), and so are its normal,
gamma and lognormal; the sampler parameters are computed once, in numpy
(:func:`twin.sim.index.sampler_parameters`), for both. So the return draw and its delays
equal :func:`twin.sim.randomness.return_draws` bit for bit and leave the stream in the same
state (property tests hold them equal).
"""

import numpy as np
from numba import njit

from twin.sim.index import DURATION_FAMILIES, Durations
from twin.sim.lots import Allocation, LotTable, Status

_AVAILABLE = np.int8(Status.AVAILABLE)


@njit(cache=True, nogil=True)
def _allocate(seg: np.ndarray, qty: np.ndarray, status: np.ndarray, expiry: np.ndarray,
              lots: np.ndarray, pos: np.ndarray, min_expiry: np.ndarray, want: np.ndarray,
              lot: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(pos)
    served = np.zeros(n, dtype=np.int64)
    # every pick but a request's last empties its row: at most n + rows picks
    cap = n + len(qty)
    p_req = np.empty(cap, dtype=np.int64)
    p_row = np.empty(cap, dtype=np.int64)
    p_qty = np.empty(cap, dtype=np.int64)
    m = 0
    for k in range(n):
        need = want[k]
        r, end = seg[pos[k]], seg[pos[k] + 1]
        while need > 0 and r < end:
            q = qty[r]
            if (q > 0 and status[r] == _AVAILABLE and expiry[r] >= min_expiry[k]
                    and (lot[k] < 0 or lots[r] == lot[k])):
                take = min(q, need)
                qty[r] = q - take
                need -= take
                p_req[m], p_row[m], p_qty[m] = k, r, take
                m += 1
            r += 1
        served[k] = want[k] - need
    return served, p_req[:m], p_row[:m], p_qty[:m]


@njit(cache=True, nogil=True)
def _eligible(seg: np.ndarray, qty: np.ndarray, status: np.ndarray, expiry: np.ndarray,
              pos: np.ndarray, min_expiry: np.ndarray) -> np.ndarray:
    out = np.zeros(len(pos), dtype=np.int64)
    for k in range(len(pos)):
        total = 0
        for r in range(seg[pos[k]], seg[pos[k] + 1]):
            if status[r] == _AVAILABLE and expiry[r] >= min_expiry[k]:
                total += qty[r]
        out[k] = total
    return out


@njit(cache=True, nogil=True)
def _totals(seg: np.ndarray, qty: np.ndarray, status: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    n = len(seg) - 1
    total = np.zeros(n, dtype=np.int64)
    available = np.zeros(n, dtype=np.int64)
    for p in range(n):
        for r in range(seg[p], seg[p + 1]):
            total[p] += qty[r]
            if status[r] == _AVAILABLE:
                available[p] += qty[r]
    return total, available


_NORMAL, _GAMMA, _LOGNORMAL = (DURATION_FAMILIES.index(f) for f in ("normal", "gamma",
                                                                      "lognormal"))


@njit(cache=True)
def _durations(rng: np.random.Generator, family: np.ndarray, spread: np.ndarray,
               a: np.ndarray, b: np.ndarray, which: np.ndarray) -> np.ndarray:
    """:func:`twin.sim.randomness.sample_durations` at factor 1: family by family, in
    ``which`` order within one."""
    out = a[which]
    for code in (_NORMAL, _GAMMA, _LOGNORMAL):
        for j in range(len(which)):
            w = which[j]
            if family[w] != code or not spread[w] > 0:
                continue
            if code == _NORMAL:
                out[j] = max(rng.normal(a[w], b[w]), 0.0)
            elif code == _GAMMA:
                out[j] = rng.gamma(a[w], b[w])
            else:
                out[j] = rng.lognormal(a[w], b[w])
    return out


@njit(cache=True)
def multinomial(rng: np.random.Generator, n: int, p: np.ndarray, out: np.ndarray) -> None:
    """``out`` ← one draw of multinomial(``n``; ``p``), numpy's algorithm on the same stream:
    a binomial per category but the last, on the units left with the probability left."""
    out[:] = 0
    left, remaining = n, 1.0
    for r in range(len(p) - 1):
        out[r] = rng.binomial(left, p[r] / remaining)
        left -= out[r]
        if left <= 0:
            break
        remaining -= p[r]
    if left > 0:
        out[len(p) - 1] = left


@njit(cache=True)
def _return_draws(rng: np.random.Generator, issued: np.ndarray, share: np.ndarray,
                  split: np.ndarray, first: np.ndarray, family: np.ndarray,
                  spread: np.ndarray, a: np.ndarray, b: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n, d = split.shape
    total = np.empty(n, dtype=np.int64)
    for j in range(n):
        total[j] = rng.binomial(issued[j], share[j])
    pick = np.empty(n * d, dtype=np.int64)
    reason = np.empty(n * d, dtype=np.int64)
    units = np.empty(n * d, dtype=np.int64)
    row = np.empty(d, dtype=np.int64)
    m = 0
    for j in range(n):
        if total[j] == 0:
            continue
        multinomial(rng, total[j], split[j], row)
        for r in range(d):
            if row[r] > 0:
                pick[m], reason[m], units[m] = j, r, row[r]
                m += 1
    pick, reason = pick[:m], reason[:m]
    delay = _durations(rng, family, spread, a, b, first[pick] + reason)
    return pick, reason, units[:m], delay


def return_draws(rng: np.random.Generator, issued: np.ndarray, share: np.ndarray,
                 split: np.ndarray, delays: Durations, first: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Compiled :func:`twin.sim.randomness.return_draws`."""
    return _return_draws(rng, np.asarray(issued, dtype=np.int64),
                         np.asarray(share, dtype=np.float64),
                         np.ascontiguousarray(split, dtype=np.float64),
                         np.asarray(first, dtype=np.int64), delays.family, delays.spread,
                         delays.a, delays.b)


def _int64(a: np.ndarray | None, n: int, fill: int = -1) -> np.ndarray:
    return np.full(n, fill, dtype=np.int64) if a is None else np.asarray(a, dtype=np.int64)


def allocate(table: LotTable, pos: np.ndarray, min_expiry: np.ndarray, qty: np.ndarray,
             lot: np.ndarray | None = None) -> Allocation:
    """Compiled :func:`twin.sim.lots.allocate` (decrements ``table`` in place)."""
    n, r = len(pos), table.rows
    served, req, row, units = _allocate(
        table.segments, r["qty"], r["status"], r["expiry"], r["lot"],
        _int64(pos, n), _int64(min_expiry, n), _int64(qty, n), _int64(lot, n))
    return Allocation(served, req, row, units)


def eligible_stock(table: LotTable, pos: np.ndarray, min_expiry: np.ndarray) -> np.ndarray:
    """Compiled :func:`twin.sim.lots.eligible_stock`."""
    n, r = len(pos), table.rows
    return _eligible(table.segments, r["qty"], r["status"], r["expiry"],
                     _int64(pos, n), _int64(min_expiry, n))


def totals(table: LotTable) -> tuple[np.ndarray, np.ndarray]:
    """Compiled :meth:`twin.sim.lots.LotTable.totals`: units per position, all statuses and
    available only."""
    return _totals(table.segments, table.rows["qty"], table.rows["status"])
