"""The dashboard application: login, then one tab per page; served by ``medtwin dashboard``."""

import logging
import secrets
from collections.abc import Callable

import panel as pn
import param
from panel.viewable import Viewer

from dashboards.auth import SESSION_COOKIE, Login, Sessions, StoreAuthProvider
from dashboards.data import DataStore
from dashboards.views.compare import CompareView
from dashboards.views.inventory import InventoryView
from dashboards.views.network import NetworkView
from dashboards.views.plans import PlanReview
from dashboards.views.recall import RecallView
from dashboards.views.whatif import WhatIfView

log = logging.getLogger(__name__)
PAGES = ("Network", "Compare", "What-if", "Plans", "Recall", "Inventory")


class App(Viewer):
    """All pages for a signed-in ``login`` (the user's role comes from the plan store)."""

    data = param.ClassSelector(class_=DataStore)
    login = param.ClassSelector(class_=Login)

    def __panel__(self) -> pn.viewable.Viewable:
        user = self.login.user
        role = self.data.plans().role_of(user)
        compare = CompareView(data=self.data)
        whatif = WhatIfView(data=self.data, login=self.login, on_written=compare.refresh)
        header = pn.Row(pn.pane.Markdown(f"# medtwin — {self.data.network().name}"),
                        pn.Spacer(),
                        pn.pane.Markdown(f"signed in as **{user}** ({role}) · "
                                         "[log out](./logout)", css_classes=["whoami"]))
        tabs = pn.Tabs(
            ("Network", NetworkView(data=self.data)), ("Compare", compare),
            ("What-if", whatif), ("Plans", PlanReview(data=self.data, login=self.login)),
            ("Recall", RecallView(data=self.data)), ("Inventory", InventoryView(data=self.data)),
            dynamic=True)
        return pn.Column(header, tabs, sizing_mode="stretch_width")


def app_factory(data: DataStore, sessions: Sessions) -> Callable[[], pn.viewable.Viewable]:
    """A per-session factory: each browser session gets its own App for its login."""
    def make() -> pn.viewable.Viewable:
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
    return pn.serve({"/": app_factory(data, sessions)}, port=port, address="127.0.0.1",
                    websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"],
                    auth_provider=StoreAuthProvider(data.plans(), sessions),
                    cookie_secret=secrets.token_urlsafe(32), show=show, threaded=threaded,
                    title="medtwin")
