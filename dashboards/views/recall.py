"""Recall page: where a lot is, where it went, and the simulated impact of recalling it,
paired over replications with confidence intervals."""

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboards.data import DataStore, lot_whereabouts
from medtwin.services.recall import RecallImpact, kpi_meta, lot_item, recall_impact
from scenarios.run_settings import Days, RunSettings, bounds

UNITS = {"type": "money", "thousand": ",", "precision": 0}
WHY = ("Each replication runs the twin twice with the same seed — without and with the lot "
       "recalled today — so both runs meet the same demand. Lead times, transits and "
       "quality checks are drawn one per order from shared streams, so the recall's "
       "replacement order reshuffles them for every item: the other items' change is not "
       "an effect the recall could have on their stock, even where its interval excludes 0 "
       "(drawn per order instead, the other items come out identical on the reference "
       "network) — read the recalled item's row. A difference whose interval spans 0 is no "
       "evidence either way.")


def impact_rows(impact: RecallImpact) -> pd.DataFrame:
    """The KPI comparison as printed: readable names, grouped thousands, the paired
    difference with its interval and whether the interval excludes 0."""
    rows = []
    for r in impact.kpis.itertuples(index=False):
        meta = kpi_meta(r.kpi)
        rows.append((meta.label, meta.format(r[1]), meta.format(r[2]), meta.format(r.difference),
                     f"[{meta.format(r.ci_low)}, {meta.format(r.ci_high)}]",
                     "yes" if r.ci_low > 0 or r.ci_high < 0 else "no"))
    return pd.DataFrame(rows, columns=["KPI", "without recall", "with recall", "difference",
                                       f"{impact.level:.0%} CI", "significant"])


def response_rows(impact: RecallImpact) -> pd.DataFrame:
    """The recall-response KPIs as printed: label, mean and interval in each KPI's unit."""
    rows = []
    for r in impact.response.itertuples(index=False):
        meta = kpi_meta(r.kpi)
        rows.append((meta.label, meta.shown(r.mean),
                     f"[{meta.shown(r.ci_low)}, {meta.shown(r.ci_high)}]"))
    return pd.DataFrame(rows, columns=["KPI", "mean", f"{impact.level:.0%} CI"])


def reach_summary(impact: RecallImpact) -> str:
    """Units to recover, days to locate them all and units back within 1 and 7 days, in
    the replications' terms (means)."""
    reach, n = impact.reach, impact.replications
    return (f"**{reach.units_to_recover.mean():,.0f} units to recover** (on hand "
            f"{reach.units_on_hand.mean():,.0f}, in transit {reach.units_in_transit.mean():,.0f},"
            f" already issued {reach.units_issued.mean():,.0f} to "
            f"{reach.departments.mean():,.1f} departments, less "
            f"{reach.units_used.mean():,.0f} used on patients); "
            f"**all located within {reach.days_to_locate.mean():,.1f} days** on average "
            f"(range {reach.days_to_locate.min():,}–{reach.days_to_locate.max():,}); "
            f"**{reach.recovered_1d.mean():,.0f} back within 1 day, "
            f"{reach.recovered_7d.mean():,.0f} within 7 days** — "
            f"{n} replications, seeds {reach.seed.min()}–{reach.seed.max()}.")


class RecallView(Viewer):
    """Pick a lot (searchable); see its stock and shipments, its path in a simulated run,
    and Run the impact of a recall over several replications."""

    data = param.ClassSelector(class_=DataStore)
    lot = param.String(default="")
    days = param.Integer(default=RunSettings().days, bounds=bounds(Days))
    replications = param.Integer(default=5, bounds=(2, 50), doc="paired replications")
    policy = param.String(default="heuristic")
    impact = param.ClassSelector(class_=RecallImpact, default=None, allow_None=True)

    def __init__(self, **params: object):
        super().__init__(**params)
        snap = self.data.network().snapshot
        self.lots = sorted({p.lot for p in snap.lots} | {t.lot for t in snap.in_transit})
        self.lot = self.lot or (self.lots[0] if self.lots else "")
        self.picker = pn.widgets.AutocompleteInput.from_param(
            self.param.lot, name=f"Lot (type to search {len(self.lots):,})",
            options=self.lots, restrict=True, search_strategy="includes", min_characters=1,
            case_sensitive=False, css_classes=["lot-picker"])
        self.run = pn.widgets.Button(label="Run recall impact", color="primary")
        self.run.on_click(self._run)
        self.busy = pn.indicators.LoadingSpinner(value=False, width=25, height=25)

    def _run(self, _event: object = None) -> None:
        self.busy.value = True
        try:
            self.impact = recall_impact(self.data.network(),
                                        lot_item(self.data.network(), self.lot), self.lot,
                                        self.days, range(self.replications), self.policy)
        finally:
            self.busy.value = False

    @param.depends("lot")
    def where(self) -> pn.viewable.Viewable:
        """On hand and in transit at the snapshot."""
        return pn.widgets.Tabulator(lot_whereabouts(self.data.network(), self.lot).astype(
            {"expiry": str}), disabled=True, show_index=False, css_classes=["lot-where"],
            formatters={"units": UNITS})

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
        """Reach and KPI comparison once run."""
        if self.impact is None:
            return pn.pane.Markdown("Press Run to simulate the recall.")
        reach = self.impact.reach
        return pn.Column(
            pn.pane.Markdown(reach_summary(self.impact), css_classes=["recall-reach"]),
            pn.widgets.Tabulator(reach, disabled=True, show_index=False,
                                 css_classes=["recall-seeds"], titles={
                                     c: c.replace("_", " ") for c in reach.columns},
                                 formatters={c: UNITS for c in reach.columns if c != "seed"}),
            pn.widgets.Tabulator(response_rows(self.impact), disabled=True, show_index=False,
                                 css_classes=["recall-response"], sizing_mode="stretch_width"),
            pn.widgets.Tabulator(impact_rows(self.impact), disabled=True, show_index=False,
                                 css_classes=["recall-impact"], sizing_mode="stretch_width"),
            pn.pane.Markdown(WHY, css_classes=["recall-why"]))

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column("## Recall", pn.Row(
            self.picker, pn.widgets.IntInput.from_param(self.param.days, label="Days"),
            pn.widgets.IntInput.from_param(self.param.replications, label="Replications"),
            self.run, self.busy),
            "### Where it is", self.where, "### Where it went", self.went,
            "### Simulated impact of a recall today", self.result)
