"""Valid inputs for the CLI tests of issue 20, to break on purpose: an SCMS shipment history
and a demand history of any length."""

import datetime as dt
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
SCMS_HEADER = (DATA / "scms_quirks.csv").read_text(encoding="utf-8-sig").splitlines()[0]


def scms(path: Path, rows: int) -> Path:
    """An SCMS-shaped history of ``rows`` air shipments, each with a 20-40 day lead time."""
    lines = [SCMS_HEADER]
    for i in range(rows):
        sent = dt.date(2013, 1, 1) + dt.timedelta(days=i)
        got = sent + dt.timedelta(days=20 + i % 21)
        due = sent + dt.timedelta(days=30)
        day = "{d.month}/{d.day}/{d:%y}".format
        lines.append(f"{i + 1},P1,PQ,PO,ASN,Kenya,PMO - US,Direct Drop,EXW,Air,{day(d=sent)},"
                     f"{day(d=sent)},{day(d=due)},{day(d=got)},{day(d=got)},HRDT,HIV test,"
                     f'Vendor A,"HIV 1/2, Test Kit",HIV,B,N/A,Test kit,100,10,1000,100,1,Site,'
                     "Yes,100,500.5,3")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def history(path: Path, days: int, quantity: str = "2") -> Path:
    """A demand history of one series over ``days`` days."""
    start = dt.date(2026, 1, 1)
    rows = [f"{start + dt.timedelta(days=k)},H-RJ,ICU,IVD-TROP-100,{quantity if k == 3 else k % 3}"
            for k in range(days)]
    path.write_text("date,hospital,department,item,quantity\n" + "\n".join(rows) + "\n")
    return path
