"""What-if page: pick policies and scenarios (or edit a scenario), Run, see the results.

A run is an experiment like ``medtwin compare`` and writes the same kind of result file
into the shared results folder (``whatif-<network>-<n>.nc``, a name no other run takes),
so the Compare page and ``medtwin report`` read it too; only a user whose role may run
what-ifs (checked by the plan store when Run is pressed) can. Runs execute on the server's
worker processes (:class:`medtwin.services.whatif.WhatIfRunner`), never on its event loop:
Run returns at once, several runs may go at a time, each with its own progress row, and
every session stays responsive. An edited scenario is validated like a scenario file
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
from dashboards.views.verdict import tiles
from medtwin.services.plans import REFUSED, Permission
from medtwin.services.whatif import WhatIfJob, resolve_scenarios
from scenarios import plots
from scenarios.library import Library
from scenarios.run_settings import Days, Replications, RunSettings, Seed, bounds
from scenarios.stats import paired_differences
from solvers.registry import shipped_policies
from twin.problems import InputError

log = logging.getLogger(__name__)


class _JobRow:
    """One run's row: its file name, its shape and state, and a progress bar that moves
    while the run waits for a worker or its policies are prepared (e.g. ``optimised``
    levels: ≈ 15 s on the reference network; none of its runs done yet) and then counts
    runs."""

    def __init__(self, job: WhatIfJob, policies: int, scenarios: int, reps: int):
        self.job = job
        self.shape = " × ".join(f"{n} {one if n == 1 else many}" for n, one, many in (
            (policies, "policy", "policies"), (scenarios, "scenario", "scenarios"),
            (reps, "replication", "replications")))
        self.text = pn.pane.Markdown(css_classes=["whatif-run"])
        self.bar = pn.indicators.Progress(value=-1, max=job.total, active=True, width=300,
                                          css_classes=["whatif-progress"])
        self.view = pn.Row(self.bar, self.text)
        self.refresh()

    def refresh(self) -> bool:
        """Show the job's state now; whether it has ended."""
        job, state = self.job, self.job.state
        said = {"starting": "starting: waiting for a worker, preparing the policies…",
                "running": f"{job.done:,} of {job.total:,} runs",
                "done": "written", "failed": f"failed: {job.error}"}[state]
        self.text.object = f"`{job.path.name}` · {self.shape} · **{said}**"
        self.bar.max = job.total
        self.bar.value = job.done if state != "starting" else -1
        self.bar.active = state in ("starting", "running")
        return job.ended.is_set()


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

    def __init__(self, on_written: Callable[[str], None] | None = None,
                 on_open: Callable[[str], None] | None = None, **params: object):
        """``on_written(path)`` when a run wrote its file; ``on_open(path)`` to show it on
        the Compare page."""
        chosen = params.pop("scenarios", ["baseline"])
        super().__init__(**params)
        self.library = Library()
        self.param.scenarios.objects = self.library.names()
        self.scenarios = chosen
        self.on_written, self.on_open = on_written, on_open
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
        self.rows: list[_JobRow] = []
        self.queue = pn.Column(css_classes=["whatif-runs"], sizing_mode="stretch_width")
        self._poller: pn.io.callbacks.PeriodicCallback | None = None
        self.open_button = pn.widgets.Button(label="Open on the Compare page",
                                             css_classes=["open-in-compare"])
        self.open_button.on_click(self._open)

    def _load(self, _event: object = None) -> None:
        name = self.scenarios[0] if self.scenarios else "baseline"
        self.editor.value = self.library.file(name).read_text(encoding="utf-8")
        self.edit_name = f"{name}-edited"

    def _run(self, _event: object = None) -> WhatIfJob | None:
        """Check, then start the run on the server's worker pool and return at once; its
        progress row is refreshed twice a second (the job, or None when refused)."""
        folder = Path(self.data.results_dir)
        try:
            self.data.plans().require(self.login.acting_user(), Permission.RUN_WHATIF)
        except REFUSED as exc:
            self.message = f"Refused: {exc}"
            return None
        if not self.policies or not (self.scenarios or self.editor.value.strip()):
            self.message = "Choose at least one policy and one scenario."
            return None
        edited = (self.edit_name.strip() or "edited", self.editor.value) \
            if self.editor.value.strip() else None
        try:
            scenarios = resolve_scenarios(self.library, list(self.scenarios),
                                          self.data.network(), edited, folder)
        except InputError as exc:
            self.message = "Scenario not valid:\n" + "\n".join(f"- {p}" for p in exc.problems)
            return None
        job = self.data.runner().submit(self.data.network(), self.policies, scenarios,
                                        self.reps, self.days, self.seed, folder,
                                        author=self.login.user)
        self.rows.append(_JobRow(job, len(self.policies), len(scenarios), self.reps))
        self.queue.append(self.rows[-1].view)
        self.message = f"Started `{job.path.name}`; you may start more, or use other pages."
        if self._poller is None:
            self._poller = pn.state.add_periodic_callback(self._poll, period=500)
        return job

    def _poll(self) -> None:
        """Refresh the progress rows; show each run that ended."""
        for row in [r for r in self.rows if r.refresh()]:
            self.rows.remove(row)
            job = row.job
            if job.error:
                self.message = f"`{job.path.name}` failed: {job.error}"
                continue
            self.message = f"Wrote `{job.path.name}`: {row.shape}."
            self.written = str(job.path)
            if self.on_written is not None:
                self.on_written(self.written)
        if not self.rows and self._poller is not None:
            self._poller.stop()
            self._poller = None

    @param.depends("written")
    def result(self) -> pn.viewable.Viewable:
        """The newest run of this page: verdict tiles of the second policy against the
        first in the first scenario, and the paired differences of critical fill rate and
        total cost across scenarios; the file by name, openable on the Compare page."""
        if not self.written:
            return pn.pane.Markdown("Results appear here after a run.")
        ds = self.data.dataset(self.written)
        name = Path(self.written).name
        head = pn.pane.Markdown(f"### Result `{name}`", css_classes=["whatif-result"])
        policies = [str(p) for p in ds.policy.values]
        if len(policies) < 2:
            return pn.Column(head, self.open_button, pn.pane.Markdown(
                f"One policy ({policies[0]}): no paired differences. Choose two policies "
                "or more to compare them; the file is listed on the Compare page."))
        baseline, scenario = policies[0], str(ds.scenario.values[0])
        currency = str(ds.attrs.get("currency", ""))
        charts = [pn.pane.HoloViews(plots.differences(
            paired_differences(ds, baseline, [k]), k, baseline, currency))
            for k in ("run_fill_rate_critical", "run_total_cost") if k in ds]
        return pn.Column(head, self.open_button, pn.pane.Markdown(
            f"{policies[1]} against baseline {baseline} in *{scenario}*; every policy and "
            "scenario: open it on the Compare page."),
            tiles(ds, baseline, policies[1], scenario), *charts,
            sizing_mode="stretch_width")

    @param.depends("message")
    def status(self) -> pn.viewable.Viewable:
        """What happened last."""
        return pn.pane.Markdown(self.message, css_classes=["whatif-message"])

    def _open(self, _event: object = None) -> None:
        if self.written and self.on_open is not None:
            self.on_open(self.written)

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
            self.editor, self.button, self.status, self.queue, self.result)
