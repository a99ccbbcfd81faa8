"""Auto-approval rules (``configs/approval.yaml``) and the gate that applies them.

A plan passes the gate when every enabled rule passes on its stress-test evidence:

* ``min_critical_fill_rate`` — in every scenario, the plan's critical-department fill rate
  (the lower end of its confidence interval when ``use_lower_bound``, else the mean) is at
  least the threshold;
* ``max_cost_increase`` — the plan's total cost (mean over scenarios of holding +
  transport + purchase + transfer cost) is at most (1 + threshold) × the total cost of the
  plan last published for the same network (passes when there is none yet);
* ``block_critical_alerts`` — the data-quality alerts recorded with the evidence (those of
  the pull the plan was made from, :mod:`twin.domain.alerts`) hold no critical one; the
  verdict names each critical alert;
* ``max_scrap_value`` — the returned units the plan's disposition lines scrap are worth at
  most the threshold (currency: Σ ``value_scrapped`` = units × unit cost of each scrap
  line's evidence; a scrap line without it fails the rule). Off by default.

Evidence is read by :func:`evidence_summary`; a plan without evidence fails every rule
that needs it, with the reason.
"""

import os
from dataclasses import dataclass
from typing import Any

from scenarios.evidence import StressEvidence
from twin.domain import DispositionAction, Plan
from twin.domain.alerts import critical, ordered
from twin.domain.fields import DomainModel, field
from twin.yaml_input import read_yaml, validate_as

COST_KPIS = ("holding_cost", "transport_cost", "purchase_cost", "transfer_cost")


class ApprovalRules(DomainModel):
    """Thresholds of the auto-approval gate (a rule set to null is off)."""

    min_critical_fill_rate: float | None = field(
        0.99, unit="1", description="critical fill rate every scenario must keep", ge=0, le=1)
    use_lower_bound: bool = field(
        True, description="judge the fill rate by the lower end of its confidence interval")
    max_cost_increase: float | None = field(
        0.05, unit="1", description="allowed total-cost increase over the last published plan",
        ge=0)
    block_critical_alerts: bool = field(
        True, description="a critical data-quality alert of the plan's pull blocks "
                          "auto-approval")
    max_scrap_value: float | None = field(
        None, unit="currency", description="most the returned units the plan scraps may be "
        "worth (units × unit cost)", ge=0)


def load_rules(path: str | os.PathLike[str] | None) -> ApprovalRules:
    """Rules from a YAML file (defaults when ``path`` is None); errors name file and field."""
    if path is None:
        return ApprovalRules()
    doc = read_yaml(path) or {}
    if isinstance(doc, dict) and "approval" in doc:
        return validate_as(ApprovalRules, doc["approval"], str(path), ("approval",))
    return validate_as(ApprovalRules, doc, str(path))


@dataclass(frozen=True)
class ScenarioEvidence:
    """What the gate needs of one scenario: critical fill (mean, CI lower) and total cost."""

    scenario: str
    critical_fill_mean: float
    critical_fill_lower: float
    total_cost: float


def evidence_summary(evidence: StressEvidence | dict[str, Any] | None
                     ) -> list[ScenarioEvidence]:
    """Per-scenario figures of a plan's stress evidence (:class:`StressEvidence`, or its
    JSON document); raises ``ValueError`` naming what is missing."""
    if not evidence:
        raise ValueError("the plan has no stress-test evidence")
    try:
        found = StressEvidence.parse(evidence)
    except ValueError as exc:
        raise ValueError(f"the stress evidence does not fit its model: {exc}") from None
    if not found.scenarios:
        raise ValueError("the stress evidence has no 'scenarios' list")
    out = []
    for k, row in enumerate(found.scenarios):
        need = {"fill_rate_critical": ("mean", "lower"), **{c: ("mean",) for c in COST_KPIS}}
        for kpi, stats in need.items():
            if kpi not in row.kpis:
                raise ValueError(f"stress evidence scenarios[{k}] lacks {kpi!r}")
            for stat in stats:
                if getattr(row.kpis[kpi], stat) is None:
                    raise ValueError(f"stress evidence scenarios[{k}] lacks {kpi}.{stat}")
        fill = row.kpis["fill_rate_critical"]
        cost = sum(float(row.kpis[c].mean) for c in COST_KPIS)  # type: ignore[arg-type]
        out.append(ScenarioEvidence(row.scenario, float(fill.mean),  # type: ignore[arg-type]
                                    float(fill.lower), cost))  # type: ignore[arg-type]
    return out


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's verdict and why."""

    rule: str
    passed: bool
    why: str


def alerts_outcome(evidence: StressEvidence | dict[str, Any]) -> RuleOutcome:
    """The ``block_critical_alerts`` verdict: fails naming each critical alert recorded
    with ``evidence`` (kind, ERP record, item, lot, warehouse)."""
    alerts = StressEvidence.parse(evidence).data_quality
    if alerts is None:
        return RuleOutcome("block_critical_alerts", True,
                           "no data-quality check is recorded with the evidence")
    found = critical(alerts)
    if not found:
        return RuleOutcome("block_critical_alerts", True,
                           f"no critical data-quality alert ({len(alerts)} others)")
    return RuleOutcome("block_critical_alerts", False,
                       f"{len(found)} critical data-quality alerts: "
                       + "; ".join(map(str, ordered(found))))


def scrap_outcome(limit: float, plan: Plan | None) -> RuleOutcome:
    """The ``max_scrap_value`` verdict: the value of the returned units ``plan``'s
    disposition lines scrap, against ``limit``."""
    if plan is None:
        return RuleOutcome("max_scrap_value", False, "no plan to judge")
    lines = [a for a in plan.actions if isinstance(a, DispositionAction)
             and a.decision == "scrap"]
    unvalued = [a.key for a in lines if not isinstance(a.evidence.get("value_scrapped"),
                                                       int | float)]
    if unvalued:
        return RuleOutcome("max_scrap_value", False, "scrap lines without value_scrapped in "
                           "their evidence: " + ", ".join(unvalued))
    value = sum(float(a.evidence["value_scrapped"]) for a in lines)  # type: ignore[arg-type]
    ok = value <= limit
    return RuleOutcome("max_scrap_value", ok,
                       f"{len(lines)} scrap lines of returned units worth {value:,.2f} "
                       f"{'≤' if ok else '>'} {limit:,.2f}")


def gate(rules: ApprovalRules, evidence: StressEvidence | dict[str, Any] | None,
         last_published: StressEvidence | dict[str, Any] | None,
         plan: Plan | None = None) -> list[RuleOutcome]:
    """Verdict of each enabled rule on ``evidence`` (and the last published plan's) and on
    ``plan``'s lines."""
    lines = ([scrap_outcome(rules.max_scrap_value, plan)]
             if rules.max_scrap_value is not None else [])
    try:
        rows = evidence_summary(evidence)
    except ValueError as exc:
        return [RuleOutcome(name, False, str(exc)) for name in ("min_critical_fill_rate",
                                                                  "max_cost_increase")
                if getattr(rules, name) is not None] + lines
    out = lines
    if rules.block_critical_alerts:
        out.append(alerts_outcome(evidence))
    if rules.min_critical_fill_rate is not None:
        attr = "critical_fill_lower" if rules.use_lower_bound else "critical_fill_mean"
        worst = min(rows, key=lambda r: getattr(r, attr))
        value = getattr(worst, attr)
        ok = value >= rules.min_critical_fill_rate
        out.append(RuleOutcome("min_critical_fill_rate", ok,
                               f"worst scenario {worst.scenario!r}: critical fill "
                               f"{'lower bound ' if rules.use_lower_bound else ''}"
                               f"{value:.4f} {'≥' if ok else '<'} "
                               f"{rules.min_critical_fill_rate:.4f}"))
    if rules.max_cost_increase is not None:
        cost = sum(r.total_cost for r in rows) / len(rows)
        if last_published is None:
            out.append(RuleOutcome("max_cost_increase", True,
                                   "no plan published before for this network"))
        else:
            try:
                before = evidence_summary(last_published)
            except ValueError as exc:
                out.append(RuleOutcome("max_cost_increase", False,
                                       f"last published plan: {exc}"))
            else:
                ref = sum(r.total_cost for r in before) / len(before)
                limit = ref * (1 + rules.max_cost_increase)
                ok = cost <= limit
                out.append(RuleOutcome("max_cost_increase", ok,
                                       f"total cost {cost:,.0f} {'≤' if ok else '>'} "
                                       f"{limit:,.0f} (last published {ref:,.0f} + "
                                       f"{rules.max_cost_increase:.0%})"))
    return out
