"""Demand models per (hospital department, item), drawn for a whole network at once.

A department buys from the group a formulary of up to :data:`MAX_ITEMS_PER_FAMILY`
items of each family it consumes (see :mod:`twin.synthetic.departments`), chosen by
popularity among the items registered in the hospital's region that a warehouse serving
the hospital can supply. A full formulary carries the family's whole volume
(units/day, scaled by hospital size); a smaller one a proportional share (the rest is
bought elsewhere), split among its items in proportion to popularity. Popularity is
lognormal, lower for dearer items of a family (elasticity −0.5) and for calibrators and
controls. Implants and slow movers (< 0.25 units/day) are intermittent; the rest
Poisson or negative binomial.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.domain import Hospital, Item
from twin.synthetic.departments import DEPARTMENT_KINDS, KIND_BY_NAME, RHYTHMS, weekly_profiles
from twin.synthetic.stocking import first_eligible

MAX_ITEMS_PER_FAMILY = 15  # largest formulary of one department in one family
IMPLANTS = ("coronary_stent", "orthopaedic_implant")
SLOW_MOVER = 0.25  # units/day below which demand is intermittent
PRICE_ELASTICITY = -0.5  # popularity ∝ (unit cost / family median) ** elasticity
ANCILLARY = ("calibrator", "control set")  # used far less than the reagents they support


@dataclass(frozen=True)
class DemandRows:
    """Demand models as arrays (one entry per model) plus their records."""

    hospital: np.ndarray
    item: np.ndarray
    warehouse: np.ndarray  # the first serving warehouse able to supply the item
    mean: np.ndarray  # units/day
    var: np.ndarray  # units²/day, variance of daily demand
    records: list[dict[str, Any]]


def _sig4(x: np.ndarray) -> list[float]:
    """Values rounded to four significant digits, as Python floats."""
    return [float(f"{v:.4g}") for v in x.tolist()]


def build_demand(hospitals: Sequence[Hospital], items: Sequence[Item], served_by: np.ndarray,
                 can_supply: np.ndarray, rng: np.random.Generator) -> DemandRows:
    """Draw demand models for every department of every hospital.

    ``served_by`` is H × k warehouse indices (−1 padded); ``can_supply`` (W × I) says which
    warehouse can be replenished with which item. Each model is assigned to the first
    serving warehouse that can supply its item; where none can, there is no demand.
    """
    n_h, n_i = len(hospitals), len(items)
    size = np.clip(rng.lognormal(0.0, 0.45, n_h), 0.3, 3.5)  # thousands of beds
    categories = sorted({it.category for it in items})
    cat_of = np.array([categories.index(it.category) for it in items])
    cost = np.array([it.unit_cost for it in items])
    typical = np.array([np.median(cost[cat_of == f]) for f in range(len(categories))])[cat_of]
    ancillary = np.array([any(w in it.description.lower() for w in ANCILLARY) for it in items])
    popularity = (rng.lognormal(0.0, 0.6, n_i) * (cost / typical) ** PRICE_ELASTICITY
                  * np.where(ancillary, 0.2, 1.0))
    regions = sorted({h.region for h in hospitals})
    reg = np.array([[h_r in it.registered_regions for h_r in regions] for it in items])
    h_region = np.array([regions.index(h.region) for h in hospitals])
    reachable = np.zeros((n_h, n_i), dtype=bool)  # some serving warehouse can supply it
    for slot in range(served_by.shape[1]):
        w = served_by[:, slot]
        reachable |= (w >= 0)[:, None] & can_supply[np.maximum(w, 0)]
    d_hosp, d_id, d_kind = [], [], []
    for h, hosp in enumerate(hospitals):
        for dept in hosp.departments:
            if dept.kind in KIND_BY_NAME:
                d_hosp.append(h)
                d_id.append(dept.id)
                d_kind.append(DEPARTMENT_KINDS.index(KIND_BY_NAME[dept.kind]))
    d_hosp_a, d_kind_a = np.array(d_hosp, dtype=int), np.array(d_kind, dtype=int)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for f, cat in enumerate(categories):
        fam_items = np.flatnonzero(cat_of == f)
        for k, kind in enumerate(DEPARTMENT_KINDS):
            if cat not in kind.uses:
                continue
            share, volume = kind.uses[cat]
            rows = np.flatnonzero(d_kind_a == k)
            if len(rows) == 0:
                continue
            hs = d_hosp_a[rows]
            keys = np.log(popularity[fam_items])[None, :] + rng.gumbel(size=(len(rows),
                                                                            len(fam_items)))
            valid = reg[fam_items][:, h_region[hs]].T & reachable[np.ix_(hs, fam_items)]
            want = np.minimum(MAX_ITEMS_PER_FAMILY, np.maximum(1, rng.binomial(len(fam_items),
                                                                               share, len(rows))))
            keys = np.where(valid, keys, -np.inf)
            order = np.argsort(-keys, axis=1, kind="stable")
            rank = np.empty_like(order)
            np.put_along_axis(rank, order, np.arange(len(fam_items))[None, :].repeat(len(rows), 0),
                              axis=1)
            chosen = valid & (rank < want[:, None])
            r_idx, c_idx = np.nonzero(chosen)
            it = fam_items[c_idx]
            pop = popularity[it]
            total = np.bincount(r_idx, weights=pop, minlength=len(rows))
            coverage = np.bincount(r_idx, minlength=len(rows)) / MAX_ITEMS_PER_FAMILY
            mean = volume * size[hs[r_idx]] * coverage[r_idx] * pop / total[r_idx]
            parts.append((rows[r_idx], it, mean, np.full(len(it), k)))
    if parts:
        row = np.concatenate([p[0] for p in parts])
        item = np.concatenate([p[1] for p in parts])
        mean = np.concatenate([p[2] for p in parts])
        kind_ix = np.concatenate([p[3] for p in parts])
    else:
        row = item = kind_ix = np.zeros(0, dtype=int)
        mean = np.zeros(0)
    hosp = d_hosp_a[row] if len(row) else np.zeros(0, dtype=int)
    wh = first_eligible(served_by, hosp, item, can_supply)
    keep = wh >= 0  # all, since only reachable items were chosen
    order = np.lexsort((item[keep], row[keep]))
    row, item, mean, kind_ix = (a[keep][order] for a in (row, item, mean, kind_ix))
    hosp, wh = hosp[keep][order], wh[keep][order]
    return _finish(hospitals, items, row, hosp, item, wh, mean, kind_ix, d_id, cat_of,
                   categories, rng)


def _finish(hospitals: Sequence[Hospital], items: Sequence[Item], row: np.ndarray,
            hosp: np.ndarray, item: np.ndarray, wh: np.ndarray, mean: np.ndarray,
            kind_ix: np.ndarray, d_id: list[str], cat_of: np.ndarray, categories: list[str],
            rng: np.random.Generator) -> DemandRows:
    """Families, dispersion, weekly and annual profiles; records and variances."""
    n = len(row)
    mean = np.array(_sig4(mean)) if n else mean
    implant = np.isin(np.array(categories, dtype=object)[cat_of[item]], IMPLANTS)
    intermittent = implant | (mean < SLOW_MOVER)
    poisson = ~intermittent & (rng.random(n) < 0.4)
    # intermittent: demand on 1 day in `dispersion`, size 1 + Poisson(mean·dispersion − 1)
    size = 1.0 + rng.uniform(0.02, 0.3, n)
    size = np.where(size < mean, mean * rng.uniform(1.2, 2.0, n), size)
    disp = np.where(intermittent, np.ceil(size / np.where(mean > 0, mean, 1) * 1000) / 1000,
                    np.round(rng.uniform(1.3, 3.0, n), 2))
    disp = np.where(poisson, 1.0, np.maximum(disp, 1.0))
    lam = mean * disp - 1
    p = 1 / disp
    var = np.select([poisson, intermittent],
                    [mean, p * (lam + (1 + lam) ** 2) - (p * (1 + lam)) ** 2], disp * mean)
    rhythm = np.array([RHYTHMS[k.weekly] for k in DEPARTMENT_KINDS])[kind_ix]
    weekly = weekly_profiles(rhythm, rng.random(n))
    winter = np.array([k.season == "winter" for k in DEPARTMENT_KINDS])[kind_ix]
    amp = np.round(np.where(winter, rng.uniform(0.05, 0.25, n), rng.uniform(0.03, 0.12, n)), 3)
    peak = np.where(winter, rng.integers(1, 41, n), rng.integers(200, 241, n))
    family = np.select([poisson, intermittent], ["poisson", "intermittent"], "negbin")
    h_id = [h.id for h in hospitals]
    code = [it.code for it in items]
    records = []
    for r, h, i, fam, mu, d, wk, rh, a, pk in zip(
            row.tolist(), hosp.tolist(), item.tolist(), family.tolist(), mean.tolist(),
            disp.tolist(), weekly.tolist(), rhythm.tolist(), amp.tolist(), peak.tolist(),
            strict=True):
        rec: dict[str, Any] = {"hospital": h_id[h], "department": d_id[r], "item": code[i],
                               "family": fam, "mean_per_day": mu, "annual_amplitude": a,
                               "annual_peak_day": pk}
        if fam != "poisson":
            rec["dispersion"] = d
        if rh != 0:
            rec["weekly"] = wk
        records.append(rec)
    return DemandRows(hosp, item, wh, mean, var, records)
