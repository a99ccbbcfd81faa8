"""Which adapter an ``--erp`` argument opens: one explicit table, URL scheme → factory.

    http://HOST:PORT/DATABASE, https://…   Tryton over JSON-RPC (erp_adapter.tryton.adapter)
    file:///path/to/folder, or a plain path  an exchange folder (erp_adapter.flatfile)

Adding an ERP = writing an adapter that satisfies :class:`~erp_adapter.protocol.ErpAdapter`
and adding one entry here (or, for a test or a plug-in, ``DEFAULT_REGISTRY.with_scheme(…)``
passed to :func:`open_adapter` and to the callers that take a ``registry``). Nothing
registers by import side effect; each factory imports its adapter only when called, so
importing this module stays light.
"""

import os
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from erp_adapter.credentials import Credentials
from erp_adapter.protocol import ErpAdapter
from twin.domain import Network
from twin.problems import InputError, Problem

PATH_SCHEME = "file"
"""The scheme of an ``--erp`` without ``scheme://``: a folder."""


@dataclass(frozen=True)
class AdapterOptions:
    """What the caller may tell any adapter; an adapter ignores what it has no use for."""

    credentials: Credentials | None = None
    """ERP login (default: from the environment, see :mod:`erp_adapter.credentials`)."""
    purchase_mode: str = "order"
    """Purchase lines as ``order``s or ``requisition``s (Tryton)."""
    batch: int = 50
    """Documents created or advanced per ERP call."""


AdapterFactory = Callable[[str, Network | None, AdapterOptions], ErpAdapter]
"""(the ``--erp`` text as given, the network or None, options) → an unopened adapter."""


def split_scheme(erp: str) -> tuple[str, str]:
    """``("fake+http", "fake+http://h/db")`` for a URL; ``("file", "/a/b")`` for a path."""
    scheme, sep, _ = erp.partition("://")
    if sep and scheme and all(c.isalnum() or c in "+-." for c in scheme):
        return scheme.lower(), erp
    return PATH_SCHEME, erp


def url_problem(erp: str) -> str | None:
    """Why the ``--erp`` text cannot be used, or ``None``; checked before any connection.

    A URL (``scheme://…``) needs a host, a port (when given) that is a number in 1-65535,
    and no password (passwords come from the environment or a secrets file, see
    :mod:`erp_adapter.credentials`); the message never repeats the password.
    """
    scheme, _ = split_scheme(erp)
    if scheme == PATH_SCHEME:
        return None if erp.strip() else "empty: give a URL or a folder"
    try:
        parts = urllib.parse.urlsplit(erp)
        port = parts.port
    except ValueError:
        netloc = erp.partition("://")[2].partition("/")[0].rpartition("@")[2]
        return f"not a valid URL: the port in {netloc!r} must be a number from 1 to 65535"
    if parts.password is not None:
        return ("the URL must not carry a password: set MEDTWIN_ERP_PASSWORD or "
                "MEDTWIN_ERP_SECRETS instead")
    if not parts.hostname:
        return f"the URL names no host, like {scheme}://HOST:PORT/DATABASE"
    if port == 0:
        return "the port must be a number from 1 to 65535, got 0"
    return None


def _tryton(url: str, network: Network | None, options: AdapterOptions) -> ErpAdapter:
    from erp_adapter.tryton.adapter import TrytonAdapter

    return TrytonAdapter(url, network, options.credentials,
                         purchase_mode=options.purchase_mode,  # type: ignore[arg-type]
                         batch=options.batch)


def _folder(erp: str, network: Network | None, options: AdapterOptions) -> ErpAdapter:
    from erp_adapter.flatfile import FlatFileAdapter

    return FlatFileAdapter(os.path.expanduser(erp.removeprefix("file://")), network)


@dataclass(frozen=True)
class ErpRegistry:
    """URL scheme → adapter factory."""

    factories: Mapping[str, AdapterFactory] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "factories", MappingProxyType(
            {k.lower(): v for k, v in self.factories.items()}))

    def with_scheme(self, scheme: str, factory: AdapterFactory) -> "ErpRegistry":
        """A copy of this registry that also opens ``scheme://…`` with ``factory``."""
        return ErpRegistry({**self.factories, scheme: factory})

    @property
    def schemes(self) -> list[str]:
        return sorted(self.factories)

    def open(self, erp: str, network: Network | None,
             options: AdapterOptions | None = None) -> ErpAdapter:
        """The adapter for ``erp`` (not yet connected: use it as a context manager)."""
        scheme, target = split_scheme(erp)
        problem = url_problem(erp) if scheme in self.factories else None
        if problem is not None:
            raise InputError([Problem("--erp", "", problem)])
        factory = self.factories.get(scheme)
        if factory is None:
            raise InputError([Problem("--erp", "", f"no ERP adapter for {scheme}:// (known: "
                                                   f"{', '.join(self.schemes)}, or a folder)")])
        return factory(target, network, options or AdapterOptions())


DEFAULT_REGISTRY = ErpRegistry({"http": _tryton, "https": _tryton, PATH_SCHEME: _folder})


def open_adapter(erp: str, network: Network | None, *, credentials: Credentials | None = None,
                 purchase_mode: str = "order", batch: int = 50,
                 registry: ErpRegistry | None = None) -> ErpAdapter:
    """The adapter ``registry`` (default :data:`DEFAULT_REGISTRY`) opens for ``erp``: a URL
    (its scheme picks the adapter) or a folder. ``network`` may be None only for calls that
    need none (a lot trace)."""
    options = AdapterOptions(credentials=credentials, purchase_mode=purchase_mode, batch=batch)
    return (registry or DEFAULT_REGISTRY).open(erp, network, options)
