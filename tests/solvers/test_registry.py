"""The shipped policy registry is explicit: a fresh interpreter gets every shipped policy
from :func:`solvers.registry.shipped_policies` without importing anything for its side
effects, and importing the planning policies registers nothing anywhere."""

import subprocess
import sys
from pathlib import Path

from solvers.registry import shipped_policies
from twin.api import BASE_POLICIES
from twin.network_files import load_network
from twin.sim import simulate

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {"none", "fixed_ss", "fixed_ss_emergency", "heuristic", "optimised",
           "optimised_rolling"}


def _fresh(code: str) -> str:
    """Run ``code`` in a new interpreter with this checkout first on the path."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_fresh_interpreter_gets_every_shipped_policy_from_the_registry_alone() -> None:
    out = _fresh("from solvers.registry import shipped_policies\n"
                 "print(','.join(sorted(shipped_policies())))\n")
    assert set(out.split(",")) == SHIPPED


def test_importing_the_planning_policies_registers_nothing() -> None:
    out = _fresh("import solvers.policies\n"
                 "from twin.api import BASE_POLICIES\n"
                 "print(','.join(sorted(BASE_POLICIES)))\n")
    assert set(out.split(",")) == {"none", "fixed_ss", "fixed_ss_emergency"}
    assert set(BASE_POLICIES) == {"none", "fixed_ss", "fixed_ss_emergency"}


def test_the_shipped_registry_runs_its_policies_by_name(tiny_dir: Path) -> None:
    policies = shipped_policies()
    assert set(policies) == SHIPPED
    assert policies is shipped_policies()  # one immutable registry per process
    result = simulate(load_network(tiny_dir), days=8, seed=1, policy="heuristic",
                      policies=policies)
    assert result.policy == "heuristic"
