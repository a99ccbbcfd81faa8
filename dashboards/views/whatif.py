"""What-if page: pick policies and scenarios (or edit a scenario), Run, see the results.

A run is an experiment like ``medtwin compare`` and writes the same kind of result file
into the shared results folder (``whatif-<network>-<n>.nc``), so the Compare page and
``medtwin report`` read it too; only a user whose role may run what-ifs (checked by the
plan store when Run is pressed) can. An edited scenario is validated like a scenario file
first and, only when valid, saved beside the results (``scenarios/<name>.yaml``) so that
the run can be repeated.
"""

import logging
from collections.abc import Callable
from pathlib import Path

import panel as pn
import param
from panel.viewable import Viewer

from dashboards.auth import Login
from dashboards.data import DataStore
from medtwin.services.plans import REFUSED, Permission
from medtwin.services.whatif import resolve_scenarios, run_whatif
from scenarios.library import Library
from scenarios.run_settings import Days, Replications, RunSettings, Seed, bounds
from scenarios.stats import as_rows, summarise
from solvers.registry import shipped_policies
from twin.problems import InputError

log = logging.getLogger(__name__)
SHOWN = ["run_fill_rate_critical", "run_fill_rate", "run_lost_units",
         "run_inventory_value_mean", "run_scrapped_value_expired"]


class WhatIfView(Viewer):
    """Choose, optionally edit, Run; the result appears below and on the Compare page."""

    data = param.ClassSelector(class_=DataStore)
    login = param.ClassSelector(class_=Login)
    policies = param.ListSelector(default=["heuristic"], objects=sorted(shipped_policies()))
    scenarios = param.ListSelector(default=["baseline"], objects=[])
    reps = param.Integer(default=RunSettings().reps, bounds=bounds(Replications),
                         doc="replications per scenario")
    days = param.Integer(default=RunSettings().days, bounds=bounds(Days), doc="simulated days")
    seed = param.Integer(default=RunSettings().seed, bounds=bounds(Seed))
    edit_name = param.String(default="", doc="name of an edited scenario to add (optional)")
    written = param.String(default="", doc="the newest result file of this page")
    message = param.String(default="")

    def __init__(self, on_written: Callable[[], None] | None = None, **params: object):
        chosen = params.pop("scenarios", ["baseline"])
        super().__init__(**params)
        self.library = Library()
        self.param.scenarios.objects = self.library.names()
        self.scenarios = chosen
        self.on_written = on_written
        self.editor = pn.widgets.TextAreaInput(
            placeholder="Scenario YAML, e.g.\nevents:\n  - {kind: demand_multiplier, "
                        "region: south, factor: 1.5, start: 0, end: 30}",
            height=140, css_classes=["scenario-editor"])
        self.load = pn.widgets.Button(label="Edit a copy of the first chosen scenario")
        self.load.on_click(self._load)
        self.allowed = self.data.plans().may(self.login.user, Permission.RUN_WHATIF)
        self.button = pn.widgets.Button(label="Run what-if", color="primary",
                                        css_classes=["run-whatif"], disabled=not self.allowed)
        self.button.on_click(self._run)
        self.progress = pn.indicators.Progress(value=0, max=1, width=300, visible=False,
                                               css_classes=["whatif-progress"])

    def _load(self, _event: object = None) -> None:
        name = self.scenarios[0] if self.scenarios else "baseline"
        self.editor.value = self.library.file(name).read_text(encoding="utf-8")
        self.edit_name = f"{name}-edited"

    def _run(self, _event: object = None) -> None:
        folder = Path(self.data.results_dir)
        try:
            self.data.plans().require(self.login.acting_user(), Permission.RUN_WHATIF)
        except REFUSED as exc:
            self.message = f"Refused: {exc}"
            return
        if not self.policies or not (self.scenarios or self.editor.value.strip()):
            self.message = "Choose at least one policy and one scenario."
            return
        edited = (self.edit_name.strip() or "edited", self.editor.value) \
            if self.editor.value.strip() else None
        try:
            scenarios = resolve_scenarios(self.library, list(self.scenarios),
                                          self.data.network(), edited, folder)
        except InputError as exc:
            self.message = "Scenario not valid:\n" + "\n".join(f"- {p}" for p in exc.problems)
            return
        net = self.data.network()
        self.button.disabled, self.progress.visible, self.progress.value = True, True, 0
        self.message = "Running…"

        def tick(done: int, total: int) -> None:
            self.progress.max, self.progress.value = total, done
        try:
            path = run_whatif(net, self.policies, scenarios, self.reps, self.days, self.seed,
                              folder, on_progress=tick)
        finally:
            self.button.disabled, self.progress.visible = False, False
        self.message = f"Wrote {path.name}: {len(self.policies)} policies × " \
                       f"{len(scenarios)} scenarios × {self.reps} replications."
        self.written = str(path)
        if self.on_written is not None:
            self.on_written()

    @param.depends("written")
    def result(self) -> pn.viewable.Viewable:
        """KPI means with 95 % CIs of the newest run of this page."""
        if not self.written:
            return pn.pane.Markdown("Results appear here after a run.")
        ds = self.data.dataset(self.written)
        kpis = [k for k in SHOWN if k in ds]
        return pn.widgets.Tabulator(as_rows(summarise(ds, kpis), kpis).round(4),
                                    disabled=True, show_index=False,
                                    css_classes=["whatif-result"], pagination="local",
                                    page_size=20, sizing_mode="stretch_width")

    @param.depends("message")
    def status(self) -> pn.viewable.Viewable:
        """What happened last."""
        return pn.pane.Markdown(self.message, css_classes=["whatif-message"])

    def __panel__(self) -> pn.viewable.Viewable:
        note = "" if self.allowed else f"Signed in as {self.login.user}: your role may not " \
            "run what-ifs (they write shared result files)."
        return pn.Column(
            "## What-if", pn.pane.Markdown(note, css_classes=["no-whatif"]),
            pn.Row(pn.widgets.MultiChoice.from_param(self.param.policies, label="Policies"),
                   pn.widgets.MultiChoice.from_param(self.param.scenarios, label="Scenarios")),
            pn.Row(pn.widgets.IntInput.from_param(self.param.reps, label="Replications"),
                   pn.widgets.IntInput.from_param(self.param.days, label="Days"),
                   pn.widgets.IntInput.from_param(self.param.seed, label="Seed")),
            pn.Row(self.load, pn.widgets.TextInput.from_param(self.param.edit_name,
                                                              label="Edited scenario name")),
            self.editor, pn.Row(self.button, self.progress), self.status, self.result)
