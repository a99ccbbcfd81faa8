"""The plan store's plumbing: sessions, its keyring, serialised write transactions that
append their audit rows and checkpoint the chain's head after committing."""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from medtwin.store import audit
from medtwin.store.db import PlanRow, UserRow, write_lock
from medtwin.store.keyring import Keyring, load_keyring
from medtwin.store.roles import Role


class UnknownPlan(LookupError):
    """No plan with that id in the store."""


class UnknownUser(LookupError):
    """No user with that name in the store."""


class StoreConflict(ValueError):
    """The request contradicts what the store holds (duplicate id, already approved…)."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class StoreBase:
    """Sessions on a store opened with :func:`medtwin.store.open_store`.

    ``clock`` gives the current time (UTC) stamped on audit rows (tests inject a fixed
    one); ``keyring`` is the store's secrets (default: found from the store's URL)."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], dt.datetime] = _utc_now,
                 keyring: Keyring | None = None):
        self._sessions, self._clock = sessions, clock
        if keyring is not None:
            self.__dict__["keyring"] = keyring

    @property
    def engine(self) -> Engine:
        bind = self._sessions.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    @property
    def url(self) -> str:
        """The store's URL as given to :func:`open_store` (SQLite path or PostgreSQL)."""
        return str(self._sessions.kw["info"]["store_url"])

    @cached_property
    def keyring(self) -> Keyring:
        """The store's secrets (an :class:`~twin.problems.InputError` when missing)."""
        return load_keyring(self.url)

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """A write transaction: the store's only writer until it commits; its audit head is
        checkpointed after the commit."""
        keyring = self.keyring
        with self._sessions() as session:
            with session.begin():
                write_lock(session)
                yield session
            head = session.info.pop(audit.PENDING, None)
            session.info.pop("now", None)
        if head is not None:
            keyring.checkpoint(*head)

    def _now(self, s: Session) -> str:
        """The time of the transaction ``s`` (one per transaction, so that its rows and
        its audit rows agree), ISO 8601 UTC to the second."""
        if "now" not in s.info:
            s.info["now"] = self._clock().astimezone(dt.UTC).isoformat(timespec="seconds")
        return str(s.info["now"])

    def _log(self, s: Session, actor: str, action: str, plan_id: str | None,
             payload: dict[str, Any]) -> None:
        audit.append(s, self.keyring, time=self._now(s), actor=actor, action=action,
                     plan_id=plan_id, payload=payload)

    @staticmethod
    def _role(s: Session, user: str) -> Role:
        row = s.get(UserRow, user)
        if row is None:
            raise UnknownUser(f"unknown user {user!r}; a manager adds users with "
                              "`medtwin users add`")
        return Role(row.role)

    @staticmethod
    def _plan(s: Session, plan_id: str) -> PlanRow:
        row = s.get(PlanRow, plan_id)
        if row is None:
            raise UnknownPlan(f"no plan {plan_id!r} in the store")
        return row
