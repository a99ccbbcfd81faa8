"""Statistics of an experiment: means with confidence intervals, paired differences, and
the adaptive number of replications.

For a KPI X observed in n independent replications, the mean's two-sided confidence
interval at level 1 − α is x̄ ± t(1 − α/2, n − 1) · s / √n (Student t; s the sample
standard deviation). Paired differences use D_r = X_r(policy) − X_r(baseline) of the same
replication r, which share demand and disruptions (common random numbers), so their
variance is usually far below that of either policy. A difference is *significant* when
its interval excludes zero. Replications where a KPI is undefined (NaN) are left out.
"""

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats as st

STAT = ["mean", "lower", "upper", "half_width", "n"]


def run_kpis(ds: xr.Dataset) -> list[str]:
    """Names of the run-level KPI variables (``run_*`` over policy, scenario, replication)."""
    return [str(v) for v in ds.data_vars if str(v).startswith("run_")
            and ds[v].dims == ("policy", "scenario", "replication")]


def interval(values: xr.DataArray, level: float = 0.95) -> xr.DataArray:
    """Mean, CI bounds, half-width and n over ``replication`` (new dimension ``stat``)."""
    n = values.count("replication")
    mean = values.mean("replication")
    sd = values.std("replication", ddof=1)
    t = xr.apply_ufunc(lambda k: st.t.ppf(0.5 + level / 2, np.maximum(k - 1, 1)), n)
    half = xr.where(n > 1, t * sd / np.sqrt(n), np.nan)
    out = xr.concat([mean, mean - half, mean + half, half, n.astype(float)],
                    dim=xr.DataArray(STAT, dims="stat", name="stat"))
    return out.assign_attrs(values.attrs)


def summarise(ds: xr.Dataset, kpis: Sequence[str] | None = None, level: float = 0.95
              ) -> xr.Dataset:
    """Every KPI's mean and confidence interval per policy and scenario."""
    names = list(kpis) if kpis is not None else run_kpis(ds)
    out = xr.Dataset({k: interval(ds[k], level) for k in names})
    return out.assign_attrs(confidence_level=level)


def paired_differences(ds: xr.Dataset, baseline: str, kpis: Sequence[str] | None = None,
                       level: float = 0.95) -> xr.Dataset:
    """policy − ``baseline`` per replication, summarised like :func:`summarise`, plus
    ``<kpi>_significant`` (the interval excludes zero)."""
    if baseline not in ds.policy.values:
        raise ValueError(f"baseline {baseline!r} is not among the policies "
                         f"{[str(p) for p in ds.policy.values]}")
    names = list(kpis) if kpis is not None else run_kpis(ds)
    out = xr.Dataset()
    for k in names:
        diff = interval(ds[k] - ds[k].sel(policy=baseline, drop=True), level)
        out[k] = diff
        low, high = diff.sel(stat="lower", drop=True), diff.sel(stat="upper", drop=True)
        out[f"{k}_significant"] = (low > 0) | (high < 0)
    return out.assign_attrs(confidence_level=level, baseline_policy=baseline)


def as_rows(summary: xr.Dataset, kpis: Sequence[str]) -> pd.DataFrame:
    """A :func:`summarise` / :func:`paired_differences` dataset as rows: scenario, policy,
    kpi, mean, lower, upper, half_width, n (and significant, for differences)."""
    frames = []
    for k in kpis:
        if k not in summary:
            continue
        df = summary[k].to_dataframe().reset_index().pivot_table(
            index=["scenario", "policy"], columns="stat", values=k, dropna=False,
            sort=False).reset_index()
        df.columns.name = None
        df.insert(2, "kpi", k)
        if f"{k}_significant" in summary:
            sig = summary[f"{k}_significant"].to_dataframe().reset_index()
            df = df.merge(sig.rename(columns={f"{k}_significant": "significant"}),
                          on=["scenario", "policy"])
        frames.append(df[[c for c in ["scenario", "policy", "kpi", *STAT, "significant"]
                          if c in df]])
    if not frames:
        return pd.DataFrame(columns=["scenario", "policy", "kpi", *STAT])
    return pd.concat(frames, ignore_index=True).replace([np.inf, -np.inf], np.nan)


def widest(ds: xr.Dataset, kpi: str, level: float = 0.95) -> float:
    """The largest CI half-width of ``kpi``'s mean over policies and scenarios."""
    half = interval(ds[kpi], level).sel(stat="half_width")
    return float(half.max()) if np.isfinite(half).all() else float("inf")


def run_adaptive(run: Callable[[Sequence[int]], xr.Dataset], kpi: str, target: float, *,
                 start: int = 10, batch: int = 10, limit: int = 1000, level: float = 0.95,
                 on_batch: Callable[[int, float], None] | None = None) -> xr.Dataset:
    """Add replications (``run(replication numbers)`` → dataset) until every mean of
    ``kpi`` has a CI half-width ≤ ``target`` or ``limit`` replications ran.

    Replications are numbered 0, 1, …, so the result equals a fixed-size run of the same
    total. ``on_batch(n, widest half-width)`` is called after each batch.
    """
    if target <= 0:
        raise ValueError("the target half-width must be > 0")
    ds = run(range(min(start, limit)))
    while True:
        n = ds.sizes["replication"]
        width = widest(ds, kpi, level)
        if on_batch is not None:
            on_batch(n, width)
        if width <= target or n >= limit:
            return ds.assign_attrs(adaptive_kpi=kpi, adaptive_target=target,
                                   adaptive_half_width=width)
        more = run(range(n, min(n + batch, limit)))
        ds = xr.concat([ds, more], dim="replication", data_vars="minimal", coords="minimal",
                       compat="override", combine_attrs="override")
