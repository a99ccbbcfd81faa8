"""The network's cached lookups: derived from its own fields, never carried stale into a
copy."""

from twin.network_files import load_network


def test_a_copy_derives_its_lookups_from_its_own_fields():
    net = load_network("reference")
    assert net.substitutes_by_item and net.item_by_code and net.hospital_serving
    item = net.items[0]
    warm = item.model_copy(update={"cold_chain": not item.cold_chain})
    copy = net.model_copy(update={"substitutes": [], "items": [warm, *net.items[1:]]})
    assert copy.substitutes_by_item == {}
    assert copy.item_by_code[item.code].cold_chain is warm.cold_chain
    assert net.item_by_code[item.code].cold_chain is item.cold_chain  # the original keeps its own


def test_serving_warehouse_is_the_first_one_that_can_store_the_item():
    net = load_network("reference")
    cold_wh = {w.id for w in net.warehouses if w.cold_chain}
    for h in net.hospitals:
        for it in net.items[:20]:
            ok = [w for w in h.served_by if w in cold_wh or not it.cold_chain]
            assert net.serving_warehouse(h.id, it.code) == (ok[0] if ok else None)
