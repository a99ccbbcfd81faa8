"""Policies for the twin built from the planning models; importing this package registers
``heuristic``, ``optimised`` and ``optimised_rolling`` in :data:`twin.sim.policies.POLICIES`."""

from solvers.policies.levels import (
    LevelsSS,
    heuristic_levels,
    investment,
    levels_for,
    optimised_levels,
)
from solvers.policies.rolling import RollingSS

__all__ = ["LevelsSS", "RollingSS", "heuristic_levels", "investment", "levels_for",
           "optimised_levels"]
