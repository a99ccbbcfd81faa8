"""A calibrated network delivers in the twin as the history delivered: the on-time lead
time and the lateness, each counted once."""

from pathlib import Path

import numpy as np
import pytest

from solvers.calibration.into_network import supplier_updates
from solvers.calibration.lead_times import calibrate_by_mode
from solvers.calibration.scms import read_scms
from tests.medtwin.cli_inputs import scms
from tests.twin.sim.sim_builders import (
    department,
    hospital,
    item,
    network,
    receipt_days,
    supplier,
    warehouse,
)


def test_the_twin_delivers_as_the_history_did(tmp_path: Path) -> None:
    rows = 40
    history = read_scms(scms(tmp_path / "scms.csv", rows)).lines
    net = network(warehouses=[warehouse("A")], items=[item("X")],
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  suppliers=[supplier("SUP", ["A"], {"X": 1.0}, mode="air"),
                             supplier("OTHER", ["A"], {"X": 1.0})])
    updates, left = supplier_updates(net, calibrate_by_mode(history))
    assert left == {"OTHER": "it has no 'mode'"}
    (update,) = updates
    sup = net.supplier_by_id["SUP"]
    sup = sup.model_copy(update={"lateness": update.lateness, "supplies": [
        o.model_copy(update={"lead_time": update.lead_time}) for o in sup.supplies]})
    calibrated = net.model_copy(update={"suppliers": [sup, net.suppliers[1]]})
    n = 3000
    days = receipt_days(calibrated, "SUP", "A", "X", n, days=200)
    assert len(days) == n
    delivered = history["lead_time_days"].to_numpy(dtype=float)   # 20 + i mod 21 days
    assert days.mean() == pytest.approx(delivered.mean(), rel=0.03)
    assert update.lateness.probability == pytest.approx(np.mean(delivered > 30))
