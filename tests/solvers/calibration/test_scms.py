"""The SCMS importer on a hand-written file with every quirk, and on the real file."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from solvers.calibration.lead_times import calibrate_by_mode
from solvers.calibration.scms import read_scms
from twin.problems import InputError

DATA = Path(__file__).resolve().parents[2] / "data"
REAL = Path(__file__).resolve().parents[4] / "shared" / "data" / "scms" / \
    "SCMS_Delivery_History_Dataset.csv"


@pytest.fixture(scope="module")
def quirky():
    return read_scms(DATA / "scms_quirks.csv").lines.set_index("id")


def test_bom_and_cr_line_ends(quirky: pd.DataFrame) -> None:
    assert list(quirky.index) == ["1", "2", "3", "4", "5"]


def test_both_date_formats_and_text_dates(quirky: pd.DataFrame) -> None:
    assert quirky.loc["1", "po_sent"] == pd.Timestamp("2006-06-01")
    assert quirky.loc["2", "po_sent"] == pd.Timestamp("2013-05-10")
    assert pd.isna(quirky.loc["1", "pq_sent"]) and pd.isna(quirky.loc["3", "po_sent"])
    assert quirky.loc["1", "lead_time_days"] == 41
    assert quirky.loc["2", "lateness_days"] == -2


def test_text_and_references_in_numbers(quirky: pd.DataFrame) -> None:
    assert quirky.loc["2", "weight_kg"] == 100 and quirky.loc["2", "weight_kg_status"] == \
        "reference"
    assert quirky.loc["2", "freight_usd"] == 500.5
    assert np.isnan(quirky.loc["3", "freight_usd"])
    assert quirky.loc["3", "freight_usd_status"] == "freight included in commodity cost"
    assert quirky.loc["4", "freight_usd_status"] == "invoiced separately"
    assert quirky.loc["4", "weight_kg"] == 1250


def test_na_mode_and_quoted_commas(quirky: pd.DataFrame) -> None:
    assert pd.isna(quirky.loc["3", "mode"])
    assert quirky.loc["1", "item_description"] == "HIV 1/2, Test Kit, 100 Tests"


def test_not_scms_is_a_clear_error(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="missing column"):
        read_scms(other)


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/scms is not beside the repo")
def test_real_history_per_mode() -> None:
    history = read_scms(REAL)
    assert len(history.lines) == 10_324
    assert history.quirks["mode N/A"] == 360
    assert history.quirks["references in Freight Cost (USD)"] > 2000
    by_mode = {c.mode: c for c in calibrate_by_mode(history.lines)}
    assert set(by_mode) == {"Air", "Air Charter", "Ocean", "Truck", "unknown"}
    air, ocean = by_mode["Air"].lead_time, by_mode["Ocean"].lead_time
    assert air.n > 3000 and air.ks_distance < 0.05
    assert ocean.distribution.mean > air.distribution.mean  # the sea is slower than the air
    assert 0.5 < by_mode["Air"].lateness.on_time_share < 1


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/scms is not beside the repo")
def test_the_network_fields_split_the_real_deliveries_without_counting_lateness_twice() -> None:
    lines = read_scms(REAL).lines
    for calibration in calibrate_by_mode(lines):
        fields = calibration.network_fields()
        if fields is None:
            continue
        lead, lateness = fields
        rows = lines[lines["mode"].fillna("unknown") == calibration.mode]
        dated = rows[(rows["lead_time_days"] > 0) & rows["on_time_days"].notna()
                     & rows["lateness_days"].notna()]
        whole = dated["lead_time_days"].mean()
        assert lead.mean + lateness.expected_delay == pytest.approx(whole, rel=0.01), (
            calibration.mode)
        assert lead.mean < whole or lateness.probability == 0
