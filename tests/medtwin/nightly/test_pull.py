"""The nightly's pull: the ERP's returns put return rates on the demand models it plans."""

import datetime as dt
from pathlib import Path

from erp_adapter.flatfile import write_folder
from erp_adapter.protocol import DemandRecord, ReturnRecord
from medtwin.nightly.config import NightlyConfig
from medtwin.nightly.pipeline import _pull
from solvers.calibration.returns import fit_return_rates
from twin.network_files import load_network

DAY = dt.date(2026, 11, 23)  # the tiny network's snapshot date
KEY = ("H-RJ", "WARD", "INF-SET-STD")


def test_the_pulled_returns_set_the_return_rates_of_the_plan(tiny_dir: Path,
                                                              tmp_path: Path) -> None:
    net = load_network(tiny_dir)
    issued = [DemandRecord(DAY - dt.timedelta(days=d), "WH-SH", *KEY, "INF2601", 10)
              for d in range(1, 21)]
    back = [ReturnRecord(DAY - dt.timedelta(days=d), "WH-SH", *KEY, "INF2601", 1, "unused",
                         DAY - dt.timedelta(days=d + 2)) for d in range(1, 19)]
    folder = write_folder(tmp_path / "erp", net.snapshot, issued, returns=back)
    cfg = NightlyConfig(network=str(tiny_dir), erp=str(folder), history_days=20)
    _, pulled, history, _ = _pull(cfg, net, None, lambda _s: None)
    fit = fit_return_rates(issued, back, DAY - dt.timedelta(days=1)).by_model()
    model = next(d for d in pulled.demand if (d.hospital, d.department, d.item) == KEY)
    assert model.returns == fit[KEY] != []
    assert model.returns[0].reason == "unused" and 0.05 < model.returns[0].rate < 0.15
    assert len(history) == 20
    assert all(not d.returns for d in pulled.demand if (d.hospital, d.department, d.item) != KEY)
