"""``medtwin calibrate lead-times --into``: the fits written into a network file, lateness
counted once, the file's comments kept, and bad targets refused with nothing written."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from cli_contract import refused, run
from cli_inputs import scms

from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
ROWS = 40
"""The synthetic history (:func:`cli_inputs.scms`): shipment i sent on day i, promised 30
days later and delivered 20 + i mod 21 days later (air)."""


@pytest.fixture
def tiny_by_air(tmp_path: Path) -> Path:
    """A copy of the tiny network whose supplier SUP-MED ships by air."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    yaml_file = folder / "network.yaml"
    text = yaml_file.read_text()
    yaml_file.write_text(text.replace("    order_cost: 800\n", "    order_cost: 800\n"
                                      "    mode: air  # ships by air\n", 1))
    return folder


def test_the_fits_go_into_the_network_and_lateness_counts_once(tiny_by_air: Path,
                                                               tmp_path: Path) -> None:
    result = run(["calibrate", "lead-times", scms(tmp_path / "scms.csv", ROWS),
                  "--into", tiny_by_air])
    assert result.exit_code == 0, result.output
    assert "SUP-MED (air): 2 offer(s)" in result.output
    assert "SUP-DX: left as it was (it has no 'mode')" in result.output
    text = (tiny_by_air / "network.yaml").read_text()
    assert "# A tiny two-org network used by the tests" in text and "# ships by air" in text
    sup = load_network(tiny_by_air).supplier_by_id["SUP-MED"]
    i = np.arange(ROWS)
    delivered, promised = 20 + i % 21, np.full(ROWS, 30)
    late = delivered > promised
    assert sup.lateness.probability == pytest.approx(late.mean())         # 18 of 40
    assert sup.lateness.delay.mean == pytest.approx((delivered - promised)[late].mean(),
                                                    rel=0.03)
    for offer in sup.supplies:
        assert offer.lead_time.mean == pytest.approx(np.minimum(delivered, promised).mean(),
                                                     rel=0.03)
        whole = offer.lead_time.mean + sup.lateness.expected_delay
        assert whole == pytest.approx(delivered.mean(), rel=0.03)  # not the lateness twice
    dx = load_network(TINY).supplier_by_id["SUP-DX"]
    assert load_network(tiny_by_air).supplier_by_id["SUP-DX"] == dx


def test_a_network_with_no_calibrated_mode_is_refused_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    refused(["calibrate", "lead-times", scms(tmp_path / "scms.csv", ROWS), "--into", folder],
            "network.yaml", "suppliers", "no supplier's 'mode' is calibrated",
            "SUP-MED: it has no 'mode'", watch=[folder])


def test_a_mode_the_history_lacks_is_named(tiny_by_air: Path, tmp_path: Path) -> None:
    yaml_file = tiny_by_air / "network.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("mode: air  #", "mode: ocean  #"))
    refused(["calibrate", "lead-times", scms(tmp_path / "scms.csv", ROWS), "--into",
             tiny_by_air], "network.yaml", "SUP-MED: the history has no deliveries by 'ocean'",
            watch=[tiny_by_air])


def test_a_network_that_does_not_validate_is_refused_before_the_history_is_read(
        tiny_by_air: Path, tmp_path: Path) -> None:
    yaml_file = tiny_by_air / "network.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("mode: air  #", "mode: teleport  #"))
    refused(["calibrate", "lead-times", tmp_path / "missing.csv", "--into", tiny_by_air],
            "network.yaml", "suppliers[0].mode", watch=[tiny_by_air])
