"""Derive the tables of the bundled reference network from its hand-written master data.

The master data is ``configs/networks/reference/network.yaml`` (regions, orgs,
warehouses, suppliers, hospitals) and ``items.csv`` (the catalogue). From them and a
fixed seed this module derives lanes, demand models, stock policies and the opening
snapshot with the same building blocks as :func:`twin.synthetic.generate_network`, and
writes them as CSV files beside the YAML. Run ``python -m twin.synthetic.reference``.
"""

import csv
import os
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel

from twin.domain import Hospital, Item, Network, Org, Supplier, Warehouse
from twin.network_files import NETWORK_FILE, NETWORKS_DIR, load_network
from twin.synthetic.generate import derive_tables

REFERENCE_DIR = NETWORKS_DIR / "reference"
REFERENCE_SEED = 20261123
DERIVED = {  # file name → path of the section in the network
    "lanes.csv": ("lanes",),
    "demand.csv": ("demand",),
    "stock_policies.csv": ("stock_policies",),
    "lots.csv": ("snapshot", "lots"),
    "in_transit.csv": ("snapshot", "in_transit"),
    "purchase_orders.csv": ("snapshot", "purchase_orders"),
    "return_handling.csv": ("return_handling",),
    "returns.csv": ("snapshot", "returns"),
    "repairs.csv": ("snapshot", "repairs"),
}


def read_items(path: Path) -> list[Item]:
    """Items from a catalogue CSV (``;``-separated registered regions, empty = default)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    return [Item.model_validate({k: (v.split(";") if k == "registered_regions" else v)
                                 for k, v in row.items() if v != ""}) for row in rows]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return value


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        elif value == []:
            continue  # an empty list is the default: no column
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for i, v in enumerate(value):
                out.update(_flatten(v, f"{prefix}{key}.{i}."))
        else:
            out[f"{prefix}{key}"] = _cell(value)
    return out


def write_table(path: Path, rows: list[BaseModel]) -> None:
    """Write domain objects as a CSV table: every field a column, nested fields dotted,
    lists of records numbered (``returns.0.rate``)."""
    records = [_flatten(r.model_dump(mode="json", by_alias=True)) for r in rows]
    columns = list(dict.fromkeys(k for r in records for k in r))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


def build_reference(directory: str | os.PathLike[str] = REFERENCE_DIR,
                    seed: int = REFERENCE_SEED) -> Network:
    """Re-derive the tables of the network in ``directory`` and check that it loads.

    Reads ``network.yaml`` and ``items.csv``, derives lanes, demand, stock policies and
    the snapshot (``snapshot.as_of`` from the YAML) and writes the CSV files named in
    :data:`DERIVED`. Returns the loaded network.
    """
    folder = Path(directory)
    doc = yaml.safe_load((folder / NETWORK_FILE).read_text(encoding="utf-8"))
    items = read_items(folder / "items.csv")
    orgs = [Org.model_validate(r) for r in doc["orgs"]]
    warehouses = [Warehouse.model_validate(r) for r in doc["warehouses"]]
    suppliers = [Supplier.model_validate(r) for r in doc["suppliers"]]
    hospitals = [Hospital.model_validate(r) for r in doc["hospitals"]]
    review = doc.get("settings", {}).get("review_period_days", 7)
    tables, _ = derive_tables(orgs, warehouses, items, suppliers, hospitals, review_days=review,
                              as_of=doc["snapshot"]["as_of"], rng=np.random.default_rng(seed))
    net = Network.model_validate({**doc, "items": items, "orgs": orgs, "warehouses": warehouses,
                                  "suppliers": suppliers, "hospitals": hospitals, **tables})
    for name, section in DERIVED.items():
        rows: Any = net
        for key in section:
            rows = getattr(rows, key)
        write_table(folder / name, rows)
    return load_network(folder)


if __name__ == "__main__":
    built = build_reference()
    print(f"{REFERENCE_DIR}: {len(built.warehouses)} warehouses, {len(built.items)} items, "
          f"{len(built.hospitals)} hospitals, {len(built.lanes)} lanes, {len(built.demand)} "
          f"demand models, {len(built.stock_policies)} stock policies, "
          f"{len(built.snapshot.lots)} lot rows")
