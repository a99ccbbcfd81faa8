"""The Data quality page lists the alerts recorded with a stored plan and says whether
they block auto-approval."""

from pathlib import Path

import panel as pn

from dashboards.data import DataStore
from dashboards.views.quality import COLUMNS, DataQualityView
from tests.medtwin.store.samples import FRACTION, NEGATIVE, add_plan, evidence, new_store

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def test_the_page_lists_the_alerts_critical_first_and_the_verdict(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = new_store(url)
    doc = {**evidence(0.995, 100.0),
           "data_quality": [a.model_dump(mode="json") for a in (FRACTION, NEGATIVE)]}
    add_plan(store, "tiny-1", doc)
    add_plan(store, "tiny-2", evidence(0.995, 100.0))
    view = DataQualityView(data=DataStore(results_dir=str(tmp_path), store_url=url,
                                          network_name=str(TINY)))
    view.plan_id = "tiny-1"
    table = view.table().value
    assert list(table.columns) == COLUMNS
    assert table[["severity", "record", "lot", "action"]].values.tolist() == [
        ["critical", "stock.lot,79", "NEG-1", "left out of the snapshot"],
        ["warning", "stock.lot,80", "FRAC-1", "floored to 7 units"]]
    verdict = view.verdict()
    assert verdict.alert_type == "danger" and "1 critical, 1 warning, 0 info" in verdict.object
    view.plan_id = "tiny-2"
    assert "records no data-quality check" in view.verdict().object
    assert view.table().value.empty
    assert isinstance(view.__panel__(), pn.Column)
