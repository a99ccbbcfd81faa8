"""The cyclic collector around loading: paused while a network loads, loaded objects
frozen in a batch run and handed back when it ends, never frozen once serving."""

import gc
from collections.abc import Iterator

import pytest

from twin import collector
from twin.network_files import load_network


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was_on = gc.isenabled()
    yield
    gc.unfreeze()
    if was_on:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("on", [True, False])
def test_paused_turns_the_collector_off_and_back_to_what_it_was(on):
    gc.enable() if on else gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled() is on
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("boom")
    assert gc.isenabled() is on


def test_loading_runs_paused_and_outside_a_batch_freezes_nothing(monkeypatch):
    seen = []
    monkeypatch.setattr("twin.network_files.check_network",
                        lambda net: seen.append(gc.isenabled()) or [])
    gc.enable()
    load_network("reference")
    assert seen == [False] and gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_batch_run_freezes_what_is_loaded_and_hands_it_back_at_the_end():
    with collector.batch():
        net = load_network("reference")
        assert gc.get_freeze_count() > 0
        assert not any(o is net.items for o in gc.get_objects())  # out of every generation
    assert gc.get_freeze_count() == 0
    assert any(o is net.items for o in gc.get_objects())


def test_a_server_stops_freezing():
    with collector.batch():
        collector.serving()
        load_network("reference")
        assert gc.get_freeze_count() == 0
