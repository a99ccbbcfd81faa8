"""Substitutes across an experiment: the no-substitutes scenario changes critical fill and
stock, with confidence intervals, on a network where the demanded item runs short."""

from pathlib import Path

from sim_builders import department, hospital, item, lot, network, warehouse

from scenarios.execution import run
from scenarios.experiment import Experiment
from scenarios.library import Library
from scenarios.stats import interval, summarise


def test_turning_substitutes_off_lowers_critical_fill_and_changes_stock(tmp_path: Path):
    net = network(
        warehouses=[warehouse("A")], items=[item("X", unit_cost=50.0), item("Y")],
        hospitals=[hospital("H", ["A"], [department("ICU", "critical")])],
        demand=[{"hospital": "H", "department": "ICU", "item": "X", "mean_per_day": 4},
                {"hospital": "H", "department": "ICU", "item": "Y", "mean_per_day": 1}],
        stock_policies=[{"warehouse": "A", "item": "X", "reorder_point": 8, "order_up_to": 25},
                        {"warehouse": "A", "item": "Y", "reorder_point": 40, "order_up_to": 80}],
        lots=[lot("A", "X", "LX", 500, 25), lot("A", "Y", "LY", 500, 80)],
        substitutes=[{"item": "X", "substitute": "Y"}])
    (tmp_path / "baseline.yaml").write_text("description: as configured\n")
    (tmp_path / "no-substitutes.yaml").write_text("substitutes: false\n")
    scenarios = tuple(Library(tmp_path).resolve_all("baseline,no-substitutes", net))
    ds = run(Experiment(net, ("fixed_ss",), scenarios, days=40, seed=5, baseline="fixed_ss"),
             range(6))
    s = summarise(ds, ["run_fill_rate_critical", "run_fill_rate_own_item",
                       "run_substituted_units", "run_inventory_value_mean"]
                  ).sel(policy="fixed_ss")
    on, off = s.sel(scenario="baseline"), s.sel(scenario="no-substitutes")
    fill = "run_fill_rate_critical"
    assert float(on[fill].sel(stat="lower")) > float(off[fill].sel(stat="upper"))
    assert float(off["run_substituted_units"].sel(stat="mean")) == 0
    assert float(on["run_substituted_units"].sel(stat="lower")) > 0
    # without substitutes the fill rate is the own-item fill rate
    assert float(off[fill].sel(stat="mean")) == float(off["run_fill_rate_own_item"]
                                                      .sel(stat="mean"))
    # common random numbers: the paired difference in mean stock value has a tight interval
    stock = ds["run_inventory_value_mean"].sel(policy="fixed_ss")
    less = interval(stock.sel(scenario="baseline") - stock.sel(scenario="no-substitutes"))
    assert float(less.sel(stat="upper")) < 0
