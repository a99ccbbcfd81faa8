"""Replay: start the twin from a pulled snapshot, replay the recorded demand, and compare
the simulated ending stock with the stock the ERP recorded (a fidelity report).

The replay takes no decisions (policy ``none``): the ERP's own receipts come from the
snapshot's in-transit shipments and open purchase orders. For each warehouse × item the
report gives the units on hand (any status) simulated at the end of ``until`` and recorded
by the ERP at the start of the next day, their difference, and what the twin did that
explains it: ``issue_gap`` = units the ERP issued to departments − units the twin issued
(demand the twin could not serve from that warehouse, or served from another), and
``twin_scrapped`` (expiry write-off, QC failures, cold-chain excursions, which the ERP may
not have booked). For each position, ``difference = −issue_gap − twin_scrapped + rest``;
``rest`` (receipts the twin timed differently, moves the twin does not model) is what is
left unexplained. A deterministic replay of an ERP that followed the twin's rules is
exact: every difference is zero.
"""

import datetime as dt

import pandas as pd

from twin.domain import Network, Snapshot
from twin.sim.engine import simulate
from twin.sim.results import SimulationResult

ON_HAND_SIGN = {"opening": 1, "receipt": 1, "transfer_in": 1, "transfer_out": -1,
                "issue": -1, "scrap": -1}
KEY = ["warehouse", "item"]


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


def fidelity(result: SimulationResult, recorded_issues: pd.DataFrame, end: Snapshot
             ) -> pd.DataFrame:
    """Per warehouse × item: simulated and ERP-recorded ending stock, difference, issue gap,
    units the twin scrapped and the unexplained rest (see the module docstring)."""
    led = result.ledger.assign(warehouse=lambda d: d.warehouse.astype(str),
                               item=lambda d: d.item.astype(str),
                               kind=lambda d: d.kind.astype(str))
    moves = led[led.kind.isin(list(ON_HAND_SIGN))]
    simulated = _by_position(moves.assign(quantity=moves.quantity * moves.kind.map(
        ON_HAND_SIGN)), "simulated")
    erp = _by_position(pd.DataFrame([(p.warehouse, p.item, p.quantity) for p in end.lots],
                                    columns=[*KEY, "quantity"]), "erp")
    twin_issued = _by_position(led[led.kind == "issue"], "twin_issued")
    erp_issued = _by_position(recorded_issues[[*KEY, "quantity"]], "erp_issued")
    scrapped = _by_position(led[led.kind == "scrap"], "twin_scrapped")
    table = pd.concat([simulated, erp, erp_issued, twin_issued, scrapped], axis=1) \
        .fillna(0).astype("int64").reset_index().rename(
            columns={"level_0": "warehouse", "level_1": "item"})
    table["difference"] = table.simulated - table.erp
    table["issue_gap"] = table.erp_issued - table.twin_issued
    table["rest"] = table.difference + table.issue_gap + table.twin_scrapped
    table = table[(table[["simulated", "erp", "erp_issued", "twin_issued"]] != 0).any(axis=1)]
    cols = [*KEY, "simulated", "erp", "difference", "issue_gap", "twin_scrapped", "rest"]
    return table.sort_values(KEY).reset_index(drop=True)[cols]
