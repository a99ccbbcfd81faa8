"""JSON Schema of the network config file, for editors' autocompletion and validation."""

import json
from typing import Any

from twin.domain import Network

_TABLE_REF = {"type": "string", "pattern": r"\.(csv|parquet)$",
              "description": "a CSV or Parquet file with one row per record, relative to this file"}
_TABLE_SECTIONS = {"Network": ("warehouses", "items", "lanes", "demand", "stock_policies"),
                   "Snapshot": ("lots", "in_transit", "purchase_orders")}


def network_json_schema() -> dict[str, Any]:
    """The pydantic JSON Schema of :class:`Network`, where table sections also accept a file."""
    schema = Network.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "medtwin network"
    for model, sections in _TABLE_SECTIONS.items():
        props = (schema if model == "Network" else schema["$defs"][model])["properties"]
        for name in sections:
            props[name] = {"description": props[name].get("description", ""),
                           "anyOf": [{k: v for k, v in props[name].items() if k != "description"},
                                     _TABLE_REF]}
    return schema


def network_json_schema_text() -> str:
    """The schema as stable, pretty-printed JSON."""
    return json.dumps(network_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
