"""Read and write network configs: one YAML file, large tables in CSV or Parquet beside it.

A section that may be long (items, lanes, demand, …) is either an inline YAML list or a
file name (``lots: lots.csv``) relative to the YAML file. In CSV, a dotted column
(``transit_time.mean``) fills a nested field, a numbered one (``returns.0.rate``) an element
of a list of records, a list field is ``;``-separated, and an empty cell means "use the
default". Every problem is reported with the file it is in,
the field path and, for tables, the line.
"""

import csv
import os
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ValidationError

from twin import collector
from twin.atomic_dir import replacing_directory
from twin.bundled import CONFIG_DIR, NETWORK_FILE, NETWORKS_DIR, builtin_networks
from twin.csv_tables import TableError, read_table
from twin.domain import (
    DemandModel,
    InRepair,
    InTransit,
    Item,
    Lane,
    LotPosition,
    Network,
    PurchaseOrder,
    ReturnedLot,
    ReturnHandling,
    Snapshot,
    StockPolicy,
    Substitute,
    Warehouse,
)
from twin.problems import InputError, Problem, format_path
from twin.validation import check_network
from twin.yaml_input import FAST_LOADER, located

TABLES: dict[tuple[str, ...], type[BaseModel]] = {
    ("warehouses",): Warehouse,
    ("items",): Item,
    ("lanes",): Lane,
    ("demand",): DemandModel,
    ("stock_policies",): StockPolicy,
    ("substitutes",): Substitute,
    ("return_handling",): ReturnHandling,
    ("snapshot", "lots"): LotPosition,
    ("snapshot", "in_transit"): InTransit,
    ("snapshot", "purchase_orders"): PurchaseOrder,
    ("snapshot", "returns"): ReturnedLot,
    ("snapshot", "repairs"): InRepair,
}
TABLE_SUFFIXES = (".csv", ".parquet")
M = typing.TypeVar("M", bound=BaseModel)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def resolve_network_path(name_or_path: str | os.PathLike[str]) -> Path:
    """A built-in network name, a network directory or a YAML file → the YAML file."""
    path = Path(name_or_path)
    if not path.exists() and str(name_or_path) in builtin_networks():
        return NETWORKS_DIR / str(name_or_path) / NETWORK_FILE
    if path.is_dir():
        return path / NETWORK_FILE
    return path


def _list_fields(model: type[BaseModel]) -> set[str]:
    out = set()
    for name, info in model.model_fields.items():
        ann = info.annotation
        args = typing.get_args(ann) if typing.get_origin(ann) in (typing.Union, type(int | None)) \
            else (ann,)
        if any(typing.get_origin(a) is list for a in args):
            out.add(info.alias or name)
    return out


def _listed(cell: object) -> object:
    """A list cell (``a;b``) as its items; a value already a list (Parquet) as it is."""
    return [v.strip() for v in cell.split(";") if v.strip()] if isinstance(cell, str) else cell


def _records(names: list[str], rows: Iterable[Sequence[object]], lists: set[str],
             lines: list[int]) -> list[dict[str, object]]:
    """Table rows (cells in the order of ``names``; ``lines``: where each row is) as records:
    empty cells dropped, cells of list fields (``lists``) split at ``;``, a dotted column
    ``a.b`` a nested mapping and a mapping keyed ``0``, ``1``, … (numbered columns
    ``a.0.b``) a list in that order. What each column does is worked out once, from the
    header. A row with a value both in a column ``a`` and in one nested under it
    (``a.b``) is a :class:`TableError`."""
    listed = [n in lists for n in names]
    if not any("." in n for n in names):
        return [{n: _listed(v) if split else v
                 for n, v, split in zip(names, row, listed, strict=True)
                 if v is not None and v != ""} for row in rows]
    paths = [tuple(n.split(".")) for n in names]
    nodes = {p[:k] for p in paths for k in range(1, len(p))}
    # a column that is also a mapping in others (a save writes ``a`` for rows without one)
    both = [p in nodes or any(p[:k] in paths for k in range(1, len(p))) for p in paths]
    # mappings that may be numbered lists, innermost first (their parents are still mappings)
    numbered = sorted({p[:k] for p in paths for k in range(1, len(p)) if p[k].isdigit()},
                      key=len, reverse=True)
    out = []
    for row, line in zip(rows, lines, strict=True):
        record: dict[str, typing.Any] = {}
        for name, path, split, check, v in zip(names, paths, listed, both, row, strict=True):
            if v is None or v == "":
                continue
            target = record
            for k, key in enumerate(path[:-1]):
                target = target.setdefault(key, {})
                if check and not isinstance(target, dict):
                    raise TableError(f"column {name!r} and the column "
                                     f"{'.'.join(path[:k + 1])!r} it is nested under both "
                                     "have a value: give one or the other", line)
            if check and isinstance(target.get(path[-1]), dict):
                raise TableError(f"column {name!r} and the columns nested under it both have "
                                 "values: give one or the other", line)
            target[path[-1]] = _listed(v) if split else v
        for path in numbered:
            parent: typing.Any = record
            for key in path[:-1]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            node = parent.get(path[-1]) if isinstance(parent, dict) else None
            if isinstance(node, dict) and node and all(k.isdigit() for k in node):
                parent[path[-1]] = [node[k] for k in sorted(node, key=int)]
        out.append(record)
    return out


def _read_table(path: Path, model: type[BaseModel]) -> tuple[list[dict[str, object]], list[int]]:
    """The records of a table file and the line (CSV) or row number (Parquet) of each."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        names = table.column_names
        columns = [c.to_pylist() for c in table.columns]
        rows: Iterable[Sequence[object]] = zip(*columns, strict=True) if columns \
            else [()] * table.num_rows
        lines = list(range(1, table.num_rows + 1))
    else:
        names, rows, lines = read_table(path)
    return _records(names, rows, _list_fields(model), lines), lines


def _message(err: dict[str, typing.Any]) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    if err["type"] == "missing":
        return "required field is missing"
    if isinstance(value, str | int | float | bool) and str(value) not in msg:
        msg += f" (got {value!r})"
    return msg


class _Locator:
    """Maps a field path in the assembled config to the file (and line) it came from."""

    def __init__(self, yaml_file: Path):
        self.yaml_file = yaml_file
        self.tables: dict[tuple[str, ...], tuple[Path, list[int]]] = {}

    def problem(self, path: tuple[str | int, ...], message: str) -> Problem:
        for section, (file, lines) in self.tables.items():
            n = len(section)
            if (tuple(path[:n]) == section and len(path) > n and isinstance(path[n], int)
                    and path[n] < len(lines)):
                line = lines[path[n]]
                where = "line" if file.suffix == ".csv" else "row"
                return Problem(str(file), f"{format_path(path)} ({where} {line})", message)
        return located(str(self.yaml_file), path, message)


def _load_yaml(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InputError([Problem(str(path), "", f"cannot read: {why}")]) from None
    try:
        doc = yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(str(path), where, f"not valid YAML: {what}")]) from None
    if not isinstance(doc, dict):
        raise InputError([Problem(str(path), "", "expected a YAML mapping of network sections, "
                                                  f"got {type(doc).__name__}")])
    return doc


def _read_document(yaml_file: Path, model: type[M],
                   tables: dict[tuple[str, ...], type[BaseModel]]) -> tuple[M, "_Locator"]:
    """Parse ``yaml_file``, pull in its table files and validate it as ``model``."""
    doc = _load_yaml(yaml_file)
    locator = _Locator(yaml_file)
    problems: list[Problem] = []
    for section, row_model in tables.items():
        parent: object = doc
        for key in section[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or not isinstance(parent.get(section[-1]), str):
            continue
        ref = parent[section[-1]]
        file = yaml_file.parent / ref
        if file.suffix not in TABLE_SUFFIXES:
            problems.append(locator.problem(section, f"table file {ref!r} must end in "
                                                     f"{' or '.join(TABLE_SUFFIXES)}"))
            continue
        try:
            parent[section[-1]], lines = _read_table(file, row_model)
            locator.tables[section] = (file, lines)
        except FileNotFoundError:
            problems.append(Problem(str(file), "", f"file not found (referenced by "
                                                   f"{format_path(section)} in {yaml_file.name})"))
        except TableError as exc:
            unit = "line" if file.suffix == ".csv" else "row"
            where = f"{format_path(section)} ({unit} {exc.line})" if exc.line else \
                format_path(section)
            problems.append(Problem(str(file), where, str(exc)))
        except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            problems.append(Problem(str(file), "", f"cannot read table: {why}"))
    if problems:
        raise InputError(problems)
    try:
        return model.model_validate(doc), locator
    except ValidationError as exc:
        raise InputError([locator.problem(tuple(e["loc"]), _message(e))
                          for e in exc.errors()]) from None


def _checked(net: Network, locator: "_Locator", prefix: tuple[str, ...] = ()) -> Network:
    found = check_network(net)
    if found:
        raise InputError([locator.problem(path[len(prefix):] if path[:len(prefix)] == prefix
                                          else path, msg) for path, msg in found])
    return net


def load_network(name_or_path: str | os.PathLike[str]) -> Network:
    """Load and fully validate a network; raise :class:`InputError` listing every problem.
    Runs with the cyclic garbage collector paused (:mod:`twin.collector`)."""
    with collector.paused():
        net, locator = _read_document(resolve_network_path(name_or_path), Network, TABLES)
        net = _checked(net, locator)
    collector.loaded()
    return net


def load_snapshot(path: str | os.PathLike[str], network: Network) -> Network:
    """``network`` with its snapshot replaced by the one in ``path`` (a YAML file with
    ``as_of``, ``lots``, ``in_transit``, ``purchase_orders``, ``returns``, ``repairs``; tables
    may be CSV/Parquet),
    checked against the network's master data."""
    tables = {key[1:]: model for key, model in TABLES.items() if key[0] == "snapshot"}
    with collector.paused():
        snap, locator = _read_document(Path(path), Snapshot, tables)
        net = _checked(network.model_copy(update={"snapshot": snap}), locator, ("snapshot",))
    collector.loaded()
    return net


def _flatten(record: dict[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        elif value == []:
            continue  # an empty list is the default: no column
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for i, v in enumerate(value):
                out.update(_flatten(v, f"{prefix}{key}.{i}."))
        elif isinstance(value, list):
            out[f"{prefix}{key}"] = ";".join(map(str, value))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _write_csv(path: Path, records: list[dict[str, object]]) -> None:
    rows = [_flatten(r) for r in records]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def save_network(net: Network, directory: str | os.PathLike[str],
                 tables: Iterable[tuple[str, ...]] = ()) -> Path:
    """Write ``net`` as ``directory/network.yaml`` with ``tables`` as CSV files beside it
    (an empty one is left out).

    The write is atomic: everything goes to a temporary directory that replaces
    ``directory`` only when complete. An existing ``directory`` is replaced only if it
    holds a network (a ``network.yaml``) or is empty.
    """
    target = Path(directory)
    doc = net.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    with replacing_directory(target, NETWORK_FILE, "a network directory") as tmp:
        for section in tables:
            parent = doc
            for key in section[:-1]:
                parent = parent[key]
            if not parent.get(section[-1]):
                continue  # an empty table stays out: a CSV file needs a header row
            name = "_".join(section[1:] or section) + ".csv"
            _write_csv(tmp / name, parent.get(section[-1], []))
            parent[section[-1]] = name
        with (tmp / NETWORK_FILE).open("w", encoding="utf-8") as f:
            f.write("# yaml-language-server: $schema=" + str(schema_path_hint(target)) + "\n")
            yaml.dump(doc, f, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return target / NETWORK_FILE


def schema_path_hint(target: Path) -> str:
    """Path to the bundled JSON Schema, relative to ``target`` when possible."""
    schema = CONFIG_DIR / "schema" / "network.schema.json"
    try:
        return os.path.relpath(schema, target.resolve())
    except ValueError:
        return str(schema)
