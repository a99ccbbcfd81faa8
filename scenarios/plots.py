"""HoloViews plots of an experiment, shared by the HTML report and the dashboard."""

import holoviews as hv
import xarray as xr

from scenarios.stats import as_rows


def distribution(ds: xr.Dataset, kpi: str) -> hv.BoxWhisker:
    """``kpi`` across replications, per scenario and policy."""
    df = ds[kpi].to_dataframe().reset_index()[["scenario", "policy", kpi]]
    return hv.BoxWhisker(df, ["scenario", "policy"], kpi).opts(
        width=900, height=320, xrotation=30, box_fill_color="policy", cmap="Category10",
        title=f"{kpi.removeprefix('run_')} across replications", tools=["hover"])


def differences(diff: xr.Dataset, kpi: str, baseline: str) -> hv.Overlay:
    """Mean paired difference (policy − baseline) with its 95 % CI, per scenario."""
    rows = as_rows(diff, [kpi])
    rows = rows[rows.policy != baseline]
    rows["label"] = rows.scenario + " · " + rows.policy
    points = hv.Scatter(rows, "label", ["mean", "lower", "upper"]).opts(size=8, color="black")
    bars = hv.ErrorBars([(r.label, r["mean"], r["mean"] - r.lower, r.upper - r["mean"])
                         for _, r in rows.iterrows()], vdims=["y", "yerrneg", "yerrpos"])
    zero = hv.HLine(0).opts(color="grey", line_dash="dashed")
    return (bars * points * zero).opts(
        width=900, height=300, xrotation=30, ylabel=f"Δ {kpi.removeprefix('run_')}",
        title=f"{kpi.removeprefix('run_')}: policy − {baseline} (paired, 95 % CI)")


def series(ds: xr.Dataset, scenario: str, var: str) -> hv.Overlay:
    """Daily ``var`` averaged over replications, one curve per policy."""
    mean = ds[var].sel(scenario=scenario).mean("replication").to_dataframe().reset_index()
    curves = {str(p): hv.Curve(mean[mean.policy == p], "time", var, label=str(p))
              for p in ds.policy.values}
    return hv.Overlay(list(curves.values())).opts(
        width=900, height=260, legend_position="right",
        title=f"{var} in {scenario} (mean over replications)")

