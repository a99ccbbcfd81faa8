"""Development and demo tooling for a local Tryton, kept apart from the adapter.

The adapter (``adapter``, ``client``, ``mapping``, ``pull``, ``publish``) never imports the
tooling (``dev``, ``seed``, ``seeded``, ``server``); the tooling uses the client.
"""

from erp_adapter.credentials import Credentials, load_credentials
from erp_adapter.registry import split_scheme
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.seed import SeedReport, seed_network
from twin.domain import Network
from twin.problems import InputError, Problem


def seed_url(url: str, credentials: Credentials | None, net: Network, *,
             history_days: int = 0, seed: int = 0) -> tuple[str, SeedReport]:
    """Seed the empty Tryton database at ``url`` with ``net``; (the URL as the client shows
    it, what was written). Credentials default to the environment's."""
    if split_scheme(url)[0] not in ("http", "https"):
        raise InputError([Problem("--erp", "", "seeding needs a Tryton URL "
                                               "(http://HOST:PORT/DATABASE)")])
    with TrytonClient(url, credentials or load_credentials()) as client:
        report = seed_network(client, net, history_days=history_days, seed=seed)
    return client.url, report
