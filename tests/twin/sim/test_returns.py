"""Returns and repairs in the twin: return draws, quarantine, QC's split, the repair loop,
the balance and the KPIs, on tiny networks checked against the ledger."""

import datetime as dt

import numpy as np
from sim_builders import AS_OF, department, hospital, item, lot, network, trace, warehouse

from twin.lot_trace import trace_ledger
from twin.sim import Recall, simulate
from twin.sim.results import SimulationResult

FIXED = {"family": "fixed"}


def _date(day: int) -> str:
    return (AS_OF + dt.timedelta(days=day)).isoformat()


def _net(rates: list[dict], handling: list[dict] | None = None, qc: int = 2, **kw):
    """One warehouse A with item X (QC hold ``qc`` days) serving H/WARD, whose demand model
    has return ``rates``."""
    return network(warehouses=[warehouse("A")], items=[item("X", qc_hold_days=qc)],
                   hospitals=[hospital("H", ["A"], [department("WARD")])],
                   demand=[{"hospital": "H", "department": "WARD", "item": "X",
                            "mean_per_day": 0.0, "returns": rates}],
                   return_handling=handling or [], **{"lots": [lot("A", "X", "L1", 500,
                                                                   100_000)], **kw})


def _rate(reason: str, rate: float, delay: float = 3) -> dict:
    return {"reason": reason, "rate": rate, "delay_days": {**FIXED, "mean": delay}}


def _led(result: SimulationResult, kind: str):
    led = result.ledger
    return led[led["kind"] == kind]


def _balance_closes(result: SimulationResult) -> None:
    ds = result.to_dataset()
    lhs = ds["opening"] + ds["received"] + ds["returned"]
    rhs = (ds["issued"] + ds["scrapped"] + ds["closing_on_hand"] + ds["closing_in_transit"]
           + ds["closing_in_repair"])
    assert (lhs == rhs).all()


def test_every_unit_comes_back_after_the_delay_into_quarantine_then_restocked():
    net = _net([_rate("unused", 1.0, delay=3)])
    result = simulate(net, days=8, seed=0, demand=trace([(0, "H", "WARD", "X", 7)]))
    back = _led(result, "return_in")
    assert list(zip(back["day"], back["warehouse"], back["lot"], back["quantity"],
                    back["counterpart"], back["reason"], strict=True)) == [
        (3, "A", "L1", 7, "H/WARD", "unused")]
    rel = _led(result, "release")
    assert list(zip(rel["day"], rel["quantity"], rel["reason"], strict=True)) == [
        (5, 7, "returned")]
    s = result.summary()
    assert (s["returned_units"], s["returned_units_unused"], s["restocked_units"]) == (7, 7, 7)
    ds = result.to_dataset()
    assert ds["available_units"].sel(warehouse="A").values.tolist() == [
        99_993] * 3 + [99_993] * 2 + [100_000] * 3
    _balance_closes(result)


def test_no_rate_no_return_and_common_random_numbers():
    """A rate-0 reason returns nothing; demand draws do not depend on return rates."""
    demand = {"hospital": "H", "department": "WARD", "item": "X", "mean_per_day": 20.0}
    base = network(warehouses=[warehouse("A")], items=[item("X")],
                   hospitals=[hospital("H", ["A"], [department("WARD")])], demand=[demand],
                   lots=[lot("A", "X", "L1", 500, 100_000)])
    with_rates = base.model_copy(update={"demand": [base.demand[0].model_copy(update={
        "returns": _net([_rate("defective", 0.2, 1)]).demand[0].returns})]})
    a = simulate(base, days=30, seed=4)
    b = simulate(with_rates, days=30, seed=4)
    assert (a.kpis["demand_units"] == b.kpis["demand_units"]).all()
    assert a.summary()["returned_units"] == 0 and b.summary()["returned_units"] > 0
    zero = simulate(_net([_rate("unused", 0.0)]), days=10, seed=0,
                    demand=trace([(0, "H", "WARD", "X", 50)]))
    assert _led(zero, "return_in").empty


def test_returned_share_matches_the_rate_per_reason():
    rates = {"unused": 0.1, "near_expiry": 0.05, "defective": 0.2}
    net = _net([_rate(r, v, delay=1) for r, v in rates.items()])
    issued = 20 * 2000
    result = simulate(net, days=22, seed=11,
                      demand=trace([(d, "H", "WARD", "X", 2000) for d in range(20)]))
    s = result.summary()
    for reason, rate in rates.items():
        sd = np.sqrt(issued * rate * (1 - rate))
        assert abs(s[f"returned_units_{reason}"] - rate * issued) < 4 * sd, reason
    assert s["returned_units"] == sum(s[f"returned_units_{r}"] for r in rates)


def test_qc_split_shares_and_repairs_back_after_repair_days_at_their_cost():
    handling = [{"reason": "defective", "item": "X", "restock": 0.5, "repair": 0.3,
                 "repair_days": {**FIXED, "mean": 4}, "repair_cost": 2.5}]
    net = _net([_rate("defective", 1.0, delay=1)], handling, qc=1)
    n = 20_000
    result = simulate(net, days=12, seed=5, demand=trace([(0, "H", "WARD", "X", n)]))
    s = result.summary()
    out = _led(result, "repair_out")
    sent = int(out["quantity"].sum())
    scrapped = int(_led(result, "scrap")["quantity"].sum())
    assert s["restocked_units"] + sent + scrapped == n
    assert s["scrapped_units_returned"] == scrapped
    for units, share in ((s["restocked_units"], 0.5), (sent, 0.3), (scrapped, 0.2)):
        assert abs(units - share * n) < 4 * np.sqrt(n * share * (1 - share))
    assert out["day"].unique().tolist() == [2]  # back on day 1, one day of QC
    back = _led(result, "repair_in")
    assert back["day"].unique().tolist() == [6] and back["quantity"].sum() == sent
    assert s["repaired_units"] == sent and s["repair_cost"] == 2.5 * sent
    assert s["total_cost"] >= s["repair_cost"]
    ds = result.to_dataset()
    assert ds["closing_in_repair"].sel(item="X").values.tolist() == [0, 0] + [sent] * 4 + [0] * 6
    _balance_closes(result)


def test_snapshot_returns_wait_for_qc_and_repairs_come_back_on_their_due_date():
    net = _net([], [{"reason": "recalled", "restock": 0.0}], qc=3, returns=[
        {"warehouse": "A", "item": "X", "lot": "R1", "expiry": _date(300), "quantity": 4,
         "reason": "unused", "received": _date(-1)},
        {"warehouse": "A", "item": "X", "lot": "R2", "expiry": _date(300), "quantity": 2,
         "reason": "recalled", "received": _date(-5)}],
        repairs=[{"warehouse": "A", "item": "X", "lot": "R3", "expiry": _date(300),
                  "quantity": 5, "sent": _date(-10), "due": _date(3)}])
    result = simulate(net, days=6, seed=0)
    assert result.summary()["in_repair_units_end"] == 0
    rel = _led(result, "release")
    assert list(zip(rel["day"], rel["lot"], rel["quantity"], strict=True)) == [(2, "R1", 4)]
    scrap = _led(result, "scrap")
    assert list(zip(scrap["day"], scrap["lot"], scrap["quantity"], scrap["reason"],
                    strict=True)) == [(0, "R2", 2, "returned")]
    back = _led(result, "repair_in")
    assert list(zip(back["day"], back["lot"], back["quantity"], strict=True)) == [(3, "R3", 5)]
    ds = result.to_dataset()
    assert ds["closing_in_repair"].sel(item="X").values.tolist() == [5, 5, 5, 0, 0, 0]
    assert int(ds["opening"].isel(time=0).sum()) == 100_000 + 4 + 2 + 5
    _balance_closes(result)


def test_returned_units_of_a_recalled_lot_go_to_the_recall_hold():
    net = _net([_rate("unused", 1.0, delay=3)])
    result = simulate(net, days=8, seed=0, demand=trace([(0, "H", "WARD", "X", 6)]),
                      events=[Recall(item="X", lots=["L1"], day=1)])
    held = _led(result, "quarantine")
    assert list(zip(held["day"], held["quantity"], held["reason"], strict=True)) == [
        (1, 100_000 - 6, "recall"), (3, 6, "recall")]
    assert _led(result, "release").empty and result.summary()["restocked_units"] == 0
    _balance_closes(result)


def test_expired_returned_units_are_scrapped_as_expired():
    net = _net([_rate("near_expiry", 1.0, delay=2)], qc=1,
               lots=[lot("A", "X", "OLD", 3, 10)])
    result = simulate(net, days=6, seed=0, demand=trace([(0, "H", "WARD", "X", 10)]))
    scrap = _led(result, "scrap")
    assert list(zip(scrap["day"], scrap["lot"], scrap["quantity"], scrap["reason"],
                    strict=True)) == [(3, "OLD", 10, "expired")]
    _balance_closes(result)


def test_returns_are_deterministic():
    net = _net([_rate("unused", 0.3, delay=2), _rate("defective", 0.1, delay=4)],
               [{"reason": "defective", "restock": 0.2, "repair": 0.5,
                 "repair_days": {"family": "gamma", "mean": 5, "spread": 2}}])
    runs = [simulate(net, days=20, seed=9,
                     demand=trace([(d, "H", "WARD", "X", 50) for d in range(15)]))
            for _ in range(2)]
    assert runs[0].ledger.equals(runs[1].ledger)
    assert all((runs[0].kpis[k] == runs[1].kpis[k]).all() for k in runs[0].kpis)
    assert runs[0].summary()["repaired_units"] > 0


def test_the_lot_trace_follows_units_back_and_through_repair(tmp_path) -> None:
    handling = [{"reason": "defective", "restock": 0.0, "repair": 1.0,
                 "repair_days": {**FIXED, "mean": 2}}]
    net = _net([_rate("defective", 1.0, delay=1)], handling, qc=1)
    result = simulate(net, days=6, seed=0, demand=trace([(0, "H", "WARD", "X", 3)]))
    path = tmp_path / "run.ledger.parquet"
    result.ledger.to_parquet(path)
    steps = [(s.source, s.target, s.quantity, s.document)
             for s in trace_ledger(path, "L1").steps]
    assert steps[1:] == [("A storage", "hospital H department WARD", 3, ""),
                         ("hospital H department WARD", "A quarantine", 3, "defective"),
                         ("A quarantine", "out for repair", 3, ""),
                         ("out for repair", "A storage", 3, "")]
