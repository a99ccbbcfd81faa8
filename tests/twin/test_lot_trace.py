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


def _step(day: int, qty: int, source: str, target: str, org: str | None = None,
          state: str = "done") -> TraceStep:
    return TraceStep(date=dt.date(2026, 3, 1) + dt.timedelta(days=day), state=state,
                     item="X", lot="L", quantity=qty, source=source, target=target, org=org,
                     document="")


def test_recall_response_from_moves_as_an_erp_names_them() -> None:
    trace = LotTrace("L", [
        _step(0, 20, "inventory adjustment", "WH-SH storage"),
        _step(1, 5, "WH-SH storage", "hospital H1 department ICU"),
        _step(1, 6, "WH-SH storage", "sold to org SUB-S"),
        _step(2, 3, "WH-SH storage", "in transit"),
        # notice on day 3
        _step(3, 6, "WH-SH storage", "WH-SH quarantine"),
        _step(5, 3, "in transit", "WH-HZ storage"),
        _step(5, 3, "WH-HZ storage", "WH-HZ quarantine"),
        _step(6, 2, "hospital H1 department ICU", "WH-SH storage"),
        _step(8, 2, "WH-SH storage", "supplier"),
        _step(9, 6, "supplier", "WH-GZ storage", org="SUB-S"),  # SUB-S receives its purchase
        _step(12, 6, "WH-GZ storage", "WH-GZ quarantine"),
        _step(20, 1, "WH-SH quarantine", "supplier", state="draft"),
    ])
    r = trace.recall_response(dt.date(2026, 3, 4))
    assert r.out == {"WH-SH storage": 6, "hospital H1 department ICU": 5,
                     "in transit to org SUB-S": 6, "in transit": 3}
    assert r.travelling == 9
    assert r.recovered == [(dt.date(2026, 3, 4), 6), (dt.date(2026, 3, 6), 3),
                           (dt.date(2026, 3, 9), 2), (dt.date(2026, 3, 13), 6)]
    assert r.returned == [(dt.date(2026, 3, 7), 2)]
    assert r.days_to_locate == 6                     # the sister org received on day 9
    assert [r.recovered_within(n) for n in (1, 3, 7, 9)] == [6, 9, 11, 17]
    assert r.still_out == {"hospital H1 department ICU": 3}
    text = "\n".join(r.lines((1, 3, 7)))
    assert "20 units not under control" in text and "located: all within 6 days" in text
    assert "6 within 1 day, 9 within 3 days, 11 within 7 days; 3 still out" in text
    before = trace.recall_response(dt.date(2026, 3, 6))   # day 5 arrivals not yet
    assert before.travelling == 9 and before.days_to_locate == 4
    early = LotTrace("L", trace.steps[:4]).recall_response(dt.date(2026, 3, 4))
    assert early.days_to_locate is None and early.recovered == []
    assert "not all — 9 of 9 units still in transit" in "\n".join(early.lines((1,)))


def test_trace_cli_reports_the_recall_response(ledger: Path) -> None:
    result = CliRunner().invoke(main, ["trace", "TROP2610A", "--ledger", str(ledger),
                                       "--recall-date", "2026-12-13"])
    assert result.exit_code == 0, result.output
    response = trace_ledger(ledger, "TROP2610A").recall_response(dt.date(2026, 12, 13))
    assert response.recovered_within(0) > 0       # the twin quarantines on the notice day
    assert (f"recall notice 2026-12-13: {sum(response.out.values())} units not under "
            "control") in result.output
    assert f"recovered: {response.recovered_within(1)} within 1 day, " in result.output
