"""Returned units: QC's disposition of each returned lot in quarantine (:mod:`.dispositions`)."""

from solvers.returns.dispositions import Dispositions, disposition_actions, preferred_supplier

__all__ = ["Dispositions", "disposition_actions", "preferred_supplier"]
