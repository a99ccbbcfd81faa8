"""Network checks beyond the schema: a cold-chain item must reach a serving warehouse cold."""

from twin.network_files import load_network
from twin.validation import check_cold_chain_reach


def test_a_cold_item_that_cannot_reach_a_serving_warehouse_cold_is_named():
    net = load_network("reference")
    assert not list(check_cold_chain_reach(net))
    d = next(d for d in net.demand if net.item_by_code[d.item].cold_chain)
    serving = net.hospital_by_id[d.hospital].served_by
    elsewhere = [w.id for w in net.warehouses if w.id not in serving]
    broken = net.model_copy(update={
        "lanes": [ln.model_copy(update={"cold_chain": False}) for ln in net.lanes],
        "suppliers": [s.model_copy(update={"delivers_to": elsewhere}) for s in net.suppliers]})
    found = list(check_cold_chain_reach(broken))
    assert any(path[0] == "demand" and repr(d.item) in msg and repr(d.hospital) in msg
               for path, msg in found)
