"""Lot traces: every place a lot went through, with quantities and dates.

The same :class:`LotTrace` is built from an ERP's stock moves (``erp_adapter.trace``) or
from the twin's lot ledger (:func:`trace_ledger`). Places are named alike: ``WH-SH
storage``, ``in transit``, ``hospital H-RJ department ICU``, ``supplier SUP-A``,
``scrapped (expired)``; a quarantine or release is a step within a warehouse
(``WH-SH storage`` → ``WH-SH quarantine``).
"""

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from twin.problems import InputError, Problem

SOLD_TO = "sold to org "  # how a trace names a sale to a sister org's customer location


@dataclass(frozen=True)
class TraceStep:
    """One movement of (part of) the lot."""

    date: dt.date | None
    state: str
    item: str
    lot: str
    quantity: int
    source: str
    target: str
    org: str | None
    document: str

    def __str__(self) -> str:
        when = self.date.isoformat() if self.date else "(no date)"
        planned = "" if self.state == "done" else f" [{self.state}]"
        org = f" org {self.org}" if self.org else ""
        doc = f" ({self.document})" if self.document else ""
        return (f"{when}  {self.quantity:>6} × {self.item} lot {self.lot}: {self.source} → "
                f"{self.target}{planned}{org}{doc}")


@dataclass
class LotTrace:
    """The whole history of one lot number (possibly of several items)."""

    lot: str
    steps: list[TraceStep] = field(default_factory=list)

    @property
    def places(self) -> list[str]:
        """Locations reached by done moves, in the order first reached."""
        seen: dict[str, None] = {}
        for s in self.steps:
            if s.state == "done":
                seen.setdefault(s.source)
                seen.setdefault(s.target)
        return list(seen)

    @property
    def departments(self) -> dict[tuple[str, str], int]:
        """Units received per (hospital, department), net of returns."""
        out: dict[tuple[str, str], int] = defaultdict(int)
        for s in self.steps:
            if s.state != "done":
                continue
            for place, sign in ((s.target, 1), (s.source, -1)):
                if place.startswith("hospital "):
                    _, hospital, _, department = place.split(" ", 3)
                    out[(hospital, department)] += sign * s.quantity
        return dict(out)

    @property
    def now(self) -> dict[str, int]:
        """Where the lot's units are after its done moves: units per place that holds
        them — warehouse zones, in transit, departments (issued), written off — in the
        order first reached.

        Each done move takes its quantity from its source and adds it to its target;
        places that only give (suppliers, opening stock, inventory adjustments) end
        negative and are left out. A sale to a sister org (``sold to org X``) is in
        transit to X until X receives the lot (a move of org X from a supplier), which
        then comes out of that transit rather than from a new supplier."""
        held: dict[str, int] = defaultdict(int)
        for s in self.steps:
            if s.state != "done":
                continue
            source = s.source
            if source.startswith("supplier") and s.org is not None:
                pending = f"{SOLD_TO}{s.org}"
                take = min(max(held.get(pending, 0), 0), s.quantity)
                held[pending] -= take
                held[source] -= s.quantity - take
            else:
                held[source] -= s.quantity
            held[s.target] += s.quantity
        return {(f"in transit to org {p.removeprefix(SOLD_TO)}" if p.startswith(SOLD_TO)
                 else p): q for p, q in held.items() if q > 0}

    @property
    def planned(self) -> list[TraceStep]:
        """Moves of the lot not yet done (published transfers and orders), by date."""
        return [s for s in self.steps if s.state not in ("done", "cancelled")]

    def lines(self) -> list[str]:
        """The trace as text lines: steps, places, where the units are now, what is
        planned for them, and what each department received."""
        out = [f"lot {self.lot}: {len(self.steps)} moves"]
        out += [f"  {s}" for s in self.steps]
        out.append("places: " + " → ".join(self.places))
        now = self.now
        out.append("now: " + ("; ".join(f"{p} {q}" for p, q in now.items()) or "nowhere"))
        out.append(f"planned: {len(self.planned)} move(s)" if self.planned else
                   "planned: nothing")
        out += [f"  {s}" for s in self.planned]
        for (hospital, department), qty in sorted(self.departments.items()):
            out.append(f"department {hospital}/{department}: {qty} units")
        return out


LEDGER_COLUMNS = ("date", "kind", "warehouse", "item", "lot", "quantity", "counterpart",
                  "reason")


def _department(counterpart: str) -> str:
    hospital, _, department = counterpart.partition("/")
    return f"hospital {hospital} department {department}"


def _places(row: pd.Series) -> tuple[str, str] | None:
    """(source, target) of one ledger row; None for rows that move nothing."""
    wh, cp, reason = str(row.warehouse), str(row.counterpart), str(row.reason)
    kind = str(row.kind)
    if kind == "opening":
        return "opening stock", f"{wh} {'quarantine' if reason == 'quarantine' else 'storage'}"
    if kind == "opening_in_transit":
        return "opening stock", "in transit"
    if kind == "receipt":
        return f"supplier {cp}", f"{wh} storage"
    if kind == "transfer_out":
        return f"{wh} storage", "in transit"
    if kind == "transfer_in":
        return "in transit", f"{wh} storage"
    if kind == "issue":
        return f"{wh} storage", _department(cp)
    if kind == "scrap":
        return f"{wh} storage", f"scrapped ({reason})"
    if kind == "quarantine":
        return f"{wh} storage", f"{wh} quarantine"
    if kind == "release":
        return f"{wh} quarantine", f"{wh} storage"
    return None


def trace_ledger(path: str | os.PathLike[str], lot: str, item: str | None = None) -> LotTrace:
    """The trace of lot number ``lot`` (of ``item`` when given) from a lot ledger
    (``X.ledger.parquet`` written beside ``medtwin simulate``'s results)."""
    file = Path(path)
    try:
        ledger = pd.read_parquet(file)
    except FileNotFoundError:
        raise InputError([Problem(str(file), "", "file not found")]) from None
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(file), "", f"not a lot ledger: {exc}")]) from None
    missing = [c for c in LEDGER_COLUMNS if c not in ledger]
    if missing:
        raise InputError([Problem(str(file), "", f"not a lot ledger: no column(s) {missing}")])
    rows = ledger[ledger["lot"] == lot]
    if item is not None:
        rows = rows[rows["item"].astype(str) == item]
    if rows.empty:
        what = f"lot {lot!r}" + (f" of {item!r}" if item else "")
        raise InputError([Problem(str(file), "lot", f"{what} is not in the ledger")])
    steps = []
    for row in rows.itertuples(index=False):
        places = _places(row)  # type: ignore[arg-type]
        if places is None:
            continue
        note = str(row.reason) if str(row.kind) in ("quarantine", "release", "issue") \
            and str(row.reason) not in ("", "nan") else ""
        steps.append(TraceStep(
            date=pd.Timestamp(row.date).date(), state="done", item=str(row.item), lot=lot,
            quantity=int(row.quantity), source=places[0], target=places[1], org=None,
            document=note or (str(row.counterpart) if str(row.kind) == "transfer_out"
                              else "")))
    return LotTrace(lot=lot, steps=steps)
