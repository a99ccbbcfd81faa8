"""Where each item is stocked, where each stock point is replenished from, and its (s, S).

The replenishment tree has three levels: suppliers deliver to hubs (the warehouses a
supplier delivers to); a hub a supplier of the item does not deliver to is replenished
from the group's central hub; any other warehouse is replenished from its own org's hub
when that hub may hold the item, otherwise from the central hub. A warehouse may hold
an item only if the item is registered in the warehouse's region and, for 2–8 °C items,
the warehouse has cold storage.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.domain import Item, Org, Supplier, Warehouse

SERVICE_Z = {"critical": 2.05, "high": 1.65, "routine": 1.28}  # cycle service 98 / 95 / 90 %
MAX_COVER_DAYS = 90.0  # a purchase covers at most this many days of demand …
MAX_TRANSFER_COVER_DAYS = 28.0  # … a transfer from a warehouse at most this many …
MAX_SHELF_SHARE = 0.25  # … and either at most this share of the item's shelf life


@dataclass(frozen=True)
class Topology:
    """Hubs of the network: ``hub_of[w]`` is the hub of warehouse w's org (−1: none)."""

    hub_of: np.ndarray
    central: int  # index of the group's central hub

    @property
    def is_hub(self) -> np.ndarray:
        """Whether each warehouse is a hub."""
        return self.hub_of == np.arange(len(self.hub_of))


def topology(orgs: Sequence[Org], warehouses: Sequence[Warehouse],
             suppliers: Sequence[Supplier]) -> Topology:
    """Hubs are the warehouses suppliers deliver to; an org's hub is its first such warehouse.

    The central hub is the hub of the top org (no parent), else the first hub.
    """
    delivered = {w for s in suppliers for w in s.delivers_to}
    org_hub: dict[str, int] = {}
    for k, w in enumerate(warehouses):
        if w.id in delivered:
            org_hub.setdefault(w.org, k)
    if not org_hub:
        raise ValueError("no supplier delivers to any warehouse")
    hub_of = np.array([org_hub.get(w.org, -1) for w in warehouses])
    for k, w in enumerate(warehouses):  # a second delivery point of one org is its own hub
        if w.id in delivered:
            hub_of[k] = k
    top = next((o.id for o in orgs if o.parent is None), None)
    central = org_hub.get(top, min(org_hub.values())) if top else min(org_hub.values())
    return Topology(hub_of=hub_of, central=central)


@dataclass(frozen=True)
class Sourcing:
    """Per warehouse × item (arrays W × I): can it be supplied, and from where."""

    can_supply: np.ndarray  # bool: may hold the item and has a cold-compatible source
    supplier: np.ndarray  # supplier index delivering directly, −1 if from a warehouse
    upstream: np.ndarray  # warehouse index replenishing it, −1 if from a supplier
    lead_mean: np.ndarray  # days, supplier lead time (where supplier ≥ 0)
    lead_spread: np.ndarray  # days
    moq: np.ndarray  # units
    order_cost: np.ndarray  # CNY/order


def may_hold(warehouses: Sequence[Warehouse], items: Sequence[Item]) -> np.ndarray:
    """W × I: item registered in the warehouse's region, and cold storage for cold items."""
    regions = sorted({w.region for w in warehouses})
    reg = np.zeros((len(items), len(regions)), dtype=bool)
    col = {r: j for j, r in enumerate(regions)}
    for i, it in enumerate(items):
        for r in it.registered_regions:
            if r in col:
                reg[i, col[r]] = True
    wreg = np.array([col[w.region] for w in warehouses])
    cold_item = np.array([it.cold_chain for it in items])
    cold_wh = np.array([w.cold_chain for w in warehouses])
    return reg[:, wreg].T & (~cold_item[None, :] | cold_wh[:, None])


def plan_sourcing(topo: Topology, warehouses: Sequence[Warehouse], items: Sequence[Item],
                  suppliers: Sequence[Supplier]) -> Sourcing:
    """Choose each position's source: the cheapest supplier delivering there, else upstream."""
    n_w, n_i = len(warehouses), len(items)
    wix = {w.id: k for k, w in enumerate(warehouses)}
    iix = {it.code: k for k, it in enumerate(items)}
    cost = np.array([it.unit_cost for it in items])
    best_price = np.full((n_w, n_i), np.inf)
    supplier = np.full((n_w, n_i), -1)
    lead_mean = np.zeros((n_w, n_i))
    lead_spread = np.zeros((n_w, n_i))
    moq = np.ones((n_w, n_i), dtype=int)
    order_cost = np.zeros((n_w, n_i))
    for s, sup in enumerate(suppliers):
        its = np.array([iix[o.item] for o in sup.supplies])
        price = np.array([o.unit_price or cost[iix[o.item]] for o in sup.supplies])
        mean = np.array([o.lead_time.mean for o in sup.supplies])
        spread = np.array([o.lead_time.spread for o in sup.supplies])
        q = np.array([o.moq for o in sup.supplies])
        for wid in sup.delivers_to:
            w = wix[wid]
            better = price < best_price[w, its]
            sel = its[better]
            best_price[w, sel] = price[better]
            supplier[w, sel] = s
            lead_mean[w, sel], lead_spread[w, sel] = mean[better], spread[better]
            moq[w, sel], order_cost[w, sel] = q[better], sup.order_cost
    hold = may_hold(warehouses, items)
    direct = hold & (supplier >= 0)
    ok = np.zeros((n_w, n_i), dtype=bool)
    upstream = np.full((n_w, n_i), -1)
    c = topo.central
    ok[c] = direct[c]
    is_hub = topo.is_hub
    for w in range(n_w):
        if w == c:
            continue
        if is_hub[w]:
            via_central = hold[w] & ~direct[w] & ok[c]
            ok[w] = direct[w] | via_central
            upstream[w, via_central] = c
    for w in np.flatnonzero(~is_hub):
        own = topo.hub_of[w]
        own_ok = ok[own] if own >= 0 else np.zeros(n_i, dtype=bool)
        ok[w] = hold[w] & (own_ok | ok[c])
        upstream[w] = np.where(own_ok, own, c)
        upstream[w, ~ok[w]] = -1
    supplier[upstream >= 0] = -1
    supplier[~ok] = -1
    return Sourcing(ok, supplier, upstream, lead_mean, lead_spread, moq, order_cost)


def first_eligible(served_by: np.ndarray, hospital: np.ndarray, item: np.ndarray,
                   can_supply: np.ndarray) -> np.ndarray:
    """For demand rows (hospital, item): the first warehouse in ``served_by`` able to supply.

    ``served_by`` is H × k warehouse indices in preference order, −1 padded. Returns −1
    where none can.
    """
    out = np.full(len(hospital), -1)
    for slot in range(served_by.shape[1] - 1, -1, -1):
        w = served_by[hospital, slot]
        good = (w >= 0) & can_supply[np.maximum(w, 0), item]
        out[good] = w[good]
    return out


@dataclass(frozen=True)
class Positions:
    """Stocked warehouse × item positions and their (s, S) policy."""

    warehouse: np.ndarray
    item: np.ndarray
    supplier: np.ndarray  # −1: from a warehouse
    upstream: np.ndarray  # −1: from a supplier
    mean_per_day: np.ndarray  # units/day including downstream warehouses
    lead_days: np.ndarray
    reorder_point: np.ndarray
    order_up_to: np.ndarray
    order_quantity: np.ndarray
    moq: np.ndarray


def aggregate_demand(n_w: int, n_i: int, warehouse: np.ndarray, item: np.ndarray,
                     mean: np.ndarray, var: np.ndarray, src: Sourcing, topo: Topology
                     ) -> tuple[np.ndarray, np.ndarray]:
    """W × I mean and variance of daily demand, direct plus everything replenished through."""
    mu = np.zeros((n_w, n_i))
    sig2 = np.zeros((n_w, n_i))
    np.add.at(mu, (warehouse, item), mean)
    np.add.at(sig2, (warehouse, item), var)
    is_hub = topo.is_hub
    for level in (~is_hub, is_hub):  # satellites feed hubs, hubs feed the central hub
        for w in np.flatnonzero(level):
            up = src.upstream[w]
            has = (up >= 0) & (mu[w] > 0)
            np.add.at(mu, (up[has], np.flatnonzero(has)), mu[w, has])
            np.add.at(sig2, (up[has], np.flatnonzero(has)), sig2[w, has])
    return mu, sig2


def size_policies(mu: np.ndarray, sig2: np.ndarray, src: Sourcing,
                  lane_lead: dict[tuple[int, int], tuple[float, float, float]],
                  warehouses: Sequence[Warehouse], items: Sequence[Item],
                  review_days: int) -> Positions:
    """(s, S) for every position with demand.

    s = μ·L + z·√((L+R)·σ² + μ²·σ_L²), the demand over the lead time L plus safety stock
    over lead time and review period R at the item's service z; S = s + Q with
    Q = max(μ·R, EOQ, MOQ), EOQ = √(2·365μ·K / (h·c)) with K the supplier's order cost or
    the lane's cost per shipment, capped at 90 days of demand for purchases, 28 for
    transfers, and a quarter of the shelf life (never below the MOQ).
    """
    w, i = np.nonzero(mu > 0)
    m, v = mu[w, i], sig2[w, i]
    sup, up = src.supplier[w, i], src.upstream[w, i]
    lane = np.array([lane_lead[(u, x)] if u >= 0 else (0.0, 0.0, 0.0)
                     for u, x in zip(up.tolist(), w.tolist(), strict=True)]).reshape(-1, 3)
    from_wh = up >= 0
    lead = np.where(from_wh, lane[:, 0], src.lead_mean[w, i])
    lead_sd = np.where(from_wh, lane[:, 1], src.lead_spread[w, i])
    fixed = np.where(from_wh, lane[:, 2], src.order_cost[w, i])
    moq = np.where(from_wh, 1, src.moq[w, i])
    z = np.array([SERVICE_Z.get(it.criticality, 1.65) for it in items])[i]
    cost = np.array([it.unit_cost for it in items])[i]
    shelf = np.array([it.shelf_life_days for it in items])[i]
    hold = np.array([wh.holding_rate for wh in warehouses])[w]
    ss = z * np.sqrt((lead + review_days) * v + (m * lead_sd) ** 2)
    s = np.ceil(m * lead + ss).astype(int)
    eoq = np.sqrt(2 * 365 * m * np.maximum(fixed, 1.0) / np.maximum(hold * cost, 1e-6))
    cover = np.minimum(np.where(from_wh, MAX_TRANSFER_COVER_DAYS, MAX_COVER_DAYS),
                       MAX_SHELF_SHARE * shelf)
    q = np.minimum(np.maximum(m * review_days, eoq), m * cover)
    q = np.maximum(np.ceil(q).astype(int), moq)
    q = np.maximum(q, 1)
    return Positions(w, i, sup, up, m, lead, s, s + q, q, moq)


def policy_records(pos: Positions, warehouses: Sequence[Warehouse], items: Sequence[Item],
                   suppliers: Sequence[Supplier]) -> list[dict[str, Any]]:
    """Stock-policy records of ``pos``."""
    wid = [w.id for w in warehouses]
    code = [it.code for it in items]
    sid = [s.id for s in suppliers]
    return [{"warehouse": wid[w], "item": code[i], "reorder_point": s, "order_up_to": big_s,
             "source": sid[sp] if sp >= 0 else wid[u]}
            for w, i, s, big_s, sp, u in zip(
                pos.warehouse.tolist(), pos.item.tolist(), pos.reorder_point.tolist(),
                pos.order_up_to.tolist(), pos.supplier.tolist(), pos.upstream.tolist(),
                strict=True)]
