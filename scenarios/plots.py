"""HoloViews plots of an experiment, shared by the HTML report and the dashboard.

Axes read as a manager reads figures: labelled with the KPI's name and unit (the file's
currency for money, % for shares), numbers with thousands separators and never in
scientific notation; legends sit outside the data."""

import holoviews as hv
import xarray as xr
from bokeh.models import NumeralTickFormatter

from scenarios.stats import as_rows
from twin.sim import run_kpi


def _axis(label: str, unit: str, currency: str, change: bool = False
          ) -> tuple[str, NumeralTickFormatter]:
    """Axis label and tick format of a quantity in ``unit`` (``1``: a share)."""
    if unit == "1":
        return (f"{label} ({'percentage points' if change else '%'})",
                NumeralTickFormatter(format="0.0%"))
    shown = currency if unit == "currency" and currency else unit
    return f"{label} ({shown})", NumeralTickFormatter(format="0,0.[00]")


def _kpi_axis(kpi: str, currency: str, change: bool = False
              ) -> tuple[str, NumeralTickFormatter]:
    info = run_kpi(kpi)
    return _axis(("Δ " if change else "") + info.label, info.unit, currency, change)


def distribution(ds: xr.Dataset, kpi: str) -> hv.BoxWhisker:
    """``kpi`` across replications, per scenario and policy."""
    df = ds[kpi].to_dataframe().reset_index()[["scenario", "policy", kpi]]
    label, ticks = _kpi_axis(kpi, str(ds.attrs.get("currency", "")))
    return hv.BoxWhisker(df, ["scenario", "policy"], kpi).opts(
        width=900, height=320, xrotation=30, box_fill_color="policy", cmap="Category10",
        ylabel=label, yformatter=ticks, xlabel="scenario · policy",
        title=f"{run_kpi(kpi).label} across replications", tools=["hover"])


def differences(diff: xr.Dataset, kpi: str, baseline: str, currency: str = ""
                ) -> hv.Overlay:
    """Mean paired difference (policy − baseline) with its 95 % CI, per scenario."""
    rows = as_rows(diff, [kpi])
    rows = rows[rows.policy != baseline]
    rows["label"] = rows.scenario + " · " + rows.policy
    points = hv.Scatter(rows, "label", ["mean", "lower", "upper"]).opts(size=8, color="black")
    bars = hv.ErrorBars([(r.label, r["mean"], r["mean"] - r.lower, r.upper - r["mean"])
                         for _, r in rows.iterrows()], vdims=["y", "yerrneg", "yerrpos"])
    zero = hv.HLine(0).opts(color="grey", line_dash="dashed")
    label, ticks = _kpi_axis(kpi, currency, change=True)
    return (bars * points * zero).opts(
        width=900, height=300, xrotation=30, ylabel=label, yformatter=ticks, xlabel="",
        title=f"{run_kpi(kpi).label}: policy − {baseline} (paired, 95 % CI)")


def series(ds: xr.Dataset, scenario: str, var: str) -> hv.Overlay:
    """Daily ``var`` averaged over replications, one curve per policy."""
    mean = ds[var].sel(scenario=scenario).mean("replication").to_dataframe().reset_index()
    curves = {str(p): hv.Curve(mean[mean.policy == p], "time", var, label=str(p))
              for p in ds.policy.values}
    name = var.replace("_", " ")
    label, ticks = _axis(name, str(ds[var].attrs.get("units", "")),
                         str(ds.attrs.get("currency", "")))
    return hv.Overlay(list(curves.values())).opts(
        hv.opts.Curve(yformatter=ticks, ylabel=label, xlabel="day"),
        hv.opts.Overlay(width=900, height=260, legend_position="right",
                        title=f"{name} in {scenario} (mean over replications)"))
