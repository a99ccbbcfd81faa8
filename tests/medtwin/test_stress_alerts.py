"""`medtwin stress --snapshot` of a pulled folder records the pull's data-quality alerts
with the evidence; a bad alerts file is refused (exit 2, nothing written)."""

import json
from pathlib import Path

from click.testing import CliRunner

from erp_adapter.flatfile import write_folder
from medtwin.cli import main
from medtwin.store.rules import ApprovalRules, gate
from scenarios.evidence import StressEvidence
from tests.conftest import TINY
from tests.medtwin.store.samples import FRACTION, NEGATIVE, plan_json
from twin.network_files import load_network


def _stress(tmp_path: Path) -> tuple:
    plan = tmp_path / "plan.json"
    plan.write_text(plan_json("tiny-1"))
    out = tmp_path / "stress"
    result = CliRunner().invoke(main, [
        "stress", str(plan), "--network", str(TINY), "--snapshot",
        str(tmp_path / "erp" / "snapshot.yaml"), "--scenarios", "baseline", "--reps", "2",
        "--days", "7", "--workers", "0", "--no-progress", "--out", str(out)])
    return result, out / "tiny-1.stressed.json"


def test_the_evidence_carries_the_pulls_alerts_and_they_block_the_gate(
        tmp_path: Path) -> None:
    write_folder(tmp_path / "erp", load_network(TINY).snapshot, alerts=[NEGATIVE, FRACTION])
    result, stressed = _stress(tmp_path)
    assert result.exit_code == 0, result.output
    assert "2 data-quality alerts of the pull recorded with the evidence (1 critical" in (
        result.output)
    evidence = StressEvidence.parse(json.loads(stressed.read_text())["stress_test"])
    assert evidence.data_quality == [NEGATIVE, FRACTION]
    verdict = {o.rule: o for o in gate(ApprovalRules(), evidence, None)}
    assert not verdict["block_critical_alerts"].passed


def test_a_bad_alerts_file_is_refused_and_nothing_written(tmp_path: Path) -> None:
    write_folder(tmp_path / "erp", load_network(TINY).snapshot, alerts=[NEGATIVE])
    alerts = tmp_path / "erp" / "alerts.yaml"
    alerts.write_text(alerts.read_text().replace("negative_stock", "negative_stok"))
    result, stressed = _stress(tmp_path)
    assert result.exit_code == 2, result.output
    assert f"{alerts}: alerts[0].kind" in result.output
    assert "unknown alert kind 'negative_stok'" in result.output
    assert not stressed.exists()
