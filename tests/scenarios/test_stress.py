"""Stress evidence of a plan: KPIs with CIs per scenario, the worst scenario and why."""

import datetime as dt
from pathlib import Path

import pytest

from medtwin.store.rules import evidence_summary
from scenarios.evidence import StressEvidence
from scenarios.execution import run
from scenarios.experiment import PLAN_POLICY, Experiment
from scenarios.library import Library
from scenarios.stress import evidence
from twin.domain import Network, Plan, TransferAction


def _plan(net: Network) -> Plan:
    return Plan(id="tiny-plan", network=net.name, as_of=net.snapshot.as_of, horizon_days=14,
                created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), actions=[
                    TransferAction(key="t", reason="r", source="WH-SH", target="WH-GZ",
                                   item="IVD-TROP-100", quantity=5,
                                   ship_date=net.snapshot.as_of)])


@pytest.fixture
def stressed(tiny: Network, library_dir: Path) -> StressEvidence:
    (library_dir / "drought.yaml").write_text(
        "description: nothing from the suppliers\nevents:\n"
        "  - {kind: supplier_disruption, supplier: SUP-MED, outage: true, start: 0, end: 60}\n"
        "  - {kind: supplier_disruption, supplier: SUP-DX, outage: true, start: 0, end: 60}\n"
        "  - {kind: demand_multiplier, factor: 2.0, start: 0, end: 60}\n")
    scenarios = tuple(Library(library_dir).resolve_all("baseline,drought,surge", tiny))
    exp = Experiment(tiny, (PLAN_POLICY, "fixed_ss"), scenarios, days=40, seed=2,
                     baseline="fixed_ss", plan=_plan(tiny))
    return evidence(run(exp, range(5)), PLAN_POLICY, against="fixed_ss")


def test_evidence_has_kpis_with_intervals_per_scenario(stressed: StressEvidence) -> None:
    assert [r.scenario for r in stressed.scenarios] == ["baseline", "drought", "surge"]
    doc = stressed.to_doc()
    fill = doc["scenarios"][0]["kpis"]["fill_rate_critical"]
    assert set(fill) == {"mean", "lower", "upper", "half_width", "n"}
    assert fill["lower"] <= fill["mean"] <= fill["upper"] and fill["n"] == 5
    assert stressed.replications == 5 and stressed.days == 40
    assert stressed.plan_id == "tiny-plan" and stressed.policy == PLAN_POLICY
    diff = doc["against"]["scenarios"][0]["kpis"]["holding_cost"]
    assert {"mean", "lower", "upper", "significant"} <= set(diff)
    assert list(doc) == ["policy", "plan_id", "network", "network_sha256", "replications",
                         "days", "seed", "confidence_level", "code_version", "scenarios",
                         "worst", "against"]


def test_worst_scenario_and_why(stressed: StressEvidence) -> None:
    worst = stressed.worst
    assert worst is not None and worst.scenario == "drought"
    by_name = {r.scenario: r for r in stressed.scenarios}
    assert worst.mean == by_name["drought"].kpis["fill_rate_critical"].mean
    assert worst.mean < by_name["baseline"].kpis["fill_rate_critical"].mean
    assert worst.why.startswith("nothing from the suppliers; critical fill rate")
    assert "in the baseline" in worst.why


def test_the_approval_gate_reads_the_evidence(stressed: StressEvidence) -> None:
    rows = evidence_summary(stressed)
    assert [r.scenario for r in rows] == ["baseline", "drought", "surge"]
    assert all(r.total_cost > 0 for r in rows)
