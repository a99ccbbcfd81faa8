"""FEFO allocator against a one-request-at-a-time oracle, the compiled kernel against the
numpy reference, and the lot table's order."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.sim import compiled
from twin.sim.lots import Hold, LotTable, Status, allocate, eligible_stock, new_rows


def _oracle(rows: dict[str, np.ndarray], pos, thr, qty, lot):
    """Serve requests one by one, each from its earliest eligible row first."""
    left = rows["qty"].copy()
    served, picks = [], []
    for k in range(len(pos)):
        want = qty[k]
        for r in np.flatnonzero(rows["pos"] == pos[k]):  # rows are in FEFO order
            if want == 0:
                break
            if (rows["status"][r] != Status.AVAILABLE or rows["expiry"][r] < thr[k]
                    or (lot[k] >= 0 and rows["lot"][r] != lot[k])):
                continue
            take = min(want, left[r])
            if take:
                left[r] -= take
                want -= take
                picks.append((k, r, take))
        served.append(qty[k] - want)
    return np.array(served), sorted(picks), left


@st.composite
def cases(draw):
    n_pos = draw(st.integers(1, 4))
    n_rows = draw(st.integers(0, 12))
    rows = new_rows(
        np.array(draw(st.lists(st.integers(0, n_pos - 1), min_size=n_rows, max_size=n_rows))),
        np.array(draw(st.lists(st.integers(0, 9), min_size=n_rows, max_size=n_rows))),
        np.arange(n_rows),
        np.array(draw(st.lists(st.integers(0, 6), min_size=n_rows, max_size=n_rows))),
        np.array(draw(st.lists(st.sampled_from([0, 0, 0, 1, 2]), min_size=n_rows,
                               max_size=n_rows))))
    n_req = draw(st.integers(1, 10))
    req = [np.array(draw(st.lists(s, min_size=n_req, max_size=n_req))) for s in (
        st.integers(0, n_pos - 1), st.integers(0, 10), st.integers(0, 8),
        st.integers(-1, max(n_rows - 1, 0)) if draw(st.booleans()) else st.just(-1))]
    return n_pos, rows, req


@settings(max_examples=300, deadline=None)
@given(cases())
def test_allocate_matches_sequential_fefo(case):
    n_pos, rows, (pos, thr, qty, lot) = case
    table = LotTable(n_pos, rows)
    sorted_rows = {k: v.copy() for k, v in table.rows.items()}
    exp_served, exp_picks, exp_left = _oracle(sorted_rows, pos, thr, qty, lot)
    got = allocate(table, pos, thr, qty, lot)
    np.testing.assert_array_equal(got.served, exp_served)
    picks = {}
    for k, r, q in zip(got.request.tolist(), got.row.tolist(), got.qty.tolist(), strict=True):
        picks[(k, r)] = picks.get((k, r), 0) + q
    assert sorted((k, r, q) for (k, r), q in picks.items()) == exp_picks
    np.testing.assert_array_equal(table.rows["qty"], exp_left)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_compiled_kernel_equals_the_numpy_reference_bit_for_bit(case):
    n_pos, rows, (pos, thr, qty, lot) = case
    ref, fast = LotTable(n_pos, rows), LotTable(n_pos, rows)
    np.testing.assert_array_equal(compiled.eligible_stock(fast, pos, thr),
                                  eligible_stock(ref, pos, thr))
    for got, want in zip(compiled.totals(fast), ref.totals(), strict=True):
        assert got.tolist() == want.tolist() and got.dtype == want.dtype
    want, got = allocate(ref, pos, thr, qty, lot), compiled.allocate(fast, pos, thr, qty, lot)
    for name in ("served", "request", "row", "qty"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
        assert getattr(got, name).dtype == getattr(want, name).dtype, name
    for name, col in ref.rows.items():
        np.testing.assert_array_equal(fast.rows[name], col, err_msg=name)


def test_rows_stay_sorted_by_position_then_expiry_after_insert():
    table = LotTable(3, new_rows(np.array([2, 0, 1]), np.array([5, 9, 1]), np.arange(3),
                                 np.array([1, 2, 3])))
    table.rows["qty"][table.rows["pos"] == 1] = 0  # emptied rows are dropped on insert
    table.insert(new_rows(np.array([0, 2, 0]), np.array([3, 1, 12]), np.arange(3, 6),
                          np.array([4, 5, 6]), Status.QUARANTINE, Hold.QC, 4))
    r = table.rows
    assert list(zip(r["pos"].tolist(), r["expiry"].tolist(), strict=True)) == [
        (0, 3), (0, 9), (0, 12), (2, 1), (2, 5)]
    np.testing.assert_array_equal(table.segments, [0, 3, 3, 5])
    assert table.on_hand()[0].tolist() == [2, 10, 0]
    assert table.records()["key"].tolist() == sorted(table.rows["key"].tolist())
    total, available = table.totals()
    assert total.tolist() == table.on_hand().sum(axis=1).tolist() == [12, 0, 6]
    assert available.tolist() == table.on_hand()[:, 0].tolist() == [2, 0, 1]
