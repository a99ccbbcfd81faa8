"""The morning summary's returned-units section, from the disposition lines of a plan."""

from pathlib import Path

from medtwin.nightly.summary import NightlyReport, Outcome
from solvers.returns import disposition_actions
from twin.domain import Network
from twin.network_files import load_network


def test_summary_lists_what_qc_does_with_returned_units(tiny_dir: Path) -> None:
    doc = load_network(tiny_dir).model_dump(by_alias=True)
    back = {"warehouse": "WH-SH", "received": "2026-11-23"}
    doc["snapshot"]["returns"] = [
        {**back, "item": "INF-SET-STD", "lot": "INF-R1", "expiry": "2027-01-30",
         "quantity": 4000, "reason": "unused"},
        {**back, "item": "STENT-DES-30", "lot": "SN100200", "expiry": "2028-03-31",
         "quantity": 1, "reason": "recalled"}]
    lines = disposition_actions(Network.model_validate(doc))
    restock, scrap, recalled = lines
    assert (restock.quantity + scrap.quantity, recalled.quantity) == (4000, 1)
    text = NightlyReport(Outcome.WAITING, as_of="2026-11-23", dispositions=lines).markdown()
    scrapped = scrap.quantity * 4.5 + 6800
    assert (f"## Returned units (3 lines; units restocked {restock.quantity}, scrapped "
            f"{scrap.quantity + 1}; value scrapped {scrapped:,.2f})") in text
    rows = [r for r in text.splitlines() if r.startswith("| WH-SH")]
    # largest value first: the restocked infusion sets, then the recalled stent
    assert rows[0].startswith(f"| WH-SH | INF-SET-STD | INF-R1 | unused | restock | "
                              f"{restock.quantity} | {restock.quantity * 4.5:,.2f} |")
    assert rows[1].startswith("| WH-SH | STENT-DES-30 | SN100200 | recalled | scrap | 1 | "
                              "6,800.00 |")
    assert "Returned units" not in NightlyReport(Outcome.WAITING).markdown()
