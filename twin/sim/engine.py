"""The SimPy twin: a day-cycle process plus discrete events for arrivals, holds and scenarios.

Time is in days from the snapshot date. Within day d things happen in fixed phases:

====================  ========  ========================================================
phase                 time      what
====================  ========  ========================================================
scenario events       d + 0     windows open or close, recalls
arrivals              d + 1/8   receipts, transfer, return and repair arrivals due today
holds                 d + 1/4   QC, excursion and return holds ending today (return QC)
operations            d + 1/2   expiry write-off, demand, FEFO issue, emergencies
review                d + 3/4   every review period: the policy decides, actions execute
close                 d + 7/8   end-of-day levels, balance and holding cost
====================  ========  ========================================================
"""

import datetime as dt
import logging
from collections.abc import Callable, Generator, Iterable, Sequence

import numpy as np
import pandas as pd
import simpy
from tqdm import tqdm

from twin.domain import Network
from twin.problems import InputError, Problem, format_path
from twin.sim import kernel
from twin.sim.demand import ModelDemand, TraceDemand, trace_keys
from twin.sim.dispatch import execute
from twin.sim.events import Conditions, Event, Recall, Window, check_events, day_number
from twin.sim.index import NetworkIndex, index_of
from twin.sim.issue import serve_demand
from twin.sim.lifecycle import expire, recall, receive, release
from twin.sim.lots import NEVER, Status
from twin.sim.policies import BASE_POLICIES, NoAction, PolicyRegistry
from twin.sim.policy import Actions, Policy, PolicyFactory
from twin.sim.randomness import Streams
from twin.sim.results import SimulationResult
from twin.sim.state import close_day, opening_state, view

log = logging.getLogger(__name__)

EVENTS, ARRIVE, RELEASE, OPERATE, REVIEW, CLOSE = 0.0, 0.125, 0.25, 0.5, 0.75, 0.875


class Twin:
    """One replication of a network under a policy and a list of events."""

    def __init__(self, index: NetworkIndex, *, days: int, seed: int, policy: Policy,
                 events: Sequence[Event] = (), trace: pd.DataFrame | None = None):
        self.index, self.days, self.policy = index, days, policy
        self.env = simpy.Environment()
        streams = Streams.from_seed(seed)
        start = index.network.snapshot.as_of
        demand = (ModelDemand(index, streams.demand) if trace is None
                  else TraceDemand(index, trace, start))
        self.state, rows, arrival = opening_state(index, streams, demand, days)
        self._scheduled: set[tuple[int, float]] = set()
        self._active: list[Window] = []
        self._arrivals(self.state.pipeline.add(rows, arrival))
        held = self.state.lots.rows
        self._releases(held["release"][(held["status"] == Status.QUARANTINE)
                                       & (held["release"] != NEVER)])
        for ev in events:
            self.env.process(self._recall(ev) if isinstance(ev, Recall) else self._window(ev))
        self.env.process(self._day_cycle())
        self._progress: tqdm | None = None

    # -- scheduling ---------------------------------------------------------------------
    def _at(self, day: int, phase: float, action: Callable[[int], None]) -> None:
        """Run ``action(day)`` at ``day + phase`` (once per day and phase, within the run)."""
        if day >= self.days or (day, phase) in self._scheduled:
            return
        self._scheduled.add((day, phase))
        self.env.timeout(day + phase - self.env.now).callbacks.append(lambda _: action(day))

    def _arrivals(self, days: Iterable[int]) -> None:
        for day in days:
            self._at(int(day), ARRIVE, self._receive)

    def _releases(self, days: np.ndarray) -> None:
        for day in np.unique(days).tolist():
            self._at(day, RELEASE, self._release)

    def _release(self, day: int) -> None:
        release(self.state, day)
        self._returned()

    def _returned(self) -> None:
        """Schedule the arrival days returns and repairs put in the pipeline first."""
        self._arrivals(self.state.pipeline.fresh_days())

    def _receive(self, day: int) -> None:
        release_days, new_days = receive(self.state, day)
        self._releases(release_days)
        self._arrivals(new_days)

    # -- processes ----------------------------------------------------------------------
    def _window(self, ev: Window) -> Generator[simpy.Event, None, None]:
        start = max(day_number(ev.start, self.state.start), 0)
        end = day_number(ev.end, self.state.start)
        if end < start:
            return
        yield self.env.timeout(start + EVENTS - self.env.now)
        self._active.append(ev)
        self._apply_windows()
        yield self.env.timeout(end + 1 + EVENTS - self.env.now)
        self._active.remove(ev)
        self._apply_windows()

    def _apply_windows(self) -> None:
        self.state.conditions = Conditions.of(self.index, self._active)
        self.state.reroute()
        log.debug("day %.0f: %d active windows", self.env.now, len(self._active))

    def _recall(self, ev: Recall) -> Generator[simpy.Event, None, None]:
        day = day_number(ev.day, self.state.start)
        if not 0 <= day < self.days:
            return
        yield self.env.timeout(day + EVENTS - self.env.now)
        report = recall(self.state, day, ev)
        log.info("recall of %s on day %d: %d units on hand, %d in transit, %d issued to %d "
                 "departments", report.item, day, report.units_on_hand, report.units_in_transit,
                 report.units_issued, len(report.departments))

    def _day_cycle(self) -> Generator[simpy.Event, None, None]:
        state, review = self.state, self.index.network.settings.review_period_days
        for day in range(self.days):
            yield self.env.timeout(day + OPERATE - self.env.now)
            expire(state, day)
            serve_demand(state, day, state.start + dt.timedelta(days=day), self.policy.emergency)
            self._returned()
            if day % review == 0:
                yield self.env.timeout(day + REVIEW - self.env.now)
                self._arrivals(execute(state, day, self._decide(day)))
            yield self.env.timeout(day + CLOSE - self.env.now)
            close_day(state, day)
            if self._progress is not None:
                self._progress.update(1)

    def _decide(self, day: int) -> Actions:
        decided = self.policy.decide(view(self.state, day))
        if isinstance(decided, Actions):
            return decided
        return Actions.from_domain(decided, self.index, self.state.catalog.find)

    def run(self, progress: bool = False) -> None:
        """Run all days (with a progress bar on stderr when ``progress``)."""
        with tqdm(total=self.days, unit="day", disable=not progress, leave=False) as bar:
            self._progress = bar
            self.env.run(until=self.days)
            self._progress = None


def _resolve_policy(policy: str | PolicyFactory | None, index: NetworkIndex,
                    policies: PolicyRegistry) -> tuple[Policy, str]:
    if policy is None:
        return NoAction(index), "none"
    if isinstance(policy, str):
        return policies.make(policy, index), policy
    made = policy(index)
    return made, getattr(policy, "__name__", type(made).__name__)


def simulate(network: Network, *, days: int, seed: int,
             policy: str | PolicyFactory | None = None, events: Sequence[Event] = (),
             demand: pd.DataFrame | None = None, progress: bool = False,
             policies: PolicyRegistry = BASE_POLICIES) -> SimulationResult:
    """Replay ``network`` for ``days`` days from its snapshot with random seed ``seed``.

    ``policy``: a name in ``policies`` (default: the twin's own, :data:`BASE_POLICIES`; all
    shipped policies: :func:`solvers.registry.shipped_policies`), a factory
    ``(NetworkIndex) -> Policy`` or ``None`` (no action). ``events``: scenario events.
    ``demand``: a recorded history (columns date, hospital, department, item, quantity)
    replayed instead of the demand models. Raises :class:`InputError` for events that name
    things the network does not have.
    """
    if days < 1:
        raise ValueError(f"days must be ≥ 1, got {days}")
    kernel.check()
    index = index_of(network, trace_keys(demand) if demand is not None else ())
    problems = check_events(list(events), index)
    if problems:
        raise InputError([Problem("<events>", format_path(p), m) for p, m in problems])
    chosen, name = _resolve_policy(policy, index, policies)
    digest = network.digest
    twin = Twin(index, days=days, seed=seed, policy=chosen, events=events, trace=demand)
    twin.run(progress)
    st = twin.state
    return SimulationResult(index=index, start=st.start, days=days, seed=seed, policy=name,
                            events=tuple(events), kpis=st.kpis.arrays, ledger_book=st.ledger,
                            lot_names=st.catalog.names(), lot_expiry=st.catalog.arrays[1],
                            network_sha256=digest, recalls=st.recalls)
