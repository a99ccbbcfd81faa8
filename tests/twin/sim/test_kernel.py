"""The twin with the compiled kernel (FEFO, the return draw, serving the day's demand,
the day's arrivals, holds ending) against the twin with the numpy reference: whole
replications of random networks (with dense substitutes of any factor, returns and
repairs), policies and events, and single days on contended states, equal bit for bit."""

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim_strategies import runs

from twin.domain import Substitute
from twin.domain.returns import RETURN_REASONS
from twin.problems import InputError
from twin.sim import compiled_arrivals, compiled_holds, compiled_serve, lifecycle, simulate
from twin.sim.engine import Twin
from twin.sim.index import NetworkIndex
from twin.sim.issue import serve
from twin.sim.lots import Hold, Status, new_rows
from twin.sim.pipeline import Flow
from twin.sim.policies import BASE_POLICIES
from twin.sim.state import RecallReport
from twin.synthetic import generate_network


def _run(monkeypatch: pytest.MonkeyPatch, kernel: str, net, days, events, policy, seed):
    monkeypatch.setenv("MEDTWIN_KERNEL", kernel)
    return simulate(net, days=days, seed=seed, policy=policy, events=events)


@st.composite
def runs_with_substitutes(draw: st.DrawFn):
    """:func:`runs` where every item has up to three substitutes, each taking 1/3 to 2.5
    units per unit covered (ceilings and floors in the cover arithmetic)."""
    net, days, events, policy, seed = draw(runs())
    codes = [i.code for i in net.items]
    factor = st.sampled_from([1.0, 0.5, 1 / 3, 1.5, 2.5])
    subs = [Substitute(item=code, substitute=other, factor=draw(factor), preference=p + 1)
            for code in codes for p, other in enumerate(draw(st.lists(
                st.sampled_from([c for c in codes if c != code]), max_size=3, unique=True)))]
    return net.model_copy(update={"substitutes": subs}), days, events, policy, seed


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(runs_with_substitutes())
def test_replications_are_identical_with_either_kernel(monkeypatch, run):
    net, days, events, policy, seed = run
    ref = _run(monkeypatch, "numpy", net, days, events, policy, seed)
    fast = _run(monkeypatch, "compiled", net, days, events, policy, seed)
    assert fast.to_dataset().identical(ref.to_dataset())
    assert fast.ledger.equals(ref.ledger)


def test_an_unknown_kernel_is_named_before_a_run_starts(monkeypatch):
    monkeypatch.setenv("MEDTWIN_KERNEL", "fortran")
    net = generate_network(warehouses=2, items=5, hospitals=1, seed=0)
    with pytest.raises(InputError, match="MEDTWIN_KERNEL: 'fortran' is not one of "
                                         "compiled, numpy"):
        simulate(net, days=3, seed=0, policy="fixed_ss")


def _day_state(monkeypatch: pytest.MonkeyPatch, net, days, events, policy, seed):
    """The state of a replication run with the numpy reference up to the operations of a
    day, and that day."""
    monkeypatch.setenv("MEDTWIN_KERNEL", "numpy")
    index = NetworkIndex(net)
    twin = Twin(index, days=days, seed=seed, policy=BASE_POLICIES.make(policy, index),
                events=events)
    day = days // 2
    twin.env.run(until=day + 0.4)
    return twin.state, day


def _outcome(state, day: int) -> dict[str, bytes]:
    """Everything serving a day changes, as bytes."""
    out = {f"lots.{k}": v.tobytes() for k, v in state.lots.rows.items()}
    out |= {f"ledger.{k}": v.tobytes() for k, v in state.ledger.columns().items()}
    out |= {f"kpi.{k}": v.tobytes() for k, v in state.kpis.arrays.items()}
    out["backlog"], out["recent"] = state.backlog.tobytes(), state.recent_demand.tobytes()
    out["returns"] = repr(state.streams.returns.bit_generator.state).encode()
    out["pipeline"] = b"".join(state.pipeline.take(d).tobytes() for d in range(day, day + 400))
    return out


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(runs_with_substitutes(), st.sampled_from([3, 10, 40, 500]), st.floats(0.05, 1),
       st.integers(0, 2**16))
def test_serving_a_day_is_identical_with_either_kernel(monkeypatch, run, most, share, seed):
    """One day's serving on the same state and demand. Every lot row keeps at most
    ``most`` units, a lot of up to ``most`` units is added at every position and a
    ``share`` of the series demand up to ``most`` units, so that own stock, substitutes and
    emergency sources are short, tied and contended (without emergencies, serving is the
    same code less that step: the whole replications above cover it)."""
    state, day = _day_state(monkeypatch, *run)
    rng, n_pos = np.random.default_rng(seed), state.index.n_positions
    qty = state.lots.rows["qty"]
    qty[:] = np.minimum(qty, rng.integers(0, most, len(qty)))
    state.lots.insert(new_rows(np.arange(n_pos), day + rng.integers(0, 400, n_pos),
                               rng.integers(0, len(state.catalog.names()), n_pos),
                               rng.integers(0, most, n_pos)))
    n = state.index.n_series
    new = rng.integers(0, most, n) * (rng.random(n) < share)
    ref, fast = copy.deepcopy(state), copy.deepcopy(state)
    serve(ref, day, new.copy(), emergency=True)
    compiled_serve.serve(fast, day, new.copy(), emergency=True)
    want, got = _outcome(ref, day), _outcome(fast, day)
    assert [k for k in want if got[k] != want[k]] == []


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(runs_with_substitutes(), st.integers(0, 2**16), st.floats(0, 1))
def test_a_day_s_arrivals_are_identical_with_either_kernel(monkeypatch, run, seed, share):
    """The next week's shipments of every flow arriving at once, a ``share`` of them
    flagged recalled or in excursion and of their lots recalled meanwhile."""
    state, day = _day_state(monkeypatch, *run)
    rows = np.concatenate([state.pipeline.take(d) for d in range(day, day + 7)])
    rng = np.random.default_rng(seed)
    transfer = rows["flow"] == Flow.TRANSFER
    rows["excursion"] |= transfer & (rng.random(len(rows)) < share)
    rows["recalled"] |= transfer & (rng.random(len(rows)) < share)
    lots = rows["lot"][(rows["flow"] != Flow.PURCHASE)]
    named = set(lots[rng.random(len(lots)) < share].tolist()) | set(
        rows["lot"][rows["recalled"]].tolist())
    if named and not state.recalls:
        state.recalls.append(RecallReport(day, "", (), 0, 0, 0, (), 0))
    state.recall_of_lot.update(dict.fromkeys(named, 0))
    ref, fast = copy.deepcopy(state), copy.deepcopy(state)
    for twin_state, arrive in ((ref, lifecycle.arrive), (fast, compiled_arrivals.arrive)):
        added = arrive(twin_state, day, rows.copy())
        if added is not None:
            twin_state.lots.insert(added)
    want, got = _outcome(ref, day), _outcome(fast, day)
    assert [k for k in want if got[k] != want[k]] == []
    assert fast.catalog.arrays[2].tolist() == ref.catalog.arrays[2].tolist()
    assert fast.catalog.arrays[1].tolist() == ref.catalog.arrays[1].tolist()
    assert [r.recovered for r in fast.recalls] == [r.recovered for r in ref.recalls]
    assert fast.streams.quality.bit_generator.state == ref.streams.quality.bit_generator.state


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(runs_with_substitutes(), st.integers(0, 2**16), st.floats(0, 1))
def test_a_day_s_holds_end_identically_with_either_kernel(monkeypatch, run, seed, share):
    """A ``share`` of the lot rows put on a QC, excursion or return hold ending today (some
    to be scrapped, returns of every reason), the others as they were."""
    state, day = _day_state(monkeypatch, *run)
    rng, r = np.random.default_rng(seed), state.lots.rows
    n = len(r["qty"])
    held = rng.random(n) < share
    hold = rng.choice([Hold.QC, Hold.EXCURSION, Hold.RETURN], n)
    r["status"][held], r["hold"][held] = Status.QUARANTINE, hold[held]
    r["release"][held] = day - rng.integers(0, 3, n)[held]
    r["scrap"][held] = rng.random(n)[held] < 0.5
    returned = held & (hold == Hold.RETURN)
    r["return_reason"][returned] = rng.integers(0, len(RETURN_REASONS), n)[returned]
    ref, fast = copy.deepcopy(state), copy.deepcopy(state)
    lifecycle.release(ref, day)
    compiled_holds.release(fast, day)
    want, got = _outcome(ref, day), _outcome(fast, day)
    assert [k for k in want if got[k] != want[k]] == []
