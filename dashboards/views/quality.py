"""Data-quality page: the alerts of the ERP pull each stored plan was made from — severity,
the ERP record, what is wrong and what the plan did about it — and whether they block the
plan's auto-approval (a critical alert does; a manager may still approve on the Plans
page)."""

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboards.data import DataStore
from twin.domain import Alert

COLUMNS = ["severity", "kind", "record", "item", "lot", "warehouse", "message", "action"]


def alert_table(alerts: list[Alert]) -> pd.DataFrame:
    """One row per alert (columns :data:`COLUMNS`), in the order given."""
    return pd.DataFrame([a.model_dump() for a in alerts], columns=COLUMNS)


class DataQualityView(Viewer):
    """Pick a stored plan; see its pull's data-quality alerts."""

    data = param.ClassSelector(class_=DataStore)
    plan_id = param.Selector(objects=[])

    def __init__(self, **params: object):
        super().__init__(**params)
        service = self.data.plans()
        self.param.plan_id.objects = {f"{p.id} ({p.status})": p.id for p in service.list()}
        self.plan_id = service.opening()

    @param.depends("plan_id")
    def verdict(self) -> pn.viewable.Viewable:
        """How many alerts of each severity, and whether they block auto-approval."""
        if self.plan_id is None:
            return pn.pane.Markdown("No plan in the store.")
        alerts = self.data.plans().alerts(self.plan_id)
        if alerts is None:
            return pn.pane.Alert(f"Plan {self.plan_id} records no data-quality check (made "
                                 "outside the nightly).", alert_type="secondary")
        counts = {s: sum(a.severity == s for a in alerts)
                  for s in ("critical", "warning", "info")}
        text = ", ".join(f"{n} {s}" for s, n in counts.items())
        if counts["critical"]:
            return pn.pane.Alert(f"**{text}**: the critical alerts block auto-approval of "
                                 f"{self.plan_id}; a manager may still approve it.",
                                 alert_type="danger", css_classes=["dq-verdict"])
        return pn.pane.Alert(f"{text}: nothing blocks auto-approval.",
                             alert_type="success", css_classes=["dq-verdict"])

    @param.depends("plan_id")
    def table(self) -> pn.viewable.Viewable:
        """The alerts, critical first."""
        alerts = self.data.plans().alerts(self.plan_id) if self.plan_id else None
        return pn.widgets.Tabulator(alert_table(alerts or []), disabled=True,
                                    show_index=False, css_classes=["dq-alerts"],
                                    sizing_mode="stretch_width", pagination="local",
                                    page_size=50,
                                    header_filters={"severity": {"type": "list",
                                                                 "valuesLookup": True},
                                                    "kind": {"type": "list",
                                                             "valuesLookup": True}})

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column("## Data quality",
                         pn.widgets.Select.from_param(self.param.plan_id, label="Plan"),
                         self.verdict, self.table, sizing_mode="stretch_width")
