"""One nightly run: pull (with its data-quality alerts) → demand and lead-time anomaly
checks → forecast → plan → stress-test → gate → publish → summary.

Safe to re-run: the plan of a snapshot date has a fixed id, so a second run the same
night finds it in the store and publishes nothing twice (an approved but unpublished plan
is published; a waiting plan is re-gated — a manager may have approved it meanwhile). A
lock keeps two runs from overlapping; ERP calls are retried with backoff; a run that
cannot reach the ERP ends FAILED with nothing recorded as published.
"""

import contextlib
import datetime as dt
import functools
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from erp_adapter.credentials import Credentials
from erp_adapter.errors import ErpError
from erp_adapter.protocol import Capability, default_as_of, require
from erp_adapter.registry import ErpRegistry, open_adapter
from medtwin.nightly.config import NightlyConfig, StressSettings
from medtwin.nightly.lock import AlreadyRunning, run_lock
from medtwin.nightly.retry import with_retries
from medtwin.nightly.summary import NightlyReport, Outcome
from medtwin.store import PlanStore, Status, UnknownPlan, open_store
from medtwin.store.identity import acting_user
from medtwin.store.rules import evidence_summary
from medtwin.store.seal import seal
from scenarios.evidence import StressEvidence
from scenarios.library import Library
from scenarios.stress import StressRun, stress_plan
from solvers.calibration.anomalies import lead_time_outliers
from solvers.calibration.returns import fit_return_rates, with_return_rates
from solvers.forecast.anomalies import demand_outliers
from solvers.forecast.update import update_demand
from solvers.highs_bridge import Infeasible, SolverFailed
from solvers.planning import PlanSettings, make_plan
from solvers.transfers import TransferSettings
from twin.atomic import write_atomic
from twin.domain import Alert, Network, Plan
from twin.domain.alerts import ordered
from twin.network_files import load_network
from twin.problems import InputError

log = logging.getLogger(__name__)
StressStep = Callable[[Network, Plan, StressSettings, Path], StressEvidence]
"""(network, plan, settings, out dir) → stress evidence (see :mod:`scenarios.stress`)."""


def stress_with_scenarios(net: Network, plan: Plan, settings: StressSettings, out: Path
                          ) -> StressEvidence:
    """The stress step: :func:`scenarios.stress.stress_plan` over the configured scenarios;
    writes the experiment and its HTML report into ``out``."""
    library = Library(settings.library) if settings.library else Library()
    chosen = library.resolve_all(settings.scenarios, net)
    return stress_plan(net, plan, StressRun(chosen, reps=settings.reps, days=settings.days,
                                            seed=settings.seed, workers=settings.workers,
                                            report=True), out)


def _pull(cfg: NightlyConfig, net: Network, credentials: Credentials | None,
          sleep: Callable[[float], None], registry: ErpRegistry | None = None
          ) -> tuple[dt.date, Network, pd.DataFrame, list[Alert]]:
    def pull() -> tuple[dt.date, Any, list, list, list[Alert]]:
        with open_adapter(cfg.erp, net, credentials=credentials, registry=registry) as adapter:
            for need in (Capability.SNAPSHOT, Capability.HISTORY):
                require(adapter, need)
            as_of = default_as_of(adapter)
            snap = adapter.pull_snapshot(as_of)
            since, until = as_of - dt.timedelta(days=cfg.history_days), \
                as_of - dt.timedelta(days=1)
            hist = adapter.pull_history(since, until)
            back = (adapter.pull_returns(since, until)  # type: ignore[attr-defined]
                    if Capability.RETURNS in adapter.capabilities else [])
        return as_of, snap, hist, back, ordered(adapter.alerts)
    as_of, snapshot, history, returns, alerts = with_retries("pull", pull, cfg.retry, sleep)
    frame = pd.DataFrame([vars(r) for r in history],
                         columns=["date", "warehouse", "hospital", "department", "item", "lot",
                                  "quantity"])
    net = net.model_copy(update={"snapshot": snapshot})
    if returns:  # the demand models carry the return rates the ERP history shows
        net = with_return_rates(net, fit_return_rates(history, returns,
                                                      as_of - dt.timedelta(days=1)))
    return as_of, net, frame, alerts


class Nightly:
    """A nightly run for one config; ``run()`` returns the report (never raises for an ERP
    failure, a locked run or an infeasible model — those are outcomes). ERP credentials
    come from the environment unless given (never from the config); the ERP adapter is the
    one ``registry`` (default: the built-in one) opens for ``cfg.erp``."""

    def __init__(self, cfg: NightlyConfig, stress: StressStep, *,
                 credentials: Credentials | None = None,
                 clock: Callable[[], dt.datetime] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 registry: ErpRegistry | None = None):
        self.cfg, self.stress, self.sleep = cfg, stress, sleep
        self.credentials = credentials
        self.registry = registry
        self.out = Path(cfg.out_dir)
        self.clock = clock

    @functools.cached_property
    def store(self) -> PlanStore:
        """The plan store, opened on first use (inside the run lock)."""
        factory = open_store(self.cfg.store)
        return PlanStore(factory, self.clock) if self.clock else PlanStore(factory)

    def run(self) -> NightlyReport:
        """The whole pipeline under the run lock; the summary is written to ``out_dir``.

        The network is read and checked first: an invalid one raises
        :class:`~twin.problems.InputError` before the lock file or the store is created."""
        net = load_network(self.cfg.network)
        try:
            with run_lock(self.cfg.lock_file):
                report = self._run(net)
        except AlreadyRunning as exc:
            report = NightlyReport(Outcome.LOCKED, notes=[str(exc)])
            return report
        report.files["morning summary"] = str(self.out / f"morning-summary-{report.as_of}.md")
        report.write(self.out)
        return report

    def _run(self, net: Network) -> NightlyReport:
        cfg, store = self.cfg, self.store
        self.user = acting_user(store)
        report = NightlyReport(Outcome.FAILED)
        try:
            as_of, net, history, alerts = _pull(cfg, net, self.credentials, self.sleep,
                                                self.registry)
        except ErpError as exc:
            report.notes.append(f"pull from the ERP failed: {exc}")
            return report
        report.as_of = as_of.isoformat()
        dq = cfg.data_quality
        alerts = (alerts + demand_outliers(net, history, as_of - dt.timedelta(days=1),
                                           dq.demand_days, dq.demand_z)
                  + lead_time_outliers(net, net.snapshot, dq.lead_time_z))
        report.alerts = alerts
        report.files["data-quality alerts"] = str(write_atomic(
            self.out / f"alerts-{as_of.isoformat()}.json",
            json.dumps([a.model_dump(mode="json") for a in alerts], indent=2)))
        plan_id = f"{net.name}-{as_of.isoformat()}"
        report.plan_id = plan_id
        try:
            status = store.info(plan_id).status
            report.notes.append(f"plan {plan_id} was already in the store ({status})")
        except UnknownPlan:
            try:
                status = self._make(net, history, as_of, alerts, report)
            except (Infeasible, SolverFailed) as exc:
                report.notes.append(f"planning failed: {exc}")
                return report
        if status == Status.PUBLISHED:
            report.outcome, report.status = Outcome.PUBLISHED, str(status)
            report.notes.append("published by an earlier run; nothing sent again")
            self._compare(report, net.name)
            return report
        if status in (Status.DRAFT, Status.STRESS_TESTED):
            report.rules = store.gate(plan_id, self.user)
        self._compare(report, net.name)
        status = store.info(plan_id).status
        report.status = str(status)
        if status != Status.APPROVED:
            report.outcome = Outcome.WAITING
            report.notes.append(f"plan {plan_id} waits for a manager: `medtwin plans approve "
                                f"{plan_id} --comment …`")
            return report
        return self._publish(plan_id, net, report)

    def _make(self, net: Network, history: pd.DataFrame, as_of: dt.date,
              alerts: list[Alert], report: NightlyReport) -> Status:
        cfg = self.cfg
        since = as_of - dt.timedelta(days=cfg.history_days)
        net, update = update_demand(net, history, since, as_of - dt.timedelta(days=1),
                                    horizon=cfg.horizon_days,
                                    prior_days=cfg.forecast_prior_days)
        report.notes.append(f"forecast: {update}")
        settings = PlanSettings(transfers=TransferSettings(horizon_days=cfg.horizon_days))
        plan = make_plan(net, settings, forecast_error=update.forecast_error)
        kinds = Counter(a.kind for a in plan.actions)
        report.notes.append("plan: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
        report.expiry = plan.expiry_alerts
        report.dispositions = [a for a in plan.actions if a.kind == "disposition"]
        evidence = self.stress(net, plan, cfg.stress, self.out).model_copy(
            update={"data_quality": alerts})
        doc = json.loads(plan.model_dump_json(by_alias=True))
        doc["stress_test"] = seal(evidence.to_doc(), plan, self.store.keyring)
        text = json.dumps(doc, indent=2)
        path = write_atomic(self.out / f"plan-{plan.id}.json", text)
        report.files["plan"] = str(path)
        for name, file in (evidence.files or {}).items():
            report.files[name] = str(file)
        return self.store.add_plan(text, self.user, str(path), net).status

    def _compare(self, report: NightlyReport, network: str) -> None:
        store = self.store
        try:
            report.tonight = evidence_summary(store.evidence(report.plan_id))
        except ValueError:
            return
        last = next((p.id for p in store.plans() if p.network == network
                     and p.id != report.plan_id and p.status in (Status.PUBLISHED,
                                                                 Status.SUPERSEDED)), None)
        if last is not None:
            report.last_plan_id = last
            with contextlib.suppress(ValueError):
                report.last_night = evidence_summary(store.evidence(last))

    def _publish(self, plan_id: str, net: Network, report: NightlyReport) -> NightlyReport:
        cfg, store = self.cfg, self.store

        def send(subset: Plan) -> list:
            def once() -> list:
                with open_adapter(cfg.erp, net, credentials=self.credentials,
                                  registry=self.registry) as adapter:
                    return require(adapter, Capability.PUBLISH).publish(
                        subset, file=f"store:{plan_id}")
            return with_retries("publish", once, cfg.retry, self.sleep)
        try:
            _, results = store.publish(plan_id, self.user, send, cfg.erp)
        except ErpError as exc:
            report.outcome = Outcome.FAILED
            report.notes.append(f"publish failed: {exc}; the plan stays approved — the next "
                                "run (or `medtwin plans publish`) resumes without duplicates")
            return report
        except InputError as exc:
            report.outcome = Outcome.FAILED
            report.notes.append(f"the ERP refused the plan before anything was sent: {exc}")
            return report
        failed = [r for r in results if r.outcome == "failed"]
        if failed:
            report.outcome = Outcome.FAILED
            report.notes += [f"line {r.key} refused: {r.message}" for r in failed[:10]]
            report.notes.append("the lines the ERP accepted are recorded; the plan stays "
                                "approved until every line is published")
            return report
        report.outcome, report.status = Outcome.PUBLISHED, str(Status.PUBLISHED)
        report.published = dict(Counter(r.outcome for r in results))
        return report
