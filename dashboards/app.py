"""The dashboard application: login, then one tab per page; served by ``medtwin dashboard``."""

import asyncio
import logging
import secrets
from collections.abc import Callable

import panel as pn
import param
from panel.io.resources import LOCAL_DIST
from panel.viewable import Viewer

from dashboards.auth import SESSION_COOKIE, Login, Sessions, StoreAuthProvider
from dashboards.data import DataStore
from dashboards.resources import component_stylesheets, page_resources
from dashboards.views.compare import CompareView
from dashboards.views.inventory import InventoryView
from dashboards.views.network import NetworkView
from dashboards.views.plans import PlanReview
from dashboards.views.quality import DataQualityView
from dashboards.views.recall import RecallView
from dashboards.views.whatif import WhatIfView

log = logging.getLogger(__name__)
EMBEDDED = "bokeh-autoload-element"
"""Argument of Bokeh's ``autoload.js`` request: the session is embedded in another page
(the login page, :mod:`dashboards.auth`)."""
PAGES = ("Network", "Compare", "What-if", "Plans", "Recall", "Inventory", "Data quality")


class App(Viewer):
    """All pages for a signed-in ``login`` (the user's role comes from the plan store).

    A page is built when its tab is first opened (building all six took ~4 s on the tiny
    network). The landing page is built on the server's next turn after the session is
    created: when the login page embeds the app, it is attached then, before the browser
    pulls the document; when the app has a page of its own (a reload), it is attached once
    the browser has the header and tabs (in the page's first document it held the
    browser's first drawing back by ≈ 0.3 s; bench/README.md)."""

    data = param.ClassSelector(class_=DataStore)
    login = param.ClassSelector(class_=Login)

    def __init__(self, **params: object):
        super().__init__(**params)
        self.tabs = pn.Tabs(*[(name, pn.Column(sizing_mode="stretch_width"))
                              for name in PAGES], dynamic=True)
        self.tabs.param.watch(lambda event: self._show(event.new), "active")
        self._compare: CompareView | None = None
        self._ready: dict[int, pn.viewable.Viewable] = {}

    def compare(self) -> CompareView:
        """The Compare page of this session (built on first use)."""
        if self._compare is None:
            self._compare = CompareView(data=self.data)
        return self._compare

    def _open_in_compare(self, path: str) -> None:
        self.compare().open(path)
        self.tabs.active = PAGES.index("Compare")

    def _on_written(self, _path: str) -> None:
        if self._compare is not None:
            self._compare.refresh()

    def _page(self, name: str) -> Viewer:
        data, login = self.data, self.login
        match name:
            case "Network":
                return NetworkView(data=data)
            case "Compare":
                return self.compare()
            case "What-if":
                return WhatIfView(data=data, login=login, on_written=self._on_written,
                                  on_open=self._open_in_compare)
            case "Plans":
                return PlanReview(data=data, login=login)
            case "Recall":
                return RecallView(data=data)
            case "Data quality":
                return DataQualityView(data=data)
        return InventoryView(data=data)

    def _prepare(self, index: int) -> None:
        """Build page ``index``'s Panel objects (not yet attached: no Bokeh models)."""
        if not self.tabs[index].objects and index not in self._ready:
            self._ready[index] = pn.panel(self._page(PAGES[index]))

    def _show(self, index: int) -> None:
        holder = self.tabs[index]
        if not holder.objects:
            self._prepare(index)
            holder.append(self._ready.pop(index))

    def _land(self, index: int) -> None:
        """Schedule landing page ``index`` (asyncio runs the callbacks in a copy of this
        context: Panel's current document is this session's)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not served: built when shown
            pn.state.onload(lambda: self._show(index))
            return
        if EMBEDDED in pn.state.session_args:
            # embedded by the login page: the browser pulls the document once this request
            # is answered, so the page attached now is drawn with the header, in one pass
            loop.call_soon(self._show, index)
        else:
            # its own page (the document goes out with it): built while the browser loads
            # the scripts, attached when it has the header and tabs
            loop.call_soon(self._prepare, index)
            pn.state.onload(lambda: self._show(index))

    def __panel__(self) -> pn.viewable.Viewable:
        user = self.login.user
        role = self.data.plans().role_of(user)
        header = pn.Row(pn.pane.Markdown(f"# medtwin — {self.data.network().name}"),
                        pn.Spacer(),
                        pn.pane.Markdown(f"signed in as **{user}** ({role}) · "
                                         "[log out](./logout)", css_classes=["whoami"]))
        self._land(self.tabs.active)
        return pn.Column(header, self.tabs, sizing_mode="stretch_width")


def app_factory(data: DataStore, sessions: Sessions) -> Callable[[], pn.viewable.Viewable]:
    """A per-session factory: each browser session gets its own App for its login."""
    def make() -> pn.viewable.Viewable:
        # Panel's stylesheets from this server, as on its own page, also when the login
        # page embeds the app (autoload.js; Panel would name its CDN there)
        pn.state.curdoc._template_variables["dist_url"] = LOCAL_DIST
        sid = pn.state.cookies.get(SESSION_COOKIE, "")
        user = sessions.user(sid)
        if user is None:
            return pn.pane.Markdown("You are logged out: [log in](./login).")
        return App(data=data, login=Login(sessions, sid, user)).__panel__()
    return make


def serve(data: DataStore, port: int, *, threaded: bool = False,
          show: bool = False) -> object:
    """Serve the dashboard on 127.0.0.1:``port`` behind the store's login."""
    pn.extension("tabulator")
    sessions = Sessions()
    scripts, stylesheets = page_resources()
    return pn.serve({"/": app_factory(data, sessions)}, port=port, address="127.0.0.1",
                    websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"],
                    auth_provider=StoreAuthProvider(
                        data.plans(), sessions, scripts=scripts, stylesheets=stylesheets,
                        prefetch=component_stylesheets()),
                    cookie_secret=secrets.token_urlsafe(32), show=show, threaded=threaded,
                    title="medtwin")
