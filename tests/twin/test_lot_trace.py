"""Lot trace from the twin's ledger: every place, quantities balance, clear errors."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from medtwin.cli import main
from solvers.registry import shipped_policies
from twin.lot_trace import trace_ledger
from twin.network_files import load_network
from twin.problems import InputError
from twin.sim import Recall, simulate

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    net = load_network(TINY)
    out = tmp_path_factory.mktemp("run") / "run.nc"
    simulate(net, days=30, seed=2, policy="heuristic", policies=shipped_policies(),
             events=[Recall(item="IVD-TROP-100", lots=["TROP2610A"], day=20)]).write(out)
    return out.with_name("run.ledger.parquet")


def test_trace_follows_the_lot_and_balances(ledger: Path) -> None:
    trace = trace_ledger(ledger, "TROP2610A", "IVD-TROP-100")
    assert trace.steps[0].source == "opening stock"
    held = {}  # units per place, from the steps
    for step in trace.steps:
        held[step.source] = held.get(step.source, 0) - step.quantity
        held[step.target] = held.get(step.target, 0) + step.quantity
    storage = {p: q for p, q in held.items() if p.endswith(" storage")}
    assert all(q == 0 for q in storage.values()), held  # the recall emptied storage
    assert held.get("in transit", 0) >= 0
    quarantined = sum(q for p, q in held.items() if p.endswith(" quarantine"))
    assert quarantined > 0
    assert any(p.startswith("hospital ") for p in trace.places)
    assert sum(trace.departments.values()) == sum(
        s.quantity for s in trace.steps if s.target.startswith("hospital "))


def test_cli_trace_from_a_ledger_and_its_errors(ledger: Path) -> None:
    ok = CliRunner().invoke(main, ["trace", "TROP2610A", "--ledger", str(ledger)])
    assert ok.exit_code == 0, ok.output
    assert "lot TROP2610A" in ok.output and "quarantine (recall)" in ok.output
    missing = CliRunner().invoke(main, ["trace", "NOPE", "--ledger", str(ledger)])
    assert missing.exit_code == 2 and "lot 'NOPE' is not in the ledger" in missing.output
    both = CliRunner().invoke(main, ["trace", "X", "--ledger", str(ledger), "--erp",
                                     "http://127.0.0.1:9/db"])
    assert both.exit_code == 2 and "exactly one of --erp URL and --ledger FILE" in both.output
    with pytest.raises(InputError, match="file not found"):
        trace_ledger(ledger.with_name("none.parquet"), "X")
