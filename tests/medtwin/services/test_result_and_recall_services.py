"""Result files by kind, and the recall impact, as the dashboards get them."""

from pathlib import Path

from medtwin.services.recall import lot_item, recall_impact
from medtwin.services.results import files, result_files
from twin.network_files import load_network
from twin.sim import simulate

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def test_a_simulated_run_is_listed_as_a_simulation(tmp_path: Path) -> None:
    simulate(load_network(TINY), days=5, seed=1, policy="fixed_ss").write(tmp_path / "r.nc")
    (tmp_path / "junk.nc").write_text("not netcdf")
    assert [(f.path, f.kind) for f in result_files(tmp_path)] == \
        [(str(tmp_path / "r.nc"), "simulation")]
    assert files(tmp_path, "simulation") == [str(tmp_path / "r.nc")]
    assert files(tmp_path, "experiment") == []


def test_recall_impact() -> None:
    net = load_network(TINY)
    lot = net.snapshot.lots[0].lot
    impact = recall_impact(net, lot_item(net, lot), lot, 15, 0, "heuristic").set_index("kpi")
    assert set(impact.columns) == {"without recall", "with recall", "difference"}
    assert impact.loc["fill_rate", "with recall"] <= impact.loc["fill_rate", "without recall"]
