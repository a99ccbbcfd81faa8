"""Opening the right adapter for an ``--erp`` argument: a Tryton URL or an exchange folder."""

import datetime as dt
import os
from pathlib import Path

from erp_adapter.credentials import Credentials
from erp_adapter.flatfile import FlatFileAdapter
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.publish import Hook, PurchaseMode
from twin.domain import Network


def is_url(erp: str) -> bool:
    """Whether ``erp`` names a server (``http://…``/``https://…``) rather than a folder."""
    return erp.startswith(("http://", "https://"))


def open_adapter(erp: str, network: Network, *, credentials: Credentials | None = None,
                 purchase_mode: PurchaseMode = "order", batch: int = 50,
                 hook: Hook | None = None) -> TrytonAdapter | FlatFileAdapter:
    """A Tryton adapter for ``http(s)://HOST:PORT/DATABASE``, else a flat-file adapter on
    the folder ``erp`` (``file://`` prefix allowed)."""
    if is_url(erp):
        return TrytonAdapter(erp, network, credentials, purchase_mode=purchase_mode,
                             batch=batch, hook=hook)
    folder = erp.removeprefix("file://")
    return FlatFileAdapter(Path(os.path.expanduser(folder)), network)


def default_as_of(adapter: TrytonAdapter | FlatFileAdapter) -> dt.date:
    """The snapshot date to pull by default: the start of the ERP's tomorrow (after today's
    moves) for Tryton; the folder's own snapshot date for an exchange folder."""
    if isinstance(adapter, TrytonAdapter):
        return adapter.client.today() + dt.timedelta(days=1)
    return adapter.pull_snapshot().as_of
