"""Return rates, QC rules and the snapshot's returned / in-repair lots: each bad input is
named by file, field (and CSV line) and what is wrong; the good ones round-trip."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from medtwin.cli import main
from twin.network_files import TABLES, load_network, save_network
from twin.problems import InputError

STENT, INF = "STENT-DES-30", "INF-SET-STD"
FIXED2 = {"family": "fixed", "mean": 2}


def _returned(**kw) -> dict:
    return {"warehouse": "WH-SH", "item": INF, "lot": "RET1", "expiry": "2028-01-31",
            "quantity": 5, "reason": "unused", "received": "2026-11-20", **kw}


def _repair(**kw) -> dict:
    return {"warehouse": "WH-SH", "item": STENT, "lot": "SN9", "expiry": "2028-03-31",
            "quantity": 1, "sent": "2026-11-10", "due": "2026-11-30", **kw}


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_network(path)
    return [str(p) for p in info.value.problems]


def _edit(handling=None, returns=None, repairs=None, rates=None):
    def edit(doc: dict) -> None:
        if handling is not None:
            doc["return_handling"] = handling
        if returns is not None:
            doc["snapshot"]["returns"] = returns
        if repairs is not None:
            doc["snapshot"]["repairs"] = repairs
        if rates is not None:
            doc["demand"][2]["returns"] = rates
    return edit


@pytest.mark.parametrize(("edit", "where", "why"), [
    (_edit(handling=[{"reason": "defective", "item": "NOPE", "restock": 0}]),
     "return_handling[0].item", "unknown item 'NOPE'"),
    (_edit(handling=[{"reason": "unused", "restock": 1}, {"reason": "unused", "restock": 0.5}]),
     "return_handling[1]", "duplicate return handling rule for (reason, item)"),
    (_edit(handling=[{"reason": "defective", "restock": 0.5, "repair": 0.6,
                      "repair_days": FIXED2}]),
     "return_handling[0]", "restock + repair must be ≤ 1"),
    (_edit(handling=[{"reason": "defective", "restock": 0, "repair": 0.5}]),
     "return_handling[0]", "needs repair_days"),
    (_edit(returns=[_returned(warehouse="WH-X")]), "snapshot.returns[0].warehouse",
     "unknown warehouse 'WH-X'"),
    (_edit(returns=[_returned(item="NOPE")]), "snapshot.returns[0].item", "unknown item"),
    (_edit(returns=[_returned(hospital="H-NOPE")]), "snapshot.returns[0].hospital",
     "unknown hospital 'H-NOPE'"),
    (_edit(returns=[_returned(received="2026-11-24")]), "snapshot.returns[0].received",
     "after the snapshot date 2026-11-23"),
    (_edit(returns=[_returned(reason="broken")]), "snapshot.returns[0].reason",
     "'unused', 'near_expiry', 'defective' or 'recalled'"),
    (_edit(returns=[_returned(item=STENT, lot="SN100200", quantity=1)]),
     "snapshot.returns[0].expiry", "expires 2028-01-31 here but 2028-03-31"),
    (_edit(returns=[_returned(item=STENT, lot="SN7", quantity=2)]),
     "snapshot.returns[0].quantity", "serial-tracked"),
    (_edit(repairs=[_repair(warehouse="WH-X")]), "snapshot.repairs[0].warehouse",
     "unknown warehouse 'WH-X'"),
    (_edit(repairs=[_repair(sent="2026-11-25")]), "snapshot.repairs[0].sent",
     "after the snapshot date"),
    (_edit(repairs=[_repair(due="2026-11-01")]), "snapshot.repairs[0].due",
     "before sent 2026-11-10"),
    (_edit(rates=[{"reason": "unused", "rate": 0.7, "delay_days": FIXED2},
                  {"reason": "defective", "rate": 0.5, "delay_days": FIXED2}]),
     "demand[2]", "rates add up to more than 1"),
    (_edit(rates=[{"reason": "recalled", "rate": 0.1, "delay_days": FIXED2}]),
     "demand[2].returns[0].reason", "'unused', 'near_expiry' or 'defective'"),
])
def test_a_bad_return_input_is_named(edited_tiny, edit, where, why) -> None:
    found = _problems(edited_tiny(edit))
    assert any("network.yaml" in p and where in p and why in p for p in found), found


def test_validate_exits_2_on_a_bad_returned_lot(edited_tiny) -> None:
    net = edited_tiny(_edit(returns=[_returned(warehouse="WH-X")]))
    result = CliRunner().invoke(main, ["validate", str(net)])
    assert result.exit_code == 2
    assert "network.yaml: snapshot.returns[0].warehouse" in result.output
    assert "unknown warehouse 'WH-X'" in result.output


def test_a_bad_rate_in_demand_csv_names_its_line(edited_tiny) -> None:
    net = edited_tiny(lambda d: d.update(demand="demand.csv"))
    (net / "demand.csv").write_text(
        "hospital,department,item,mean_per_day,returns.0.reason,returns.0.rate,"
        "returns.0.delay_days.family,returns.0.delay_days.mean\n"
        f"H-RJ,WARD,{INF},40,unused,0.02,fixed,3\n"
        f"H-RJ,CARD,{STENT},1.5,defective,1.5,fixed,3\n")
    found = _problems(net)
    assert any("demand.csv" in p and "demand[1].returns[0].rate (line 3)" in p
               for p in found), found


def test_returns_round_trip_through_csv_tables(edited_tiny, tmp_path: Path) -> None:
    net = load_network(edited_tiny(_edit(
        handling=[{"reason": "defective", "item": STENT, "restock": 0.2, "repair": 0.7,
                   "repair_days": FIXED2, "repair_cost": 900}],
        returns=[_returned(hospital="H-RJ"), _returned(lot="RET2", reason="near_expiry")],
        repairs=[_repair()],
        rates=[{"reason": "unused", "rate": 0.02, "delay_days": FIXED2},
               {"reason": "near_expiry", "rate": 0.01,
                "delay_days": {"family": "gamma", "mean": 5, "spread": 2}}])))
    path = save_network(net, tmp_path / "copy", tables=TABLES.keys())
    assert {"demand.csv", "returns.csv", "repairs.csv"} <= {p.name for p in path.parent.iterdir()}
    assert "returns.1.delay_days.spread" in (path.parent / "demand.csv").read_text()
    assert load_network(path) == net
