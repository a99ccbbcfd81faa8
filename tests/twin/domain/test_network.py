"""The network's cached lookups and digest: derived from its own fields, never carried
stale into a copy."""

import hashlib

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


def test_the_digest_is_the_sha256_of_the_json_form_and_follows_a_copys_content():
    net = load_network("reference")
    assert net.digest == hashlib.sha256(net.model_dump_json(by_alias=True).encode()).hexdigest()
    assert load_network("reference").digest == net.digest
    copy = net.model_copy(update={"substitutes": []})
    assert copy.digest != net.digest
    assert copy.digest == hashlib.sha256(copy.model_dump_json(by_alias=True).encode()).hexdigest()


def test_serving_warehouse_is_the_first_one_that_can_store_the_item():
    net = load_network("reference")
    cold_wh = {w.id for w in net.warehouses if w.cold_chain}
    for h in net.hospitals:
        for it in net.items[:20]:
            ok = [w for w in h.served_by if w in cold_wh or not it.cold_chain]
            assert net.serving_warehouse(h.id, it.code) == (ok[0] if ok else None)
