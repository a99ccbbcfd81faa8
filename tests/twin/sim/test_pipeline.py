"""The pipeline against a row-by-row reference (two shelves of rows per arrival day): the same
rows in the same order from every take, the same new days, fresh days and totals."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.sim.pipeline import SHIPMENT_DTYPE, Flow, Pipeline, shipments

N_POS, DAYS = 4, 8
_TOTAL = {Flow.PURCHASE: "on_order", Flow.TRANSFER: "in_transit", Flow.REPAIR: "in_repair"}


class Reference:
    """The pipeline's contract, one row at a time: orders and transfers on one shelf, returns
    and repairs on the other, each a list of rows per arrival day in filing order."""

    def __init__(self, n_positions: int) -> None:
        self.ahead: dict[int, list[np.ndarray]] = {}
        self.back: dict[int, list[np.ndarray]] = {}
        self.fresh: list[int] = []
        self.totals = {name: np.zeros(n_positions, dtype=np.int64) for name in _TOTAL.values()}

    def _count(self, rows: np.ndarray, sign: int) -> None:
        for row in rows:
            if (flow := Flow(int(row["flow"]))) in _TOTAL:
                self.totals[_TOTAL[flow]][row["pos"]] += sign * int(row["qty"])

    def add(self, rows: np.ndarray, arrival: np.ndarray) -> list[int]:
        self._count(rows, +1)
        new = []
        for shelf, back in ((self.ahead, False), (self.back, True)):
            mine = [i for i in range(len(rows)) if (rows["flow"][i] >= Flow.RETURN) == back]
            for day in sorted({int(arrival[i]) for i in mine}):
                if day not in self.ahead and day not in self.back:
                    new.append(day)
                    if back:
                        self.fresh.append(day)
                shelf.setdefault(day, []).extend(rows[i:i + 1].copy() for i in mine
                                                 if arrival[i] == day)
        return new

    def take(self, day: int) -> np.ndarray:
        rows = self.ahead.pop(day, []) + self.back.pop(day, [])
        out = np.concatenate(rows) if rows else np.zeros(0, dtype=SHIPMENT_DTYPE)
        self._count(out, -1)
        return out

    def fresh_days(self) -> list[int]:
        out, self.fresh = self.fresh, []
        return out

    def rows(self) -> np.ndarray:
        rows = [r for day in sorted(self.ahead) for r in self.ahead[day]]
        return np.concatenate(rows) if rows else np.zeros(0, dtype=SHIPMENT_DTYPE)

    def mark_recalled(self, lots: np.ndarray) -> list[tuple[int, bytes]]:
        hit = []
        for day in sorted(self.ahead):
            for row in self.ahead[day]:
                if (row["flow"][0] == Flow.TRANSFER and row["lot"][0] in lots
                        and not row["recalled"][0]):
                    row["recalled"] = True
                    hit.append((day, row.tobytes()))
        return hit


_row = st.tuples(st.sampled_from(list(Flow)), st.integers(0, N_POS - 1), st.integers(0, 50),
                 st.integers(-1, 4), st.integers(0, DAYS), st.booleans(), st.integers(0, 3))
_ops = st.lists(st.one_of(
    st.tuples(st.just("add"), st.lists(_row, max_size=12), st.sampled_from([np.int32, np.int64])),
    st.tuples(st.just("take"), st.integers(0, DAYS)),
    st.tuples(st.just("fresh")),
    st.tuples(st.just("rows")),
    st.tuples(st.just("mark"), st.lists(st.integers(0, 4), max_size=2))), max_size=60)


def _shipments(spec: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """Rows (every field set, so that a byte comparison sees any mix-up) and their arrival
    days."""
    rows = np.zeros(len(spec), dtype=SHIPMENT_DTYPE)
    if spec:
        flow, pos, qty, lot, _, flag, reason = (np.array(c) for c in zip(*spec, strict=True))
        rows["flow"], rows["pos"], rows["qty"], rows["lot"] = flow, pos, qty, lot
        rows["origin"], rows["ordered"], rows["expiry"] = lot + 7, 100 + qty, 50 + lot
        rows["excursion"], rows["reason"] = flag, reason
        rows["recalled"] = flag & (flow == Flow.TRANSFER)
    return rows, np.array([s[4] for s in spec], dtype=np.int64)


@settings(max_examples=300, deadline=None)
@given(_ops)
def test_pipeline_equals_the_row_by_row_reference(ops) -> None:
    pipe, ref = Pipeline(N_POS), Reference(N_POS)
    for op in ops:
        if op[0] == "add":
            rows, arrival = _shipments(op[1])
            arrival = arrival.astype(op[2])
            want = ref.add(rows, arrival)
            assert pipe.add(rows, arrival) == want
            rows["qty"] += 1000  # the pipeline keeps its own copy
        elif op[0] == "take":
            got, want = pipe.take(op[1]), ref.take(op[1])
            assert got.dtype == SHIPMENT_DTYPE and got.tobytes() == want.tobytes()
        elif op[0] == "fresh":
            assert pipe.fresh_days() == ref.fresh_days()
        elif op[0] == "rows":
            assert pipe.rows().tobytes() == ref.rows().tobytes()
        else:
            lots = np.array(op[1], dtype=np.int64)
            got = [(day, row.tobytes()) for day, rows in pipe.mark_recalled(lots)
                   for row in np.split(rows, len(rows))]
            assert got == ref.mark_recalled(lots)
        for name, total in ref.totals.items():
            assert getattr(pipe, name).tolist() == total.tolist(), name
    for day in range(DAYS + 1):
        assert pipe.take(day).tobytes() == ref.take(day).tobytes()
    assert pipe.fresh_days() == ref.fresh_days()
    assert not any(getattr(pipe, name).any() for name in ref.totals)


def _returns(qty: list[int], arrival: list[int]) -> tuple[np.ndarray, np.ndarray]:
    n = len(qty)
    return (shipments(Flow.RETURN, np.zeros(n, dtype=np.int64), np.array(qty), 5, 0),
            np.array(arrival, dtype=np.int64))


def test_a_days_rows_come_orders_first_then_returns_in_filing_order() -> None:
    """Returns filed by two issues, interleaved with an order on the same day."""
    pipe = Pipeline(2)
    assert pipe.add(*_returns([1, 2, 3, 4], [5, 3, 5, 3])) == [3, 5]
    assert pipe.add(shipments(Flow.PURCHASE, np.array([1]), np.array([9]), 0, 0),
                    np.array([5])) == []
    assert pipe.add(*_returns([5, 6], [5, 7])) == [7]
    assert pipe.fresh_days() == [3, 5, 7]
    assert pipe.take(5)["qty"].tolist() == [9, 1, 3, 5]
    assert pipe.take(3)["qty"].tolist() == [2, 4]
    assert pipe.on_order.tolist() == [0, 0]


def test_a_day_taken_is_new_again_and_repairs_are_counted() -> None:
    """A day is used while rows wait for it; units in repair are counted until they
    arrive."""
    pipe = Pipeline(3)
    repair = shipments(Flow.REPAIR, np.array([2, 2]), np.array([4, 6]), -1, 0)
    assert pipe.add(repair, np.array([1, 1], dtype=np.int32)) == [1]
    assert pipe.in_repair.tolist() == [0, 0, 10]
    assert pipe.add(*_returns([1], [1])) == []
    assert pipe.take(1)["qty"].tolist() == [4, 6, 1]
    assert pipe.in_repair.tolist() == [0, 0, 0]
    assert pipe.add(*_returns([2], [1])) == [1]
    assert pipe.fresh_days() == [1, 1]
    assert len(pipe.take(2)) == 0 and len(pipe.add(*_returns([], []))) == 0
