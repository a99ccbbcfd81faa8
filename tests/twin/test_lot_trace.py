"""Lot trace from the twin's ledger: every place, quantities balance, clear errors."""

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from medtwin.cli import main
from solvers.registry import shipped_policies
from twin.lot_trace import LotTrace, TraceStep, trace_ledger
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


def _step(day: int, qty: int, source: str, target: str, org: str | None,
          state: str = "done") -> TraceStep:
    return TraceStep(date=dt.date(2026, 11, day), state=state, item="X", lot="L1",
                     quantity=qty, source=source, target=target, org=org, document="")


def test_now_follows_a_sale_to_a_sister_org_until_it_is_received() -> None:
    steps = [_step(1, 50, "inventory adjustment", "WH-A storage", "A"),
             _step(2, 10, "WH-A storage", "sold to org B", "A"),
             _step(3, 4, "supplier", "WH-A storage", "A"),  # a real supplier receipt
             _step(9, 10, "supplier", "WH-B storage", "B", state="draft")]
    shipped = LotTrace(lot="L1", steps=steps)
    assert shipped.now == {"WH-A storage": 44, "in transit to org B": 10}
    assert shipped.planned == [steps[3]]
    received = LotTrace(lot="L1", steps=[*steps[:3], _step(9, 10, "supplier", "WH-B storage",
                                                            "B"),
                                         _step(10, 3, "WH-B storage",
                                               "hospital H department ICU", "B")])
    assert received.now == {"WH-A storage": 44, "WH-B storage": 7,
                            "hospital H department ICU": 3}
    assert received.planned == []
    assert "now: WH-A storage 44; WH-B storage 7; hospital H department ICU 3" in \
        received.lines()
