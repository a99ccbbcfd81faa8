"""Statistics of an experiment: means with confidence intervals, paired differences, and
the adaptive number of replications.

For a KPI X observed in n independent replications, the mean's two-sided confidence
interval at level 1 − α is x̄ ± t(1 − α/2, n − 1) · s / √n (Student t; s the sample
standard deviation). Paired differences use D_r = X_r(policy) − X_r(baseline) of the same
replication r, which share demand and disruptions (common random numbers), so their
variance is usually far below that of either policy. A difference is *significant* when
its interval excludes zero. Replications where a KPI is undefined (NaN) are left out.
Proportions (unit ``1``) get intervals that stay inside [0, 1] (see :func:`interval`), and
their paired differences inside [−1, 1].
"""

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy import special
from scipy import stats as st

STAT = ["mean", "lower", "upper", "half_width", "n"]


def run_kpis(ds: xr.Dataset) -> list[str]:
    """Names of the run-level KPI variables (``run_*`` over policy, scenario, replication)."""
    return [str(v) for v in ds.data_vars if str(v).startswith("run_")
            and ds[v].dims == ("policy", "scenario", "replication")]


def interval(values: xr.DataArray, level: float = 0.95, share: bool = False,
             clip: tuple[float, float] | None = None) -> xr.DataArray:
    """Mean, CI bounds, half-width and n over ``replication`` (new dimension ``stat``).

    ``share``: the values are proportions in [0, 1]; the interval is the t-interval on the
    logit scale by the delta method, logit(x̄) ± t · s / (√n · x̄ (1 − x̄)), mapped back, so
    it stays inside [0, 1] (a mean of exactly 0 or 1 — every replication at it — has the
    interval [x̄, x̄]); the half-width is half its length. ``clip``: bounds no interval
    passes, e.g. (−1, 1) for differences of proportions."""
    data = values.transpose(..., "replication")
    x = data.values.astype(float)
    n = np.sum(~np.isnan(x), axis=-1)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN and n = 1 cells
        mean = np.nanmean(x, axis=-1)
        sd = np.nanstd(x, axis=-1, ddof=1)
        t = st.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * sd / np.sqrt(n), np.nan)
        lower, upper = mean - half, mean + half
        if share:
            edge = (mean <= 0) | (mean >= 1)
            width = half / (mean * (1 - mean))
            lower = np.where(edge, mean, special.expit(special.logit(mean) - width))
            upper = np.where(edge, mean, special.expit(special.logit(mean) + width))
            lower, upper = np.where(np.isnan(half), np.nan, lower), \
                np.where(np.isnan(half), np.nan, upper)
            half = (upper - lower) / 2
    if clip is not None:
        lower, upper = np.clip(lower, *clip), np.clip(upper, *clip)
    dims = ("stat", *data.dims[:-1])
    coords = {"stat": STAT, **{d: data[d] for d in dims[1:] if d in data.coords}}
    return xr.DataArray(np.stack([mean, lower, upper, half, n.astype(float)]), dims=dims,
                        coords=coords, attrs=values.attrs)


def defined_kpis(ds: xr.Dataset, kpis: Sequence[str]) -> list[str]:
    """The KPIs of ``kpis`` that ``ds`` holds and that some run defines (not nan in every
    run: e.g. the recall-response KPIs of an experiment without a recall)."""
    return [k for k in kpis if k in ds and bool(ds[k].notnull().any())]


def is_share(values: xr.DataArray) -> bool:
    """Whether ``values`` are proportions (unit ``1``, as result files label shares)."""
    return values.attrs.get("units") == "1"


def summarise(ds: xr.Dataset, kpis: Sequence[str] | None = None, level: float = 0.95
              ) -> xr.Dataset:
    """Every KPI's mean and confidence interval per policy and scenario (inside [0, 1]
    for shares)."""
    names = list(kpis) if kpis is not None else run_kpis(ds)
    out = xr.Dataset({k: interval(ds[k], level, share=is_share(ds[k])) for k in names})
    return out.assign_attrs(confidence_level=level)


def paired_differences(ds: xr.Dataset, baseline: str, kpis: Sequence[str] | None = None,
                       level: float = 0.95, dim: str = "policy") -> xr.Dataset:
    """Each ``dim`` value (a policy, or with ``dim="scenario"`` a scenario) − ``baseline``
    per replication, summarised like :func:`summarise` (intervals of differences of shares
    clipped to [−1, 1]), plus ``<kpi>_significant`` (the interval excludes zero). Paired:
    replication r of every scenario and policy runs with the same seed."""
    if baseline not in ds[dim].values:
        raise ValueError(f"baseline {baseline!r} is not among the {dim} values "
                         f"{[str(p) for p in ds[dim].values]}")
    names = list(kpis) if kpis is not None else run_kpis(ds)
    out = xr.Dataset()
    for k in names:
        diff = interval(ds[k] - ds[k].sel({dim: baseline}, drop=True), level,
                        clip=(-1.0, 1.0) if is_share(ds[k]) else None)
        out[k] = diff.assign_attrs(ds[k].attrs)
        low, high = diff.sel(stat="lower", drop=True), diff.sel(stat="upper", drop=True)
        out[f"{k}_significant"] = (low > 0) | (high < 0)
    return out.assign_attrs({"confidence_level": level, f"baseline_{dim}": baseline})


def as_rows(summary: xr.Dataset, kpis: Sequence[str]) -> pd.DataFrame:
    """A :func:`summarise` / :func:`paired_differences` dataset as rows: scenario, policy,
    kpi, mean, lower, upper, half_width, n (and significant, for differences)."""
    frames = []
    for k in kpis:
        if k not in summary:
            continue
        da = summary[k]
        cells = [d for d in da.dims if d != "stat"]
        df = pd.MultiIndex.from_product([da[d].values for d in cells], names=cells
                                        ).to_frame(index=False)[["scenario", "policy"]]
        df["kpi"] = k
        df[list(da.stat.values)] = da.transpose(*cells, "stat").values.reshape(len(df), -1)
        if f"{k}_significant" in summary:
            df["significant"] = summary[f"{k}_significant"].transpose(*cells).values.ravel()
        frames.append(df)
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
