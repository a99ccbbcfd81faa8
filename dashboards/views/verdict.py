"""A candidate policy against the baseline in one scenario, as tiles a manager decides
from: per KPI both means and the paired difference (candidate − baseline, same demand and
disruptions per replication) with its 95 % CI, in the KPI's unit or the file's currency,
coloured green when the interval says better, red when worse, grey otherwise. Units,
formats and better-directions come from :data:`twin.sim.RUN_KPIS`, as in the CLI and the
HTML report."""

import html

import panel as pn
import xarray as xr

from scenarios.stats import paired_differences, summarise
from twin.sim import run_kpi

VERDICT_KPIS = ("run_fill_rate_critical", "run_total_cost", "run_transport_cost",
                "run_purchase_cost", "run_holding_cost", "run_inventory_value_mean",
                "run_scrapped_value_expired")
STYLE = """
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
         gap: 10px; font-family: system-ui, sans-serif; }
.tile { border-radius: 6px; padding: 10px 12px; border-left: 6px solid #9e9e9e;
        background: #f5f5f5; }
.tile.better { border-color: #2e7d32; background: #e8f5e9; }
.tile.worse { border-color: #c62828; background: #ffebee; }
.tile-label { font-weight: 600; margin-bottom: 4px; }
.tile-delta { font-size: 1.25em; margin: 4px 0; }
.tile-levels, .tile-ci { color: #444; font-size: 0.9em; }
"""


def verdict(change: float, lower: float, upper: float, kpi: str) -> str:
    """``better``, ``worse`` (the 95 % interval of ``change`` excludes 0, read in the KPI's
    better-direction) or ``same`` (it does not, or the KPI has no better-direction)."""
    if not lower > 0 and not upper < 0:
        return "same"
    better = run_kpi(kpi).improves(change)
    return "same" if better is None else "better" if better else "worse"


def _tile(kpi: str, base: float, cand: float, diff: xr.DataArray, names: tuple[str, str],
          currency: str) -> str:
    info = run_kpi(kpi)
    change, low, high = (float(diff.sel(stat=s)) for s in ("mean", "lower", "upper"))
    word = verdict(change, low, high, kpi)
    said = {"better": "better", "worse": "worse", "same": "no clear difference"}[word]
    return (f"<div class='tile {word}' data-kpi='{kpi}'>"
            f"<div class='tile-label'>{html.escape(info.label)}</div>"
            f"<div class='tile-levels'>{html.escape(names[0])}: "
            f"{info.shown(base, currency)} → {html.escape(names[1])}: "
            f"{info.shown(cand, currency)}</div>"
            f"<div class='tile-delta'>Δ {info.shown(change, currency, change=True)} · "
            f"{said}</div><div class='tile-ci'>95 % CI [{info.shown(low, currency, True)}, "
            f"{info.shown(high, currency, True)}]</div></div>")


def tiles(ds: xr.Dataset, baseline: str, candidate: str, scenario: str) -> pn.pane.HTML:
    """One tile per KPI of :data:`VERDICT_KPIS` in ``ds`` for ``candidate`` against
    ``baseline`` in ``scenario``."""
    kpis = [k for k in VERDICT_KPIS if k in ds]
    where = {"scenario": scenario}
    levels = summarise(ds, kpis).sel(where).sel(stat="mean")
    diffs = paired_differences(ds, baseline, kpis).sel(where).sel(policy=candidate)
    currency = str(ds.attrs.get("currency", ""))
    body = "".join(_tile(k, float(levels[k].sel(policy=baseline)),
                         float(levels[k].sel(policy=candidate)), diffs[k],
                         (baseline, candidate), currency) for k in kpis)
    return pn.pane.HTML(f"<div class='tiles'>{body}</div>", stylesheets=[STYLE],
                        css_classes=["verdict"], sizing_mode="stretch_width")
