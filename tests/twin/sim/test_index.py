"""The network index: read-only, and shared by the runs of one network (the last two asked
for: an experiment's true and planning networks), never across networks."""

import numpy as np
import pytest

from twin.network_files import load_network
from twin.sim.index import SHARED_INDICES, NetworkIndex, index_of


def test_an_index_is_read_only():
    ix = NetworkIndex(load_network("reference"))
    with pytest.raises(ValueError, match="read-only"):
        ix.series_mean[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        ix.series_return_delay.a[0] = 1.0
    assert not any(v.flags.writeable for v in vars(ix).values() if isinstance(v, np.ndarray))


def test_runs_of_one_network_share_its_index_and_other_networks_get_their_own():
    true, planning = load_network("reference"), load_network("reference")
    first = index_of(true)
    assert index_of(true) is first and first.network is true
    other = index_of(planning)
    assert other is not first and other.network is planning
    assert index_of(true) is first  # true and planning alternate in an experiment
    extra = [("H-PEK-01", "ICU", true.items[0].code)]
    assert index_of(true, extra) is not first and index_of(true, extra).n_series >= first.n_series
    for _ in range(SHARED_INDICES):
        index_of(load_network("reference"))
    assert index_of(true) is not first  # the oldest went
