"""Assemble a synthetic network: master data, then the tables derived from it."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from twin.domain import Hospital, Item, Network, Org, Substitute, Supplier, Warehouse
from twin.synthetic.catalogue import make_items
from twin.synthetic.demand import build_demand
from twin.synthetic.geography import REGIONS
from twin.synthetic.lanes import lane_pairs, make_lanes
from twin.synthetic.parties import (
    HOME_REGION,
    make_hospitals,
    make_orgs_and_warehouses,
    make_suppliers,
    regions,
)
from twin.synthetic.returns import handling_rules, snapshot_returns, with_return_rates
from twin.synthetic.snapshot import MAX_LOT_ROWS, build_snapshot
from twin.synthetic.stocking import (
    Positions,
    aggregate_demand,
    plan_sourcing,
    policy_records,
    size_policies,
    topology,
)

AS_OF = dt.date(2026, 11, 23)


def served_matrix(hospitals: Sequence[Hospital], warehouses: Sequence[Warehouse]) -> np.ndarray:
    """H × k indices of each hospital's serving warehouses in preference order, −1 padded."""
    wix = {w.id: k for k, w in enumerate(warehouses)}
    width = max(len(h.served_by) for h in hospitals)
    out = np.full((len(hospitals), width), -1)
    for h, hosp in enumerate(hospitals):
        for j, w in enumerate(hosp.served_by):
            out[h, j] = wix[w]
    return out


def derive_tables(orgs: Sequence[Org], warehouses: Sequence[Warehouse], items: Sequence[Item],
                  suppliers: Sequence[Supplier], hospitals: Sequence[Hospital], *,
                  review_days: int, as_of: dt.date, rng: np.random.Generator,
                  max_lot_rows: int = MAX_LOT_ROWS) -> tuple[dict[str, Any], Positions]:
    """Lanes, demand models (with return rates), stock policies, QC rules for returns and
    the opening snapshot (with returned and in-repair lots) for given master data.

    Returns the five sections (records, ready for :class:`~twin.domain.Network`) and the
    stocked positions.
    """
    topo = topology(orgs, warehouses, suppliers)
    src = plan_sourcing(topo, warehouses, items, suppliers)
    dem = build_demand(hospitals, items, served_matrix(hospitals, warehouses), src.can_supply, rng)
    mu, sig2 = aggregate_demand(len(warehouses), len(items), dem.warehouse, dem.item, dem.mean,
                                dem.var, src, topo)
    pairs = lane_pairs(warehouses, topo.hub_of)
    have = {(a, b) for a, b, m in pairs if m == "road"}
    up_w, up_i = np.nonzero((mu > 0) & (src.upstream >= 0))
    needed = sorted({(int(src.upstream[w, i]), int(w)) for w, i in zip(up_w, up_i, strict=True)})
    pairs += [(a, b, "road") for a, b in needed if (a, b) not in have]
    lanes = make_lanes(warehouses, pairs, rng)
    road = {(a, b): lane for (a, b, m), lane in zip(pairs, lanes, strict=True) if m == "road"}
    lane_lead = {k: (v["transit_time"]["mean"], v["transit_time"]["spread"],
                     v["cost_per_shipment"]) for k, v in road.items()}
    pos = size_policies(mu, sig2, src, lane_lead, warehouses, items, review_days)
    snapshot = build_snapshot(pos, items, warehouses, suppliers,
                              {k: v[0] for k, v in lane_lead.items()}, as_of, rng, max_lot_rows)
    snapshot["returns"], snapshot["repairs"] = snapshot_returns(snapshot["lots"], items, as_of)
    tables = {"lanes": lanes, "demand": with_return_rates(dem.records, items),
              "stock_policies": policy_records(pos, warehouses, items, suppliers),
              "return_handling": handling_rules(items), "snapshot": snapshot}
    return tables, pos


def sized_capacity(warehouses: Sequence[Warehouse], pos: Positions) -> list[Warehouse]:
    """Warehouses with capacity 1.5 × the sum of their order-up-to levels (≥ 1,000 units)."""
    total = np.bincount(pos.warehouse, pos.order_up_to, minlength=len(warehouses))
    cap = np.maximum(1000, np.ceil(1.5 * total / 1000) * 1000).astype(int)
    return [w.model_copy(update={"capacity": int(c)}) for w, c in zip(warehouses, cap, strict=True)]


def generate_network(*, warehouses: int, items: int, hospitals: int, seed: int,
                     as_of: dt.date = AS_OF, name: str | None = None) -> Network:
    """A seeded synthetic network of a Chinese medical-device group.

    The same arguments always give the same network (one ``numpy.random.Generator``
    from ``seed``). See :mod:`twin.synthetic` for what is in it.
    """
    if min(warehouses, items, hospitals) < 1:
        raise ValueError("warehouses, items and hospitals must each be at least 1")
    rng = np.random.default_rng(seed)
    org_recs, wh_recs, hubs = make_orgs_and_warehouses(warehouses, rng)
    item_recs = make_items(items, list(REGIONS), HOME_REGION, rng)
    sup_recs = make_suppliers(item_recs, [wh_recs[k]["id"] for k in hubs], wh_recs[hubs[0]]["id"],
                              rng)
    hosp_recs = make_hospitals(hospitals, wh_recs, rng)
    orgs = [Org.model_validate(r) for r in org_recs]
    whs = [Warehouse.model_validate(r) for r in wh_recs]
    its = [Item.model_validate(r) for r in item_recs]
    sups = [Supplier.model_validate(r) for r in sup_recs]
    hosps = [Hospital.model_validate(r) for r in hosp_recs]
    review_days = 7
    tables, pos = derive_tables(orgs, whs, its, sups, hosps, review_days=review_days, as_of=as_of,
                                rng=rng)
    n_sub = len(orgs) - 1
    net = Network.model_validate({
        "name": name or f"synthetic-{warehouses}w-{items}i-{hospitals}h-seed{seed}",
        "description": (f"Synthetic medical-device group (seed {seed}): a parent in Shanghai and "
                        f"{n_sub} subsidiaries, {warehouses} warehouses, {items} items, "
                        f"{hospitals} hospitals."),
        "settings": {"currency": "CNY", "review_period_days": review_days},
        "regions": regions(), "orgs": orgs, "warehouses": sized_capacity(whs, pos),
        "items": its, "suppliers": sups, "hospitals": hosps, **tables,
    })
    return net.model_copy(update={"substitutes": family_substitutes(net)})


def family_substitutes(net: Network) -> list[Substitute]:
    """Each item's neighbours in its device family (the catalogue's next and previous item
    of the same category: another GTIN of the same family) as its substitutes, one for one,
    the next first; a rule is kept where it covers a demand model whose hospital may use the
    substitute (:meth:`Network.may_substitute`)."""
    family: dict[str, list[str]] = {}
    for it in net.items:
        family.setdefault(it.category, []).append(it.code)
    demand: dict[str, list[str]] = {}
    for d in net.demand:
        demand.setdefault(d.item, []).append(d.hospital)
    rules = []
    for codes in family.values():
        for k, code in enumerate(codes):
            near = [codes[j] for j in (k + 1, k - 1) if 0 <= j < len(codes) and j != k]
            usable = [s for s in dict.fromkeys(near) if any(
                net.may_substitute(h, code, s) for h in demand.get(code, ()))]
            rules += [Substitute(item=code, substitute=s, preference=p)
                      for p, s in enumerate(usable, 1)]
    return rules
