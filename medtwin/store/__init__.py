"""The plan store: plans and their lines, stress evidence, approvals, users and the audit log.

SQLAlchemy over a SQLite file by default or a PostgreSQL URL for shared deployments
(``--store URL`` / ``MEDTWIN_STORE``). Every status change and every ERP document created
is written to a hash-chained, append-only audit log in the same transaction.
"""

from medtwin.store.db import DEFAULT_URL, ENV_STORE, open_store, store_url
from medtwin.store.lifecycle import IllegalTransition, Status
from medtwin.store.plans import PlanStore, UnknownPlan
from medtwin.store.roles import NotPermitted, Role

__all__ = ["DEFAULT_URL", "ENV_STORE", "IllegalTransition", "NotPermitted", "PlanStore",
           "Role", "Status", "UnknownPlan", "open_store", "store_url"]
