"""Login against the plan store: Panel's basic-auth login page, passwords checked with the
store's salted hashes (``medtwin users password NAME``)."""

from panel.auth import BasicAuthProvider, BasicLoginHandler

from medtwin.services.plans import PlanService


class StoreAuthProvider(BasicAuthProvider):
    """Panel's login and logout pages; a user logs in when the store knows the password."""

    def __init__(self, store: PlanService, **kwargs: object):
        self.store = store
        super().__init__(**kwargs)

    @property
    def login_handler(self) -> type[BasicLoginHandler]:
        store = self.store

        class StoreLoginHandler(BasicLoginHandler):
            _login_endpoint = self._login_endpoint
            _login_template = self._login_template

            def _validate(self, username: str, password: str) -> bool:
                return store.authenticate(username, password) is not None

        return StoreLoginHandler
