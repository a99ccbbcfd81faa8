"""The network summary `medtwin validate` prints counts what the network holds."""

from tests.erp_adapter.returns_net import returns_network
from twin.network_files import load_network
from twin.summary import summarise


def test_the_summary_counts_returns_and_repairs(tiny_dir) -> None:
    plain = summarise(load_network(tiny_dir)).counts
    assert (plain["demand models with returns"], plain["QC rules for returns"],
            plain["returned lots awaiting QC"], plain["lots out for repair"]) == (0, 0, 0, 0)
    counts = summarise(returns_network(load_network(tiny_dir))).counts
    assert (counts["demand models with returns"], counts["QC rules for returns"],
            counts["returned lots awaiting QC"], counts["lots out for repair"]) == (2, 1, 2, 1)
