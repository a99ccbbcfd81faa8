"""Result files by kind and as described for a picker, and the recall impact, as the
dashboards get them."""

import os
from pathlib import Path

import pytest

from medtwin.services.recall import lot_item, recall_impact
from medtwin.services.results import experiments, files, opening, result_files
from scenarios.execution import run
from scenarios.experiment import Experiment
from scenarios.library import Library
from scenarios.results import write
from twin.network_files import load_network
from twin.sim import RECALL_KPIS, simulate

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def test_a_simulated_run_is_listed_as_a_simulation(tmp_path: Path) -> None:
    simulate(load_network(TINY), days=5, seed=1, policy="fixed_ss").write(tmp_path / "r.nc")
    (tmp_path / "junk.nc").write_text("not netcdf")
    assert [(f.path, f.kind) for f in result_files(tmp_path)] == \
        [(str(tmp_path / "r.nc"), "simulation")]
    assert files(tmp_path, "simulation") == [str(tmp_path / "r.nc")]
    assert files(tmp_path, "experiment") == []


def test_recall_impact_is_paired_over_replications_with_intervals() -> None:
    net = load_network(TINY)
    lot = net.snapshot.lots[0].lot
    impact = recall_impact(net, lot_item(net, lot), lot, 15, range(4), "heuristic")
    assert impact.replications == 4 and list(impact.reach.seed) == [0, 1, 2, 3]
    snap = net.snapshot                                 # recalled on day 0: the snapshot's
    here = sum(p.quantity for p in [*snap.lots, *snap.in_transit] if p.lot == lot)
    assert (impact.reach.units_to_recover == here).all()
    assert (impact.reach.units_issued == 0).all()
    assert (impact.reach.recovered_1d == here).all()     # all on hand: back at once
    response = impact.response.set_index("kpi")
    assert list(response.index) == list(RECALL_KPIS)
    assert response.loc["recall_recovered_1d"].tolist() == [1.0, 1.0, 1.0]
    assert response.loc["recall_units_to_recover", "mean"] == here
    kpis = impact.kpis.set_index("kpi")
    assert list(kpis.index[:2]) == ["recalled_item_fill_rate", "other_items_missed_units"]
    assert (kpis.ci_low <= kpis.difference).all() and (kpis.difference <= kpis.ci_high).all()
    assert kpis.difference.to_numpy() == pytest.approx(
        (kpis["with recall"] - kpis["without recall"]).to_numpy())
    assert kpis.loc["recalled_item_fill_rate", "difference"] <= 0


def test_experiments_are_described_and_the_newest_two_policy_compare_opens(
        tmp_path: Path) -> None:
    net = load_network(TINY)
    base = tuple(Library().resolve_all(["baseline"], net))

    def experiment(name: str, policies: tuple[str, ...], **kind: str) -> str:
        exp = Experiment(net, policies, base, days=5, **kind)  # type: ignore[arg-type]
        path = write(run(exp, range(2)), tmp_path / name)
        os.utime(path, (len(os.listdir(tmp_path)),) * 2)     # written in this order
        return str(path)
    older = experiment("old.nc", ("heuristic", "fixed_ss"), author="mia")
    experiment("one.nc", ("heuristic",))
    experiment("whatif-tiny-1.nc", ("fixed_ss", "heuristic"), run_kind="what-if")
    found = experiments(tmp_path)
    assert [Path(e.path).name for e in found] == ["whatif-tiny-1.nc", "one.nc", "old.nc"]
    assert opening(found).path == older                    # not the newer what-if
    first = found[-1]
    assert (first.run_kind, first.policies, first.scenarios, first.replications, first.days,
            first.date, first.author) == ("compare", ("heuristic", "fixed_ss"),
                                          ("baseline",), 2, 5,
                                          net.snapshot.as_of.isoformat(), "mia")
    assert first.label.startswith("compare · heuristic vs fixed_ss · baseline · 2 reps × 5 d")
    assert opening([]) is None and opening(found[:2]) == found[0]
