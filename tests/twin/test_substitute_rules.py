"""Substitute rules: each bad rule is named by file, field (and CSV line) and what is wrong."""

from pathlib import Path

import pytest

from twin.network_files import TABLES, load_network, save_network
from twin.problems import InputError

STENT, TROP, INF = "STENT-DES-30", "IVD-TROP-100", "INF-SET-STD"


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_network(path)
    return [str(p) for p in info.value.problems]


def _rules(*rules: dict, served_by: list[str] | None = None):
    def edit(doc: dict) -> None:
        doc["substitutes"] = list(rules)
        if served_by is not None:
            doc["hospitals"][0]["served_by"] = served_by
    return edit


@pytest.mark.parametrize(("rules", "served_by", "where", "why"), [
    ([{"item": STENT, "substitute": "NOPE"}], None, "substitutes[0].substitute",
     "unknown item 'NOPE'"),
    ([{"item": STENT, "substitute": STENT}], None, "substitutes[0]",
     "cannot substitute for itself"),
    ([{"item": STENT, "substitute": TROP, "factor": 0}], None, "substitutes[0].factor",
     "greater than 0"),
    ([{"item": STENT, "substitute": INF, "hospital": "H-ZS"}], None,
     "substitutes[0].substitute", "not registered in region 'south'"),
    ([{"item": INF, "substitute": TROP, "hospital": "H-RJ"}], ["WH-HZ", "WH-SH"],
     "substitutes[0].substitute", "cannot be served from 'WH-HZ'"),
    ([{"item": STENT, "substitute": INF, "hospital": "H-RJ"},
      {"item": STENT, "substitute": TROP, "hospital": "H-RJ"}], None, "substitutes[1]",
     "duplicate preference"),
    ([{"item": INF, "substitute": STENT, "department": "ICU"}], None, "substitutes[0]",
     "covers no demand model"),
    ([{"item": STENT, "substitute": TROP, "hospital": "H-ZS", "department": "ICU"}], None,
     "substitutes[0].department", "unknown department 'ICU' of hospital 'H-ZS'"),
])
def test_a_bad_rule_is_named(edited_tiny, rules, served_by, where, why) -> None:
    found = _problems(edited_tiny(_rules(*rules, served_by=served_by)))
    assert any("network.yaml" in p and where in p and why in p for p in found), found


def test_good_rules_load_and_apply_in_preference_order_where_usable(edited_tiny) -> None:
    net = load_network(edited_tiny(_rules(
        {"item": STENT, "substitute": INF, "preference": 2},  # INF: east only
        {"item": STENT, "substitute": TROP, "preference": 1, "factor": 1.5})))
    assert [(r.substitute, r.factor) for r in net.substitutes_for("H-RJ", "CARD", STENT)] == [
        (TROP, 1.5), (INF, 1.0)]
    assert [r.substitute for r in net.substitutes_for("H-ZS", "ER", STENT)] == [TROP]


def test_a_rule_table_in_csv_names_its_line(edited_tiny) -> None:
    net = edited_tiny(lambda d: d.update(substitutes="substitutes.csv"))
    (net / "substitutes.csv").write_text(
        f"item,substitute,factor,preference\n{STENT},{TROP},1,1\n{STENT},{INF},-2,2\n")
    found = _problems(net)
    assert any("substitutes.csv" in p and "substitutes[1].factor (line 3)" in p for p in found), \
        found


def test_rules_round_trip_through_a_csv_table(edited_tiny, tmp_path: Path) -> None:
    net = load_network(edited_tiny(_rules(
        {"item": STENT, "substitute": TROP, "factor": 1.5, "hospital": "H-RJ",
         "department": "CARD"})))
    path = save_network(net, tmp_path / "copy", tables=TABLES.keys())
    assert (tmp_path / "copy" / "substitutes.csv").exists()
    assert load_network(path) == net
