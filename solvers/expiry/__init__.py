"""Expiry risk: FEFO issue at mean demand (:mod:`.fluid`) and the alerts it raises
(:mod:`.alerts`)."""

from solvers.expiry.alerts import ExpiryAlerts

__all__ = ["ExpiryAlerts"]
