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
        order first reached (see :class:`_Holdings`)."""
        held = _Holdings()
        for s in self.steps:
            if s.state == "done":
                held.move(s)
        return held.places()

    def recall_response(self, notice: dt.date) -> "RecallResponse":
        """How the lot's units came under control after a recall notice on ``notice``, as
        its done moves show it (see :class:`RecallResponse`)."""
        held = _Holdings()
        done = [s for s in self.steps if s.state == "done" and s.date is not None]
        for s in done:
            if s.date < notice:  # type: ignore[operator]
                held.move(s)
        at_notice = held.places()
        out = {p: q for p, q in at_notice.items() if _loose(p)}
        travelling = sum(q for p, q in out.items() if _travelling(p))
        recovered, returned, arrived = [], [], []
        for s in done:
            if s.date < notice:  # type: ignore[operator]
                continue
            taken = held.move(s)
            loose = sum(q for p, q in taken.items() if _loose(p))
            if loose and _controls(s.target):
                recovered.append((s.date, loose))
            back = sum(q for p, q in taken.items() if p.startswith("hospital "))
            if back and not s.target.startswith("hospital "):
                returned.append((s.date, back))
            moved = sum(q for p, q in taken.items() if _travelling(p))
            if moved:
                arrived.append((s.date, moved))
        return RecallResponse(notice, out, travelling, recovered, returned, arrived,
                              {p: q for p, q in held.places().items() if _loose(p)})

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


def _travelling(place: str) -> bool:
    return place == "in transit" or place.startswith(("in transit to org", SOLD_TO))


def _controls(place: str) -> bool:
    """A place where a recalled unit is under control: a quarantine zone, scrapped or
    written off, or back with the supplier."""
    return place.endswith(" quarantine") or place.startswith(
        ("scrapped", "supplier", "inventory adjustment"))


def _loose(place: str) -> bool:
    """A place holding units that are not under control (storage and other warehouse zones,
    in transit, departments); places that only give units (suppliers, opening stock,
    adjustments) are not."""
    return not _controls(place) and not place.startswith("opening stock")


class _Holdings:
    """Units per place while replaying done moves: each move takes its quantity from its
    source and adds it to its target; places that only give (suppliers, opening stock,
    inventory adjustments) go negative. A sale to a sister org (``sold to org X``) is in
    transit to X until X receives the lot (a move of org X from a supplier), which then
    comes out of that transit rather than from a new supplier."""

    def __init__(self) -> None:
        self.held: dict[str, int] = defaultdict(int)

    def move(self, s: TraceStep) -> dict[str, int]:
        """Apply ``s``; return the units taken from each place."""
        taken = {s.source: s.quantity}
        if s.source.startswith("supplier") and s.org is not None:
            pending = f"{SOLD_TO}{s.org}"
            take = min(max(self.held.get(pending, 0), 0), s.quantity)
            taken = {pending: take, s.source: s.quantity - take}
        for place, qty in taken.items():
            self.held[place] -= qty
        self.held[s.target] += s.quantity
        return {p: q for p, q in taken.items() if q}

    def places(self) -> dict[str, int]:
        """Places holding units, in the order first reached (a pending sale to org X as
        ``in transit to org X``)."""
        return {(f"in transit to org {p.removeprefix(SOLD_TO)}" if p.startswith(SOLD_TO)
                 else p): q for p, q in self.held.items() if q > 0}


@dataclass(frozen=True)
class RecallResponse:
    """A recall notice of ``notice`` against a lot's moves (dates; days count from it).

    ``out``: units not under control at the notice, per place (storage zones, in transit,
    departments); ``travelling``: of them, in transit. After the notice, as (date, units):
    ``recovered`` — moved under control (into quarantine, scrapped or written off, back to
    the supplier); ``returned`` — given back by departments; ``arrived`` — leaving transit.
    ``still_out``: units not under control after the last move, per place.

    What the records cannot say: which units a department used on patients (units still
    at a department are used or not yet returned, alike); a block of stock without a move
    into quarantine; when a unit was *located* other than by its moves — every unit is
    taken as located at once except those in transit, located on arrival."""

    notice: dt.date
    out: dict[str, int]
    travelling: int
    recovered: list[tuple[dt.date, int]]
    returned: list[tuple[dt.date, int]]
    arrived: list[tuple[dt.date, int]]
    still_out: dict[str, int]

    @property
    def days_to_locate(self) -> int | None:
        """Days until every unit in transit at the notice had arrived (0 when none was);
        None while some still travel."""
        left = self.travelling
        for date, units in self.arrived:
            if left <= 0:
                break
            left -= units
            if left <= 0:
                return (date - self.notice).days
        return 0 if self.travelling == 0 else None

    def recovered_within(self, days: int) -> int:
        """Units brought under control within ``days`` days of the notice."""
        return sum(u for d, u in self.recovered if (d - self.notice).days <= days)

    def lines(self, windows: tuple[int, ...]) -> list[str]:
        """The response as text lines (units recovered within each of ``windows`` days)."""
        def where(held: dict[str, int]) -> str:
            return "; ".join(f"{p} {q}" for p, q in held.items()) or "nowhere"

        total = sum(self.out.values())
        located = self.days_to_locate
        back = sum(u for _, u in self.returned)
        last = f", last on {self.returned[-1][0]}" if self.returned else ""
        return [
            f"recall notice {self.notice}: {total} units not under control ({where(self.out)})",
            (f"  located: all within {located} days (in transit at the notice: "
             f"{self.travelling})" if located is not None else
             f"  located: not all — {self.travelling - sum(u for _, u in self.arrived)} of "
             f"{self.travelling} units still in transit"),
            "  recovered: " + ", ".join(f"{self.recovered_within(n)} within {n} "
                                        f"day{'s' * (n > 1)}" for n in windows)
            + f"; {sum(self.still_out.values())} still out ({where(self.still_out)})",
            f"  returned by departments: {back} units{last}",
            "  (the records do not say which units departments used on patients: units still "
            "at a department are used or not yet returned)"]


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
    if kind == "return_in":
        return (_department(cp) if cp not in ("", "nan") else "a hospital"), f"{wh} quarantine"
    if kind == "repair_out":
        return f"{wh} quarantine", "out for repair"
    if kind == "opening_in_repair":
        return "opening stock", "out for repair"
    if kind == "repair_in":
        return "out for repair", f"{wh} storage"
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
        note = str(row.reason) if str(row.kind) in ("quarantine", "release", "issue",
                                                    "return_in") \
            and str(row.reason) not in ("", "nan") else ""
        steps.append(TraceStep(
            date=pd.Timestamp(row.date).date(), state="done", item=str(row.item), lot=lot,
            quantity=int(row.quantity), source=places[0], target=places[1], org=None,
            document=note or (str(row.counterpart) if str(row.kind) == "transfer_out"
                              else "")))
    return LotTrace(lot=lot, steps=steps)
