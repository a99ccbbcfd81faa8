"""An opening inventory snapshot: lots on hand, shipments in transit, open purchase orders.

Stock on hand at a position is 35–115 % of its order-up-to level (3 % of positions are
out of stock), in one to three lots for lot-tracked items (oldest expiring first) and
one row per serial number for serial-tracked items, capped at :data:`SERIAL_CAP` units
per position and thinned further if the snapshot would exceed :data:`MAX_LOT_ROWS` rows.
About 5 % of lots are near expiry, 0.5 % have expired and wait in quarantine for
destruction, 2 % are in QC quarantine and 2 % are reserved.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from twin.domain import Item, Supplier, Warehouse
from twin.synthetic.stocking import Positions

SERIAL_CAP = 200  # most serial-tracked units on hand at one position
MIN_OPEN = 4  # fewest shipments in transit and open purchase orders (when possible)
MAX_LOT_ROWS = 150_000  # serial stock is thinned so the snapshot stays below this many rows

Record = dict[str, Any]


def _dates(as_of: dt.date, days: np.ndarray) -> list[dt.date]:
    return (np.datetime64(as_of, "D") + days.astype("timedelta64[D]")).tolist()


def _months(dates: np.ndarray) -> list[str]:
    """'yymm' of each datetime64[D]."""
    return [s[2:4] + s[5:7] for s in np.datetime_as_string(dates.astype("datetime64[M]"))]


def _on_hand(pos: Positions, serial: np.ndarray, rng: np.random.Generator,
             max_rows: int) -> np.ndarray:
    """Units on hand per position (serial stock capped and, if need be, thinned)."""
    on_hand = np.round(pos.order_up_to * rng.uniform(0.35, 1.15, len(serial))).astype(int)
    on_hand[rng.random(len(serial)) < 0.03] = 0
    on_hand[serial] = np.minimum(on_hand[serial], SERIAL_CAP)
    lot_rows = np.minimum(on_hand[~serial], 3).sum()
    serial_rows = on_hand[serial].sum()
    if serial_rows and lot_rows + serial_rows > max_rows:
        factor = max(max_rows - lot_rows, 0) / serial_rows
        on_hand[serial] = np.ceil(on_hand[serial] * factor).astype(int)
    return on_hand


def build_snapshot(pos: Positions, items: Sequence[Item], warehouses: Sequence[Warehouse],
                   suppliers: Sequence[Supplier], road: dict[tuple[int, int], float],
                   as_of: dt.date, rng: np.random.Generator,
                   max_lot_rows: int = MAX_LOT_ROWS) -> Record:
    """Snapshot record for the stocked positions ``pos``.

    ``road`` maps (upstream, warehouse) to the mean transit days of the road lane used
    for shipments in transit.
    """
    serial_item = np.array([it.tracking == "serial" for it in items])
    shelf_item = np.array([it.shelf_life_days for it in items])
    cold_item = np.array([it.cold_chain for it in items])
    serial = serial_item[pos.item]
    on_hand = _on_hand(pos, serial, rng, max_lot_rows)
    seq = iter(range(1, 10**9))

    # lot-tracked: 1–3 lots, quantities by random weights, the newest lot gets the rest
    lot_pos = np.flatnonzero(~serial & (on_hand > 0))
    n_lots = 1 + (on_hand[lot_pos] >= 10) + ((on_hand[lot_pos] >= 40) & (rng.random(len(lot_pos))
                                                                          < 0.6))
    n_lots = np.minimum(n_lots, on_hand[lot_pos])
    p_row = np.repeat(lot_pos, n_lots)
    start = np.repeat(np.cumsum(n_lots) - n_lots, n_lots)
    k = np.arange(len(p_row)) - start  # 0 = newest lot
    weight = rng.uniform(0.3, 1.0, len(p_row))
    share = weight / np.bincount(np.repeat(np.arange(len(lot_pos)), n_lots), weight)[
        np.repeat(np.arange(len(lot_pos)), n_lots)]
    qty = np.floor(on_hand[p_row] * share).astype(int)
    rest = on_hand[lot_pos] - np.bincount(np.repeat(np.arange(len(lot_pos)), n_lots), qty,
                                          minlength=len(lot_pos)).astype(int)
    qty[k == 0] += rest
    shelf = shelf_item[pos.item[p_row]]
    left = shelf * (rng.uniform(0.55, 0.97, len(p_row)) - k * rng.uniform(0.12, 0.3, len(p_row)))
    u = rng.random(len(p_row))
    near, expired = u < 0.05, (u >= 0.05) & (u < 0.055)
    left = np.where(near, rng.uniform(5, 60, len(p_row)), np.maximum(left, 10))
    left = np.where(expired, -rng.uniform(1, 30, len(p_row)), left).astype(int)
    status = np.where(expired | ((u >= 0.055) & (u < 0.075)), "quarantine",
                      np.where((u >= 0.075) & (u < 0.095), "reserved", "available"))
    keep = qty > 0
    p_row, qty, left, status, shelf = p_row[keep], qty[keep], left[keep], status[keep], shelf[keep]
    expiry = np.datetime64(as_of, "D") + left.astype("timedelta64[D]")
    made = _months(expiry - shelf.astype("timedelta64[D]"))
    lot_no = [f"L{m}-{next(seq):06d}" for m in made]

    # serial-tracked: one row per serial number
    ser_pos = np.flatnonzero(serial & (on_hand > 0))
    s_row = np.repeat(ser_pos, on_hand[ser_pos])
    s_shelf = shelf_item[pos.item[s_row]]
    v = rng.random(len(s_row))
    s_left = np.where(v < 0.03, rng.uniform(10, 90, len(s_row)),
                      s_shelf * rng.uniform(0.3, 0.97, len(s_row))).astype(int)
    s_status = np.where(v > 0.99, "quarantine", np.where(v > 0.96, "reserved", "available"))
    serial_no = [f"SN{next(seq):09d}" for _ in range(len(s_row))]

    wid = [w.id for w in warehouses]
    code = [it.code for it in items]
    lots: list[Record] = []
    for rows, lot_ids, q, days, st in ((p_row, lot_no, qty, left, status),
                                       (s_row, serial_no, np.ones(len(s_row), int), s_left,
                                        s_status)):
        for p, lot, n, exp, s in zip(rows.tolist(), lot_ids, q.tolist(), _dates(as_of, days),
                                     st.tolist(), strict=True):
            lots.append({"warehouse": wid[pos.warehouse[p]], "item": code[pos.item[p]],
                         "lot": lot, "expiry": exp, "quantity": n, "status": s})
    lots.sort(key=lambda r: (r["warehouse"], r["item"], r["expiry"], r["lot"]))
    return {"as_of": as_of, "lots": lots,
            "in_transit": _in_transit(pos, serial, shelf_item, cold_item, wid, code, road, as_of,
                                      rng, seq),
            "purchase_orders": _purchase_orders(pos, suppliers, wid, code, as_of, rng)}


def _some(candidates: np.ndarray, share: float, rng: np.random.Generator,
          at_least: int = MIN_OPEN) -> np.ndarray:
    """About ``share`` of ``candidates`` (but at least ``at_least`` of them), in order."""
    pick = candidates[rng.random(len(candidates)) < share]
    if len(pick) < at_least:
        pick = np.sort(rng.choice(candidates, size=min(at_least, len(candidates)),
                                  replace=False))
    return pick


def _in_transit(pos: Positions, serial: np.ndarray, shelf_item: np.ndarray, cold: np.ndarray,
                wid: list[str], code: list[str], road: dict[tuple[int, int], float],
                as_of: dt.date, rng: np.random.Generator, seq: Any) -> list[Record]:
    """About 2 % (at least four) of warehouse-replenished positions have a transfer on the road.

    One in ten 2–8 °C shipments has already logged a temperature excursion.
    """
    pick = _some(np.flatnonzero(pos.upstream >= 0), 0.02, rng)
    out: list[Record] = []
    u = rng.random((4, len(pick)))
    for j, p in enumerate(pick.tolist()):
        src, dst, item = int(pos.upstream[p]), int(pos.warehouse[p]), int(pos.item[p])
        transit = road[(src, dst)]
        shipped = as_of - dt.timedelta(days=int(u[0, j] * np.ceil(transit)))
        eta = max(shipped + dt.timedelta(days=max(1, round(transit))), as_of)
        expiry = as_of + dt.timedelta(days=int(shelf_item[item] * (0.5 + 0.45 * u[1, j])))
        qty = 1 if serial[p] else max(1, round(pos.order_quantity[p] * (0.3 + 0.7 * u[2, j])))
        made = expiry - dt.timedelta(days=int(shelf_item[item]))
        lot = f"SN{next(seq):09d}" if serial[p] else f"L{made:%y%m}-{next(seq):06d}"
        out.append({"from": wid[src], "to": wid[dst], "mode": "road", "item": code[item],
                    "lot": lot, "expiry": expiry, "quantity": qty, "shipped": shipped,
                    "eta": eta, "temperature": "excursion" if cold[item] and u[3, j] < 0.1
                    else "ok"})
    return out


def _purchase_orders(pos: Positions, suppliers: Sequence[Supplier], wid: list[str],
                     code: list[str], as_of: dt.date, rng: np.random.Generator) -> list[Record]:
    """About 3 % (at least four) of supplier-replenished positions have an open order; some late."""
    pick = _some(np.flatnonzero(pos.supplier >= 0), 0.03, rng)
    out: list[Record] = []
    u = rng.random(len(pick))
    for n, (p, x) in enumerate(zip(pick.tolist(), u.tolist(), strict=True), start=1):
        lead = float(pos.lead_days[p])
        ordered = as_of - dt.timedelta(days=1 + int(x * max(1.0, 1.2 * lead)))
        moq = int(pos.moq[p])
        qty = int(np.ceil(pos.order_quantity[p] / moq) * moq)
        out.append({"id": f"PO-{as_of:%y%m}{n:05d}-1", "supplier": suppliers[pos.supplier[p]].id,
                    "item": code[pos.item[p]], "warehouse": wid[pos.warehouse[p]],
                    "quantity": qty, "ordered": ordered,
                    "due": ordered + dt.timedelta(days=max(1, round(lead)))})
    return out
