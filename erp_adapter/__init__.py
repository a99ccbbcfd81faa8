"""ERP connectors: snapshot and history in, approved plans out. The mapping between ERP
records and domain objects lives here and only here.

- :mod:`erp_adapter.protocol` — what every adapter offers (``pull_snapshot``,
  ``pull_history``, ``publish``, ``status``, ``today``), its declared ``capabilities`` and
  the records they return;
- :mod:`erp_adapter.registry` — URL scheme → adapter: ``open_adapter(erp, network)``;
- :mod:`erp_adapter.tryton` — Tryton over JSON-RPC (adapter, client, mapping, pull,
  publish), and apart from it the development tools (dev, seed, seeded, server);
- :mod:`erp_adapter.flatfile` — a folder of CSV/Parquet files;
- :mod:`erp_adapter.trace` — lot trace from ERP moves;
- :mod:`erp_adapter.plan_check` — a plan checked against its network before publishing.
"""

from erp_adapter.errors import ErpAuthError, ErpError, ErpUnreachable, PublishInterrupted
from erp_adapter.protocol import DemandRecord, DocumentRef, ErpAdapter, LineResult

__all__ = ["DemandRecord", "DocumentRef", "ErpAdapter", "ErpAuthError", "ErpError",
           "ErpUnreachable", "LineResult", "PublishInterrupted"]
