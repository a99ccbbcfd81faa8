"""What a reorder-point line states against what the twin measures (issue 15, part 2).

Plans the network's reorder points as ``medtwin plan`` does
(:func:`solvers.planning.reorder_point_actions` with the default plan settings: lines no
exact model represents state the twin's measurement on seeds 1001–1008; ``--estimates``:
they state the sample-average model's estimates instead), runs the twin with exactly those
(s, S) (:func:`solvers.policies.measured.measure`: emergency shipments on, as the optimised
policy runs) for ``--reps`` replications with common random numbers (seeds
``--first-seed`` …, disjoint from the plan's), and compares per group of lines — priority
class of the target × fill basis (exact / twin-measured / estimate), and per reason a line
is not exact:

* fill rate: stated = Σ_p β_p·D_p / Σ_p D_p (the lines' fill rates weighted by the units
  their departments demanded in the twin, D_p pooled over replications); measured, per
  replication, = Σ_p on-time units / Σ_p D_p of the group (the twin's fill rate restricted
  to the group), mean and 95 % interval over replications (logit scale, inside [0, 1]);
* expected on-hand: stated = Σ_p E[on-hand]_p of the lines (units); measured, per
  replication, = Σ_p on-hand unit-days / days (units, end of day, any status);
* per line: the share whose pooled measured fill is within ±0.5 pp of the stated one and
  whose measured mean on-hand is within ±3 % of the stated one.

Only the days after a ``--warm-up`` count (see :mod:`solvers.policies.measured`).

An estimated hub line states the fill of all it supplies (departments and warehouses'
orders); the twin's figure is its departments' fill only (a measured line states that).

Usage: python bench/bench_stated_vs_measured.py [--network reference] [--reps 30]
       [--days 365] [--warm-up 90] [--first-seed 1] [--estimates] [--json OUT]
"""

import argparse
import json
from collections import defaultdict

import numpy as np
import xarray as xr

from scenarios.stats import interval as stats_interval
from solvers.planning import PlanSettings, reorder_point_actions
from solvers.policies.measured import Measured, TwinCheck, measure
from twin.domain.plan import ReorderPointAction
from twin.network_files import load_network

FILL_TOLERANCE = 0.005
"""Per line: |measured − stated| fill rate allowed (0.5 pp, the issue's bound)."""
ON_HAND_TOLERANCE = 0.03
"""Per line: |measured / stated − 1| on-hand allowed (3 %, the issue's bound)."""


def interval(values: np.ndarray, share: bool = False) -> tuple[float, float, float]:
    """Mean of ``values`` over replications and its 95 % interval
    (:func:`scenarios.stats.interval`: for ``share``, proportions, on the logit scale, so it
    stays inside [0, 1])."""
    got = stats_interval(xr.DataArray(values, dims=["replication"]), share=share)
    return float(got.sel(stat="mean")), float(got.sel(stat="lower")), float(got.sel(stat="upper"))


def compare(lines: list[ReorderPointAction], got: Measured, idx: np.ndarray
            ) -> dict[str, float]:
    """Stated against measured for the lines ``idx`` (see the module docstring)."""
    fill = np.array([np.nan if lines[p].evidence["fill_rate"] is None
                     else float(lines[p].evidence["fill_rate"]) for p in idx])
    on_hand = np.array([float(lines[p].evidence["expected_on_hand"]) for p in idx])
    demand = got.demand[:, idx]
    pooled = demand.sum(axis=0)
    served = demand.sum(axis=1) > 0
    fills = got.on_time[:, idx].sum(axis=1)[served] / demand.sum(axis=1)[served]
    f_mean, f_lo, f_hi = interval(fills, share=True)
    h_mean, h_lo, h_hi = interval(got.on_hand[:, idx].sum(axis=1))
    stated_fill = float((np.nan_to_num(fill) * pooled).sum() / pooled.sum()) \
        if pooled.sum() else np.nan
    stated_on_hand = float(on_hand.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        line_fill = got.on_time[:, idx].sum(axis=0) / pooled
        line_on_hand = got.on_hand[:, idx].mean(axis=0)
        fill_ok = np.abs(line_fill - fill)[pooled > 0] <= FILL_TOLERANCE
        on_hand_ok = np.abs(line_on_hand / on_hand - 1)[on_hand > 0] <= ON_HAND_TOLERANCE
    return {"lines": len(idx), "stated_fill": stated_fill, "fill": f_mean, "fill_lo": f_lo,
            "fill_hi": f_hi, "stated_on_hand": stated_on_hand, "on_hand": h_mean,
            "on_hand_lo": h_lo, "on_hand_hi": h_hi,
            "lines_fill_ok": float(fill_ok.mean()) if len(fill_ok) else np.nan,
            "lines_on_hand_ok": float(on_hand_ok.mean()) if len(on_hand_ok) else np.nan}


def groups(lines: list[ReorderPointAction]) -> dict[str, np.ndarray]:
    """Line indices per priority class × fill basis, per reason not exact, and all."""
    out: dict[str, list[int]] = defaultdict(list)
    for p, a in enumerate(lines):
        ev = a.evidence
        basis = {"exact": "exact", "twin": "twin-measured"}.get(str(ev["fill_basis"]),
                                                               "estimate")
        out[f"{ev['priority']}, {basis}"].append(p)
        out[f"{basis}: {ev['not_exact']}" if basis != "exact" else "exact (all)"].append(p)
        out["all lines"].append(p)
    return {k: np.array(v) for k, v in sorted(out.items())}


def table(rows: dict[str, dict[str, float]]) -> str:
    """A markdown table of :func:`compare` per group."""
    head = ("| lines | n | fill stated | fill measured [95 % CI] | on-hand stated (units) | "
            "on-hand measured [95 % CI] | lines within ±0.5 pp / ±3 % |\n"
            "|---|---|---|---|---|---|---|")
    body = [f"| {name} | {r['lines']} | {r['stated_fill']:.2%} | {r['fill']:.2%} "
            f"[{r['fill_lo']:.2%}, {r['fill_hi']:.2%}] | {r['stated_on_hand']:,.0f} | "
            f"{r['on_hand']:,.0f} [{r['on_hand_lo']:,.0f}, {r['on_hand_hi']:,.0f}] "
            f"({r['on_hand'] / r['stated_on_hand'] - 1:+.1%}) | "
            f"{r['lines_fill_ok']:.0%} / {r['lines_on_hand_ok']:.0%} |"
            for name, r in rows.items()]
    return "\n".join([head, *body])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--network", default="reference")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--warm-up", type=int, default=90)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--estimates", action="store_true",
                        help="lines state the sample-average estimates (no twin check)")
    parser.add_argument("--json", help="also write the per-replication, per-line values here")
    args = parser.parse_args()
    net = load_network(args.network)
    settings = PlanSettings()
    if args.estimates:
        settings = settings.model_copy(update={"twin_check": TwinCheck(replications=0)})
    lines = reorder_point_actions(net, settings.safety_stock, progress=True,
                                  twin_check=settings.twin_check)
    seeds = range(args.first_seed, args.first_seed + args.reps)
    check = TwinCheck(replications=args.reps, days=args.days, warm_up=args.warm_up,
                      first_seed=args.first_seed)
    got = measure(net, [(a.warehouse, a.item) for a in lines],
                  {(a.warehouse, a.item): (a.reorder_point, a.order_up_to) for a in lines},
                  check, progress=True)
    rows = {name: compare(lines, got, idx) for name, idx in groups(lines).items()}
    print(f"{args.network}: {len(lines)} reorder-point lines, {args.reps} replications × "
          f"{args.days} days after a {args.warm_up}-day warm-up, seeds "
          f"{seeds.start}–{seeds.stop - 1}")
    print(table(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"network": args.network, "days": args.days, "warm_up": args.warm_up,
                       "seeds": list(seeds), "groups": rows,
                       "lines": [{"warehouse": a.warehouse, "item": a.item,
                                  "reorder_point": a.reorder_point,
                                  "order_up_to": a.order_up_to, **a.evidence}
                                 for a in lines],
                       **{k: getattr(got, k).tolist() for k in ("demand", "on_time",
                                                               "on_hand")}}, f, indent=1)


if __name__ == "__main__":
    main()
