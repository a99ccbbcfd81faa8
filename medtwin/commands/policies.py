"""The replenishment policies the command line offers.

The registry (:func:`solvers.registry.shipped_policies`: the twin's base policies plus the
solvers' optimised ones) takes numpy, the domain model and Pyomo to build. Help texts and
choices need only the names, so they are listed here; ``tests/medtwin/test_cli_help.py``
checks that they are exactly the registry's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twin.api import PolicyRegistry

POLICY_NAMES = ("fixed_ss", "fixed_ss_emergency", "heuristic", "none", "optimised",
                "optimised_rolling")
"""Names of the shipped policies, sorted."""


def load_policies(name: str | None = None) -> PolicyRegistry:
    """The registry to run policy ``name`` from: the twin's own policies alone when ``name``
    is one of them (the solvers — Pyomo, HiGHS, ~90 MB — are then not imported), else the
    shipped registry (imports the solvers)."""
    from twin.api import BASE_POLICIES

    if name is not None and name in BASE_POLICIES:
        return BASE_POLICIES
    from solvers.registry import shipped_policies

    return shipped_policies()
