"""Development and demo tooling for a local Tryton, kept apart from the adapter.

The adapter (``adapter``, ``client``, ``mapping``, ``pull``, ``publish``) never imports the
tooling (``dev``, ``seed``, ``seeded``, ``server``); the tooling uses the client.
"""

import datetime as dt

from erp_adapter.credentials import Credentials, load_credentials
from erp_adapter.registry import split_scheme
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.seed import SeedReport, seed_network
from twin.domain import Network
from twin.problems import InputError, Problem


def seed_url(url: str, credentials: Credentials | None, net: Network, *,
             history_days: int = 0, seed: int = 0, as_of: dt.date | None = None
             ) -> tuple[str, SeedReport, dt.date]:
    """Seed the empty Tryton database at ``url`` with ``net``, its snapshot moved to
    ``as_of`` (default: the ERP's today, see :meth:`Network.rebased`); (the URL as the
    client shows it, what was written, the snapshot date). Credentials default to the
    environment's."""
    if split_scheme(url)[0] not in ("http", "https"):
        raise InputError([Problem("--erp", "", "seeding needs a Tryton URL "
                                               "(http://HOST:PORT/DATABASE)")])
    with TrytonClient(url, credentials or load_credentials()) as client:
        as_of = as_of or client.today()
        report = seed_network(client, net.rebased(as_of), history_days=history_days,
                              seed=seed)
    return client.url, report, as_of
