"""Data-quality alerts: what a pull or the nightly found wrong in the ERP's records, how bad
it is, which record it is about and what the plan did about it.

Kinds are data: :data:`ALERT_KINDS` gives each kind its severity and title once. A
*critical* alert blocks auto-approval (the gate names it); a manager may still approve.
"""

from dataclasses import dataclass
from typing import Literal

from pydantic import field_validator, model_validator

from twin.domain.fields import DomainModel, field

Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class AlertKind:
    """One kind of alert: its severity and a short title."""

    severity: Severity
    title: str


ALERT_KINDS: dict[str, AlertKind] = {
    "negative_stock": AlertKind("critical", "negative stock"),
    "fractional_stock": AlertKind("warning", "fractional stock"),
    "expired_available": AlertKind("critical", "expired lot marked available"),
    "missing_expiry": AlertKind("critical", "lot without an expiry date"),
    "lot_without_supplier": AlertKind("warning", "lots of an item no supplier offers"),
    "unregistered_region": AlertKind("critical", "stock in a region the item is not "
                                                 "registered in"),
    "duplicate_lot": AlertKind("warning", "one lot number on several ERP lots"),
    "duplicate_serial": AlertKind("critical", "one serial number on more than one unit"),
    "unit_mismatch": AlertKind("critical", "item counted in another unit"),
    "demand_outlier": AlertKind("warning", "demand far outside the forecast"),
    "lead_time_outlier": AlertKind("warning", "lead time far from the calibration"),
}


class Alert(DomainModel):
    """One data-quality finding about one ERP record."""

    kind: str = field(description="kind of finding (a key of ALERT_KINDS)")
    severity: Severity = field(description="critical blocks auto-approval")
    record: str = field(description="the ERP record(s), as 'model,id' (e.g. 'stock.lot,42'), "
                                    "space-separated")
    item: str | None = field(None, description="item code")
    warehouse: str | None = field(None, description="warehouse id")
    lot: str | None = field(None, description="lot or serial number")
    message: str = field(description="what is wrong")
    action: str = field(description="what the pull or the plan did about it")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in ALERT_KINDS:
            raise ValueError(f"unknown alert kind {value!r}; known: {', '.join(ALERT_KINDS)}")
        return value

    @model_validator(mode="after")
    def _kind_severity(self) -> "Alert":
        want = ALERT_KINDS[self.kind].severity
        if self.severity != want:
            raise ValueError(f"a {self.kind} alert is {want}, not {self.severity}")
        return self

    @classmethod
    def of(cls, kind: str, record: str, message: str, action: str, *,
           item: str | None = None, warehouse: str | None = None,
           lot: str | None = None) -> "Alert":
        """An alert of ``kind`` with the kind's severity."""
        return cls(kind=kind, severity=ALERT_KINDS[kind].severity, record=record, item=item,
                   warehouse=warehouse, lot=lot, message=message, action=action)

    def __str__(self) -> str:
        where = " ".join(p for p in (self.item, self.lot and f"lot {self.lot}",
                                     self.warehouse and f"at {self.warehouse}") if p)
        return (f"{self.severity.upper()} {self.kind} [{self.record}] {where}: "
                f"{self.message} — {self.action}")


def ordered(alerts: list[Alert]) -> list[Alert]:
    """``alerts`` by severity (critical first), then kind and record (stable)."""
    return sorted(alerts, key=lambda a: (SEVERITY_ORDER[a.severity], a.kind, a.record,
                                         a.lot or ""))


def critical(alerts: list[Alert]) -> list[Alert]:
    """The critical ones."""
    return [a for a in alerts if a.severity == "critical"]
