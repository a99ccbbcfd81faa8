"""Synthetic networks (twin.synthetic) and the bundled reference network."""

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from twin.domain import Network
from twin.domain.gtin import gtin_problem
from twin.network_files import TABLES, load_network, save_network
from twin.synthetic import generate_network
from twin.synthetic.geography import CITIES, great_circle_km
from twin.synthetic.reference import DERIVED, REFERENCE_DIR, build_reference
from twin.validation import check_network

REPO = Path(__file__).resolve().parents[2]
SMALL = {"warehouses": 5, "items": 100, "hospitals": 10}


@pytest.fixture(scope="module")
def net() -> Network:
    return generate_network(**SMALL, seed=7)


@pytest.fixture(scope="module")
def reference() -> Network:
    return load_network(REFERENCE_DIR)


def _digest(network: Network) -> str:
    return hashlib.sha256(network.model_dump_json().encode()).hexdigest()


# --- determinism and size ------------------------------------------------------------------

def test_same_seed_gives_identical_network(net: Network) -> None:
    assert generate_network(**SMALL, seed=7).model_dump() == net.model_dump()


def test_different_seed_gives_different_network(net: Network) -> None:
    other = generate_network(**SMALL, seed=8)
    assert other.model_dump() != net.model_dump()
    assert [d.mean_per_day for d in other.demand] != [d.mean_per_day for d in net.demand]


def test_identical_across_processes_whatever_the_hash_seed(net: Network) -> None:
    code = ("import hashlib; from twin.synthetic import generate_network; "
            "n = generate_network(warehouses=5, items=100, hospitals=10, seed=7); "
            "print(hashlib.sha256(n.model_dump_json().encode()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, check=True,
                         capture_output=True, text=True)
    assert out.stdout.strip() == _digest(net)


@pytest.mark.parametrize(("warehouses", "items", "hospitals"),
                         [(5, 100, 10), (1, 3, 1), (12, 60, 25)])
def test_counts_match_the_arguments(warehouses: int, items: int, hospitals: int) -> None:
    n = generate_network(warehouses=warehouses, items=items, hospitals=hospitals, seed=3)
    assert (len(n.warehouses), len(n.items), len(n.hospitals)) == (warehouses, items, hospitals)
    assert check_network(n) == []


def test_as_of_and_name_are_used() -> None:
    n = generate_network(**SMALL, seed=1, as_of=dt.date(2027, 3, 1), name="mine")
    assert n.name == "mine"
    assert n.snapshot.as_of == dt.date(2027, 3, 1)


def test_saved_network_loads_back_identical(net: Network, tmp_path: Path) -> None:
    save_network(net, tmp_path / "synthetic", tables=TABLES.keys())
    assert (tmp_path / "synthetic" / "lots.csv").exists()
    assert load_network(tmp_path / "synthetic").model_dump() == net.model_dump()


# --- realism invariants --------------------------------------------------------------------

def test_group_is_a_parent_with_subsidiaries_in_several_regions(net: Network) -> None:
    tops = [o for o in net.orgs if o.parent is None]
    subs = [o for o in net.orgs if o.parent is not None]
    assert len(tops) == 1 and len(subs) >= 2
    assert all(o.parent == tops[0].id for o in subs)
    assert len({o.region for o in subs}) >= 2


def test_warehouses_and_hospitals_are_in_real_cities(net: Network) -> None:
    cities = {(c.name, c.region): c for c in CITIES}
    for w in net.warehouses:
        c = cities[(w.city, w.region)]
        assert (w.latitude, w.longitude) == (c.latitude, c.longitude)
    for h in net.hospitals:
        c = cities[(h.city, h.region)]
        assert great_circle_km(h.latitude, h.longitude, c.latitude, c.longitude) < 25


def test_each_orgs_first_warehouse_is_a_cold_hub_suppliers_deliver_to(net: Network) -> None:
    delivered = {w for s in net.suppliers for w in s.delivers_to}
    firsts = {}
    for w in net.warehouses:
        firsts.setdefault(w.org, w)
    assert all(w.cold_chain and w.id in delivered for w in firsts.values())
    assert delivered <= {w.id for w in firsts.values()}


def test_cold_items_only_in_cold_warehouses(net: Network) -> None:
    items, whs = net.item_by_code, net.warehouse_by_id
    cold_items = {i.code for i in net.items if i.cold_chain}
    assert cold_items, "the catalogue has IVD reagents"
    for p in net.stock_policies:
        assert p.item not in cold_items or whs[p.warehouse].cold_chain
    for lp in net.snapshot.lots:
        assert not items[lp.item].cold_chain or whs[lp.warehouse].cold_chain


def test_serial_items_are_one_row_per_serial(net: Network) -> None:
    serial = {i.code for i in net.items if i.tracking == "serial"}
    rows = [lp for lp in net.snapshot.lots if lp.item in serial]
    assert rows
    assert all(lp.quantity == 1 for lp in rows)
    assert all(t.quantity == 1 for t in net.snapshot.in_transit if t.item in serial)
    assert len({(lp.item, lp.lot) for lp in rows}) == len(rows)


def test_every_hospital_has_every_priority_class(net: Network) -> None:
    for h in net.hospitals:
        assert {d.priority for d in h.departments} == {"critical", "high", "routine"}, h.id


def test_hospitals_are_served_nearest_first_with_a_cold_warehouse(net: Network) -> None:
    whs = net.warehouse_by_id
    for h in net.hospitals:
        assert 1 <= len(h.served_by) <= 3
        dist = [great_circle_km(h.latitude, h.longitude, whs[w].latitude, whs[w].longitude)
                for w in h.served_by]
        assert dist == sorted(dist)
        assert any(whs[w].cold_chain for w in h.served_by)


def test_suppliers_include_vmi_and_lead_time_distributions(net: Network) -> None:
    assert any(s.vmi for s in net.suppliers)
    families = {o.lead_time.family for s in net.suppliers for o in s.supplies}
    assert families <= {"gamma", "lognormal"}
    assert all(o.lead_time.spread > 0 for s in net.suppliers for o in s.supplies)
    offered = {o.item for s in net.suppliers for o in s.supplies}
    assert offered == {i.code for i in net.items}


def test_items_have_valid_gtins_realistic_costs_and_registrations(net: Network) -> None:
    assert all(gtin_problem(i.gtin) is None for i in net.items)
    by_cat = {i.category: i for i in net.items}
    assert {"coronary_stent", "orthopaedic_implant", "catheter", "balloon_catheter",
            "ivd_reagent", "surgical_stapler", "consumable"} <= set(by_cat)
    for i in net.items:
        if i.category in ("coronary_stent", "orthopaedic_implant"):
            assert i.tracking == "serial" and i.unit_cost >= 400
        if i.category == "ivd_reagent":
            assert i.cold_chain and 180 <= i.shelf_life_days <= 365
        if i.category == "consumable":
            assert i.unit_cost < 100
    regions = {r.id for r in net.regions}
    assert any(set(i.registered_regions) != regions for i in net.items)
    assert sum(set(i.registered_regions) == regions for i in net.items) > len(net.items) / 2


def test_demand_only_for_registered_items_a_department_uses(net: Network) -> None:
    items, hosps = net.item_by_code, net.hospital_by_id
    uses = {"CARD": {"coronary_stent", "balloon_catheter", "interventional_catheter",
                     "consumable"},
            "ORTH": {"orthopaedic_implant", "suture", "consumable"},
            "LAB": {"ivd_reagent", "consumable"}}
    for d in net.demand:
        assert hosps[d.hospital].region in items[d.item].registered_regions
        assert items[d.item].category in uses.get(d.department, {items[d.item].category})
    families = Counter((items[d.item].category, d.family) for d in net.demand)
    assert families[("coronary_stent", "intermittent")] > 0
    assert not any(f != "intermittent" for (c, f) in families if c == "orthopaedic_implant")
    assert any(d.weekly for d in net.demand) and any(d.annual_amplitude > 0 for d in net.demand)


def test_stock_policies_follow_the_replenishment_tree(net: Network) -> None:
    whs, sups = net.warehouse_by_id, net.supplier_by_id
    lanes = {(lane.source, lane.target) for lane in net.lanes}
    items = net.item_by_code
    for p in net.stock_policies:
        assert p.source is not None
        assert whs[p.warehouse].region in items[p.item].registered_regions
        if p.source in sups:
            assert p.warehouse in sups[p.source].delivers_to
            assert p.item in {o.item for o in sups[p.source].supplies}
        else:
            assert (p.source, p.warehouse) in lanes
        assert p.order_up_to > p.reorder_point >= 0


def test_every_demand_has_a_stocked_serving_warehouse(net: Network) -> None:
    stocked = {(p.warehouse, p.item) for p in net.stock_policies}
    hosps = net.hospital_by_id
    for d in net.demand:
        assert any((w, d.item) in stocked for w in hosps[d.hospital].served_by)


def test_snapshot_has_the_usual_mess(net: Network) -> None:
    snap = net.snapshot
    statuses = Counter(lp.status for lp in snap.lots)
    assert statuses["available"] > statuses["quarantine"] > 0
    assert statuses["reserved"] > 0
    near = [lp for lp in snap.lots if lp.expiry <= snap.as_of + dt.timedelta(days=60)]
    assert 0 < len(near) < len(snap.lots) / 5
    assert snap.in_transit and snap.purchase_orders
    positions = Counter((lp.warehouse, lp.item) for lp in snap.lots
                        if net.item_by_code[lp.item].tracking == "lot")
    assert max(positions.values()) <= 3


# --- the bundled reference network ---------------------------------------------------------

def test_reference_network_loads_and_has_the_promised_shape(reference: Network) -> None:
    net = reference
    assert check_network(net) == []
    assert 6 <= len(net.warehouses) <= 10
    assert 0 < sum(w.cold_chain for w in net.warehouses) < len(net.warehouses)
    assert 40 <= len(net.items) <= 80
    assert len(net.hospitals) >= 30
    top = [o for o in net.orgs if o.parent is None]
    subs = [o for o in net.orgs if o.parent is not None]
    assert len(top) == 1 and len(subs) >= 2 and len({o.region for o in subs}) >= 2
    assert net.warehouse_by_id["WH-SHA"].org == top[0].id
    assert len(net.suppliers) >= 3 and any(s.vmi for s in net.suppliers)
    for h in net.hospitals:
        assert {d.priority for d in h.departments} == {"critical", "high", "routine"}
    cats = Counter(i.category for i in net.items)
    assert cats["coronary_stent"] and cats["orthopaedic_implant"] and cats["ivd_reagent"]
    assert cats["surgical_stapler"] and cats["consumable"] and cats["balloon_catheter"]
    assert all(i.tracking == "serial" for i in net.items
               if i.category in ("coronary_stent", "orthopaedic_implant"))
    assert all(i.cold_chain and 180 <= i.shelf_life_days <= 365 for i in net.items
               if i.category == "ivd_reagent")


def test_reference_snapshot_and_capacities(reference: Network) -> None:
    snap = reference.snapshot
    assert any(lp.status == "quarantine" for lp in snap.lots)
    assert any(lp.expiry <= snap.as_of + dt.timedelta(days=60) for lp in snap.lots)
    assert len(snap.lots) < 20_000
    s_total = Counter()
    for p in reference.stock_policies:
        s_total[p.warehouse] += p.order_up_to
    for w in reference.warehouses:
        assert s_total[w.id] <= w.capacity, w.id


def test_reference_tables_rederive_identically(tmp_path: Path) -> None:
    work = tmp_path / "reference"
    work.mkdir()
    for name in ("network.yaml", "items.csv"):
        shutil.copy(REFERENCE_DIR / name, work / name)
    build_reference(work)
    for name in DERIVED:
        assert (work / name).read_text() == (REFERENCE_DIR / name).read_text(), name


def test_generated_returns_follow_the_device_families(net: Network) -> None:
    """Return rates by category, QC rules (repairable staplers), snapshot returns and a
    stapler out for repair."""
    category = {i.code: i.category for i in net.items}
    rated = {category[d.item] for d in net.demand if d.returns}
    assert rated <= {"consumable", "ivd_reagent", "interventional_catheter",
                     "surgical_stapler"} and "consumable" in rated
    assert all(not d.returns for d in net.demand
               if category[d.item] in ("coronary_stent", "orthopaedic_implant"))
    repaired = [r for r in net.return_handling if r.repair > 0]
    assert repaired and all(category[r.item] == "surgical_stapler" for r in repaired)
    assert net.handling("unused", "ANY").restock == 0.9
    assert {r.reason for r in net.snapshot.returns} <= {"unused", "near_expiry", "defective"}
    assert len(net.snapshot.repairs) == 1
    assert all(r.due > net.snapshot.as_of > r.sent for r in net.snapshot.repairs)
