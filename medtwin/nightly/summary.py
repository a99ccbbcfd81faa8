"""The morning summary: what was published, what waits and why, the data-quality alerts of
the pull, KPIs against last night, expiry alerts and what QC is to do with returned units."""

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from medtwin.exit_codes import ExitCode
from medtwin.store.rules import RuleOutcome, ScenarioEvidence
from twin.atomic import write_atomic
from twin.domain import Alert, DispositionAction, ExpiryAlert
from twin.domain.alerts import critical

EXPIRY_LINES = 10
"""Expiry alerts listed in the summary (largest value at risk first; the plan has all)."""
DISPOSITION_LINES = 10
"""Disposition lines listed in the summary (largest value first; the plan has all)."""


def _line_value(a: DispositionAction) -> float:
    """Units × unit cost of a disposition line (the unit cost its evidence holds)."""
    return a.quantity * float(a.evidence.get("unit_cost") or 0)


class Outcome(IntEnum):
    """How a nightly run ended; the value is the process exit code."""

    PUBLISHED = ExitCode.OK
    WAITING = ExitCode.WAITING
    FAILED = ExitCode.FAILED
    LOCKED = ExitCode.LOCKED


@dataclass
class NightlyReport:
    """Everything the morning summary says."""

    outcome: Outcome
    as_of: str = ""
    plan_id: str = ""
    status: str = ""
    notes: list[str] = field(default_factory=list)
    rules: list[RuleOutcome] = field(default_factory=list)
    published: dict[str, int] = field(default_factory=dict)
    tonight: list[ScenarioEvidence] = field(default_factory=list)
    last_night: list[ScenarioEvidence] = field(default_factory=list)
    last_plan_id: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    expiry: list[ExpiryAlert] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    dispositions: list[DispositionAction] = field(default_factory=list)

    def markdown(self) -> str:
        """The summary as Markdown (also printed by ``medtwin nightly``)."""
        head = {Outcome.PUBLISHED: "published", Outcome.WAITING: "waiting for approval",
                Outcome.FAILED: "FAILED", Outcome.LOCKED: "skipped (another run holds the lock)"}
        out = [f"# medtwin nightly {self.as_of}: {head[self.outcome]}", ""]
        if self.plan_id:
            out.append(f"Plan `{self.plan_id}`: {self.status}.")
        if self.published:
            out.append("Published lines: " + ", ".join(f"{n} {k}" for k, n in
                                                       sorted(self.published.items())) + ".")
        out += [f"- {n}" for n in self.notes]
        if self.rules:
            out += ["", "## Approval rules", ""]
            out += [f"- {'pass' if r.passed else 'FAIL'} `{r.rule}`: {r.why}" for r in self.rules]
        if self.alerts:
            out += ["", f"## Data quality ({len(critical(self.alerts))} critical, "
                        f"{len(self.alerts)} in all)", "",
                    "| severity | kind | ERP record | item | lot | warehouse | finding | "
                    "what the plan did |", "|---|---|---|---|---|---|---|---|"]
            out += [f"| {a.severity} | {a.kind} | {a.record} | {a.item or ''} | {a.lot or ''} "
                    f"| {a.warehouse or ''} | {a.message} | {a.action} |" for a in self.alerts]
        if self.tonight:
            before = {s.scenario: s for s in self.last_night}
            out += ["", f"## Stress test (vs last published plan "
                        f"{self.last_plan_id or '—'})", "",
                    "| scenario | critical fill (mean) | lower 95 % | total cost | Δ cost |",
                    "|---|---|---|---|---|"]
            for s in self.tonight:
                prev = before.get(s.scenario)
                delta = f"{s.total_cost - prev.total_cost:+,.0f}" if prev else "—"
                out.append(f"| {s.scenario} | {s.critical_fill_mean:.4f} | "
                           f"{s.critical_fill_lower:.4f} | {s.total_cost:,.0f} | {delta} |")
        if self.expiry:
            out += ["", f"## Expiry alerts ({len(self.expiry)} lots, "
                        f"{sum(a.value_at_risk for a in self.expiry):,.2f} at risk)", "",
                    "| warehouse | item | lot | expires | at risk without action (units) | value "
                    "| action |",
                    "|---|---|---|---|---|---|---|"]
            for a in self.expiry[:EXPIRY_LINES]:
                out.append(f"| {a.warehouse} | {a.item} | {a.lot} | {a.expiry} | "
                           f"{a.units_at_risk:.1f} | {a.value_at_risk:,.2f} | {a.remedy()} |")
        if self.dispositions:
            out += self._dispositions()
        if self.files:
            out += ["", "## Files", ""] + [f"- {k}: {v}" for k, v in self.files.items()]
        return "\n".join(out) + "\n"

    def _dispositions(self) -> list[str]:
        """The returned units' section: units per decision, the value scrapped, and the
        lines of largest value (units × unit cost, from the line's evidence)."""
        units = {d: sum(a.quantity for a in self.dispositions if a.decision == d)
                 for d in ("restock", "repair", "scrap")}
        value = _line_value
        scrapped = sum(value(a) for a in self.dispositions if a.decision == "scrap")
        past = {"restock": "restocked", "repair": "repaired", "scrap": "scrapped"}
        out = ["", f"## Returned units ({len(self.dispositions)} lines; units "
                   + ", ".join(f"{past[d]} {n}" for d, n in units.items() if n)
                   + f"; value scrapped {scrapped:,.2f})", "",
               "| warehouse | item | lot | returned | decision | units | value | date | "
               "repairer (due) |", "|---|---|---|---|---|---|---|---|---|"]
        for a in sorted(self.dispositions, key=lambda a: (-value(a), a.key))[:DISPOSITION_LINES]:
            repair = f"{a.repairer} ({a.repair_due})" if a.repairer else ""
            out.append(f"| {a.warehouse} | {a.item} | {a.lot} | {a.reason} | {a.decision} | "
                       f"{a.quantity} | {value(a):,.2f} | {a.date} | {repair} |")
        return out

    def write(self, folder: Path) -> Path:
        """Write ``morning-summary-<as_of>.md`` atomically into ``folder``."""
        return write_atomic(folder / f"morning-summary-{self.as_of or 'unknown'}.md",
                            self.markdown())

