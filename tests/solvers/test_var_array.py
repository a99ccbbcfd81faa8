"""Variables held as arrays (VarArray), chained into families (VarSequence) and an array
objective, solved through the HiGHS bridge, written by Pyomo's LP writer and diagnosed
when infeasible — on a newsvendor whose optimum is known by hand.

Demand D ∈ {1, 2, 3, 4, 5} equally likely, holding 1 per unit of R, shortage 3 per unit:
min R + (3/5) Σ_k u_k, u_k ≥ D_k − R, u ≥ 0. The critical fractile 3/4 gives R = 4 and the
cost 4 + 0.6 · 1 = 4.6.
"""

from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
import pytest

from solvers.array_objective import ArrayObjective
from solvers.highs_bridge import Infeasible, solve
from solvers.matrix_rows import matrix_rows
from solvers.var_array import VarArray, VarSequence

DEMAND = np.arange(1.0, 6.0)


def newsvendor(upper: float | np.ndarray = np.inf) -> pyo.ConcreteModel:
    """The newsvendor above; u_k ≤ ``upper``."""
    k = len(DEMAND)
    m = pyo.ConcreteModel(name="newsvendor")
    m.R = pyo.Var([0], domain=pyo.NonNegativeReals)
    m.u = VarArray(k, domain=pyo.NonNegativeReals, upper=upper, doc="units short")
    m.shortage = matrix_rows(VarSequence(m.u, m.R.values()), np.tile(np.arange(k), 2),
                             np.concatenate((np.arange(k), np.full(k, k))), np.ones(2 * k),
                             DEMAND, np.full(k, np.inf), doc="shortage")
    m.cost = ArrayObjective(VarSequence(m.R.values(), m.u),
                            np.concatenate(([1.0], np.full(k, 3 / k))))
    return m


def test_entries_are_made_only_when_asked_and_get_the_solution() -> None:
    m = newsvendor()
    assert len(m.u) == 0 and m.u.size == 5  # no VarData made by the build
    before = m.u[1]
    sol = solve(m)
    assert sol.objective == pytest.approx(4.6)
    assert m.R[0].value == pytest.approx(4.0)
    assert m.u.solution == pytest.approx([0, 0, 0, 0, 1])
    assert before.value == pytest.approx(0.0)
    assert m.u[4].value == pytest.approx(1.0)  # made after the solve: starts at its value
    assert [j for j, _ in m.u.made()] == [1, 4]


def test_bounds_from_arrays_and_from_made_entries() -> None:
    m = newsvendor(upper=np.array([np.inf] * 4 + [0.25]))  # u_4 ≤ 0.25: R ≥ 4.75
    assert solve(m).objective == pytest.approx(4.75 + 0.6 * 0.25)
    assert m.u[4].ub == pytest.approx(0.25)
    m.u[4].setub(0.5)  # a made entry's own bound wins over the array
    assert solve(m).objective == pytest.approx(4.5 + 0.6 * 0.5)
    m.u.setub(None)  # the component's bound reaches every entry
    assert solve(m).objective == pytest.approx(4.6)


def test_fixing_the_component_fixes_every_entry() -> None:
    m = newsvendor()
    m.u.fix(0)
    assert len(m.u) == 5
    assert solve(m).objective == pytest.approx(5.0)  # no shortage allowed: R = 5
    m.u.unfix()
    assert solve(m).objective == pytest.approx(4.6)


def test_an_integer_domain_makes_the_block_integer() -> None:
    m = newsvendor()
    m.cap = matrix_rows([m.R[0]], np.array([0]), np.array([0]), np.array([1.0]),
                        np.array([-np.inf]), np.array([3.5]), doc="R ≤ 3.5")
    assert solve(m).objective == pytest.approx(3.5 + 0.6 * (0.5 + 1.5))
    m.u.domain = pyo.NonNegativeIntegers  # whole units short: R = 3, u = (0, 0, 0, 1, 2)
    assert solve(m).objective == pytest.approx(3 + 0.6 * 3)
    assert m.R[0].value == pytest.approx(3.0)


def test_the_lp_writer_writes_the_same_model(tmp_path: Path) -> None:
    m = newsvendor()
    path = tmp_path / "newsvendor.lp"
    m.write(str(path), io_options={"symbolic_solver_labels": True})
    assert "0.6 u(4)" in path.read_text()  # the array objective's terms, written
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(4.6)


def test_infeasible_names_the_families() -> None:
    m = newsvendor(upper=0.0)  # no shortage, but R ≤ 3 < the largest demand
    m.cap = matrix_rows([m.R[0]], np.array([0]), np.array([0]), np.array([1.0]),
                        np.array([-np.inf]), np.array([3.0]), doc="R at most 3")
    with pytest.raises(Infeasible) as info:
        solve(m)
    assert {"shortage", "cap"} & {family for family, _ in info.value.families}


def test_another_expression_replaces_the_arrays() -> None:
    m = newsvendor()
    m.cost.expr = m.R[0] + 10 * m.u[4]  # shortage only in the largest scenario counts
    assert m.cost.columns is None
    assert solve(m).objective == pytest.approx(5.0)
    assert m.R[0].value == pytest.approx(5.0)


def test_the_array_objective_is_a_pyomo_objective() -> None:
    m = newsvendor()
    solve(m)
    assert pyo.value(m.cost) == pytest.approx(4.6)
    assert len(list(m.component_data_objects(pyo.Objective, active=True))) == 1


def test_a_sequence_chains_its_parts() -> None:
    m = newsvendor()
    seq = VarSequence(m.R.values(), m.u)
    assert len(seq) == 6
    assert seq[0] is m.R[0] and seq[3] is m.u[2] and seq[-1] is m.u[4]
    assert list(seq) == [m.R[0], *(m.u[j] for j in range(5))]
    with pytest.raises(IndexError):
        seq[6]
