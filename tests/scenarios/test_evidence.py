"""The stress-evidence model reads the JSON that plan files carry and writes it back as is."""

import json

import pytest
from pydantic import ValidationError

from medtwin.store.rules import evidence_summary
from scenarios.evidence import StressEvidence, evidence_doc


def _stat(mean: float | None, n: float = 10.0) -> dict:
    return {"mean": mean, "lower": None if mean is None else mean - 0.01,
            "upper": None if mean is None else mean + 0.01, "half_width": 0.01, "n": n}


def _kpis(fill: float) -> dict:
    return {"fill_rate_critical": _stat(fill), "fill_rate": _stat(0.97),
            "lost_units": _stat(None), "holding_cost": _stat(1234.5),
            "transport_cost": _stat(10.0), "purchase_cost": _stat(0.0),
            "transfer_cost": _stat(2.0)}


HEAD = {"policy": "plan", "plan_id": "tiny-2026-11-23", "network": "tiny",
        "network_sha256": "ab" * 32, "replications": 10, "days": 90, "seed": 0,
        "confidence_level": 0.95, "code_version": "0.1.0+g1234567"}
ROWS = [{"scenario": "baseline", "description": "as planned", "kpis": _kpis(0.995)},
        {"scenario": "surge", "description": "demand surge.", "kpis": _kpis(0.98)}]
WORST = {"scenario": "surge", "kpi": "fill_rate_critical", "mean": 0.98, "lower": 0.97,
         "upper": 0.99, "why": "demand surge; critical fill rate 0.9800 [0.9700, 0.9900]"}
CLI_DOC = {**HEAD, "scenarios": ROWS, "worst": WORST, "against": {
    "policy": "fixed_ss", "scenarios": [{"scenario": "baseline", "kpis": {
        "holding_cost": {**_stat(-5.0), "significant": True}}}]},
    "results_file": "out/tiny-2026-11-23.stress.nc"}
NIGHTLY_DOC = {**HEAD, "scenarios": ROWS, "worst": WORST, "idle_scenarios": ["recall"],
               "files": {"stress results": "out/x.stress.nc", "report": "out/x.report.html"}}


@pytest.mark.parametrize("doc", [CLI_DOC, NIGHTLY_DOC, {"scenarios": []}],
                         ids=["medtwin-stress", "nightly", "minimal"])
def test_todays_evidence_round_trips_byte_for_byte(doc: dict) -> None:
    text = json.dumps(doc, indent=2)
    found = StressEvidence.parse(json.loads(text))
    assert json.dumps(found.to_doc(), indent=2) == text
    assert evidence_doc(found) == doc


def test_typed_access() -> None:
    found = StressEvidence.parse(CLI_DOC)
    assert found.worst is not None and found.worst.scenario == "surge"
    assert found.scenarios[1].kpis["fill_rate_critical"].lower == pytest.approx(0.97)
    assert found.scenarios[0].kpis["lost_units"].mean is None
    assert found.against is not None and found.against.scenarios[0].kpis[
        "holding_cost"].significant


def test_a_document_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ValidationError):
        StressEvidence.parse({"scenarios": "baseline"})
    with pytest.raises(ValueError, match="does not fit"):
        evidence_summary({"scenarios": [{"kpis": {}}]})
    with pytest.raises(ValueError, match="lacks 'transfer_cost'"):
        evidence_summary({"scenarios": [{"scenario": "b", "kpis": {
            k: v for k, v in _kpis(0.99).items() if k != "transfer_cost"}}]})


def test_the_gate_reads_documents_and_models_alike() -> None:
    assert evidence_summary(CLI_DOC) == evidence_summary(StressEvidence.parse(CLI_DOC))
