"""A fresh plan store per test, on SQLite and on a real PostgreSQL server."""

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from medtwin.store import PlanStore
from medtwin.store.keyring import ENV_STORE_SECRETS
from tests.medtwin.store.samples import new_store


class Clock:
    """One second later at every call, from 2026-11-24 02:00 UTC."""

    def __init__(self) -> None:
        self.t = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.t += dt.timedelta(seconds=1)
        return self.t


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The URL of an empty store (PostgreSQL: a new database; its secrets in tmp_path)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server = request.getfixturevalue("postgres")
    monkeypatch.setenv(ENV_STORE_SECRETS, str(tmp_path / "store.secrets.yaml"))
    name = f"store_{uuid.uuid4().hex[:12]}"
    url = server.createdb(name)
    yield url
    server.dropdb(name)


@pytest.fixture
def store(store_url: str) -> PlanStore:
    """Manager mia (this OS account), planner pat, viewer vic."""
    return new_store(store_url, Clock())
