"""The lot checks on hand-made ERP rows: what each finding does to the snapshot."""

import datetime as dt

from erp_adapter.tryton.quality import ItemFacts, LotRow, check_lots
from tests.conftest import TINY
from twin.network_files import load_network

DAY = dt.date(2026, 11, 23)
FACTS = {"INF-SET-STD": ItemFacts(3, "u", True), "IVD-TROP-100": ItemFacts(2, "u", True),
         "STENT-DES-30": ItemFacts(1, "u", True)}


def _row(lot_id: int, wh: str, item: str, number: str, qty: float,
         expiry: dt.date | None, status: str = "available") -> LotRow:
    return LotRow(wh, status, item, {"id": lot_id, "number": number, "quantity": qty,
                                     "expiration_date": expiry,
                                     "shelf_life_expiration_date": None})


def test_each_finding_and_its_effect() -> None:
    net = load_network(TINY)
    later = DAY + dt.timedelta(days=200)
    rows = [
        _row(1, "WH-SH", "INF-SET-STD", "OK-1", 10, later),
        _row(2, "WH-SH", "INF-SET-STD", "NOEXP", 5, None),
        _row(3, "WH-SH", "INF-SET-STD", "TINY", 0.4, later),
        # expired and in an unregistered region: quarantined once, both said
        _row(4, "WH-GZ", "INF-SET-STD", "OLD", 6, DAY - dt.timedelta(days=1)),
        # one lot number on two ERP lots: merged, the earliest expiry kept
        _row(5, "WH-SH", "IVD-TROP-100", "DUP", 2, later),
        _row(6, "WH-SH", "IVD-TROP-100", "DUP", 3, later - dt.timedelta(days=9)),
    ]
    positions, alerts = check_lots(rows, FACTS, net, DAY)
    said = {(a.kind, a.record, a.action) for a in alerts}
    assert said == {
        ("missing_expiry", "stock.lot,2", "left out of the snapshot"),
        ("fractional_stock", "stock.lot,3", "floored to 0 units: left out of the snapshot"),
        ("expired_available", "stock.lot,4", "quarantined in the snapshot: never issued"),
        ("unregistered_region", "stock.lot,4", "kept in quarantine"),
        ("duplicate_lot", "stock.lot,5 stock.lot,6",
         "positions merged per warehouse and status, the earliest expiry kept")}
    got = {(p.warehouse, p.lot): (p.quantity, p.status, p.expiry) for p in positions}
    assert got == {("WH-SH", "OK-1"): (10, "available", later),
                   ("WH-GZ", "OLD"): (6, "quarantine", DAY - dt.timedelta(days=1)),
                   ("WH-SH", "DUP"): (5, "available", later - dt.timedelta(days=9))}


def test_clean_rows_raise_nothing_and_a_foreign_unit_drops_the_item() -> None:
    net = load_network(TINY)
    rows = [_row(1, "WH-SH", "STENT-DES-30", "SN1", 1, DAY + dt.timedelta(days=99)),
            _row(2, "WH-SH", "IVD-TROP-100", "T1", 4, DAY + dt.timedelta(days=99))]
    assert check_lots(rows, FACTS, net, DAY)[1] == []
    facts = {**FACTS, "STENT-DES-30": ItemFacts(1, "box", False)}
    positions, alerts = check_lots(rows, facts, net, DAY)
    assert [p.lot for p in positions] == ["T1"]
    assert [(a.kind, a.severity, a.record) for a in alerts] == [
        ("unit_mismatch", "critical", "product.product,1"),
        ("lot_without_supplier", "warning", "product.product,1")]
