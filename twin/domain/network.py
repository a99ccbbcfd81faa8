"""The network: master data, demand models, stocking parameters and the opening snapshot."""

import datetime as dt
import hashlib
from functools import cached_property

from pydantic import model_validator

from twin.domain.demand import DemandModel
from twin.domain.distributions import Distribution
from twin.domain.fields import MAX_UNITS, DomainModel, field
from twin.domain.items import Item
from twin.domain.lanes import Lane
from twin.domain.parties import Hospital, Org, Region, Supplier, Warehouse
from twin.domain.returns import DEFAULT_HANDLING, ReturnHandling, ReturnReason
from twin.domain.snapshot import Snapshot
from twin.domain.substitutes import Substitute


def _two_days() -> Distribution:
    return Distribution(family="fixed", mean=2)


class RecallResponse(DomainModel):
    """How a recall is answered: units on hand are quarantined at once, travelling units on
    arrival; each department that received recalled units returns those it still holds
    ``return_days`` (or its own ``recall_return_days``) after the notice (one draw per
    department and recall, rounded to whole days, at least 1); the ``used_share`` of the
    units issued to it (rounded half up per department) was already used on patients and is
    never recovered."""

    return_days: Distribution = field(
        _two_days, description="days from the recall notice until a department has returned "
                               "the recalled units it still holds")
    used_share: float = field(
        0.5, unit="fraction", ge=0, le=1,
        description="share of the recalled units issued to departments already used on "
                    "patients (never recovered)")


class Settings(DomainModel):
    """Network-wide settings."""

    currency: str = field("CNY", description="ISO 4217 currency of all costs",
                          pattern=r"^[A-Z]{3}$")
    review_period_days: int = field(
        7, unit="days", description="how often policies review stock", ge=1, le=366)
    recall: RecallResponse = field(RecallResponse,
                                   description="how departments answer a recall notice")


class StockPolicy(DomainModel):
    """Fixed (s, S) parameters of one warehouse × item: order up to S when position ≤ s."""

    warehouse: str = field(description="warehouse id")
    item: str = field(description="item code")
    reorder_point: int = field(unit="units", description="reorder point s", ge=0,
                               le=MAX_UNITS)
    order_up_to: int = field(unit="units", description="order-up-to level S", ge=1,
                             le=MAX_UNITS)
    source: str | None = field(
        None, description="supplier id or warehouse id to replenish from; none = first supplier")

    @model_validator(mode="after")
    def _s_below_S(self) -> "StockPolicy":
        if self.order_up_to < self.reorder_point:
            raise ValueError(
                f"order_up_to {self.order_up_to} is below reorder_point {self.reorder_point}")
        return self


class Network(DomainModel):
    """A whole multi-org network; cross-references are checked by :mod:`twin.validation`."""

    name: str = field(description="network name", min_length=1)
    description: str = field("", description="what this network represents")
    settings: Settings = field(Settings, description="network-wide settings")
    regions: list[Region] = field(description="regulatory regions", min_length=1)
    orgs: list[Org] = field(description="legal entities", min_length=1)
    warehouses: list[Warehouse] = field(description="warehouses", min_length=1)
    items: list[Item] = field(description="item catalogue", min_length=1)
    suppliers: list[Supplier] = field(description="suppliers", min_length=1)
    hospitals: list[Hospital] = field(description="hospitals", min_length=1)
    lanes: list[Lane] = field(list, description="transport lanes between warehouses")
    demand: list[DemandModel] = field(list, description="demand models")
    stock_policies: list[StockPolicy] = field(list, description="fixed (s, S) parameters")
    substitutes: list[Substitute] = field(
        list, description="items departments accept when theirs is short")
    return_handling: list[ReturnHandling] = field(
        list, description="what QC does with returned units, by reason (and item)")
    snapshot: Snapshot = field(description="opening inventory state")

    @cached_property
    def digest(self) -> str:
        """sha256 (hex) of the network's JSON form (master data, demand models, snapshot):
        how results and caches name the network they came from."""
        return hashlib.sha256(self.model_dump_json(by_alias=True).encode()).hexdigest()

    @cached_property
    def org_by_id(self) -> dict[str, Org]:
        """Orgs by id."""
        return {o.id: o for o in self.orgs}

    @cached_property
    def warehouse_by_id(self) -> dict[str, Warehouse]:
        """Warehouses by id."""
        return {w.id: w for w in self.warehouses}

    @cached_property
    def item_by_code(self) -> dict[str, Item]:
        """Items by code."""
        return {i.code: i for i in self.items}

    @cached_property
    def supplier_by_id(self) -> dict[str, Supplier]:
        """Suppliers by id."""
        return {s.id: s for s in self.suppliers}

    @cached_property
    def hospital_by_id(self) -> dict[str, Hospital]:
        """Hospitals by id."""
        return {h.id: h for h in self.hospitals}

    @cached_property
    def lane_by_id(self) -> dict[str, Lane]:
        """Lanes by their derived id ``source>target:mode``."""
        return {lane.id: lane for lane in self.lanes}

    @cached_property
    def substitutes_by_item(self) -> dict[str, list[Substitute]]:
        """Substitute rules by the item they stand in for."""
        out: dict[str, list[Substitute]] = {}
        for r in self.substitutes:
            out.setdefault(r.item, []).append(r)
        return out

    @cached_property
    def handling_rules(self) -> dict[tuple[ReturnReason, str | None], ReturnHandling]:
        """QC's rules by (reason, item), item ``None`` for a reason's rule for every item."""
        return {(r.reason, r.item): r for r in self.return_handling}

    @cached_property
    def hospital_serving(self) -> dict[str, tuple[str | None, str | None]]:
        """Per hospital, the first warehouse in its ``served_by`` for an item at room
        temperature and for a cold-chain item (cold-capable), ``None`` when there is none."""
        cold = {w.id for w in self.warehouses if w.cold_chain}
        return {h.id: (next(iter(h.served_by), None),
                       next((w for w in h.served_by if w in cold), None))
                for h in self.hospitals}

    def model_copy(self, *, update: dict[str, object] | None = None,
                   deep: bool = False) -> "Network":
        """A copy (see pydantic's ``model_copy``) without the cached lookups derived from the
        original's fields (pydantic would copy them along, stale after ``update``)."""
        copy = super().model_copy(update=update, deep=deep)
        for name in _CACHED:
            copy.__dict__.pop(name, None)
        return copy

    def handling(self, reason: ReturnReason, item: str) -> ReturnHandling:
        """QC's rule for returned units of ``item``: the item's own rule for ``reason``, else
        the reason's rule for every item, else :data:`DEFAULT_HANDLING`."""
        rules = self.handling_rules
        return rules.get((reason, item)) or rules.get((reason, None)) or DEFAULT_HANDLING[reason]

    def rebased(self, as_of: dt.date) -> "Network":
        """The same network with its snapshot taken on ``as_of``: every snapshot date moves
        by ``as_of − snapshot.as_of`` days (see :meth:`Snapshot.shifted`), so lot ages,
        transit and order timing relative to the snapshot stay as they are. Used to seed an
        ERP whose today is not the snapshot date."""
        return self.model_copy(update={
            "snapshot": self.snapshot.shifted((as_of - self.snapshot.as_of).days)})

    def serving_warehouse(self, hospital: str, item: str) -> str | None:
        """Where a hospital's demand for ``item`` is served from: the first warehouse in its
        ``served_by`` that can store the item (cold-capable for a cold-chain item)."""
        return self.hospital_serving[hospital][self.item_by_code[item].cold_chain]

    def can_ship(self, lane: Lane, item: str) -> bool:
        """Whether ``item`` may travel on ``lane``: 2–8 °C lane and destination for a
        cold-chain item, and the item registered in the destination's region."""
        it, dest = self.item_by_code[item], self.warehouse_by_id[lane.target]
        return ((not it.cold_chain or (lane.cold_chain and dest.cold_chain))
                and dest.region in it.registered_regions)

    def may_substitute(self, hospital: str, item: str, substitute: str) -> bool:
        """Whether ``substitute`` may stand in for ``item`` at ``hospital``: registered in its
        region and storable (2–8 °C if needed) at the warehouse serving ``item`` there."""
        sub = self.item_by_code[substitute]
        hosp = self.hospital_by_id[hospital]
        wh = self.serving_warehouse(hospital, item)
        return hosp.region in sub.registered_regions and (
            wh is not None and (self.warehouse_by_id[wh].cold_chain or not sub.cold_chain))

    def substitutes_for(self, hospital: str, department: str, item: str) -> list[Substitute]:
        """The rules that let ``department`` of ``hospital`` take another item for ``item``,
        in preference order, keeping only substitutes it may use (:meth:`may_substitute`);
        the first rule per substitute (most specific scope first) wins."""
        rules = sorted((r for r in self.substitutes_by_item.get(item, ())
                        if r.applies_to(hospital, department)),
                       key=lambda r: (r.preference, r.hospital is None, r.department is None))
        out: dict[str, Substitute] = {}
        for r in rules:
            if r.substitute not in out and self.may_substitute(hospital, item, r.substitute):
                out[r.substitute] = r
        return list(out.values())

    def crosses_orgs(self, lane: Lane) -> bool:
        """Whether ``lane`` joins warehouses of two different orgs."""
        wh = self.warehouse_by_id
        return wh[lane.source].org != wh[lane.target].org


_CACHED = tuple(name for name, attr in vars(Network).items() if isinstance(attr, cached_property))
"""Names of :class:`Network`'s cached lookups (dropped from copies)."""
