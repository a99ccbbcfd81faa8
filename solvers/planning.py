"""Making a plan: safety stock → transfers → dispositions of returned units → purchases, each
line with its reason."""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from solvers.expiry import ExpiryAlerts
from solvers.highs_bridge import option_problems
from solvers.policies.measured import TwinCheck, measure
from solvers.replenishment.model import inventory_positions, purchase_positions, solve_replenishment
from solvers.returns import disposition_actions
from solvers.safety_stock import SafetyStockSettings, build_inputs, solve_safety_stock
from solvers.safety_stock.reasons import reorder_point_reason
from solvers.substitution import acceptances
from solvers.transfers import TransferSettings, solve_transfers
from twin.domain import Network, Plan
from twin.domain.fields import DomainModel, field
from twin.domain.parties import PRIORITIES
from twin.domain.plan import ReorderPointAction, action_key
from twin.problems import Path

log = logging.getLogger(__name__)


class PlanSettings(DomainModel):
    """Settings of every model that contributes to a plan (YAML: ``configs/policies``)."""

    safety_stock: SafetyStockSettings = field(SafetyStockSettings,
                                              description="safety-stock model")
    transfers: TransferSettings = field(TransferSettings, description="transfer routing model")
    twin_check: TwinCheck = field(TwinCheck, description="the twin's measurement of the "
                                  "reorder points no exact model represents")
    expiry_alert_days: int = field(
        180, unit="days", description="lots expiring within this many days are checked for "
        "units that expire before use (0: no expiry alerts)", ge=0, le=3650)


EVIDENCE = ("fill_rate", "cycle_service", "fill_rate_target", "priority", "fill_basis",
            "protection_days", "protection_demand", "protection_demand_sd",
            "expected_on_hand", "expected_cost_per_day", "binds", "not_exact", "crossing_risk",
            "fill_rate_low", "fill_rate_high", "expected_on_hand_low", "expected_on_hand_high",
            "estimate_fill_rate", "estimate_on_hand", "measured", "substitutes", "pooled",
            "return_share")
"""What a reorder-point line keeps of its safety-stock row as evidence."""


def _per_priority(settings: PlanSettings) -> dict[Path, dict[str, float]]:
    """The settings given per priority class, by field path."""
    ss, tr = settings.safety_stock, settings.transfers
    return {("safety_stock", "fill_rate_target"): dict(ss.fill_rate_target),
            ("safety_stock", "shortage_penalty"): dict(ss.shortage_penalty),
            ("transfers", "shortage_penalty"): dict(tr.shortage_penalty),
            ("transfers", "urgency_window_days"): dict(tr.urgency_window_days)}


def check_plan_settings(settings: PlanSettings, net: Network | None = None) -> list[
        tuple[Path, str]]:
    """``(field path, why)`` for each setting the models cannot use: a per-priority setting
    that leaves out a class, a fill-rate target outside (0, 1], a negative penalty or
    urgency window, a budget that is not positive or (given ``net``) names an unknown org,
    an option HiGHS refuses (e.g. an unknown solver)."""
    ss, tr = settings.safety_stock, settings.transfers
    found: list[tuple[Path, str]] = []
    defaults = PlanSettings()
    for path, values in _per_priority(settings).items():
        missing = [c for c in PRIORITIES if c not in values]
        if missing:
            default = _per_priority(defaults)[path]
            found.append((path, f"give a value for every priority class: {', '.join(missing)} "
                                f"missing (defaults: {default})"))
    for cls, target in ss.fill_rate_target.items():
        if not 0 < target <= 1:
            found.append((("safety_stock", "fill_rate_target", cls),
                          f"a fill rate is a fraction in (0, 1], got {target}"))
    for path, values in _per_priority(settings).items():
        if path[-1] != "fill_rate_target":
            found += [((*path, cls), f"must be ≥ 0, got {value}")
                      for cls, value in values.items() if value < 0]
    for org, budget in ss.org_budget.items():
        if budget <= 0:
            found.append((("safety_stock", "org_budget", org), f"must be > 0, got {budget}"))
        if net is not None and org not in net.org_by_id:
            found.append((("safety_stock", "org_budget", org),
                          f"unknown org {org!r} (the network's orgs: "
                          f"{', '.join(net.org_by_id)})"))
    for section, options in (("safety_stock", ss.highs_options),
                             ("transfers", tr.highs_options)):
        found += [((section, "highs_options", key), why)
                  for key, why in option_problems(options)]
    return found


def _number(value: float) -> float | None:
    """``value`` as a plan's evidence holds it: ``None`` for NaN (none measured)."""
    return float(value) if np.isfinite(value) else None


def measured_rows(net: Network, rows: list[dict[str, object]], check: TwinCheck,
                  progress: bool = False) -> list[dict[str, object]]:
    """``rows`` whose figures no exact model gives restated as the twin measures them at
    their levels (:func:`solvers.policies.measured.measure`): fill rate and expected
    on-hand with 95 % intervals, ``fill_basis`` "twin", the model's estimates kept beside."""
    keys = [(str(r["warehouse"]), str(r["item"])) for r in rows]
    levels = {k: (int(r["reorder_point"]), int(r["order_up_to"]))  # type: ignore[call-overload]
              for k, r in zip(keys, rows, strict=True)}
    got = measure(net, keys, levels, check, progress)
    fill, fill_lo, fill_hi = got.fill_rate()
    on_hand, on_hand_lo, on_hand_hi = got.mean_on_hand()
    note = (f"{check.replications} replications × {check.days} days after {check.warm_up} "
            f"days' warm-up, seeds {check.first_seed}–{check.first_seed + check.replications - 1}")
    out = []
    for p, row in enumerate(rows):
        if row["fill_basis"] == "exact":
            out.append(row)
            continue
        new = {**row, "fill_basis": "twin", "measured": note,
               "estimate_fill_rate": row["fill_rate"], "estimate_on_hand": row["expected_on_hand"],
               **{key: _number(values[p]) for key, values in (
                   ("fill_rate", fill), ("fill_rate_low", fill_lo), ("fill_rate_high", fill_hi),
                   ("expected_on_hand", on_hand), ("expected_on_hand_low", on_hand_lo),
                   ("expected_on_hand_high", on_hand_hi))}}
        out.append({**new, "reason": reorder_point_reason(new)})
    return out


def position_substitutes(net: Network) -> dict[tuple[str, str], str]:
    """Per (warehouse, item): the substitutes the departments it serves take when the item
    is short (:func:`solvers.substitution.acceptances`, served from that warehouse as in
    the twin), as ``"X (f per unit), …"`` in preference order."""
    found: dict[tuple[str, str], dict[str, tuple[int, float]]] = defaultdict(dict)
    for a in acceptances(net):
        rank, factor = found[(a.warehouse, a.item)].get(a.substitute, (a.rank, a.factor))
        found[(a.warehouse, a.item)][a.substitute] = (min(rank, a.rank), factor)
    return {key: ", ".join(f"{s} ({f:g} per unit)" for s, (_, f) in
                           sorted(subs.items(), key=lambda kv: (kv[1][0], kv[0])))
            for key, subs in found.items()}


def reorder_point_actions(net: Network, settings: SafetyStockSettings,
                          progress: bool = False,
                          forecast_error: Mapping[tuple[str, str, str], float] | None = None,
                          twin_check: TwinCheck | None = None) -> list[ReorderPointAction]:
    """(s, S) per position from the safety-stock model, with the service each achieves;
    positions with no demand routed to them (s = S = 0, e.g. backup warehouses) get none.
    ``forecast_error``: σ_e (units/day) per (hospital, department, item) where a forecast
    exists (:func:`solvers.safety_stock.build_inputs`); ``twin_check``: how the twin
    measures the lines no exact model represents (:func:`measured_rows`; none: they state
    the sample-average model's estimates). A line whose departments take substitutes says
    so (:func:`position_substitutes`)."""
    result = solve_safety_stock(net, settings, progress=progress,
                                inputs=build_inputs(net, forecast_error))
    rows = [row for row in result.rows() if row["order_up_to"] != 0]
    if twin_check is not None and twin_check.replications and any(
            row["fill_basis"] != "exact" for row in rows):
        rows = measured_rows(net, rows, twin_check, progress)
    subs = position_substitutes(net)
    out = []
    for row in rows:
        if (row["warehouse"], row["item"]) in subs:
            row = {**row, "substitutes": subs[(row["warehouse"], row["item"])]}
            row["reason"] = reorder_point_reason(row)
        out.append(ReorderPointAction(
            key=action_key("reorder_point", row["warehouse"], row["item"]),
            reason=row["reason"],
            warehouse=row["warehouse"], item=row["item"], reorder_point=row["reorder_point"],
            order_up_to=row["order_up_to"], safety_stock=row["safety_stock"],
            evidence={k: row[k] for k in EVIDENCE if k in row}))
    return out


def make_plan(net: Network, settings: PlanSettings | None = None,
              created: dt.datetime | None = None, progress: bool = False,
              forecast_error: Mapping[tuple[str, str, str], float] | None = None) -> Plan:
    """A draft plan for ``net`` as of its snapshot date (``progress``: a progress bar on
    stderr for the safety-stock models; ``forecast_error``: the forecast's σ_e per demand
    series, where one exists, for the reorder points).

    Returned units the plan restocks or sends for repair (:mod:`solvers.returns`) count in
    the inventory position the purchases start from, like units on order.

    ``created`` defaults to midnight UTC of the snapshot date so that the same inputs give
    the same plan file, bit for bit.
    """
    st = settings or PlanSettings()
    as_of = net.snapshot.as_of
    rop = reorder_point_actions(net, st.safety_stock, progress, forecast_error, st.twin_check)
    transfers = solve_transfers(net, st.transfers)
    today = [a for a in transfers.actions if a.ship_date == as_of]
    moved_in: dict[tuple[str, str], int] = defaultdict(int)
    moved_out: dict[tuple[str, str], int] = defaultdict(int)
    for a in today:
        moved_in[(a.target, a.item)] += a.quantity
        moved_out[(a.source, a.item)] += a.quantity
    dispositions = disposition_actions(net)
    returned: dict[tuple[str, str], int] = defaultdict(int)
    for d in dispositions:
        if d.decision != "scrap":
            returned[(d.warehouse, d.item)] += d.quantity
    levels = {(a.warehouse, a.item): (a.reorder_point, a.order_up_to) for a in rop}
    ip = inventory_positions(net, moved_in, moved_out, returned)
    purchases = solve_replenishment(net, purchase_positions(net, levels, ip, returned), as_of,
                                    weeks=net.settings.review_period_days / 7)
    actions = [*rop, *transfers.actions, *purchases.actions, *dispositions]
    alerts = (ExpiryAlerts(net, st.expiry_alert_days).alerts(transfers.actions)
              if st.expiry_alert_days else [])
    log.info("plan: %d reorder points, %d transfers, %d purchases, %d dispositions, "
             "%d expiry alerts (%.2f at risk)", len(rop), len(transfers.actions),
             len(purchases.actions), len(dispositions), len(alerts),
             sum(a.value_at_risk for a in alerts))
    stamp = created or dt.datetime.combine(as_of, dt.time(), dt.UTC)
    return Plan(id=f"{net.name}-{as_of.isoformat()}", network=net.name, as_of=as_of,
                horizon_days=st.transfers.horizon_days, created=stamp, actions=actions,
                expiry_alerts=alerts)
