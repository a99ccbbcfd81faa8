"""Replay: start the twin from a pulled snapshot, replay the recorded demand, and compare
the simulated ending stock with the stock the ERP recorded (a fidelity report).

The replay takes no decisions (policy ``none``): the ERP's own receipts come from the
snapshot's in-transit shipments and open purchase orders. For each warehouse × item the
report gives the units on hand (any status) simulated at the end of ``until`` and recorded
by the ERP at the start of the next day (a shipment that left that morning still counted
at its source), their difference, and the flows that explain it,
each as ERP − twin over the window:

- ``issue_gap``: units issued to departments (demand the twin could not serve from that
  warehouse, or served from another);
- ``receipt_gap``: units received from suppliers and other warehouses (a receipt the twin
  timed differently; an overdue order the twin received on its due date and the ERP
  never received);
- ``dispatch_gap``: units dispatched to other warehouses or sister orgs (a transfer the
  ERP made that the start snapshot did not hold);
- ``twin_scrapped``: the twin's expiry write-off, QC failures and cold-chain excursions
  (which the ERP may not have booked), and ``erp_adjusted``: the ERP's inventory
  corrections, write-offs and returns (signed, into the warehouse).

Both runs start from the same stock, so per position

    difference = simulated − erp
               = issue_gap − receipt_gap + dispatch_gap − twin_scrapped − erp_adjusted + rest

and ``rest`` is what no recorded flow explains (zero for every position of a consistent
ERP). A deterministic replay of an ERP that followed the twin's rules is exact: every
difference is zero.
"""

import datetime as dt

import pandas as pd

from twin.domain import Network, Snapshot
from twin.sim.engine import simulate
from twin.sim.ledger import ON_HAND_SIGN
from twin.sim.results import SimulationResult

KEY = ["warehouse", "item"]
FIDELITY_COLUMNS = [*KEY, "simulated", "erp", "difference", "issue_gap", "receipt_gap",
                    "dispatch_gap", "twin_scrapped", "erp_adjusted", "rest"]


def replay(network: Network, start: Snapshot, demand: pd.DataFrame, until: dt.date,
           seed: int = 0) -> SimulationResult:
    """Run ``network`` from ``start`` (its snapshot date) to ``until`` inclusive, replaying
    ``demand`` (columns date, hospital, department, item, quantity) with no policy."""
    days = (until - start.as_of).days + 1
    if days < 1:
        raise ValueError(f"until {until} is before the snapshot date {start.as_of}")
    net = network.model_copy(update={"snapshot": start})
    return simulate(net, days=days, seed=seed, policy="none", demand=demand)


def _by_position(frame: pd.DataFrame, column: str) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype="int64", name=column)
    return frame.groupby(KEY, observed=True)["quantity"].sum().rename(column)


def fidelity(result: SimulationResult, recorded_issues: pd.DataFrame, end: Snapshot,
             movements: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per warehouse × item: simulated and ERP-recorded ending stock, their difference, the
    gaps that explain it and the unexplained rest (see the module docstring).
    ``movements`` are the ERP's other stock movements in the window (columns warehouse,
    item, quantity — signed, into the warehouse — and kind: receipt, dispatch, adjustment
    or return)."""
    led = result.ledger.assign(warehouse=lambda d: d.warehouse.astype(str),
                               item=lambda d: d.item.astype(str),
                               kind=lambda d: d.kind.astype(str))
    moves = led[led.kind.isin(list(ON_HAND_SIGN))]
    simulated = _by_position(moves.assign(quantity=moves.quantity * moves.kind.map(
        ON_HAND_SIGN)), "simulated")
    # the ERP's stock at the end of ``until``: the next morning's snapshot, with what left
    # on that morning (in its transit, shipped on its date) counted where it still was
    held = [(p.warehouse, p.item, p.quantity) for p in end.lots]
    held += [(t.source, t.item, t.quantity) for t in end.in_transit if t.shipped == end.as_of]
    erp = _by_position(pd.DataFrame(held, columns=[*KEY, "quantity"]), "erp")
    other = (movements if movements is not None else
             pd.DataFrame(columns=[*KEY, "quantity", "kind"])).astype({"quantity": "int64"})
    flows = [
        _by_position(recorded_issues[[*KEY, "quantity"]], "erp_issued"),
        _by_position(led[led.kind == "issue"], "twin_issued"),
        _by_position(other[other.kind == "receipt"], "erp_received"),
        _by_position(led[led.kind.isin(["receipt", "transfer_in"])], "twin_received"),
        -_by_position(other[other.kind == "dispatch"], "erp_dispatched"),
        _by_position(led[led.kind == "transfer_out"], "twin_dispatched"),
        _by_position(led[led.kind == "scrap"], "twin_scrapped"),
        _by_position(other[other.kind.isin(["adjustment", "return"])], "erp_adjusted")]
    t = pd.concat([simulated, erp, *flows], axis=1).fillna(0).astype("int64") \
        .reset_index().rename(columns={"level_0": "warehouse", "level_1": "item"})
    t["difference"] = t.simulated - t.erp
    t["issue_gap"] = t.erp_issued - t.twin_issued
    t["receipt_gap"] = t.erp_received - t.twin_received
    t["dispatch_gap"] = t.erp_dispatched - t.twin_dispatched
    t["rest"] = (t.difference - t.issue_gap + t.receipt_gap - t.dispatch_gap + t.twin_scrapped
                 + t.erp_adjusted)
    t = t[(t.drop(columns=KEY) != 0).any(axis=1)]
    return t.sort_values(KEY).reset_index(drop=True)[FIDELITY_COLUMNS]
