"""The plan store: plans and their lines, stress evidence, approvals, users, approval rules
and the audit log.

SQLAlchemy over a SQLite file by default or a PostgreSQL URL for shared deployments
(``--store URL`` / ``MEDTWIN_STORE``). Every change is written to a keyed, hash-chained,
append-only audit log in the same transaction; the key and the chain's checkpoint live
outside the database (:mod:`medtwin.store.keyring`).

Statuses, roles and the store's location import nothing heavy; :class:`PlanStore`,
:exc:`UnknownPlan` and :func:`open_store` import SQLAlchemy on first use, so that the
command line can offer statuses and roles in its help without it.
"""

import importlib
from typing import TYPE_CHECKING

from medtwin.store.lifecycle import IllegalTransition, Status
from medtwin.store.location import DEFAULT_URL, ENV_STORE, store_url
from medtwin.store.roles import NotPermitted, Role

if TYPE_CHECKING:
    from medtwin.store.base import UnknownPlan
    from medtwin.store.db import open_store
    from medtwin.store.plans import PlanStore

__all__ = ["DEFAULT_URL", "ENV_STORE", "IllegalTransition", "NotPermitted", "PlanStore",
           "Role", "Status", "UnknownPlan", "open_store", "store_url"]

_ON_FIRST_USE = {"open_store": "medtwin.store.db", "PlanStore": "medtwin.store.plans",
                 "UnknownPlan": "medtwin.store.base"}


def __getattr__(name: str) -> object:
    if name not in _ON_FIRST_USE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
    globals()[name] = value
    return value
