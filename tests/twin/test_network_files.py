"""Loading, validation messages (file + field + what) and atomic saving of network files."""

from pathlib import Path

import pytest

from twin.network_files import TABLES, load_network, save_network
from twin.problems import InputError


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_network(path)
    return [str(p) for p in info.value.problems]


def one_problem(path: Path, *fragments: str) -> str:
    found = [p for p in problems_of(path) if all(f in p for f in fragments)]
    assert found, f"no problem mentions {fragments}: {problems_of(path)}"
    return found[0]


def test_tiny_network_loads(tiny_dir: Path) -> None:
    net = load_network(tiny_dir)
    assert [o.id for o in net.orgs] == ["GRP", "SUB-S"]
    assert len(net.snapshot.lots) == 48
    assert net.crosses_orgs(net.lane_by_id["WH-SH>WH-GZ:road"])
    assert not net.crosses_orgs(net.lane_by_id["WH-SH>WH-HZ:road"])
    assert net.lanes[1].transit_time.mean == 3


def test_garbage_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "network.yaml"
    bad.write_text("name: [unclosed\n  orgs: {{{\n")
    assert one_problem(bad, str(bad), "not valid YAML", "line")


def test_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "network.yaml"
    bad.write_text("- just\n- a list\n")
    assert one_problem(bad, str(bad), "expected a YAML mapping")


def test_missing_file(tmp_path: Path) -> None:
    assert one_problem(tmp_path / "nope.yaml", "nope.yaml", "file not found")


def test_missing_table_file(edited_tiny) -> None:
    net = edited_tiny()
    (net / "lots.csv").unlink()
    assert one_problem(net, "lots.csv", "file not found", "snapshot.lots")


def test_unknown_reference(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["warehouses"][0].update(org="NOPE"))
    assert one_problem(net, "network.yaml", "warehouses[0].org", "unknown org 'NOPE'")


def test_unknown_reference_in_table_names_csv_line(edited_tiny) -> None:
    net = edited_tiny(lots=lambda ls: [*ls, "WH-XX,INF-SET-STD,L9,2028-01-01,5,available"])
    msg = one_problem(net, "lots.csv", "warehouse", "unknown warehouse 'WH-XX'")
    assert "line 50" in msg


def test_a_value_in_a_column_and_in_one_nested_under_it(edited_tiny) -> None:
    def nest(lines: list[str]) -> list[str]:
        return [lines[0] + ",quantity.unit"] + [line + ("," if k != 2 else ",box")
                                                 for k, line in enumerate(lines[1:], 1)]
    with pytest.raises(InputError) as err:
        load_network(edited_tiny(lots=nest))
    assert "lots.csv: snapshot.lots (line 3): column 'quantity.unit' and the column " \
           "'quantity' it is nested under both have a value: give one or the other" \
        in str(err.value)


def test_negative_quantity(edited_tiny) -> None:
    net = edited_tiny(lots=lambda ls: [ls[0], ls[1].replace(",1,available", ",-3,available"),
                                       *ls[2:]])
    assert one_problem(net, "lots.csv", "snapshot.lots[0].quantity", "line 2", "greater than 0")


def test_fractional_quantity(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["snapshot"]["in_transit"][0].update(quantity=2.5))
    assert one_problem(net, "network.yaml", "snapshot.in_transit[0].quantity", "integer")


def test_bad_gtin_check_digit(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["items"][0].update(gtin="06901234000017"))
    assert one_problem(net, "items[0].gtin", "check digit 7, expected 6")


def test_org_cycle(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["orgs"][0].update(parent="SUB-S"))
    assert one_problem(net, "orgs[0].parent", "org cycle: GRP -> SUB-S -> GRP")


def test_duplicate_id(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["warehouses"][2].update(id="WH-SH"))
    assert one_problem(net, "warehouses[2]", "duplicate warehouse id 'WH-SH'",
                       "first at warehouses[0]")


def test_expired_lot_marked_available(edited_tiny) -> None:
    net = edited_tiny(lots=lambda ls: [*ls, "WH-SH,INF-SET-STD,OLD1,2026-11-01,5,available"])
    assert one_problem(net, "lots.csv", "status", "expired on 2026-11-01", "marked available")


def test_cold_item_cannot_reach_warehouse(edited_tiny) -> None:
    def cut_cold_route(d: dict) -> None:
        d["suppliers"][1]["delivers_to"] = ["WH-SH"]
        for lane in d["lanes"]:
            if lane["to"] == "WH-GZ":
                lane["cold_chain"] = False
        d["snapshot"]["in_transit"] = []

    msg = one_problem(edited_tiny(cut_cold_route), "demand[4].item",
                      "cold-chain item 'IVD-TROP-100'", "'H-ZS'", "no cold-chain lane")
    assert "WH-GZ" in msg


def test_item_demanded_where_not_registered(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["demand"].append(
        {"hospital": "H-ZS", "department": "ER", "item": "INF-SET-STD", "mean_per_day": 5}))
    assert one_problem(net, "demand[5].item", "region 'south'", "registered only in ['east']")


def test_warehouse_no_supplier_can_reach(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["warehouses"].append(
        {"id": "WH-CD", "org": "SUB-S", "region": "south", "city": "Chengdu",
         "latitude": 30.66, "longitude": 104.07, "capacity": 1000}))
    assert one_problem(net, "warehouses[3]", "'WH-CD' cannot be reached by any supplier")


def test_unknown_field_is_rejected(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["warehouses"][0].update(capcity=5))
    assert one_problem(net, "warehouses[0].capcity", "Extra inputs are not permitted")


def test_missing_required_field(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["items"][1].pop("unit_cost"))
    assert one_problem(net, "items[1].unit_cost", "required field is missing")


def test_serial_item_lot_of_many_units(edited_tiny) -> None:
    net = edited_tiny(lots=lambda ls: [ls[0], ls[1].replace(",1,available", ",3,available"),
                                       *ls[2:]])
    assert one_problem(net, "lots.csv", "serial-tracked", "got quantity 3")


def test_all_problems_reported_at_once(edited_tiny) -> None:
    def two_faults(d: dict) -> None:
        d["warehouses"][0]["org"] = "NOPE"
        d["hospitals"][0]["served_by"] = ["WH-NONE"]

    problems = problems_of(edited_tiny(two_faults))
    assert any("unknown org" in p for p in problems)
    assert any("unknown warehouse 'WH-NONE'" in p for p in problems)


def test_save_and_reload_round_trip(tiny_dir: Path, tmp_path: Path) -> None:
    net = load_network(tiny_dir)
    path = save_network(net, tmp_path / "copy", tables=TABLES.keys())
    assert (tmp_path / "copy" / "lots.csv").exists()
    assert load_network(path) == net


def test_save_refuses_to_overwrite_a_foreign_directory(tiny_dir: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("precious")
    with pytest.raises(InputError, match="not a network directory"):
        save_network(load_network(tiny_dir), foreign)
    assert [p.name for p in foreign.iterdir()] == ["thesis.txt"]


def test_save_replaces_a_previous_network(tiny_dir: Path, tmp_path: Path) -> None:
    net = load_network(tiny_dir)
    save_network(net, tmp_path / "n", tables=TABLES.keys())
    save_network(net, tmp_path / "n")
    assert sorted(p.name for p in (tmp_path / "n").iterdir()) == ["network.yaml"]
    assert load_network(tmp_path / "n") == net


@pytest.mark.parametrize(("section", "field", "value"), [
    ("lanes", "cost_per_unit", float("inf")),
    ("demand", "mean_per_day", float("nan")),
    ("demand", "mean_per_day", float("inf")),
    ("demand", "mean_per_day", -float("inf")),
    ("items", "unit_cost", 1e300),
])
def test_numbers_are_finite_and_bounded(edited_tiny, section: str, field: str,
                                        value: float) -> None:
    net = edited_tiny(lambda d: d[section][0].update({field: value}))
    msg = one_problem(net, "network.yaml", f"{section}[0].{field} (line ")
    assert "finite" in msg or "less than or equal" in msg


def test_nan_in_a_list_of_numbers(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["demand"][0].update(weekly=[float("nan"), *[1.0] * 6]))
    assert one_problem(net, "demand[0].weekly[0]", "finite")


def test_an_absurd_quantity_in_a_table(edited_tiny) -> None:
    net = edited_tiny(lots=lambda ls: [*ls, "WH-SH,INF-SET-STD,L9,2028-01-01,"
                                            + "1" + "0" * 30 + ",available"])
    assert one_problem(net, "lots.csv", "quantity (line 50)", "1000000000")


@pytest.mark.parametrize("digits", ["٠٦٩٠١٢٣٤٠٠٠٠١٦", "０６９０１２３４００００１６"])
def test_a_gtin_in_other_digits_is_refused(edited_tiny, digits: str) -> None:
    net = edited_tiny(lambda d: d["items"][0].update(gtin=digits))
    assert one_problem(net, "items[0].gtin", "ASCII 0-9")


def test_a_quantity_in_other_digits_is_refused(edited_tiny) -> None:
    net = edited_tiny(lots=lambda ls: [*ls, "WH-SH,INF-SET-STD,L9,2028-01-01,١٢,available"])
    assert one_problem(net, "lots.csv", "quantity (line 50)")


@pytest.mark.parametrize(("row", "why"), [
    ("WH-SH,INF-SET-STD,L9,2028-01-01,5,available,extra", "7 cells, the header has 6"),
    ("WH-SH,INF-SET-STD,L9", "3 cells, the header has 6"),
])
def test_a_row_of_the_wrong_width_names_file_and_line(edited_tiny, row: str, why: str) -> None:
    net = edited_tiny(lots=lambda ls: [*ls, row])
    assert one_problem(net, "lots.csv", "snapshot.lots (line 50)", why)


def test_line_numbers_count_quoted_line_breaks(edited_tiny) -> None:
    net = edited_tiny(lots=lambda ls: [ls[0], ls[1].replace("SN100200", '"SN1\n00200"'),
                                       *ls[2:], "WH-XX,INF-SET-STD,L9,2028-01-01,5,available"])
    assert one_problem(net, "lots.csv", "unknown warehouse 'WH-XX'", "line 51")


def test_an_empty_table_file_is_an_error(edited_tiny) -> None:
    net = edited_tiny()
    (net / "lots.csv").write_text("")
    assert one_problem(net, "lots.csv", "the file is empty")


def test_a_header_with_a_repeated_column(edited_tiny) -> None:
    net = edited_tiny(lots=lambda ls: [ls[0] + ",status", *(line + ",x" for line in ls[1:])])
    assert one_problem(net, "lots.csv", "status appear more than once")


def test_a_symlink_loop_is_a_clean_error(tmp_path: Path, edited_tiny) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert one_problem(loop, "loop", "cannot read")
    net = edited_tiny()
    (net / "lots.csv").unlink()
    (net / "lots.csv").symlink_to(net / "lots.csv")
    assert one_problem(net, "lots.csv", "symbolic links")


def test_a_yaml_problem_names_its_line(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["warehouses"][1].update(org="NOPE"))
    text = (net / "network.yaml").read_text().splitlines()
    msg = one_problem(net, "warehouses[1].org", "unknown org 'NOPE'")
    line = int(msg.split("(line ")[1].split(")")[0])
    assert "NOPE" in text[line - 1] or "WH-HZ" in text[line - 1]
