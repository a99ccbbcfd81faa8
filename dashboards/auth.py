"""Login against the plan store with server-side sessions.

medtwin's login page (:class:`LoginPage`) checks the password with the store's salted hashes
(``medtwin users password NAME``). A successful login opens a session on the server and
puts only its random id in the browser's cookie; every request and every write looks the
id up again, and logging out deletes it — so every tab of that login is logged out on its
next action.
"""

import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, Template
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


INLINE_HEADER = "X-Medtwin-Login"
"""Request header of the login page's own sign-in (``fetch``): answered with JSON, not a
redirect, so the page can embed the app without leaving (see ``login.html``)."""
REFUSED = "Invalid username or password!"


@dataclass(frozen=True)
class LoginPage:
    """medtwin's login page (``login.html``), served from this server alone. While the user
    types it loads the app page's ``scripts`` and ``stylesheets`` (Bokeh, Panel, the loaded
    extensions) and prefetches ``prefetch`` (Panel's component stylesheets); once signed
    in, it embeds the app in place (Bokeh's ``autoload.js``), so the browser does not load
    and start BokehJS a second time (see :mod:`dashboards.resources`)."""

    scripts: Sequence[str] = ()
    stylesheets: Sequence[str] = ()
    prefetch: Sequence[str] = ()

    def render(self, **values: object) -> str:
        """The page, with Panel's login-handler values (``login_endpoint``,
        ``errormessage``)."""
        return _LOGIN.render(login_endpoint=values["login_endpoint"],
                             errormessage=values.get("errormessage", ""),
                             scripts=self.scripts, stylesheets=self.stylesheets,
                             prefetch=self.prefetch, dist=LOCAL_DIST,
                             inline_header=INLINE_HEADER)


_LOGIN = Environment(loader=PackageLoader("dashboards", "."), autoescape=True).get_template(
    "login.html")


@dataclass(frozen=True)
class LocalPage:
    """One of Panel's pages (the logout page) served from this server alone: its images
    from Panel's files here instead of its CDN."""

    template: Template

    def render(self, **values: object) -> str:
        """The page, with Panel's template values."""
        return self.template.render(**values | {"PANEL_CDN": LOCAL_DIST})


class StoreAuthProvider(BasicAuthProvider):
    """medtwin's login page (:class:`LoginPage`: ``scripts``, ``stylesheets`` and
    ``prefetch`` are what it loads ahead) and Panel's logout page; a user logs in when the
    store knows the password."""

    def __init__(self, store: PlanService, sessions: Sessions, *, scripts: Sequence[str] = (),
                 stylesheets: Sequence[str] = (), prefetch: Sequence[str] = (),
                 **kwargs: object):
        self.store, self.sessions = store, sessions
        super().__init__(**kwargs)
        self._login_template = LoginPage(tuple(scripts), tuple(stylesheets), tuple(prefetch))
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

            def post(self) -> None:
                """Panel's form post (a redirect), or the login page's own sign-in
                (:data:`INLINE_HEADER`): 200 and the user, or 401 and why, as JSON."""
                if self.request.headers.get(INLINE_HEADER) != "1":
                    return super().post()
                user = self.get_argument("username", "")
                if not self._validate(user, self.get_argument("password", "")):
                    self.set_status(401)
                    return self.finish({"error": REFUSED})
                self.set_current_user(user)
                return self.finish({"user": user})

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
