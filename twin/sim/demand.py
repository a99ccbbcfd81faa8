"""Daily demand of every series, sampled from its model or replayed from a recorded history.

Model mean on day t (units/day): ``μ_t = mean · weekly[dow] · (1 + a · cos(2π (doy − peak)
/ 365)) · f_region(t)`` with f the active demand multipliers (:class:`DemandMeans`). The
families' distributions are those of :data:`twin.domain.demand_families.DEMAND_FAMILIES`:
Poisson(μ); negative binomial with variance d·μ (n = μ/(d − 1), p = 1/d; Poisson when
d = 1); intermittent: with probability 1/d a demand of size 1 + Poisson(μ·d − 1), else 0.
All series are drawn at once, family by family in registry order, from the demand stream.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from twin.csv_tables import check_shape
from twin.domain import Network
from twin.domain.demand_families import DEMAND_FAMILIES
from twin.domain.fields import MAX_UNITS
from twin.problems import InputError, Problem
from twin.sim.index import NetworkIndex, SeriesKey

TRACE_COLUMNS = ("date", "hospital", "department", "item", "quantity")


class DemandSource(Protocol):
    """Gives the demand (units) of every series of the index on one day."""

    def sample(self, day: int, date: dt.date, region_factor: np.ndarray) -> np.ndarray:
        """Units demanded per series on ``day`` given multipliers per region."""
        ...


class DemandMeans:
    """Mean daily demand of every series of an index, from its demand models (the series
    order of :class:`~twin.sim.index.NetworkIndex`; series without a model have mean 0)."""

    def __init__(self, index: NetworkIndex):
        self.index = index
        phase = 2 * np.pi * (index.series_peak - 1) / 365.0
        # a·cos(x − φ) = a·cos φ · cos x + a·sin φ · sin x
        self._season_cos = index.series_amplitude * np.cos(phase)
        self._season_sin = index.series_amplitude * np.sin(phase)
        self._weekly = np.ascontiguousarray(index.series_weekly.T * index.series_mean)

    def on(self, date: dt.date, region_factor: np.ndarray | None = None) -> np.ndarray:
        """Mean demand per series on ``date`` (units/day), times ``region_factor`` per region
        (demand multipliers; ``None``: none)."""
        x = 2 * np.pi * (date.timetuple().tm_yday - 1) / 365.0
        season = 1 + self._season_cos * np.cos(x) + self._season_sin * np.sin(x)
        out = self._weekly[date.weekday()] * season
        if region_factor is not None and np.any(region_factor != 1):
            out *= region_factor[self.index.series_region]
        return out


class ModelDemand:
    """Demand drawn from each series' :class:`~twin.domain.DemandModel` (without ``rng``,
    only its :meth:`means`, e.g. for planning)."""

    def __init__(self, index: NetworkIndex, rng: np.random.Generator | None = None):
        self.index, self.rng = index, rng
        self._groups = DEMAND_FAMILIES.draw_groups(index.series_family, index.series_dispersion)
        self.means = DemandMeans(index).on

    def sample(self, day: int, date: dt.date, region_factor: np.ndarray) -> np.ndarray:
        """Draw today's units per series."""
        if self.rng is None:
            raise ValueError("ModelDemand without a random generator gives means only")
        mu, rng = self.means(date, region_factor), self.rng
        out = np.zeros(len(mu), dtype=np.int64)
        disp = self.index.series_dispersion
        for family, idx in self._groups:
            out[idx] = family.draw(rng, mu[idx], disp[idx])
        return out


class TraceDemand:
    """Demand replayed from a recorded history (trace-driven); multipliers scale and round."""

    def __init__(self, index: NetworkIndex, frame: pd.DataFrame, start: dt.date):
        day = (pd.to_datetime(frame["date"]).dt.date - start).map(lambda d: d.days).to_numpy()
        keys = zip(frame["hospital"], frame["department"], frame["item"], strict=True)
        series = np.fromiter((index.series_of[k] for k in keys), dtype=np.int64, count=len(day))
        qty = frame["quantity"].to_numpy(dtype=np.int64)
        order = np.argsort(day, kind="stable")
        day, series, qty = day[order], series[order], qty[order]
        bounds = np.searchsorted(day, np.arange(day.max() + 2 if len(day) else 1))
        self._days = {d: (series[bounds[d]:bounds[d + 1]], qty[bounds[d]:bounds[d + 1]])
                      for d in range(len(bounds) - 1) if d >= 0 and bounds[d + 1] > bounds[d]}
        self.index = index

    def sample(self, day: int, date: dt.date, region_factor: np.ndarray) -> np.ndarray:
        """Recorded units of ``day`` (zero where nothing was recorded)."""
        out = np.zeros(self.index.n_series, dtype=np.int64)
        if day in self._days:
            s, q = self._days[day]
            np.add.at(out, s, q)
        factor = region_factor[self.index.series_region]
        return out if np.all(factor == 1) else np.rint(out * factor).astype(np.int64)


def trace_keys(frame: pd.DataFrame) -> list[SeriesKey]:
    """Distinct (hospital, department, item) of a trace."""
    return sorted(set(zip(frame["hospital"], frame["department"], frame["item"], strict=True)))


def load_trace(path: str | os.PathLike[str], network: Network) -> pd.DataFrame:
    """Read a demand history (CSV or Parquet with :data:`TRACE_COLUMNS`) and check it.

    Raises :class:`InputError` naming the file, the row and the field of every problem.
    """
    file = Path(path)
    try:
        if file.suffix == ".parquet":
            frame = pd.read_parquet(file)
        else:
            check_shape(file)
            frame = pd.read_csv(file, dtype={"hospital": str, "department": str, "item": str})
    except FileNotFoundError:
        raise InputError([Problem(str(file), "", "file not found")]) from None
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(file), "", f"cannot read table: {exc}")]) from None
    missing = [c for c in TRACE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError([Problem(str(file), "", f"missing column(s) {missing}")])
    if frame.empty:
        raise InputError([Problem(str(file), "", "no rows: a demand trace needs at least one "
                                                 "recorded demand")])
    dates = pd.to_datetime(frame["date"], errors="coerce")
    qty = pd.to_numeric(frame["quantity"], errors="coerce")
    departments = {(h.id, d.id) for h in network.hospitals for d in h.departments}
    registered = {(h.id, i.code) for h in network.hospitals for i in network.items
                  if h.region in i.registered_regions}
    known = frame["item"].isin(list(network.item_by_code)) & frame["hospital"].isin(
        list(network.hospital_by_id))
    unregistered = known & pd.Series([k not in registered for k in zip(
        frame["hospital"], frame["item"], strict=True)], index=frame.index)
    checks = [
        ("date", dates.isna(), "not a date"),
        ("quantity", ~((qty >= 0) & (qty <= MAX_UNITS)) | (qty % 1 != 0),
         f"must be a whole number from 0 to {MAX_UNITS:,}"),
        ("hospital", ~frame["hospital"].isin(list(network.hospital_by_id)), "unknown hospital"),
        ("department", ~pd.Series([k in departments for k in zip(
            frame["hospital"], frame["department"], strict=True)], index=frame.index),
         "unknown department of the hospital"),
        ("item", ~frame["item"].isin(list(network.item_by_code)), "unknown item"),
        ("item", unregistered, "not registered in the hospital's region"),
    ]
    first_line = 2 if file.suffix == ".csv" else 1
    problems = [Problem(str(file), f"[{k}].{col} (row {k + first_line})",
                        f"{msg} (got {frame[col].iloc[k]!r})")
                for col, bad, msg in checks for k in np.flatnonzero(bad.to_numpy())]
    if problems:
        raise InputError(problems)
    return frame.assign(date=dates.dt.date, quantity=qty.astype(np.int64))
