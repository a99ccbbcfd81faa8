"""Compare-policies page: opens with a verdict — a candidate policy against the baseline in
one scenario, as tiles (:mod:`dashboards.views.verdict`) — then, one tab each (drawn when
opened), the paired differences of a KPI across scenarios, its distribution across
replications, daily series, and every KPI's mean with its 95 % CI in its unit. The result
picker describes each experiment file (kind,
policies, scenarios, replications, days, snapshot date, author) and starts on the newest
``compare`` of two policies or more."""

from collections.abc import Callable

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboards.data import DataStore
from dashboards.views.verdict import VERDICT_KPIS, tiles
from scenarios import plots
from scenarios.stats import as_rows, defined_kpis, paired_differences, summarise
from twin.sim import RECALL_KPIS, run_kpi

KEY_KPIS = [*VERDICT_KPIS, "run_fill_rate", "run_lost_units", "run_emergency_units",
            *(f"run_{k}" for k in RECALL_KPIS)]
"""KPIs offered and tabled (the recall-response ones when some run had a recall)."""


def _next_tick(make: Callable[[], pn.viewable.Viewable]) -> pn.Column:
    """A column that gets ``make()`` on the server's next tick, so that the rest of the
    page (the verdict) reaches the browser first (the paired-differences chart took about
    half of the Compare page's server time); at once without a server session."""
    holder = pn.Column(sizing_mode="stretch_width")
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        doc.add_next_tick_callback(lambda: holder.append(make()))
    else:
        holder.append(make())
    return holder


class CompareView(Viewer):
    """Pick an experiment file, a baseline, a candidate, a scenario and a KPI."""

    data = param.ClassSelector(class_=DataStore)
    file = param.Selector(objects={}, doc="experiment result file")
    baseline = param.Selector(objects=[], doc="baseline policy")
    candidate = param.Selector(objects=[], doc="policy compared with the baseline")
    scenario = param.Selector(objects=[])
    kpi = param.Selector(objects=KEY_KPIS, default=KEY_KPIS[0])

    def __init__(self, **params: object):
        super().__init__(**params)
        self.refresh()

    def refresh(self) -> None:
        """Re-list the experiment files (after a what-if wrote one); keep the chosen one,
        else start on the newest compare of two policies or more."""
        found = self.data.experiments()
        self.param.file.objects = {e.label: e.path for e in found}
        if self.file not in [e.path for e in found]:
            first = self.data.opening_experiment(found)
            self.file = first.path if first else None

    def open(self, path: str) -> None:
        """Show the experiment at ``path`` (e.g. a what-if just written)."""
        self.refresh()
        self.file = path

    @param.depends("file", watch=True, on_init=True)
    def _file_changed(self) -> None:
        if not self.file:
            return
        ds = self.data.dataset(self.file)
        policies = [str(p) for p in ds.policy.values]
        base = str(ds.attrs.get("baseline_policy", policies[0]))
        self.param.baseline.objects = policies
        self.baseline = base if base in policies else policies[0]
        self.param.scenario.objects = [str(s) for s in ds.scenario.values]
        self.scenario = self.param.scenario.objects[0]
        self.param.kpi.objects = {run_kpi(k).label: k for k in defined_kpis(ds, KEY_KPIS)}
        self.kpi = next(k for k in KEY_KPIS if k in ds)

    @param.depends("baseline", watch=True)
    def _baseline_changed(self) -> None:
        others = [p for p in self.param.baseline.objects if p != self.baseline]
        self.param.candidate.objects = others
        self.candidate = others[0] if others else None

    def _empty(self) -> str | None:
        """Why there is nothing to compare, or None."""
        if not self.file:
            return (f"No experiment files in `{self.data.results_dir}` yet: run `medtwin "
                    "compare` or a what-if.")
        if self.candidate is None:
            return (f"This file holds one policy ({self.baseline}): nothing to compare it "
                    "with. Pick a file of two policies or more, or run one.")
        return None

    @param.depends("file", "baseline", "candidate", "scenario")
    def verdict(self) -> pn.viewable.Viewable:
        """Tiles: candidate against baseline in the scenario."""
        why = self._empty()
        if why:
            return pn.pane.Markdown(why, css_classes=["compare-empty"])
        ds = self.data.dataset(self.file)
        return pn.Column(
            pn.pane.Markdown(f"### Verdict: **{self.candidate}** against baseline "
                             f"**{self.baseline}** in *{self.scenario}* "
                             f"({ds.sizes['replication']} paired replications; green better, "
                             "red worse, grey no clear difference)"),
            tiles(ds, self.baseline, self.candidate, self.scenario),
            sizing_mode="stretch_width")

    @param.depends("file", "baseline", "candidate", "kpi")
    def differences(self) -> pn.viewable.Viewable:
        """Paired differences (policy − baseline) of the KPI per scenario, with 95 % CIs."""
        if self._empty():
            return pn.pane.Markdown("")
        ds = self.data.dataset(self.file)
        diff = paired_differences(ds, self.baseline, [self.kpi])
        return pn.pane.HoloViews(plots.differences(diff, self.kpi, self.baseline,
                                                   str(ds.attrs.get("currency", ""))))

    @param.depends("file", "kpi")
    def distribution(self) -> pn.viewable.Viewable:
        """The KPI across replications, per scenario and policy."""
        if not self.file:
            return pn.pane.Markdown("")
        return pn.pane.HoloViews(plots.distribution(self.data.dataset(self.file), self.kpi))

    @param.depends("file", "scenario")
    def series(self) -> pn.viewable.Viewable:
        """Mean daily fill rate and inventory value across replications, per policy."""
        if not self.file:
            return pn.pane.Markdown("")
        ds = self.data.dataset(self.file)
        return pn.Column(*[pn.pane.HoloViews(plots.series(ds, self.scenario, var))
                           for var in ("fill_rate", "inventory_value") if var in ds])

    @param.depends("file")
    def table(self) -> pn.viewable.Viewable:
        """Every KPI's mean and 95 % CI per scenario and policy, in its unit."""
        if not self.file:
            return pn.pane.Markdown("")
        ds = self.data.dataset(self.file)
        kpis = defined_kpis(ds, KEY_KPIS)
        currency = str(ds.attrs.get("currency", ""))
        rows = as_rows(summarise(ds, kpis), kpis)

        def shown(r: pd.Series, stat: str) -> str:
            return run_kpi(r.kpi).shown(r[stat], currency)
        table = pd.DataFrame({
            "scenario": rows.scenario, "policy": rows.policy,
            "KPI": [run_kpi(k).label for k in rows.kpi],
            "mean": [shown(r, "mean") for _, r in rows.iterrows()],
            "95 % CI": [f"[{shown(r, 'lower')}, {shown(r, 'upper')}]"
                        for _, r in rows.iterrows()]})
        return pn.widgets.Tabulator(table, disabled=True, show_index=False,
                                    css_classes=["kpi-table"], sizing_mode="stretch_width",
                                    groupby=["KPI"], height=400)

    def __panel__(self) -> pn.viewable.Viewable:
        controls = pn.Row(
            pn.widgets.Select.from_param(self.param.file, label="Results", width=560),
            pn.widgets.Select.from_param(self.param.baseline, label="Baseline"),
            pn.widgets.Select.from_param(self.param.candidate, label="Candidate"),
            pn.widgets.Select.from_param(self.param.scenario, label="Scenario"))
        def later(method: object) -> pn.param.ParamMethod:
            return pn.param.ParamMethod(method, lazy=True)
        details = pn.Tabs(
            ("Paired differences", pn.Column(
                "### Paired differences against the baseline",
                pn.widgets.Select.from_param(self.param.kpi, label="KPI"),
                _next_tick(lambda: later(self.differences)))),
            ("Distribution", pn.Column(
                pn.widgets.Select.from_param(self.param.kpi, label="KPI"),
                later(self.distribution))),
            ("Daily series", later(self.series)), ("Every KPI", later(self.table)),
            dynamic=True)
        return pn.Column("## Compare policies", controls, self.verdict, details,
                         sizing_mode="stretch_width")
