"""Checks a plan against its network and the stock on hand before anything is published.

Every problem names the plan file, the line (``actions[i].field``) and what is wrong, so a
rejected plan can be fixed in one pass; nothing is sent to an ERP while any is found.
"""

from collections import defaultdict

from twin.domain import Network, Plan, PurchaseAction, ReorderPointAction, Snapshot, TransferAction
from twin.domain.plan import DispositionAction
from twin.problems import Problem


def _transfer_problems(i: int, a: TransferAction, net: Network) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    whs, items = net.warehouse_by_id, net.item_by_code
    for name, wh in (("from", a.source), ("to", a.target)):
        if wh not in whs:
            out.append((name, f"unknown warehouse {wh!r}"))
    item = items.get(a.item)
    if item is None:
        out.append(("item", f"unknown item {a.item!r}"))
    if out:
        return out
    lane = net.lane_by_id.get(f"{a.source}>{a.target}:{a.mode}")
    if lane is None:
        modes = sorted(ln.mode for ln in net.lanes if ln.source == a.source
                       and ln.target == a.target)
        hint = (f" (lanes on that route: {', '.join(modes)})" if modes
                else " (no lane on that route)")
        out.append(("mode", f"no lane {a.source}>{a.target}:{a.mode}{hint}"))
    elif item is not None and item.cold_chain and not lane.cold_chain:
        out.append(("mode", f"cold-chain item {a.item!r} on non-cold lane {lane.id}"))
    target = whs[a.target]
    if item is not None and item.cold_chain and not target.cold_chain:
        out.append(("to", f"cold-chain item {a.item!r} into {a.target!r}, which has no 2–8 °C "
                          "storage"))
    if item is not None and target.region not in item.registered_regions:
        out.append(("to", f"item {a.item!r} is not registered in region {target.region!r} of "
                          f"{a.target!r}"))
    if item is not None and item.tracking == "serial" and a.lot is not None and a.quantity != 1:
        out.append(("quantity", f"serial number {a.lot!r} is one unit, got {a.quantity}"))
    return out


def _purchase_problems(a: PurchaseAction, net: Network) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    sup = net.supplier_by_id.get(a.supplier)
    item = net.item_by_code.get(a.item)
    wh = net.warehouse_by_id.get(a.warehouse)
    if sup is None:
        out.append(("supplier", f"unknown supplier {a.supplier!r}"))
    if item is None:
        out.append(("item", f"unknown item {a.item!r}"))
    if wh is None:
        out.append(("warehouse", f"unknown warehouse {a.warehouse!r}"))
    if out:
        return out
    assert sup is not None and item is not None and wh is not None
    if a.item not in {o.item for o in sup.supplies}:
        out.append(("item", f"supplier {a.supplier!r} does not supply {a.item!r}"))
    if a.warehouse not in sup.delivers_to:
        out.append(("warehouse", f"supplier {a.supplier!r} does not deliver to {a.warehouse!r}"))
    if item.cold_chain and not wh.cold_chain:
        out.append(("warehouse", f"cold-chain item {a.item!r} into {a.warehouse!r}, which has "
                                 "no 2–8 °C storage"))
    return out


def _reorder_point_problems(a: ReorderPointAction, net: Network) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if a.warehouse not in net.warehouse_by_id:
        out.append(("warehouse", f"unknown warehouse {a.warehouse!r}"))
    if a.item not in net.item_by_code:
        out.append(("item", f"unknown item {a.item!r}"))
    if a.order_up_to < a.reorder_point:
        out.append(("order_up_to", f"order-up-to {a.order_up_to} is below the reorder point "
                                   f"{a.reorder_point}"))
    return out


def _disposition_problems(a: DispositionAction, net: Network) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if a.warehouse not in net.warehouse_by_id:
        out.append(("warehouse", f"unknown warehouse {a.warehouse!r}"))
    item = net.item_by_code.get(a.item)
    if item is None:
        out.append(("item", f"unknown item {a.item!r}"))
    elif item.tracking == "serial" and a.quantity != 1:
        out.append(("quantity", f"serial number {a.lot!r} is one unit, got {a.quantity}"))
    if a.decision == "repair":
        if a.repairer is None:
            out.append(("repairer", "a repair names the supplier that repairs (repairer)"))
        elif a.repairer not in net.supplier_by_id:
            out.append(("repairer", f"repairer {a.repairer!r} is no supplier of the network"))
        if a.repair_due is not None and a.repair_due < a.date:
            out.append(("repair_due", f"due back on {a.repair_due}, before it is sent on "
                                      f"{a.date}"))
    elif a.repairer is not None:
        out.append(("repairer", f"a {a.decision} names no repairer, got {a.repairer!r}"))
    return out


def _returned_problems(plan: Plan, snapshot: Snapshot) -> list[tuple[int, str, str]]:
    """Disposition lines must not decide on more units than the returns zone holds of their
    lot and reason, summed over the plan's lines."""
    held: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for r in snapshot.returns:
        held[(r.warehouse, r.item, r.lot, r.reason)] += r.quantity
    want: dict[tuple[str, str, str, str], int] = defaultdict(int)
    out: list[tuple[int, str, str]] = []
    for i, a in enumerate(plan.actions):
        if not isinstance(a, DispositionAction):
            continue
        key = (a.warehouse, a.item, a.lot, a.reason)
        want[key] += a.quantity
        if want[key] > held[key]:
            out.append((i, "quantity", (
                f"dispositions of lot {a.lot!r} of {a.item!r} returned as {a.reason} add up "
                f"to {want[key]} units by this line, more than the {held[key]} waiting for "
                f"QC at {a.warehouse!r} on {snapshot.as_of}")))
    return out


def _availability_problems(plan: Plan, snapshot: Snapshot) -> list[tuple[int, str, str]]:
    """Transfers out of a warehouse must not exceed its available stock (per lot when a lot
    is named, per item otherwise), summed over the plan's lines."""
    by_item: dict[tuple[str, str], int] = defaultdict(int)
    by_lot: dict[tuple[str, str, str], int] = defaultdict(int)
    for lp in snapshot.lots:
        if lp.status == "available":
            by_item[(lp.warehouse, lp.item)] += lp.quantity
            by_lot[(lp.warehouse, lp.item, lp.lot)] += lp.quantity
    want_item: dict[tuple[str, str], int] = defaultdict(int)
    want_lot: dict[tuple[str, str, str], int] = defaultdict(int)
    out: list[tuple[int, str, str]] = []
    for i, a in enumerate(plan.actions):
        if not isinstance(a, TransferAction):
            continue
        want_item[(a.source, a.item)] += a.quantity
        have = by_item[(a.source, a.item)]
        if want_item[(a.source, a.item)] > have:
            out.append((i, "quantity", (
                f"transfers of {a.item!r} out of {a.source!r} add up to "
                f"{want_item[(a.source, a.item)]} units by this line, more than the {have} "
                f"available on {snapshot.as_of}")))
            continue
        if a.lot is not None:
            want_lot[(a.source, a.item, a.lot)] += a.quantity
            have_lot = by_lot[(a.source, a.item, a.lot)]
            if want_lot[(a.source, a.item, a.lot)] > have_lot:
                out.append((i, "lot", (
                    f"lot {a.lot!r} of {a.item!r} has {have_lot} units available at "
                    f"{a.source!r} on {snapshot.as_of}; the plan ships "
                    f"{want_lot[(a.source, a.item, a.lot)]} by this line")))
    return out


def check_plan(plan: Plan, net: Network, snapshot: Snapshot | None = None,
               file: str = "plan", *, stock: bool = True) -> list[Problem]:
    """Every reason ``plan`` cannot be published against ``net`` and ``snapshot``'s stock
    (``net.snapshot`` when none is given; no stock check when ``stock`` is false); empty
    when it can."""
    problems: list[Problem] = []
    if plan.network != net.name:
        problems.append(Problem(file, "network", f"plan is for network {plan.network!r}, not "
                                                 f"{net.name!r}"))
    keys: dict[str, int] = {}
    for i, a in enumerate(plan.actions):
        if a.key in keys:
            problems.append(Problem(file, f"actions[{i}].key",
                                    f"duplicate key {a.key!r} (first at actions[{keys[a.key]}])"))
        keys.setdefault(a.key, i)
        if isinstance(a, TransferAction):
            found = _transfer_problems(i, a, net)
        elif isinstance(a, PurchaseAction):
            found = _purchase_problems(a, net)
        elif isinstance(a, DispositionAction):
            found = _disposition_problems(a, net)
        else:
            found = _reorder_point_problems(a, net)
        problems += [Problem(file, f"actions[{i}].{name}", msg) for name, msg in found]
    if stock and not problems:
        snap = snapshot or net.snapshot
        problems += [Problem(file, f"actions[{i}].{name}", msg)
                     for i, name, msg in [*_availability_problems(plan, snap),
                                          *_returned_problems(plan, snap)]]
    return problems
