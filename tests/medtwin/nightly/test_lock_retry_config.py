"""The nightly run lock, ERP retries with backoff, and config validation."""

import multiprocessing
from pathlib import Path

import pytest

from erp_adapter.errors import ErpAuthError, ErpUnreachable
from medtwin.nightly.config import RetrySettings, load_config
from medtwin.nightly.lock import AlreadyRunning, run_lock
from medtwin.nightly.retry import with_retries
from twin.problems import InputError


def _hold(path: str, ready, release) -> None:  # type: ignore[no-untyped-def]
    with run_lock(path):
        ready.set()
        release.wait(30)


def test_a_second_process_cannot_take_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "n.lock"
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    other = ctx.Process(target=_hold, args=(str(lock), ready, release))
    other.start()
    try:
        assert ready.wait(30)
        with pytest.raises(AlreadyRunning, match=f"pid {other.pid}"), run_lock(lock):
            pass
    finally:
        release.set()
        other.join(30)
    with run_lock(lock):     # free again once the holder is gone
        pass


def test_a_dead_holder_does_not_block(tmp_path: Path) -> None:
    lock = tmp_path / "n.lock"
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    other = ctx.Process(target=_hold, args=(str(lock), ready, release))
    other.start()
    assert ready.wait(30)
    other.kill()
    other.join(30)
    with run_lock(lock):
        pass


def test_retries_back_off_then_succeed() -> None:
    calls, waits = [], []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ErpUnreachable("connection refused")
        return "ok"
    settings = RetrySettings(attempts=3, backoff_seconds=2, factor=3)
    assert with_retries("pull", flaky, settings, waits.append) == "ok"
    assert waits == [2, 6]


def test_retries_give_up_and_refusals_are_not_retried() -> None:
    waits: list[float] = []

    def down() -> None:
        raise ErpUnreachable("down")
    with pytest.raises(ErpUnreachable):
        with_retries("pull", down, RetrySettings(attempts=2, backoff_seconds=1), waits.append)
    assert waits == [1]

    def refused() -> None:
        raise ErpAuthError("login refused")
    with pytest.raises(ErpAuthError):
        with_retries("pull", refused, RetrySettings(attempts=5), waits.append)
    assert waits == [1]


@pytest.mark.parametrize(("text", "fields"), [
    ("erp: /tmp/x\nstress:\n  reps: 1\nhistory_days: -3\n", ["stress.reps", "history_days"]),
    ("erp: /tmp/x\ndata_quality:\n  demand_z: -1\n  demand_days: 0\n",
     ["data_quality.demand_z", "data_quality.demand_days"]),
])
def test_bad_config_names_file_and_field(tmp_path: Path, text: str, fields: list[str]) -> None:
    path = tmp_path / "nightly.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_config(path)
    assert all(f"{path}: {f}" in str(err.value) for f in fields)


def test_missing_config_or_erp_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nightly.yaml"
    with pytest.raises(InputError, match="file not found"):
        load_config(tmp_path / "none.yaml")
    path.write_text("network: reference\n")
    with pytest.raises(InputError, match="erp"):
        load_config(path)
