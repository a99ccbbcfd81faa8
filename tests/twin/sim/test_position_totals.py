"""Per-position run totals: the class totals split by position, on-hand summed over days."""

from twin.network_files import load_network
from twin.sim import simulate


def test_position_totals_refine_the_class_totals(tiny_dir):
    # every series has its serving warehouse (no outage): the per-position run totals are
    # the class totals split by position, and on-hand unit-days the daily levels summed
    ds = simulate(load_network(tiny_dir), days=40, seed=3,
                  policy="fixed_ss_emergency").to_dataset()
    assert int(ds["position_demand_units"].sum()) == int(ds["demand_units"].sum()) > 0
    assert int(ds["position_served_on_time_units"].sum()) == int(
        ds["served_on_time_units"].sum())
    assert (ds["position_on_hand_unit_days"].sum("item")
            == ds["inventory_units"].sum("time")).all()
    assert ds["position_on_hand_unit_days"].attrs["units"] == "unit-days"
