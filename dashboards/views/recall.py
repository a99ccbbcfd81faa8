"""Recall page: where a lot is, where it went, and the simulated impact of recalling it."""

import panel as pn
import param
from panel.viewable import Viewer

from dashboards.data import DataStore, lot_whereabouts
from medtwin.services.recall import lot_item, recall_impact
from scenarios.run_settings import Days, RunSettings, bounds


class RecallView(Viewer):
    """Pick a lot; see its stock and shipments, its path in a simulated run, and Run the
    impact of a recall."""

    data = param.ClassSelector(class_=DataStore)
    lot = param.Selector(objects=[])
    days = param.Integer(default=RunSettings().days, bounds=bounds(Days))
    policy = param.String(default="heuristic")
    impact = param.DataFrame(default=None, allow_None=True)

    def __init__(self, **params: object):
        super().__init__(**params)
        snap = self.data.network().snapshot
        lots = sorted({p.lot for p in snap.lots} | {t.lot for t in snap.in_transit})
        self.param.lot.objects = lots
        self.lot = lots[0] if lots else None
        self.run = pn.widgets.Button(label="Run recall impact", color="primary")
        self.run.on_click(self._run)
        self.busy = pn.indicators.LoadingSpinner(value=False, width=25, height=25)

    def _item(self) -> str:
        return lot_item(self.data.network(), self.lot)

    def _run(self, _event: object = None) -> None:
        self.busy.value = True
        try:
            self.impact = recall_impact(self.data.network(), self._item(), self.lot,
                                        self.days, 0, self.policy)
        finally:
            self.busy.value = False

    @param.depends("lot")
    def where(self) -> pn.viewable.Viewable:
        """On hand and in transit at the snapshot."""
        return pn.widgets.Tabulator(lot_whereabouts(self.data.network(), self.lot),
                                    disabled=True, show_index=False, css_classes=["lot-where"])

    @param.depends("lot")
    def went(self) -> pn.viewable.Viewable:
        """The lot's movements in the newest simulated run (ledger), if any."""
        files = self.data.files("simulation")
        if not files:
            return pn.pane.Markdown("No simulated run with a ledger in the results folder.")
        ledger = self.data.ledger(files[0])
        rows = ledger[ledger["lot"] == self.lot]
        cols = [c for c in ("date", "kind", "warehouse", "quantity", "counterpart", "reason")
                if c in rows]
        return pn.Column(f"Movements in {files[0]}:", pn.widgets.Tabulator(
            rows[cols].astype(str), disabled=True, show_index=False, css_classes=["lot-went"],
            pagination="local", page_size=10))

    @param.depends("impact")
    def result(self) -> pn.viewable.Viewable:
        """The impact table once run."""
        if self.impact is None:
            return pn.pane.Markdown("Press Run to simulate the recall.")
        return pn.widgets.Tabulator(self.impact.round(4), disabled=True, show_index=False,
                                    css_classes=["recall-impact"])

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column("## Recall", pn.Row(
            pn.widgets.Select.from_param(self.param.lot, label="Lot"),
            pn.widgets.IntInput.from_param(self.param.days, label="Days"), self.run, self.busy),
            "### Where it is", self.where, "### Where it went", self.went,
            "### Simulated impact of a recall today", self.result)
