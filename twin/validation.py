"""Cross-reference and consistency checks of a :class:`~twin.domain.Network`.

Field-level checks (types, ranges, GTIN check digits) are done by pydantic while
loading; these functions check what needs the whole network. Each check is one
function yielding ``(path, message)``; :func:`check_network` runs them all.
"""

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator

from twin.domain import Network
from twin.problems import Path, format_path

Found = Iterator[tuple[Path, str]]


def _duplicates(section: Path | str, keys: Iterable[object], what: str) -> Found:
    prefix = (section,) if isinstance(section, str) else section
    seen: dict[object, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            first = format_path((*prefix, seen[key]))
            yield (*prefix, i), f"duplicate {what} {key!r} (first at {first})"
        else:
            seen[key] = i


def check_duplicate_ids(net: Network) -> Found:
    """Ids, item codes, GTINs, lanes and per-key tables are unique."""
    yield from _duplicates("regions", (r.id for r in net.regions), "region id")
    yield from _duplicates("orgs", (o.id for o in net.orgs), "org id")
    yield from _duplicates("warehouses", (w.id for w in net.warehouses), "warehouse id")
    yield from _duplicates("items", (i.code for i in net.items), "item code")
    yield from _duplicates("items", (i.gtin for i in net.items), "GTIN")
    yield from _duplicates("suppliers", (s.id for s in net.suppliers), "supplier id")
    yield from _duplicates("hospitals", (h.id for h in net.hospitals), "hospital id")
    yield from _duplicates("lanes", (lane.id for lane in net.lanes), "lane")
    yield from _duplicates("demand", ((d.hospital, d.department, d.item) for d in net.demand),
                           "demand model for (hospital, department, item)")
    yield from _duplicates("stock_policies", ((p.warehouse, p.item) for p in net.stock_policies),
                           "stock policy for (warehouse, item)")
    yield from _duplicates(
        ("snapshot", "lots"), ((p.warehouse, p.item, p.lot, p.status) for p in net.snapshot.lots),
        "lot position (warehouse, item, lot, status)")
    yield from _duplicates(("snapshot", "purchase_orders"),
                           (po.id for po in net.snapshot.purchase_orders), "purchase order id")
    for s, sup in enumerate(net.suppliers):
        yield from _duplicates(("suppliers", s, "supplies"), (o.item for o in sup.supplies), "item")
    yield from _duplicates("return_handling", ((r.reason, r.item) for r in net.return_handling),
                           "return handling rule for (reason, item)")
    rules = net.substitutes
    yield from _duplicates("substitutes", ((r.item, r.hospital, r.department, r.substitute)
                                           for r in rules),
                           "substitute rule for (item, hospital, department, substitute)")
    yield from _duplicates("substitutes", ((r.item, r.hospital, r.department, r.preference)
                                           for r in rules),
                           "preference for (item, hospital, department, preference)")


def check_references(net: Network) -> Found:
    """Every id a record mentions exists."""
    regions = {r.id for r in net.regions}
    orgs, whs, items = net.org_by_id, net.warehouse_by_id, net.item_by_code
    sups, hosps = net.supplier_by_id, net.hospital_by_id

    def ref(path: Path, value: str | None, known: object, what: str) -> Found:
        if value is not None and value not in known:  # type: ignore[operator]
            yield path, f"unknown {what} {value!r}"

    for i, o in enumerate(net.orgs):
        yield from ref(("orgs", i, "parent"), o.parent, orgs, "org")
        yield from ref(("orgs", i, "region"), o.region, regions, "region")
    for i, w in enumerate(net.warehouses):
        yield from ref(("warehouses", i, "org"), w.org, orgs, "org")
        yield from ref(("warehouses", i, "region"), w.region, regions, "region")
    for i, it in enumerate(net.items):
        for j, r in enumerate(it.registered_regions):
            yield from ref(("items", i, "registered_regions", j), r, regions, "region")
    for i, h in enumerate(net.hospitals):
        yield from ref(("hospitals", i, "region"), h.region, regions, "region")
        for j, w in enumerate(h.served_by):
            yield from ref(("hospitals", i, "served_by", j), w, whs, "warehouse")
    for i, s in enumerate(net.suppliers):
        for j, w in enumerate(s.delivers_to):
            yield from ref(("suppliers", i, "delivers_to", j), w, whs, "warehouse")
        for j, offer in enumerate(s.supplies):
            yield from ref(("suppliers", i, "supplies", j, "item"), offer.item, items, "item")
    for i, lane in enumerate(net.lanes):
        yield from ref(("lanes", i, "from"), lane.source, whs, "warehouse")
        yield from ref(("lanes", i, "to"), lane.target, whs, "warehouse")
    for i, d in enumerate(net.demand):
        yield from ref(("demand", i, "hospital"), d.hospital, hosps, "hospital")
        yield from ref(("demand", i, "item"), d.item, items, "item")
        depts = {x.id for x in hosps[d.hospital].departments} if d.hospital in hosps else None
        if depts is not None and d.department not in depts:
            yield ("demand", i, "department"), (
                f"unknown department {d.department!r} of hospital {d.hospital!r}")
    all_depts = {d.id for h in net.hospitals for d in h.departments}
    for i, r in enumerate(net.substitutes):
        yield from ref(("substitutes", i, "item"), r.item, items, "item")
        yield from ref(("substitutes", i, "substitute"), r.substitute, items, "item")
        yield from ref(("substitutes", i, "hospital"), r.hospital, hosps, "hospital")
        depts = {x.id for x in hosps[r.hospital].departments} if r.hospital in hosps \
            else all_depts
        if r.department is not None and r.department not in depts:
            yield ("substitutes", i, "department"), f"unknown department {r.department!r}" + (
                f" of hospital {r.hospital!r}" if r.hospital is not None else "")
    for i, p in enumerate(net.stock_policies):
        yield from ref(("stock_policies", i, "warehouse"), p.warehouse, whs, "warehouse")
        yield from ref(("stock_policies", i, "item"), p.item, items, "item")
        if p.source is not None and p.source not in sups and p.source not in whs:
            yield ("stock_policies", i, "source"), f"unknown supplier or warehouse {p.source!r}"
    snap = net.snapshot
    for i, lp in enumerate(snap.lots):
        yield from ref(("snapshot", "lots", i, "warehouse"), lp.warehouse, whs, "warehouse")
        yield from ref(("snapshot", "lots", i, "item"), lp.item, items, "item")
    lanes = net.lane_by_id
    for i, t in enumerate(snap.in_transit):
        yield from ref(("snapshot", "in_transit", i, "item"), t.item, items, "item")
        lane_id = f"{t.source}>{t.target}:{t.mode}"
        yield from ref(("snapshot", "in_transit", i), lane_id, lanes, "lane")
    for i, po in enumerate(snap.purchase_orders):
        path = ("snapshot", "purchase_orders", i)
        yield from ref((*path, "supplier"), po.supplier, sups, "supplier")
        yield from ref((*path, "item"), po.item, items, "item")
        yield from ref((*path, "warehouse"), po.warehouse, whs, "warehouse")
        if po.supplier in sups and po.item not in {o.item for o in sups[po.supplier].supplies}:
            yield (*path, "item"), f"supplier {po.supplier!r} does not supply item {po.item!r}"
    for i, rule in enumerate(net.return_handling):
        yield from ref(("return_handling", i, "item"), rule.item, items, "item")
    for section, records in (("returns", snap.returns), ("repairs", snap.repairs)):
        for i, x in enumerate(records):
            yield from ref(("snapshot", section, i, "warehouse"), x.warehouse, whs, "warehouse")
            yield from ref(("snapshot", section, i, "item"), x.item, items, "item")
    for i, x in enumerate(snap.returns):
        yield from ref(("snapshot", "returns", i, "hospital"), x.hospital, hosps, "hospital")


def check_org_tree(net: Network) -> Found:
    """Parent links form a tree: no org is its own ancestor."""
    parent = {o.id: o.parent for o in net.orgs}
    for i, o in enumerate(net.orgs):
        seen, cur = [o.id], o.parent
        while cur is not None and cur in parent:
            if cur == o.id:
                yield ("orgs", i, "parent"), "org cycle: " + " -> ".join([*seen, cur])
                break
            if cur in seen:  # a cycle above this org, reported on its own members
                break
            seen.append(cur)
            cur = parent[cur]


def check_lots(net: Network) -> Found:
    """Lots: not expired if available, consistent expiry, serials of one unit, cold stock cold."""
    snap, items, whs = net.snapshot, net.item_by_code, net.warehouse_by_id
    expiry: dict[tuple[str, str], tuple[object, str]] = {}
    rows = [("lots", i, lp) for i, lp in enumerate(snap.lots)]
    rows += [("in_transit", i, t) for i, t in enumerate(snap.in_transit)]
    rows += [("returns", i, x) for i, x in enumerate(snap.returns)]
    rows += [("repairs", i, x) for i, x in enumerate(snap.repairs)]
    for section, i, lp in rows:
        path = ("snapshot", section, i)
        first = expiry.setdefault((lp.item, lp.lot), (lp.expiry, f"snapshot.{section}[{i}]"))
        if first[0] != lp.expiry:
            yield (*path, "expiry"), (
                f"lot {lp.lot!r} of {lp.item!r} expires {lp.expiry} here but {first[0]} at "
                f"{first[1]}")
        item = items.get(lp.item)
        if item is not None and item.tracking == "serial" and lp.quantity != 1:
            yield (*path, "quantity"), (
                f"item {lp.item!r} is serial-tracked: each serial number is one unit, "
                f"got quantity {lp.quantity}")
    for i, lp in enumerate(snap.lots):
        if lp.status == "available" and lp.expiry <= snap.as_of:
            yield ("snapshot", "lots", i, "status"), (
                f"lot {lp.lot!r} of {lp.item!r} expired on {lp.expiry} (snapshot is as of "
                f"{snap.as_of}) but is marked available")
        item, wh = items.get(lp.item), whs.get(lp.warehouse)
        if item is not None and wh is not None and item.cold_chain and not wh.cold_chain:
            yield ("snapshot", "lots", i, "warehouse"), (
                f"cold-chain item {lp.item!r} stored at {lp.warehouse!r}, which has no 2–8 °C "
                "storage")
    for i, t in enumerate(snap.in_transit):
        if t.eta < t.shipped:
            yield ("snapshot", "in_transit", i, "eta"), f"eta {t.eta} is before shipped {t.shipped}"
        lane = net.lane_by_id.get(f"{t.source}>{t.target}:{t.mode}")
        item = items.get(t.item)
        if lane is not None and item is not None and item.cold_chain and not lane.cold_chain:
            yield ("snapshot", "in_transit", i), (
                f"cold-chain item {t.item!r} travelling on non-cold lane {lane.id}")


def check_returns(net: Network) -> Found:
    """Returned and in-repair lots fit the snapshot's date: returns received on or before it,
    repairs sent on or before it and due no earlier than sent (an overdue repair comes back
    on the first day, like an overdue shipment)."""
    snap = net.snapshot
    for i, x in enumerate(snap.returns):
        if x.received > snap.as_of:
            yield ("snapshot", "returns", i, "received"), (
                f"received {x.received} is after the snapshot date {snap.as_of}")
    for i, r in enumerate(snap.repairs):
        if r.sent > snap.as_of:
            yield ("snapshot", "repairs", i, "sent"), (
                f"sent {r.sent} is after the snapshot date {snap.as_of}")
        if r.due < r.sent:
            yield ("snapshot", "repairs", i, "due"), f"due {r.due} is before sent {r.sent}"


def _reachable(starts: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def check_cold_chain_reach(net: Network) -> Found:
    """A demanded cold item reaches at least one warehouse serving the hospital, cold all the way.

    Cold reach starts at the cold-capable warehouses a supplier of the item delivers to and
    follows cold-chain lanes into cold-capable warehouses.
    """
    whs = net.warehouse_by_id
    cold_edges: dict[str, list[str]] = defaultdict(list)
    for lane in net.lanes:
        if lane.cold_chain and lane.target in whs and whs[lane.target].cold_chain:
            cold_edges[lane.source].append(lane.target)
    direct: dict[str, set[str]] = defaultdict(set)  # item → cold warehouses supplied directly
    for s in net.suppliers:
        cold_targets = {w for w in s.delivers_to if w in whs and whs[w].cold_chain}
        for o in s.supplies:
            direct[o.item] |= cold_targets
    items, hosps = net.item_by_code, net.hospital_by_id
    reach: dict[str, set[str]] = {}
    reported: set[tuple[str, str]] = set()
    for i, d in enumerate(net.demand):
        item, hosp = items.get(d.item), hosps.get(d.hospital)
        if item is None or hosp is None or not item.cold_chain or (d.hospital, d.item) in reported:
            continue
        if item.code not in reach:
            reach[item.code] = _reachable(direct.get(item.code, set()), cold_edges)
        serving = [w for w in hosp.served_by if w in whs]
        if serving and not reach[item.code].intersection(serving):
            reported.add((d.hospital, d.item))
            why = "; ".join(
                f"{w} has no 2–8 °C storage" if not whs[w].cold_chain else
                f"{w} has no cold-chain lane into it from where the item is, and no supplier "
                "of the item delivers there" for w in serving)
            yield ("demand", i, "item"), (
                f"cold-chain item {item.code!r} is demanded at {d.hospital!r} but cannot reach "
                f"any warehouse serving it at 2–8 °C: {why}")


def check_registration(net: Network) -> Found:
    """Items are demanded only in regions where they are registered."""
    items, hosps = net.item_by_code, net.hospital_by_id
    for i, d in enumerate(net.demand):
        item, hosp = items.get(d.item), hosps.get(d.hospital)
        if item is not None and hosp is not None and hosp.region not in item.registered_regions:
            yield ("demand", i, "item"), (
                f"item {d.item!r} is demanded at {d.hospital!r} in region {hosp.region!r} but "
                f"is registered only in {item.registered_regions}")


def check_substitutes(net: Network) -> Found:
    """A substitute rule for one hospital is usable there (the substitute is registered in
    its region and storable where the item is served from); every rule covers at least one
    demand model where it may be used."""
    items, hosps = net.item_by_code, net.hospital_by_id
    demand: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for d in net.demand:
        if d.hospital in hosps and d.item in items:
            demand[d.item].append((d.hospital, d.department))
    for i, r in enumerate(net.substitutes):
        if r.item not in items or r.substitute not in items or (
                r.hospital is not None and r.hospital not in hosps):
            continue  # reported by check_references
        path = ("substitutes", i, "substitute")
        sub = items[r.substitute]
        if r.hospital is not None:
            hosp = hosps[r.hospital]
            wh = net.serving_warehouse(r.hospital, r.item)
            if hosp.region not in sub.registered_regions:
                yield path, (f"substitute {r.substitute!r} is not registered in region "
                             f"{hosp.region!r} of hospital {r.hospital!r} (registered only in "
                             f"{sub.registered_regions})")
                continue
            if wh is not None and sub.cold_chain and not net.warehouse_by_id[wh].cold_chain:
                yield path, (f"cold-chain substitute {r.substitute!r} cannot be served from "
                             f"{wh!r}, which serves {r.item!r} at {r.hospital!r} and has no "
                             "2–8 °C storage")
                continue
        if not any(r.applies_to(h, dept) and net.may_substitute(h, r.item, r.substitute)
                   for h, dept in demand[r.item]):
            yield ("substitutes", i), (
                f"the rule lets {r.substitute!r} stand in for {r.item!r} but covers no demand "
                "model where it may be used (matching hospital, department and item; "
                "substitute registered there and storable at the serving warehouse)")


def check_supplier_reach(net: Network) -> Found:
    """Every warehouse can be replenished: a supplier delivers to it or a lane path leads there."""
    edges: dict[str, list[str]] = defaultdict(list)
    for lane in net.lanes:
        edges[lane.source].append(lane.target)
    reach = _reachable((w for s in net.suppliers for w in s.delivers_to), edges)
    for i, w in enumerate(net.warehouses):
        if w.id not in reach:
            yield ("warehouses", i), (
                f"warehouse {w.id!r} cannot be reached by any supplier: no supplier delivers to "
                "it and no lane leads to it from a warehouse that one does")


CHECKS: tuple[Callable[[Network], Found], ...] = (
    check_duplicate_ids, check_references, check_org_tree, check_lots, check_returns,
    check_cold_chain_reach, check_registration, check_substitutes, check_supplier_reach,
)


def check_network(net: Network) -> list[tuple[Path, str]]:
    """All cross-reference and consistency problems of ``net`` (empty when valid)."""
    return [found for check in CHECKS for found in check(net)]
