"""Compare-policies page: KPI means with confidence intervals per scenario, distributions
across replications, paired differences against a baseline, time series."""

import panel as pn
import param
from panel.viewable import Viewer

from dashboards.data import DataStore
from scenarios import plots
from scenarios.stats import as_rows, paired_differences, summarise

KEY_KPIS = ["run_fill_rate_critical", "run_fill_rate", "run_scrapped_value_expired",
            "run_inventory_value_mean", "run_holding_cost", "run_emergency_units"]


class CompareView(Viewer):
    """Pick an experiment file, a baseline, a KPI and a scenario."""

    data = param.ClassSelector(class_=DataStore)
    file = param.Selector(objects=[], doc="experiment result file")
    baseline = param.Selector(objects=[], doc="baseline policy")
    kpi = param.Selector(objects=KEY_KPIS, default=KEY_KPIS[0])
    scenario = param.Selector(objects=[])

    def __init__(self, **params: object):
        super().__init__(**params)
        self.refresh()

    def refresh(self) -> None:
        """Re-list the experiment files (after a what-if run wrote one)."""
        files = self.data.files("experiment")
        self.param.file.objects = files
        if files and self.file not in files:
            self.file = files[0]

    @param.depends("file", watch=True, on_init=True)
    def _file_changed(self) -> None:
        if not self.file:
            return
        ds = self.data.dataset(self.file)
        policies = [str(p) for p in ds.policy.values]
        self.param.baseline.objects = policies
        self.baseline = ds.attrs.get("baseline_policy", policies[0]) \
            if ds.attrs.get("baseline_policy") in policies else policies[0]
        scenarios = [str(s) for s in ds.scenario.values]
        self.param.scenario.objects = scenarios
        self.scenario = scenarios[0]
        self.param.kpi.objects = [k for k in KEY_KPIS if k in ds] or \
            [str(v) for v in ds.data_vars if str(v).startswith("run_")]
        self.kpi = self.param.kpi.objects[0]

    @param.depends("file")
    def table(self) -> pn.viewable.Viewable:
        """Mean and 95 % CI per scenario × policy × KPI."""
        if not self.file:
            return pn.pane.Markdown("No experiment files yet: run `medtwin compare` or the "
                                    "What-if page.")
        ds = self.data.dataset(self.file)
        kpis = [k for k in KEY_KPIS if k in ds]
        df = as_rows(summarise(ds, kpis), kpis)
        return pn.widgets.Tabulator(df.round(4), disabled=True, show_index=False,
                                    css_classes=["kpi-table"], sizing_mode="stretch_width",
                                    pagination="local", page_size=20)

    @param.depends("file", "baseline")
    def differences(self) -> pn.viewable.Viewable:
        """Paired differences (policy − baseline) with their CI and significance."""
        if not self.file:
            return pn.pane.Markdown("")
        ds = self.data.dataset(self.file)
        kpis = [k for k in KEY_KPIS if k in ds]
        df = as_rows(paired_differences(ds, self.baseline, kpis), kpis)
        df = df[df.policy != self.baseline]
        return pn.widgets.Tabulator(df.round(4), disabled=True, show_index=False,
                                    css_classes=["differences"], sizing_mode="stretch_width",
                                    pagination="local", page_size=20)

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

    def __panel__(self) -> pn.viewable.Viewable:
        controls = pn.Row(pn.widgets.Select.from_param(self.param.file, label="Results"),
                          pn.widgets.Select.from_param(self.param.baseline, label="Baseline"),
                          pn.widgets.Select.from_param(self.param.kpi, label="KPI"),
                          pn.widgets.Select.from_param(self.param.scenario, label="Scenario"))
        return pn.Column("## Compare policies", controls, "### KPIs (mean, 95 % CI)",
                         self.table, "### Paired differences against the baseline",
                         self.differences, self.distribution, self.series)
