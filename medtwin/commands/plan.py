"""``medtwin plan``: safety stock, transfers, purchases and the disposition of returned units
for a network's snapshot."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medtwin.errors import report_input_errors
from medtwin.exit_codes import ExitCode

if TYPE_CHECKING:
    from solvers.planning import PlanSettings
    from twin.domain import Network, Plan

DISPOSITION_LINES = 10
"""Disposition lines ``medtwin plan`` lists (the plan file has all)."""


def load_plan_settings(path: Path | None, horizon: int | None,
                       net: Network | None = None) -> PlanSettings:
    """Settings from a YAML file (validated, against ``net`` when given: see
    :func:`~solvers.planning.check_plan_settings`), with ``--horizon`` on top."""
    from solvers.planning import PlanSettings, check_plan_settings
    from twin.problems import InputError
    from twin.yaml_input import located, read_yaml, validate_as

    doc = (read_yaml(path) or {}) if path is not None else {}
    settings = validate_as(PlanSettings, doc, str(path))
    found = check_plan_settings(settings, net)
    if found:
        raise InputError([located(str(path), p, why) for p, why in found])
    if horizon is not None:
        settings = settings.model_copy(update={"transfers": settings.transfers.model_copy(
            update={"horizon_days": horizon})})
    return settings


@click.command()
@click.argument("network")
@click.option("--snapshot", type=click.Path(dir_okay=False, path_type=Path),
              help="Plan from this snapshot YAML instead of the network's own.")
@click.option("--horizon", type=click.IntRange(1, 366), help="Planning horizon in days.")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML with safety_stock / transfers settings.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Write the plan (JSON) here.")
@report_input_errors
def plan(network: str, snapshot: Path | None, horizon: int | None, settings_file: Path | None,
         out: Path) -> None:
    """Compute a draft plan for NETWORK: reorder points, transfers, purchases and what QC
    does with returned units (restock / repair / scrap).

    Every line has a stable `key`, a `kind` (reorder_point / transfer / purchase /
    disposition), a `reason` and the `evidence` behind it. Exit codes: 0 plan written,
    2 invalid input, 3 a model is infeasible (the message names the constraint families
    that bind) or the solver found no plan.
    """
    from solvers.highs_bridge import Infeasible, SolverFailed
    from solvers.planning import make_plan
    from twin.atomic import check_outputs, write_atomic
    from twin.network_files import load_network, load_snapshot

    check_outputs(out)
    net = load_network(network)
    if snapshot is not None:
        net = load_snapshot(snapshot, net)
    settings = load_plan_settings(settings_file, horizon, net)
    try:
        result = make_plan(net, settings, progress=True)
    except (Infeasible, SolverFailed) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(ExitCode.INFEASIBLE) from None
    write_atomic(out, result.model_dump_json(by_alias=True, indent=2))
    kinds = Counter(a.kind for a in result.actions)
    click.echo(f"plan {result.id}: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
               + f" → {out}")
    for a in [a for a in result.actions if a.kind in ("transfer", "purchase")][:10]:
        click.echo(f"  {a.key}  {a.reason}")
    echo_dispositions(result)
    alerts = result.expiry_alerts
    if alerts:
        click.echo(f"expiry alerts: {len(alerts)} lots, "
                   f"{sum(a.value_at_risk for a in alerts):,.2f} at risk (largest first)")
        for e in alerts[:5]:
            click.echo(f"  {e.warehouse} {e.item} {e.lot}: {e.reason}")


def echo_dispositions(plan: Plan) -> None:
    """The disposition lines as a small table: units per decision, then the first lines."""
    lines = [a for a in plan.actions if a.kind == "disposition"]
    if not lines:
        return
    units = Counter[str]()
    for a in lines:
        units[a.decision] += a.quantity
    click.echo(f"returned units: {len(lines)} disposition lines, "
               + ", ".join(f"{units[d]} {d}" for d in ("restock", "repair", "scrap") if units[d]))
    rows = [("warehouse", "item", "lot", "returned", "decision", "units", "date", "why")]
    rows += [(a.warehouse, a.item, a.lot, a.reason, a.decision, str(a.quantity), str(a.date),
              a.explanation()) for a in lines[:DISPOSITION_LINES]]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]) - 1)]
    for r in rows:
        click.echo("  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False))
                   + "  " + r[-1])
