"""Login against the plan store with server-side sessions.

Panel's basic-auth login page checks the password with the store's salted hashes
(``medtwin users password NAME``). A successful login opens a session on the server and
puts only its random id in the browser's cookie; every request and every write looks the
id up again, and logging out deletes it — so every tab of that login is logged out on its
next action.
"""

import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from jinja2 import Template
from panel.auth import BasicAuthProvider, BasicLoginHandler, LogoutHandler
from panel.io.resources import LOCAL_DIST
from tornado.web import RequestHandler

from medtwin.services.plans import NotPermitted, PlanService

SESSION_COOKIE = "medtwin_session"


class SessionEnded(NotPermitted):
    """The page's login was ended (logged out, here or in another tab)."""


@dataclass
class Sessions:
    """Signed-in sessions held by the server: random id → user."""

    _users: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, user: str) -> str:
        """Start a session for ``user``; its id (for the cookie)."""
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._users[sid] = user
        return sid

    def user(self, sid: str | None) -> str | None:
        """The user of session ``sid``, or None when there is no such session (any more)."""
        with self._lock:
            return self._users.get(sid or "")

    def close(self, sid: str | None) -> None:
        """End session ``sid`` (nothing if it has already ended)."""
        with self._lock:
            self._users.pop(sid or "", None)


@dataclass(frozen=True)
class Login:
    """One page's login: the session it was opened in and its user."""

    sessions: Sessions
    sid: str
    user: str

    def acting_user(self) -> str:
        """The user, after checking that the session still stands (:class:`SessionEnded`
        otherwise) — called before every write."""
        if self.sessions.user(self.sid) != self.user:
            raise SessionEnded(f"{self.user} has logged out (in this or another tab): log "
                               "in again; nothing changed")
        return self.user


@dataclass(frozen=True)
class LocalPage:
    """One of Panel's login and logout pages served from this server alone: its images
    from Panel's files here instead of its CDN, and a ``<link rel=prefetch>`` per URL of
    ``prefetch`` in its head (the browser fetches them while the user types)."""

    template: Template
    prefetch: Sequence[str] = ()

    def render(self, **values: object) -> str:
        """The page, with Panel's template values."""
        links = "".join(f'<link rel="prefetch" as="script" href="{escape(url)}">'
                        for url in self.prefetch)
        html = self.template.render(**values | {"PANEL_CDN": LOCAL_DIST})
        return html.replace("</head>", f"{links}</head>", 1)


class StoreAuthProvider(BasicAuthProvider):
    """Panel's login and logout pages; a user logs in when the store knows the password.
    The login page prefetches ``scripts`` (the app page's, so that they are in the
    browser's cache when the login lands there)."""

    def __init__(self, store: PlanService, sessions: Sessions, scripts: Sequence[str] = (),
                 **kwargs: object):
        self.store, self.sessions = store, sessions
        super().__init__(**kwargs)
        self._login_template = LocalPage(self._login_template, tuple(scripts))
        self._logout_template = LocalPage(self._logout_template)

    @property
    def get_user(self):  # type: ignore[no-untyped-def]  # Panel's signature
        sessions = self.sessions

        def get_user(handler: RequestHandler) -> str | None:
            return sessions.user(handler.get_cookie(SESSION_COOKIE))
        return get_user

    @property
    def login_handler(self) -> type[BasicLoginHandler]:
        store, sessions = self.store, self.sessions

        class StoreLoginHandler(BasicLoginHandler):
            _login_endpoint = self._login_endpoint
            _login_template = self._login_template

            def _validate(self, username: str, password: str) -> bool:
                return store.authenticate(username, password) is not None

            def set_current_user(self, user: str) -> None:
                sessions.close(self.get_cookie(SESSION_COOKIE))
                self.set_cookie(SESSION_COOKIE, sessions.open(user), httponly=True,
                                samesite="Strict", path="/")

        return StoreLoginHandler

    @property
    def logout_handler(self) -> type[LogoutHandler]:
        sessions = self.sessions

        class StoreLogoutHandler(LogoutHandler):
            _login_endpoint = self._login_endpoint
            _logout_template = self._logout_template

            def get(self) -> None:
                sessions.close(self.get_cookie(SESSION_COOKIE))
                self.clear_cookie(SESSION_COOKIE, path="/")
                super().get()

        return StoreLogoutHandler
