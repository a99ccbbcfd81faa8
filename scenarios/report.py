"""A static HTML report of an experiment: readable in any browser, without a server.

Sections: what was run (network, policies, scenarios with their events, replications,
seed, code version), KPI means with 95 % confidence intervals per scenario and policy,
paired differences against the baseline policy with significance, distributions across
replications, and daily fill rate and inventory value per scenario. Plots are Bokeh
(through HoloViews) with their JavaScript inlined, so the file works offline.
"""

import html
import json
import os
from pathlib import Path

import holoviews as hv
import pandas as pd
import xarray as xr
from bokeh.embed import components
from bokeh.resources import INLINE

from scenarios import plots
from scenarios.stats import as_rows, defined_kpis, paired_differences, summarise
from twin.atomic import write_atomic
from twin.sim import RECALL_KPIS, RunKpi, run_kpi

REPORT_KPIS = ["run_fill_rate_critical", "run_fill_rate", "run_lost_units",
               "run_emergency_units", "run_substituted_units", "run_scrapped_units_expired",
               "run_scrapped_value_expired", "run_inventory_value_mean", "run_holding_cost",
               "run_transport_cost", "run_purchase_cost", "run_total_cost", "run_recall_units",
               *(f"run_{k}" for k in RECALL_KPIS)]
PLOTTED_KPIS = ["run_fill_rate_critical", "run_inventory_value_mean",
                "run_scrapped_value_expired"]
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
.sig { font-weight: bold; } .muted { color: #777; }
"""


def _fmt(kpi: str, value: float, currency: str, change: bool) -> str:
    return run_kpi(kpi).shown(None if pd.isna(value) else float(value), currency, change)


def _kpi_table(rows: pd.DataFrame, significance: bool, currency: str) -> str:
    """Rows of :func:`~scenarios.stats.as_rows`, in each KPI's unit (``currency`` for
    money); ``significance``: the rows are paired differences."""
    head = "<tr><th>scenario</th><th>policy</th><th>KPI</th><th>mean</th><th>95 % CI</th>" \
           + ("<th>excludes 0</th>" if significance else "<th>n</th>") + "</tr>"
    body = []
    for _, r in rows.iterrows():
        k, kpi = r.kpi, run_kpi(r.kpi)
        last = (_direction(kpi, r["mean"]) if r.significant else "no") if significance \
            else f"{r.n:.0f}"
        cls = ' class="sig"' if significance and r.significant else ""
        cells = [_fmt(k, r[s], currency, significance) for s in ("mean", "lower", "upper")]
        body.append(f"<tr{cls}><td>{html.escape(str(r.scenario))}</td>"
                    f"<td>{html.escape(str(r.policy))}</td><td>{html.escape(kpi.label)}</td>"
                    f"<td>{cells[0]}</td><td>[{cells[1]}, {cells[2]}]</td><td>{last}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _direction(kpi: RunKpi, change: float) -> str:
    """A significant paired difference, said as the KPI's better direction reads it."""
    better = kpi.improves(float(change))
    return "yes" if better is None else "yes, better" if better else "yes, worse"


def _scenario_list(ds: xr.Dataset) -> str:
    items = []
    for s in json.loads(ds.attrs["scenarios"]):
        events = "; ".join(", ".join(f"{k}={v}" for k, v in e.items() if v is not None)
                           for e in s["events"])
        extra = [f"forecast bias {s['forecast_bias']:+.0%}"] if s["forecast_bias"] else []
        extra += [f"overrides {json.dumps(s['overrides'])}"] if s["overrides"] else []
        extra += [] if s.get("substitutes", True) else ["no substitutes"]
        detail = "; ".join(x for x in [events, *extra] if x) or "no events"
        items.append(f"<li><b>{html.escape(s['name'])}</b> — {html.escape(s['description'])}"
                     f" <span class='muted'>({html.escape(detail)})</span></li>")
    return f"<ul>{''.join(items)}</ul>"


def build(ds: xr.Dataset, title: str | None = None) -> str:
    """The report of experiment ``ds`` as one HTML document."""
    hv.extension("bokeh", logo=False)
    kpis = defined_kpis(ds, REPORT_KPIS)
    baseline = str(ds.attrs.get("baseline_policy", ds.policy.values[0]))
    summary = as_rows(summarise(ds, kpis), kpis)
    currency = str(ds.attrs.get("currency", ""))
    figures: list[tuple[str, hv.core.Dimensioned]] = []
    sections = [
        f"<h1>{html.escape(title or ds.attrs.get('title', 'medtwin experiment'))}</h1>",
        f"<p>Network <b>{html.escape(ds.attrs['network'])}</b> from "
        f"{ds.attrs['start_date']}, {ds.attrs['days']} days; policies "
        f"{', '.join(map(str, ds.policy.values))} (baseline <b>{html.escape(baseline)}</b>); "
        f"{ds.sizes['replication']} replications per scenario with common random numbers, "
        f"seed {ds.attrs['seed']}. <span class='muted'>{html.escape(ds.attrs['code_version'])}"
        f", network sha256 {ds.attrs['network_sha256'][:12]}…</span></p>",
        "<h2>Scenarios</h2>", _scenario_list(ds),
        "<h2>KPIs: mean and 95 % confidence interval</h2>", _kpi_table(summary, False, currency)]
    if ds.sizes["policy"] > 1:
        diff = paired_differences(ds, baseline, kpis)
        rows = as_rows(diff, kpis)
        sections += [f"<h2>Paired differences: policy − {html.escape(baseline)}</h2>",
                     "<p>Same demand and disruptions in each replication; bold = the 95 % "
                     "interval excludes zero (better or worse by the KPI's own direction: "
                     "higher fill rates, lower costs, stock and losses).</p>",
                     _kpi_table(rows[rows.policy != baseline], True, currency)]
        figures += [(f"Δ {k.removeprefix('run_')}",
                     plots.differences(diff, k, baseline, currency))
                    for k in PLOTTED_KPIS if k in ds]
    figures += [(f"Distribution of {k.removeprefix('run_')}", plots.distribution(ds, k))
                for k in PLOTTED_KPIS if k in ds]
    for s in ds.scenario.values:
        figures += [(f"{var} — {s}", plots.series(ds, str(s), var))
                    for var in ("fill_rate", "inventory_value") if var in ds]
    script, divs = components([hv.render(fig, backend="bokeh") for _, fig in figures])
    sections.append("<h2>Plots</h2>")
    sections += [f"<h3>{html.escape(name)}</h3>{div}"
                 for (name, _), div in zip(figures, divs, strict=True)]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(ds.attrs.get('title', 'medtwin experiment'))}</title>"
            f"<style>{STYLE}</style>{INLINE.render()}{script}</head><body>"
            + "\n".join(sections) + "</body></html>")


def write(ds: xr.Dataset, path: str | os.PathLike[str], title: str | None = None) -> Path:
    """Write the report of ``ds`` to ``path`` (via a temporary file)."""
    return write_atomic(path, build(ds, title))
