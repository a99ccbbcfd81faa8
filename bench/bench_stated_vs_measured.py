"""What a reorder-point line states against what the twin measures (issue 15, part 2).

Plans the network's reorder points as ``medtwin plan`` does
(:func:`solvers.planning.reorder_point_actions` with the default plan settings), runs the
twin with exactly those (s, S) (:class:`solvers.policies.levels.LevelsSS`, emergency
shipments on, as the optimised policy runs) for ``--reps`` replications with common random
numbers (seeds ``--first-seed`` …), and compares per group of lines — priority class of the
target × fill basis (exact / estimate), and per reason a line is not exact:

* fill rate: stated = Σ_p β_p·D_p / Σ_p D_p (the lines' fill rates weighted by the units
  their departments demanded in the twin, D_p pooled over replications); measured, per
  replication, = Σ_p on-time units / Σ_p D_p of the group (the twin's fill rate restricted
  to the group), mean and 95 % t-interval over replications;
* expected on-hand: stated = Σ_p E[on-hand]_p of the lines (units); measured, per
  replication, = Σ_p on-hand unit-days / days (units, end of day, any status);
* per line: the share whose pooled measured fill is within ±0.5 pp of the stated one and
  whose measured mean on-hand is within ±3 % of the stated one.

Only the days after a warm-up count: replication r runs ``--warm-up + --days`` days and,
with the same seed, ``--warm-up`` days; the per-position run totals of the short run are
subtracted from the long one (the twin draws day by day from per-replication streams, so
the long run's first days are the short run — checked on every replication).

A hub's line states the fill of all it supplies (departments and warehouses' orders); the
twin's figure here is its departments' fill only.

Usage: python bench/bench_stated_vs_measured.py [--network reference] [--reps 30]
       [--days 365] [--warm-up 90] [--first-seed 1] [--json OUT]
"""

import argparse
import functools
import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import stats
from tqdm import tqdm

from solvers.planning import PlanSettings, reorder_point_actions
from solvers.policies.levels import LevelsSS
from twin.domain import Network
from twin.domain.plan import ReorderPointAction
from twin.network_files import load_network
from twin.sim import simulate

TOTALS = ("position_demand_units", "position_served_on_time_units",
          "position_on_hand_unit_days")
FILL_TOLERANCE = 0.005
"""Per line: |measured − stated| fill rate allowed (0.5 pp, the issue's bound)."""
ON_HAND_TOLERANCE = 0.03
"""Per line: |measured / stated − 1| on-hand allowed (3 %, the issue's bound)."""


@dataclass(frozen=True)
class Measured:
    """Per replication (rows) and line (columns): units demanded, served on time, mean on-hand."""

    demand: np.ndarray
    on_time: np.ndarray
    on_hand: np.ndarray


def measure(net: Network, lines: list[ReorderPointAction], seeds: range, days: int,
            warm_up: int) -> Measured:
    """Run the twin with the lines' (s, S) on ``seeds``; per-line totals after the warm-up."""
    levels = {(a.warehouse, a.item): (a.reorder_point, a.order_up_to) for a in lines}
    policy = functools.partial(LevelsSS, levels=levels, emergency=True)
    out = {k: np.zeros((len(seeds), len(lines))) for k in TOTALS}
    cells: list[tuple[int, int]] | None = None
    for r, seed in enumerate(tqdm(seeds, desc="replications")):
        long = simulate(net, days=warm_up + days, seed=seed, policy=policy)
        short = simulate(net, days=warm_up, seed=seed, policy=policy)
        for name in ("demand_units", "inventory_units"):
            if not np.array_equal(long.kpis[name][:warm_up], short.kpis[name]):
                raise RuntimeError(f"seed {seed}: the first {warm_up} days differ ({name})")
        if cells is None:
            ix = long.index
            cells = [(ix.wh_of[a.warehouse], ix.item_of[a.item]) for a in lines]
        w, i = np.array(cells).T
        for name in TOTALS:
            out[name][r] = (long.kpis[name] - short.kpis[name])[w, i]
    return Measured(out["position_demand_units"], out["position_served_on_time_units"],
                    out["position_on_hand_unit_days"] / days)


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean of ``values`` and its 95 % t-interval."""
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean()), float(values.mean() - half), float(values.mean() + half)


def compare(lines: list[ReorderPointAction], got: Measured, idx: np.ndarray
            ) -> dict[str, float]:
    """Stated against measured for the lines ``idx`` (see the module docstring)."""
    fill = np.array([float(lines[p].evidence["fill_rate"]) for p in idx])
    on_hand = np.array([float(lines[p].evidence["expected_on_hand"]) for p in idx])
    demand = got.demand[:, idx]
    pooled = demand.sum(axis=0)
    served = demand.sum(axis=1) > 0
    fills = got.on_time[:, idx].sum(axis=1)[served] / demand.sum(axis=1)[served]
    f_mean, f_lo, f_hi = interval(fills)
    h_mean, h_lo, h_hi = interval(got.on_hand[:, idx].sum(axis=1))
    stated_fill = float((fill * pooled).sum() / pooled.sum()) if pooled.sum() else np.nan
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
        basis = "exact" if ev["fill_basis"] == "exact" else "estimate"
        out[f"{ev['priority']}, {basis}"].append(p)
        out[f"estimate: {ev['not_exact']}" if basis == "estimate" else "exact (all)"].append(p)
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
    parser.add_argument("--json", help="also write the per-replication, per-line values here")
    args = parser.parse_args()
    net = load_network(args.network)
    lines = reorder_point_actions(net, PlanSettings().safety_stock)
    seeds = range(args.first_seed, args.first_seed + args.reps)
    got = measure(net, lines, seeds, args.days, args.warm_up)
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
