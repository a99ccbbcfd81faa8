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


def load_policies() -> PolicyRegistry:
    """The shipped policy registry (imports the solvers)."""
    from solvers.registry import shipped_policies

    return shipped_policies()
