"""The policy protocol: each review period a policy sees a read-only state and returns actions.

Actions are either the domain plan actions (:class:`~twin.domain.PurchaseAction`,
:class:`~twin.domain.TransferAction`, :class:`~twin.domain.ReorderPointAction`) or, for
speed, an :class:`Actions` batch of arrays. The twin executes them under physical rules:
nothing is shipped that is not available, cold items move only on cold lanes into cold
warehouses, items go only into regions where they are registered, closed lanes, warehouses
in outage and suppliers in outage do nothing.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Protocol, runtime_checkable

import numpy as np

from twin.domain import (
    DispositionAction,
    Network,
    PurchaseAction,
    ReorderPointAction,
    TransferAction,
)
from twin.sim.index import NetworkIndex
from twin.sim.lots import Status
from twin.sim.pipeline import SHIPMENT_DTYPE, Flow

DomainAction = PurchaseAction | TransferAction | ReorderPointAction | DispositionAction
UNKNOWN_LOT = np.iinfo(np.int32).max
"""Lot id of a transfer naming a lot the run has never seen: matches no stock."""
StockStatus = Status
"""Stock status of a lot row: ``AVAILABLE`` / ``QUARANTINE`` / ``RESERVED`` (the order of
the last axis of :attr:`StateView.on_hand`)."""


class ShipmentKind(IntEnum):
    """What a row under way is, as a policy sees it: ``PURCHASE`` (an open order) or
    ``TRANSFER`` (a shipment). Returns on their way back and units out for repair (the
    twin's other :class:`~twin.sim.pipeline.Flow` kinds) are not shown to policies."""

    PURCHASE = Flow.PURCHASE
    TRANSFER = Flow.TRANSFER


def _ints(values: Iterable[int] | np.ndarray) -> np.ndarray:
    return np.asarray(list(values) if not isinstance(values, np.ndarray) else values,
                      dtype=np.int64)


@dataclass(frozen=True)
class _Batch:
    @classmethod
    def empty(cls) -> "_Batch":
        return cls(*(np.zeros(0, dtype=np.int64) for _ in fields(cls)))

    def __len__(self) -> int:
        return len(next(iter(vars(self).values())))  # fields are set in declaration order


@dataclass(frozen=True)
class Purchases(_Batch):
    """Orders: supplier, receiving warehouse, item (indices) and units."""

    supplier: np.ndarray
    warehouse: np.ndarray
    item: np.ndarray
    quantity: np.ndarray


@dataclass(frozen=True)
class Transfers(_Batch):
    """Shipments: lane, item, lot (−1 = FEFO at dispatch) and units."""

    lane: np.ndarray
    item: np.ndarray
    lot: np.ndarray
    quantity: np.ndarray


@dataclass(frozen=True)
class ReorderPoints(_Batch):
    """New (s, S) of warehouse × item positions."""

    warehouse: np.ndarray
    item: np.ndarray
    reorder_point: np.ndarray
    order_up_to: np.ndarray


@dataclass(frozen=True)
class Actions:
    """A batch of actions as arrays of indices."""

    purchases: Purchases = field(default_factory=Purchases.empty)  # type: ignore[arg-type]
    transfers: Transfers = field(default_factory=Transfers.empty)  # type: ignore[arg-type]
    reorder_points: ReorderPoints = field(
        default_factory=ReorderPoints.empty)  # type: ignore[arg-type]

    @classmethod
    def from_domain(cls, actions: Iterable[DomainAction], index: NetworkIndex,
                    lot_of: Callable[[int, str], int]) -> "Actions":
        """Convert plan actions; ``lot_of(item, lot number)`` gives a lot id (−1 unknown).

        Dates in the actions are not used: actions execute on the review day they are
        returned. Actions naming unknown warehouses, items, suppliers or lanes raise
        ``KeyError``; a transfer of an unknown lot ships nothing. Disposition lines are
        skipped: the twin's QC decides on returned units by the network's
        ``return_handling`` rules (:mod:`twin.sim.returns`).
        """
        buy, move, rop = [], [], []
        for a in actions:
            if isinstance(a, DispositionAction):
                continue
            if isinstance(a, PurchaseAction):
                buy.append((index.supplier_of[a.supplier], index.wh_of[a.warehouse],
                            index.item_of[a.item], a.quantity))
            elif isinstance(a, TransferAction):
                item = index.item_of[a.item]
                lot = -1 if a.lot is None else lot_of(item, a.lot)
                move.append((index.lane_by_route[(a.source, a.target, a.mode)], item,
                             UNKNOWN_LOT if a.lot is not None and lot < 0 else lot, a.quantity))
            else:
                rop.append((index.wh_of[a.warehouse], index.item_of[a.item], a.reorder_point,
                            a.order_up_to))
        return cls(*(kind(*(_ints(col) for col in zip(*rows, strict=True))) if rows
                     else kind.empty()
                     for kind, rows in ((Purchases, buy), (Transfers, move),
                                        (ReorderPoints, rop))))


@dataclass(frozen=True)
class LotRows:
    """Lot rows on hand, one per (position, lot, status), in first-expiry-first-out order
    (position, then expiry day, then lot id). Parallel read-only arrays."""

    pos: np.ndarray     # position (warehouse · n_items + item)
    lot: np.ndarray     # lot id
    expiry: np.ndarray  # expiry day (days from the snapshot date)
    qty: np.ndarray     # units
    status: np.ndarray  # StockStatus

    def __len__(self) -> int:
        return len(self.pos)


@dataclass(frozen=True)
class Shipments:
    """Orders and shipments under way, one row each, in pipeline order: what an ERP knows
    about them (not when they will arrive). Parallel read-only arrays."""

    kind: np.ndarray       # ShipmentKind
    pos: np.ndarray        # destination position
    qty: np.ndarray        # units
    origin: np.ndarray     # supplier (purchase) or lane (transfer)
    ordered: np.ndarray    # order day (purchase) or ship day (transfer)
    lot: np.ndarray        # travelling lot id (transfer), −1 for a purchase
    expiry: np.ndarray     # expiry day of the travelling lot (transfer), unused for a purchase
    excursion: np.ndarray  # a cold-chain excursion happened on the way
    recalled: np.ndarray   # the travelling lot is recalled

    def __len__(self) -> int:
        return len(self.pos)

    @property
    def purchase(self) -> np.ndarray:
        """Mask of open purchase orders."""
        return self.kind == ShipmentKind.PURCHASE

    @property
    def transfer(self) -> np.ndarray:
        """Mask of transfers in transit."""
        return self.kind == ShipmentKind.TRANSFER


@dataclass(frozen=True)
class StateView:
    """What a policy may look at on a review day; every array is read-only.

    Stock arrays are indexed ``[warehouse, item]`` in units; ``on_hand`` has a third axis of
    stock status (available, quarantine, reserved) and ``recalled`` is the part of the
    quarantine held for a recall. ``backlog`` and ``recent_demand`` are counted at the
    position that serves the demand; ``recent_demand`` sums the last review period.
    ``reorder_point`` / ``order_up_to`` are the current (s, S) (−1 where none is set).
    ``serving``: the position serving each demand series today (−1 none; it changes with
    warehouse outages). Lots on hand and what is under way are read through the typed views
    :meth:`lot_rows`, :meth:`available_lots` and :meth:`under_way` (the raw record arrays
    ``lots`` and ``pipeline`` behind them are the twin's internal layout).
    """

    day: int
    date: dt.date
    index: NetworkIndex
    on_hand: np.ndarray
    recalled: np.ndarray
    in_transit: np.ndarray
    on_order: np.ndarray
    backlog: np.ndarray
    recent_demand: np.ndarray
    reorder_point: np.ndarray
    order_up_to: np.ndarray
    lots: np.ndarray
    warehouse_down: np.ndarray
    lane_closed: np.ndarray
    supplier_down: np.ndarray
    pipeline: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=SHIPMENT_DTYPE))
    serving: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    find_lot: Callable[[int, str], int] = lambda item, name: -1
    """Lot id of lot number ``name`` of item ``item`` (−1 unknown), for
    :meth:`Actions.from_domain`."""

    def __post_init__(self) -> None:
        for name in _VIEW_FIELDS:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    def lot_rows(self) -> LotRows:
        """Every lot row on hand (all stock statuses, rows with units or emptied today)."""
        r = self.lots
        return LotRows(r["pos"], r["lot"], r["expiry"], r["qty"], r["status"])

    def available_lots(self) -> LotRows:
        """Lot rows that are available (not in quarantine or reserved) and hold units."""
        r = self.lots
        sel = (r["status"] == StockStatus.AVAILABLE) & (r["qty"] > 0)
        return LotRows(r["pos"][sel], r["lot"][sel], r["expiry"][sel], r["qty"][sel],
                       r["status"][sel])

    def under_way(self) -> Shipments:
        """Open purchase orders and transfers in transit."""
        p = self.pipeline
        return Shipments(p["flow"], p["pos"], p["qty"], p["origin"], p["ordered"], p["lot"],
                         p["expiry"], p["excursion"], p["recalled"])

    def inventory_position(self) -> np.ndarray:
        """available + quarantine not recalled + in transit + on order − backlog."""
        return (self.on_hand[..., 0] + self.on_hand[..., 1] - self.recalled + self.in_transit
                + self.on_order - self.backlog)


_VIEW_FIELDS = tuple(f.name for f in fields(StateView))


@runtime_checkable
class Policy(Protocol):
    """Decides actions from a :class:`StateView`.

    ``emergency``: whether a critical department's unmet demand may be served the same day
    by an emergency shipment from another warehouse.
    """

    emergency: bool

    def decide(self, view: StateView) -> Actions | Iterable[DomainAction]:
        """Actions for today."""
        ...


PolicyFactory = Callable[[NetworkIndex], Policy]


@runtime_checkable
class PreparedFactory(Protocol):
    """A policy factory whose costly set-up depends only on the network it plans with (e.g.
    solved (s, S) levels): :meth:`prepare` does it once, :meth:`adopt` gives the result to
    another process before it builds policies for that network, so that an experiment run
    on many processes prepares once overall. Factories with the same ``preparation`` name
    share one."""

    preparation: str

    def __call__(self, index: NetworkIndex) -> Policy:
        """The policy for ``index`` (prepared on first use unless adopted)."""
        ...

    def prepare(self, network: Network) -> object:
        """The set-up for ``network`` (picklable)."""
        ...

    def adopt(self, network: Network, prepared: object) -> None:
        """Use ``prepared`` (from :meth:`prepare` of an equal network) for ``network``."""
        ...
