"""Recall response (召回时效): recovery of a recalled lot's units against hand-computed values."""

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest
from sim_builders import department, hospital, item, lane, lot, network, trace, warehouse
from test_processes import Scripted, transfer

from twin.domain import Network
from twin.lot_trace import trace_ledger
from twin.network_files import load_network
from twin.problems import InputError
from twin.sim import Recall, recall_summary, simulate


def _with_recall_response(net: Network, **response: object) -> Network:
    data = net.model_dump(by_alias=True)
    data["settings"]["recall"] = response
    return Network.model_validate(data)


def _run(days: int, icu: dict | None = None, **response: object):
    """A at hand with lot L1 (10 units) and L2; day 0: ICU takes 3 and WARD 2 of L1 (FEFO),
    4 units of L1 leave for B (3 days), so on day 1, when L1 is recalled, 1 unit is on
    hand, 4 are travelling (arrive day 3) and 5 are with two departments."""
    net = network(warehouses=[warehouse("A"), warehouse("B")], items=[item("X")],
                  hospitals=[hospital("H", ["A"], [
                      {**department("ICU", "critical"), "recall_return_days": icu},
                      department("WARD")])],
                  lanes=[lane("A", "B", 3)],
                  lots=[lot("A", "X", "L1", 100, 10), lot("A", "X", "L2", 200, 5)])
    demand = trace([(0, "H", "ICU", "X", 3), (0, "H", "WARD", "X", 2)])
    return simulate(_with_recall_response(net, **response), days=days, seed=0, demand=demand,
                    events=[Recall(item="X", lots=["L1"], day=1)],
                    policy=Scripted({0: [transfer("A", "B", "X", 4)]}))


def test_units_come_back_on_hand_at_once_travelling_on_arrival_issued_after_the_delay():
    # used: ICU round(0.4·3) = 1, WARD round(0.4·2) = 1; the rest returns on day 1 + 5
    result = _run(10, return_days={"family": "fixed", "mean": 5}, used_share=0.4)
    (r,) = result.recalls
    assert (r.units_on_hand, r.units_in_transit, r.units_issued, r.units_used) == (1, 4, 5, 2)
    assert r.units_to_recover == 8
    assert sorted(r.recovered) == [(1, 1), (3, 4), (6, 1), (6, 2)]
    kpis = recall_summary(result.recalls, 10)
    assert kpis == {"recall_days_to_locate": 2.0, "recall_units_to_recover": 8.0,
                    "recall_recovered_1d": 1 / 8, "recall_recovered_3d": 5 / 8,
                    "recall_recovered_7d": 1.0, "recall_days_to_recover": 5.0,
                    "recall_units_not_recovered": 2.0}
    assert kpis.items() <= result.summary().items()
    ds = result.to_dataset()
    assert ds["recall_recovered_units"].values.tolist() == [[1, 5, 8]]
    assert ds["recall_units_used"].values.tolist() == [2]
    assert float(ds["run_recall_recovered_3d"]) == 5 / 8


def test_a_department_may_answer_faster_than_the_network():
    result = _run(10, icu={"family": "fixed", "mean": 1},
                  return_days={"family": "fixed", "mean": 5}, used_share=0.4)
    assert sorted(result.recalls[0].recovered) == [(1, 1), (2, 2), (3, 4), (6, 1)]
    assert result.summary()["recall_recovered_1d"] == 3 / 8


def test_what_comes_back_after_the_run_is_not_counted():
    result = _run(5, return_days={"family": "fixed", "mean": 5}, used_share=0.4)
    kpis = result.summary()
    assert kpis["recall_recovered_7d"] == 5 / 8          # seen by day 4, the last
    assert np.isnan(kpis["recall_days_to_recover"])
    assert kpis["recall_units_not_recovered"] == 2 + 3


def test_nothing_used_and_a_one_day_response_recovers_everything_within_three_days():
    kpis = _run(10, return_days={"family": "fixed", "mean": 1}, used_share=0).summary()
    assert kpis["recall_units_to_recover"] == 10
    assert kpis["recall_recovered_1d"] == 6 / 10          # on hand 1 + departments 5
    assert kpis["recall_recovered_3d"] == 1.0
    assert kpis["recall_days_to_recover"] == 2            # the travelling units
    assert kpis["recall_units_not_recovered"] == 0


def test_drawn_delays_are_reproducible_and_leave_every_other_draw_alone():
    gamma = {"family": "gamma", "mean": 4, "spread": 2}
    a, b = _run(30, return_days=gamma), _run(30, return_days=gamma)
    assert a.recalls[0].recovered == b.recalls[0].recovered
    fixed = _run(30, return_days={"family": "fixed", "mean": 4})
    assert a.ledger.equals(fixed.ledger)
    days = {d for d, _ in a.recalls[0].recovered} - {1, 3}
    assert days and all(d >= 2 for d in days)


def test_no_recall_gives_no_recall_kpis():
    assert all(np.isnan(v) for v in recall_summary([], 10).values())


@pytest.mark.parametrize(("value", "why"), [
    ("{used_share: 1.5}", "less than or equal to 1"),
    ("{return_days: {family: fixed, mean: 0}}", "greater than 0"),
    ("{return_days: 3}", "valid dictionary"),
])
def test_a_bad_recall_response_names_its_file_and_field(tiny_dir: Path, tmp_path: Path,
                                                        value: str, why: str):
    bad = tmp_path / "net"
    shutil.copytree(tiny_dir, bad)
    yaml = bad / "network.yaml"
    yaml.write_text(yaml.read_text().replace("  review_period_days: 7\n",
                                             f"  review_period_days: 7\n  recall: {value}\n"))
    with pytest.raises(InputError) as info:
        load_network(bad)
    text = "\n".join(map(str, info.value.problems))
    assert "network.yaml" in text and "settings.recall" in text and why in text, text


def test_the_ledger_trace_shows_what_the_twin_books_and_not_the_departments_returns(
        tmp_path: Path):
    result = _run(10, return_days={"family": "fixed", "mean": 5}, used_share=0.4)
    result.write(tmp_path / "r.nc")
    notice = result.start + dt.timedelta(days=1)
    response = trace_ledger(tmp_path / "r.ledger.parquet", "L1").recall_response(notice)
    (r,) = result.recalls
    assert sum(response.out.values()) == r.units_on_hand + r.units_in_transit + r.units_issued
    assert response.travelling == r.units_in_transit == 4
    assert response.days_to_locate == r.days_to_identify == 2
    assert [response.recovered_within(n) for n in (0, 1, 2, 3)] == [1, 1, 5, 5]
    assert response.returned == []          # the twin books no department returns
    assert response.still_out == {"hospital H department ICU": 3,
                                  "hospital H department WARD": 2}
