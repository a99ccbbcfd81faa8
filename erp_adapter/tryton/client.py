"""A small Tryton JSON-RPC client with session authentication.

``common.db.login`` returns ``[user id, session token, …]``; every later call carries the
header ``Authorization: Session base64(login:uid:token)``, so the password is sent once
(Tryton checks a Basic-auth password on every call, ~8× slower). Dates, datetimes and
decimals travel as Tryton's ``{"__class__": …}`` objects.
"""

import base64
import contextlib
import datetime as dt
import gzip
import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from erp_adapter.credentials import Credentials
from erp_adapter.errors import (
    ErpAuthError,
    ErpError,
    ErpRemoteError,
    ErpUnreachable,
    ErpWarning,
)

GZIP_MAGIC = b"\x1f\x8b"  # the first bytes of a gzip stream

log = logging.getLogger(__name__)

Domain = list[Any]
Values = dict[str, Any]


def _encode(obj: Any) -> Any:
    if isinstance(obj, dt.datetime):
        return {"__class__": "datetime", "year": obj.year, "month": obj.month, "day": obj.day,
                "hour": obj.hour, "minute": obj.minute, "second": obj.second,
                "microsecond": obj.microsecond}
    if isinstance(obj, dt.date):
        return {"__class__": "date", "year": obj.year, "month": obj.month, "day": obj.day}
    if isinstance(obj, Decimal):
        return {"__class__": "Decimal", "decimal": str(obj)}
    if isinstance(obj, dt.timedelta):
        return {"__class__": "timedelta", "seconds": obj.total_seconds()}
    if isinstance(obj, bytes | bytearray):
        return {"__class__": "bytes", "base64": base64.b64encode(obj).decode()}
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    raise TypeError(f"cannot send {type(obj).__name__} to Tryton")


def _decode(dct: dict[str, Any]) -> Any:
    kind = dct.get("__class__")
    if kind == "date":
        return dt.date(dct["year"], dct["month"], dct["day"])
    if kind == "datetime":
        return dt.datetime(dct["year"], dct["month"], dct["day"], dct["hour"], dct["minute"],
                           dct["second"], dct["microsecond"])
    if kind == "Decimal":
        return Decimal(dct["decimal"])
    if kind == "timedelta":
        return dt.timedelta(seconds=dct["seconds"])
    if kind == "bytes":
        return base64.b64decode(dct["base64"])
    return dct


def parse_erp_url(url: str) -> tuple[str, str, str | None]:
    """``http://host:port/db`` → (RPC endpoint, database, user named in the URL or None).

    A URL carrying a password is refused (passwords come from the environment or a
    secrets file), and the refusal does not repeat it.
    """
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ErpError(f"ERP URL {redact_url(url)!r} has a port that is not a number from 1 to "
                       "65535") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ErpError(f"ERP URL must look like http://HOST:PORT/DATABASE, got "
                       f"{redact_url(url)!r}")
    if parts.password is not None:
        raise ErpAuthError("the ERP URL must not carry a password: set MEDTWIN_ERP_PASSWORD "
                           "or MEDTWIN_ERP_SECRETS instead")
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[-1] == "rpc":
        segments = segments[:-1]
    if len(segments) != 1:
        raise ErpError(f"ERP URL must name one database, like http://HOST:PORT/DATABASE, got "
                       f"{redact_url(url)!r}")
    database = urllib.parse.unquote(segments[0])
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{port}" if port else host
    endpoint = f"{parts.scheme}://{netloc}/{urllib.parse.quote(database)}/rpc/"
    return endpoint, database, parts.username


def redact_url(url: str) -> str:
    """``url`` without any user information (safe to log or print)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class TrytonClient:
    """A logged-in JSON-RPC session on one Tryton database.

    ``call`` raises :class:`ErpUnreachable` when the server does not answer,
    :class:`ErpAuthError` when it refuses the session, :class:`ErpWarning` for a user
    warning (see :meth:`call_accepting_warnings`) and :class:`ErpRemoteError` otherwise.
    """

    def __init__(self, url: str, credentials: Credentials, *, timeout: float = 300.0):
        self.endpoint, self.database, url_user = parse_erp_url(url)
        self.url = redact_url(url)
        user = url_user or credentials.user
        self._credentials = Credentials(user=user, password=credentials.password)
        self.timeout = timeout
        self._auth: str | None = None
        self._id = 0
        self.calls = 0
        self.user_id: int | None = None
        self.context: dict[str, Any] = {}

    # -- transport -------------------------------------------------------------------------
    def _post(self, method: str, params: Sequence[Any], auth: bool = True) -> Any:
        self._id += 1
        self.calls += 1
        body = json.dumps({"id": self._id, "method": method, "params": list(params)},
                          default=_encode, separators=(",", ":")).encode()
        # Tryton streams a large answer token by token (hundreds of thousands of HTTP
        # chunks, most of a pull's time) unless it may gzip it into a few large ones.
        headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
        if auth and self._auth:
            headers["Authorization"] = self._auth
        request = urllib.request.Request(self.endpoint, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
            if payload[:2] == GZIP_MAGIC:  # Tryton 8.2 also labels plain answers gzip
                payload = gzip.decompress(payload)
        except urllib.error.HTTPError as exc:
            self._raise_http(method, exc.code)
        except (urllib.error.URLError, http.client.HTTPException, OSError, EOFError,
                zlib.error) as exc:
            reason = getattr(exc, "reason", exc)
            raise ErpUnreachable(f"ERP at {self.url} did not answer {method}: "
                                 f"{reason or type(exc).__name__}") from None
        try:
            answer = json.loads(payload, object_hook=_decode)
        except ValueError:
            raise ErpRemoteError(method, "the answer is not JSON") from None
        if "error" in answer and answer["error"] is not None:
            self._raise_remote(method, answer["error"])
        return answer.get("result")

    def _raise_http(self, method: str, code: int) -> None:
        if code in (401, 403):
            raise ErpAuthError(f"ERP at {self.url} refused the login of "
                               f"{self._credentials.user!r} (HTTP {code}): check "
                               "MEDTWIN_ERP_USER / MEDTWIN_ERP_PASSWORD") from None
        if code == 429:
            raise ErpAuthError(f"ERP at {self.url} refuses logins for now (too many failed "
                               "attempts); wait and check the credentials") from None
        if code == 404:
            raise ErpError(f"ERP at {self.url}: no database {self.database!r} (HTTP 404)") \
                from None
        raise ErpRemoteError(method, f"HTTP {code}") from None

    @staticmethod
    def _raise_remote(method: str, error: Any) -> None:
        if isinstance(error, list) and len(error) == 2 and isinstance(error[1], list):
            kind, args = error
            if kind == "UserWarning":
                name, message, description = ([*list(args), "", "", ""])[:3]
                raise ErpWarning(method, str(name), str(message), str(description or ""))
            if kind == "UserError":
                message, description = ([*list(args), "", ""])[:2]
                raise ErpRemoteError(method, str(message), str(description or ""))
            if kind == "ConcurrencyException":
                raise ErpRemoteError(method, f"record changed concurrently: {args}")
            raise ErpRemoteError(method, f"{kind}: {args}")
        if isinstance(error, list) and error:
            first = str(error[0]).strip().splitlines()
            raise ErpRemoteError(method, f"server fault: {first[-1] if first else error[0]}")
        raise ErpRemoteError(method, str(error))

    # -- session ---------------------------------------------------------------------------
    def login(self) -> "TrytonClient":
        """Open a session and load the user's context (company, language …)."""
        creds = self._credentials
        result = self._post("common.db.login",
                            [creds.user, {"password": creds.password}, "en"], auth=False)
        if not isinstance(result, list) or len(result) < 2:
            raise ErpAuthError(f"ERP at {self.url} refused the login of {creds.user!r}")
        self.user_id, token = int(result[0]), str(result[1])
        raw = f"{creds.user}:{self.user_id}:{token}".encode()
        self._auth = "Session " + base64.b64encode(raw).decode()
        self.context = self._post("model.res.user.get_preferences", [True, {}]) or {}
        log.info("logged in to %s as %s", self.url, creds.user)
        return self

    def logout(self) -> None:
        """Close the session (errors ignored: the server may be gone)."""
        if self._auth:
            with contextlib.suppress(ErpError):
                self._post("common.db.logout", [])
            self._auth = None

    def __enter__(self) -> "TrytonClient":
        return self.login() if self._auth is None else self

    def __exit__(self, *exc: object) -> None:
        self.logout()

    # -- calls -----------------------------------------------------------------------------
    def call(self, method: str, *params: Any) -> Any:
        """Call ``method`` with ``params``; re-login once if the session expired."""
        try:
            return self._post(method, params)
        except ErpAuthError:
            if self._auth is None:
                raise
            log.info("session refused on %s; logging in again", method)
            self.login()
            return self._post(method, params)

    def call_accepting_warnings(self, method: str, *params: Any, tries: int = 5) -> Any:
        """Like :meth:`call`, but answer Tryton user warnings with "yes" (as the Tryton
        client does: record ``res.user.warning`` and call again). Used only by the seeder."""
        for _ in range(tries):
            try:
                return self.call(method, *params)
            except ErpWarning as warning:
                log.debug("accepting ERP warning %s: %s", warning.name, warning.remote_message)
                self.call("model.res.user.warning.create",
                          [{"user": self.user_id, "name": warning.name, "always": False}],
                          self.context)
        return self.call(method, *params)

    def today(self) -> dt.date:
        """The ERP's today (``ir.date.today``, in the company's timezone): the date Tryton
        compares planned dates with, and medtwin's "today" whenever it talks to this ERP."""
        return self.call("model.ir.date.today", self.ctx())

    def model(self, name: str) -> "Model":
        """A proxy for the Tryton model ``name``."""
        return Model(self, name)

    def ctx(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The session context updated with ``extra``."""
        return {**self.context, **(extra or {})}


class Model:
    """Thin proxy over ``model.<name>.<method>`` calls."""

    def __init__(self, client: TrytonClient, name: str):
        self.client = client
        self.name = name

    def _call(self, method: str, *params: Any, context: Mapping[str, Any] | None = None,
              accept_warnings: bool = False) -> Any:
        fn = self.client.call_accepting_warnings if accept_warnings else self.client.call
        return fn(f"model.{self.name}.{method}", *params, self.client.ctx(context))

    def search(self, domain: Domain, *, offset: int = 0, limit: int | None = None,
               order: list[tuple[str, str]] | None = None,
               context: Mapping[str, Any] | None = None) -> list[int]:
        return self._call("search", domain, offset, limit, order, context=context)

    def search_count(self, domain: Domain, context: Mapping[str, Any] | None = None) -> int:
        return self._call("search_count", domain, context=context)

    def read(self, ids: Sequence[int], fields: Sequence[str],
             context: Mapping[str, Any] | None = None) -> list[Values]:
        if not ids:
            return []
        return self._call("read", list(ids), list(fields), context=context)

    def search_read(self, domain: Domain, fields: Sequence[str], *,
                    order: list[tuple[str, str]] | None = None, limit: int | None = None,
                    context: Mapping[str, Any] | None = None, page: int = 5000) -> list[Values]:
        """All records matching ``domain``, read in pages of ``page``."""
        out: list[Values] = []
        order = order or [("id", "ASC")]
        while True:
            size = page if limit is None else min(page, limit - len(out))
            rows = self._call("search_read", domain, len(out), size, order, list(fields),
                              context=context)
            out.extend(rows)
            if len(rows) < size or (limit is not None and len(out) >= limit):
                return out

    def create(self, vlist: Iterable[Values], context: Mapping[str, Any] | None = None,
               accept_warnings: bool = False) -> list[int]:
        vlist = list(vlist)
        if not vlist:
            return []
        return self._call("create", vlist, context=context, accept_warnings=accept_warnings)

    def write(self, ids: Sequence[int], values: Values,
              context: Mapping[str, Any] | None = None) -> None:
        if ids:
            self._call("write", list(ids), values, context=context)

    def write_many(self, pairs: Sequence[tuple[Sequence[int], Values]],
                   context: Mapping[str, Any] | None = None) -> None:
        """Several (ids, values) writes in one call, hence one transaction."""
        args: list[Any] = []
        for ids, values in pairs:
            if ids:
                args += [list(ids), values]
        if args:
            self._call("write", *args, context=context)

    def delete(self, ids: Sequence[int], context: Mapping[str, Any] | None = None) -> None:
        if ids:
            self._call("delete", list(ids), context=context)

    def button(self, name: str, ids: Sequence[int], context: Mapping[str, Any] | None = None,
               accept_warnings: bool = False) -> Any:
        """Click button ``name`` on ``ids`` (one transaction on the server)."""
        if not ids:
            return None
        return self._call(name, list(ids), context=context, accept_warnings=accept_warnings)


def wait_until_listening(host: str, port: int, timeout: float = 30.0) -> None:
    """Block until ``host:port`` accepts TCP connections (or raise ``ErpUnreachable``)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise ErpUnreachable(f"nothing listens on {host}:{port} after {timeout:.0f} s") \
                    from None
            time.sleep(0.1)
