"""Importer for the SCMS delivery history (USAID Supply Chain Management System, 2006–2015).

The public CSV is real and messy; this reader survives each of its quirks and says what
it dropped and why:

* a UTF-8 byte-order mark and classic-Mac ``\\r`` line ends;
* dates in two formats (``2-Jun-06`` and ``11/13/06``) and text in date columns
  (``Date Not Captured``, ``Pre-PQ Process``, ``N/A - From RDC``) → missing;
* text in numeric columns (``Freight Included in Commodity Cost``, ``Invoiced
  Separately``, ``Weight Captured Separately``) → missing with a status, and
  ``See ASN-93 (ID#:1281)`` → the value of the row with that ID;
* quoted fields with commas; the shipment mode ``N/A`` → missing.
"""

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.csv_tables import check_shape
from twin.problems import InputError, Problem

log = logging.getLogger(__name__)

DATE_COLUMNS = {
    "PQ First Sent to Client Date": "pq_sent",
    "PO Sent to Vendor Date": "po_sent",
    "Scheduled Delivery Date": "scheduled",
    "Delivered to Client Date": "delivered",
    "Delivery Recorded Date": "recorded",
}
TEXT_COLUMNS = {
    "ID": "id", "Country": "country", "Vendor": "vendor", "Shipment Mode": "mode",
    "Fulfill Via": "fulfil_via", "Product Group": "product_group",
    "Sub Classification": "sub_classification", "Item Description": "item_description",
}
NUMBER_COLUMNS = {
    "Line Item Quantity": "quantity", "Line Item Value": "value_usd",
    "Weight (Kilograms)": "weight_kg", "Freight Cost (USD)": "freight_usd",
    "Line Item Insurance (USD)": "insurance_usd",
}
_REFERENCE = re.compile(r"\(ID#:(\d+)\)")
_DATE_FORMATS = ("%d-%b-%y", "%m/%d/%y")


@dataclass
class ScmsHistory:
    """Typed shipment lines and a count of each quirk met while reading."""

    lines: pd.DataFrame
    quirks: dict[str, int] = field(default_factory=dict)


def _parse_dates(raw: pd.Series) -> tuple[pd.Series, int]:
    """Both date formats → datetime64; anything else → NaT. Returns the count of text cells."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        missing = out.isna()
        out[missing] = pd.to_datetime(raw[missing], format=fmt, errors="coerce")
    text = int((out.isna() & (raw.str.strip() != "")).sum())
    return out, text


def _parse_numbers(raw: pd.Series, ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers; ``See … (ID#:n)`` resolved to row n's value; other text → NaN with a status.

    Returns (values, status) where status is 'value', 'reference', or the text itself
    lower-cased (e.g. 'freight included in commodity cost').
    """
    values = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
    status = pd.Series("value", index=raw.index, dtype=object)
    text = values.isna()
    status[text] = raw[text].str.strip().str.lower().replace("", "missing")
    ref_ids = raw.str.extract(_REFERENCE, expand=False)
    is_ref = ref_ids.notna()
    by_id = pd.Series(values.to_numpy(), index=ids.to_numpy())
    by_id = by_id[~by_id.index.duplicated()]
    values[is_ref] = ref_ids[is_ref].map(by_id).to_numpy(dtype=float)
    status[is_ref] = "reference"
    return values, status


def read_scms(path: str | Path) -> ScmsHistory:
    """Read the SCMS delivery history CSV into typed lines (one row per line item)."""
    path = Path(path)
    try:
        check_shape(path)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(str(path), "", "file not found")]) from None
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read: {exc.strerror or exc}")]
                         ) from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError([Problem(str(path), "", f"not a readable CSV: {exc}")]) from None
    absent = [c for c in (*DATE_COLUMNS, *TEXT_COLUMNS, *NUMBER_COLUMNS) if c not in raw.columns]
    if absent:
        raise InputError([Problem(str(path), "", f"missing column(s) {absent}; is this the "
                                                 "SCMS delivery history?")])
    if raw.empty:
        raise InputError([Problem(str(path), "", "no shipment lines: the file has a header "
                                                 "but no records")])
    lines = pd.DataFrame({new: raw[old].str.strip() for old, new in TEXT_COLUMNS.items()})
    quirks: dict[str, int] = {}
    for old, new in DATE_COLUMNS.items():
        lines[new], quirks[f"text in {old}"] = _parse_dates(raw[old])
    for old, new in NUMBER_COLUMNS.items():
        lines[new], status = _parse_numbers(raw[old], raw["ID"])
        lines[f"{new}_status"] = status
        quirks[f"references in {old}"] = int((status == "reference").sum())
        quirks[f"text in {old}"] = int((~status.isin(["value", "reference"])).sum())
    quirks["mode N/A"] = int((lines["mode"] == "N/A").sum())
    lines.loc[lines["mode"].isin(["N/A", ""]), "mode"] = None
    lines["lead_time_days"] = (lines["delivered"] - lines["po_sent"]).dt.days
    lines["lateness_days"] = (lines["delivered"] - lines["scheduled"]).dt.days
    # the on-time part of a delivery (sent → promised, or delivered if earlier): with the
    # lateness, delivered − sent = on_time + max(lateness, 0) on every fully dated line
    on_time = (np.minimum(lines["delivered"], lines["scheduled"]) - lines["po_sent"]).dt.days
    lines["on_time_days"] = on_time.where(on_time >= 0)
    negative = lines["lead_time_days"] < 0
    quirks["negative lead time (dropped)"] = int(negative.sum())
    lines.loc[negative, "lead_time_days"] = np.nan
    log.info("read %d SCMS lines from %s; quirks: %s", len(lines), path, quirks)
    return ScmsHistory(lines, quirks)
