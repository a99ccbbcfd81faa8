"""The flat-file adapter: for ERPs that exchange a folder of CSV or Parquet files.

The folder (``medtwin erp pull --out DIR`` writes the same layout from Tryton)::

    snapshot.yaml        as_of, the three tables below and the returned / in-repair lots
                         (inline; read by twin.network_files.load_snapshot)
    lots.csv             warehouse,item,lot,expiry,quantity,status
    in_transit.csv       from,to,mode,item,lot,expiry,quantity,shipped,eta,temperature
    purchase_orders.csv  id,supplier,item,warehouse,quantity,ordered,due
    history.csv          date,warehouse,hospital,department,item,lot,quantity
    returns.csv          date,warehouse,hospital,department,item,lot,quantity,reason,issued
                         (units departments sent back; optional: none without it)
    orgs.csv, warehouses.csv, items.csv   master data as the ERP has it (written by pull)
    return_rates.csv     return rates fitted to the pulled history (written by pull)
    pull_notes.txt       what a pull skipped or found different from the network
    alerts.yaml          data-quality alerts of the pull (optional; see twin.domain.alerts)
    plan_lines.csv       plan lines published to the ERP (one row per key; written by publish)
    plan_status.csv      key,status[,document] — written back by the ERP (optional)

Any ``.csv`` table may be a ``.parquet`` file instead. Publishing appends only keys not yet
in ``plan_lines.csv`` and replaces the file atomically, so publishing twice adds nothing and
an interrupted publish leaves the old file whole.
"""

import csv
import datetime as dt
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from erp_adapter.plan_check import check_plan
from erp_adapter.protocol import (
    Capability,
    DemandRecord,
    DocumentRef,
    LineResult,
    ReturnRecord,
)
from twin.atomic_dir import replacing_directory
from twin.domain import Alert, Network, Plan, Snapshot
from twin.domain.fields import DomainModel, field
from twin.network_files import load_snapshot
from twin.problems import InputError, Problem
from twin.yaml_input import read_yaml, validate_as

SNAPSHOT_FILE = "snapshot.yaml"
HISTORY = "history"
RETURNS = "returns"
PLAN_LINES = "plan_lines"
PLAN_STATUS = "plan_status"
NOTES_FILE = "pull_notes.txt"
ALERTS_FILE = "alerts.yaml"
HISTORY_COLUMNS = ["date", "warehouse", "hospital", "department", "item", "lot", "quantity"]
RETURN_COLUMNS = [*HISTORY_COLUMNS, "reason", "issued"]
PLAN_COLUMNS = ["plan_id", "key", "kind", "from", "to", "mode", "item", "lot", "quantity",
                "ship_date", "emergency", "supplier", "warehouse", "order_date",
                "reorder_point", "order_up_to", "safety_stock", "reason", "decision", "date",
                "repairer", "repair_due", "published_at"]
SNAPSHOT_TABLES = {"lots": ["warehouse", "item", "lot", "expiry", "quantity", "status"],
                   "in_transit": ["from", "to", "mode", "item", "lot", "expiry", "quantity",
                                  "shipped", "eta", "temperature"],
                   "purchase_orders": ["id", "supplier", "item", "warehouse", "quantity",
                                       "ordered", "due"]}


class _HistoryRow(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    date: dt.date
    warehouse: str
    hospital: str
    department: str = ""
    item: str
    lot: str = ""
    quantity: int


class _ReturnRow(_HistoryRow):
    reason: Literal["unused", "near_expiry", "defective", "recalled"]
    issued: dt.date | None = None


_Row = TypeVar("_Row", bound=_HistoryRow)


def find_table(folder: Path, name: str) -> Path | None:
    """``folder/name.csv`` or ``folder/name.parquet``, whichever exists."""
    for suffix in (".csv", ".parquet"):
        if (folder / f"{name}{suffix}").exists():
            return folder / f"{name}{suffix}"
    return None


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV or Parquet table (empty CSV cells dropped)."""
    try:
        if path.suffix == ".parquet":
            return pq.read_table(path).to_pylist()
        with path.open(newline="", encoding="utf-8-sig") as f:
            return [{k: v for k, v in row.items() if v not in ("", None)}
                    for row in csv.DictReader(f)]
    except (OSError, ValueError, csv.Error, pa.ArrowException) as exc:
        raise InputError([Problem(str(path), "", f"cannot read table: {exc}")]) from None


def write_rows(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Write ``rows`` as CSV or Parquet (by suffix), atomically."""
    tmp = path.with_name(f".{path.name}.tmp")
    if path.suffix == ".parquet":
        table = pa.Table.from_pylist([{c: _plain(r.get(c)) for c in columns} for r in rows])
        pq.write_table(table, tmp)
    else:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(columns), lineterminator="\n",
                                    extrasaction="ignore")
            writer.writeheader()
            writer.writerows({c: _cell(r.get(c)) for c in columns} for r in rows)
    os.replace(tmp, path)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return _plain(value)


def _records(models: Iterable[BaseModel]) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json", by_alias=True) for m in models]


def write_folder(folder: str | os.PathLike[str], snapshot: Snapshot,
                 history: Sequence[DemandRecord] = (),
                 master: dict[str, list[dict[str, Any]]] | None = None,
                 notes: Sequence[str] = (), fmt: str = "csv",
                 alerts: Sequence[Alert] = (), returns: Sequence[ReturnRecord] = ()) -> Path:
    """Write a snapshot, its history (issues and returns), master data and the pull's
    data-quality alerts as an exchange folder, atomically: all
    files go to a temporary folder that replaces ``folder`` when complete. An existing
    ``folder`` is replaced only if it holds a snapshot or is empty; plan files in it are
    kept."""
    target = Path(folder)
    suffix = ".parquet" if fmt == "parquet" else ".csv"
    with replacing_directory(target, SNAPSHOT_FILE, "an exchange folder") as tmp:
        doc: dict[str, Any] = {"as_of": snapshot.as_of.isoformat()}
        for name, columns in SNAPSHOT_TABLES.items():
            write_rows(tmp / f"{name}{suffix}", _records(getattr(snapshot, name)), columns)
            doc[name] = f"{name}{suffix}"
        for name in ("returns", "repairs"):
            if getattr(snapshot, name):
                doc[name] = _records(getattr(snapshot, name))
        (tmp / SNAPSHOT_FILE).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        write_rows(tmp / f"{HISTORY}{suffix}", [vars(r) for r in history], HISTORY_COLUMNS)
        write_rows(tmp / f"{RETURNS}{suffix}", [vars(r) for r in returns], RETURN_COLUMNS)
        for name, rows in (master or {}).items():
            columns = list(dict.fromkeys(k for r in rows for k in r))
            write_rows(tmp / f"{name}{suffix}", rows, columns)
        (tmp / NOTES_FILE).write_text("".join(f"{n}\n" for n in notes), encoding="utf-8")
        (tmp / ALERTS_FILE).write_text(yaml.safe_dump(
            AlertsFile(alerts=list(alerts)).model_dump(mode="json"), sort_keys=False,
            allow_unicode=True), encoding="utf-8")
        if target.exists():
            for name in (PLAN_LINES, PLAN_STATUS):
                for old in target.glob(f"{name}.*"):
                    shutil.copy2(old, tmp / old.name)
    return target


class AlertsFile(DomainModel):
    """``alerts.yaml``: the data-quality alerts of the pull that wrote the folder."""

    alerts: list[Alert] = field(list, description="data-quality alerts, critical first")


def read_alerts(folder: Path) -> list[Alert]:
    """The alerts of ``folder``'s ``alerts.yaml`` (none when it has no such file); problems
    name the file, the field and its line."""
    path = folder / ALERTS_FILE
    if not path.exists():
        return []
    return validate_as(AlertsFile, read_yaml(path) or {}, str(path)).alerts


def plan_rows(plan: Plan, published_at: dt.datetime) -> list[dict[str, Any]]:
    """One flat row per plan line (``PLAN_COLUMNS``)."""
    rows = []
    for a in plan.actions:
        row = a.model_dump(mode="json", by_alias=True, exclude={"evidence"})
        row.update(plan_id=plan.id, published_at=published_at.isoformat(timespec="seconds"))
        rows.append(row)
    return rows


class FlatFileAdapter:
    """:class:`~erp_adapter.protocol.ErpAdapter` over an exchange folder: one fixed
    snapshot (no ``LIVE``), no master-data comparison, no lot trace."""

    name = "folder"
    capabilities = frozenset({Capability.SNAPSHOT, Capability.HISTORY, Capability.PUBLISH,
                              Capability.STATUS, Capability.RETURNS})

    def __init__(self, folder: str | os.PathLike[str], network: Network | None,
                 fmt: str = "csv"):
        self.folder = Path(folder)
        self._net = network
        self.fmt = fmt
        self.warnings: list[str] = []
        self.alerts: list[Alert] = []

    @property
    def url(self) -> str:
        return str(self.folder)

    def __enter__(self) -> "FlatFileAdapter":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    @property
    def net(self) -> Network:
        if self._net is None:
            raise InputError([Problem("--network", "", f"reading the exchange folder "
                                                       f"{self.folder} needs a network")])
        return self._net

    def today(self) -> dt.date:
        """The day before the folder's snapshot date (its snapshot holds that day's moves)."""
        return self.pull_snapshot().as_of - dt.timedelta(days=1)

    def _require_folder(self) -> None:
        if not self.folder.is_dir():
            raise InputError([Problem(str(self.folder), "", "exchange folder not found")])

    def pull_snapshot(self, as_of: dt.date | None = None) -> Snapshot:
        """The folder's snapshot (checked against the network); ``as_of`` must match it."""
        self._require_folder()
        path = self.folder / SNAPSHOT_FILE
        snap = load_snapshot(path, self.net).snapshot
        if as_of is not None and snap.as_of != as_of:
            raise InputError([Problem(str(path), "as_of", f"the folder holds the snapshot of "
                                                          f"{snap.as_of}, not of {as_of}")])
        self.alerts = read_alerts(self.folder)
        return snap

    def pull_history(self, since: dt.date, until: dt.date) -> list[DemandRecord]:
        self._require_folder()
        path = find_table(self.folder, HISTORY)
        if path is None:
            raise InputError([Problem(str(self.folder / f"{HISTORY}.csv"), "", "file not found")])
        return [DemandRecord(**r.model_dump())
                for r in self._rows(path, _HistoryRow, since, until)]

    def pull_returns(self, since: dt.date, until: dt.date) -> list[ReturnRecord]:
        """The folder's returns on ``since`` … ``until`` (none if it has no returns table)."""
        self._require_folder()
        path = find_table(self.folder, RETURNS)
        return [] if path is None else [
            ReturnRecord(**r.model_dump()) for r in self._rows(path, _ReturnRow, since, until)]

    def _rows(self, path: Path, model: type[_Row], since: dt.date, until: dt.date
              ) -> list[_Row]:
        """The rows of table ``path`` dated ``since`` … ``until``, validated as ``model``
        with known items and warehouses (every problem of the table at once)."""
        out, problems = [], []
        for n, row in enumerate(read_rows(path)):
            line = f"line {n + 2}" if path.suffix == ".csv" else f"row {n + 1}"
            try:
                r = model.model_validate(row)
            except ValidationError as exc:
                problems += [Problem(str(path), f"{line}: {'.'.join(map(str, e['loc']))}",
                                     e["msg"]) for e in exc.errors()]
                continue
            if r.item not in self.net.item_by_code:
                problems.append(Problem(str(path), f"{line}: item", f"unknown item {r.item!r}"))
            if r.warehouse not in self.net.warehouse_by_id:
                problems.append(Problem(str(path), f"{line}: warehouse",
                                        f"unknown warehouse {r.warehouse!r}"))
            if since <= r.date <= until:
                out.append(r)
        if problems:
            raise InputError(problems)
        return sorted(out, key=lambda r: (r.date, r.warehouse, r.item))

    def _published(self) -> tuple[Path, list[dict[str, Any]]]:
        path = find_table(self.folder, PLAN_LINES) or self.folder / f"{PLAN_LINES}.{self.fmt}"
        return path, (read_rows(path) if path.exists() else [])

    def publish(self, plan: Plan, *, dry_run: bool = False, file: str = "plan"
                ) -> list[LineResult]:
        """Append the plan's new lines to ``plan_lines``; lines already there are kept."""
        self._require_folder()
        snap_file = self.folder / SNAPSHOT_FILE
        snap = self.pull_snapshot() if snap_file.exists() else None
        if snap is not None and snap.as_of != plan.as_of:
            snap = None  # the folder's stock is of another day: check against the network's
        problems = check_plan(plan, self.net, snap, file=file)
        if problems:
            raise InputError(problems)
        path, rows = self._published()
        known = {r.get("key") for r in rows}
        new = [r for r in plan_rows(plan, dt.datetime.now(dt.UTC)) if r["key"] not in known]
        if new and not dry_run:
            write_rows(path, [*rows, *new], PLAN_COLUMNS)
        outcome = "would_create" if dry_run else "created"
        fresh = {r["key"] for r in new}
        return [LineResult(a.key, a.kind, outcome if a.key in fresh else "exists",
                           [DocumentRef(path.name, None, "to write" if a.key in fresh and dry_run
                                        else "written")]) for a in plan.actions]

    def status(self, plan: Plan, file: str = "plan") -> list[LineResult]:
        """``missing`` / ``published`` per line, or the status the ERP wrote back."""
        _, rows = self._published()
        known = {r.get("key") for r in rows}
        status_path = find_table(self.folder, PLAN_STATUS)
        back = {r.get("key"): r for r in read_rows(status_path)} if status_path else {}
        out = []
        for a in plan.actions:
            if a.key in back:
                r = back[a.key]
                out.append(LineResult(a.key, a.kind, str(r.get("status", "published")),
                                      message=str(r.get("document", ""))))
            else:
                out.append(LineResult(a.key, a.kind, "published" if a.key in known else "missing"))
        return out
