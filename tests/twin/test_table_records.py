"""Table rows as records (:func:`twin.network_files._records`): planned column by column,
the same records as the plain row-by-row reading (the reference below: empty cells dropped,
list cells split, dotted columns nested, numbered mappings as lists), for any header; a row
with a value in a column and in one nested under it is an error naming its line."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.csv_tables import TableError
from twin.network_files import _records


def _reference(names: list[str], row: list[object], lists: set[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in zip(names, row, strict=True):
        if value is None or value == "":
            continue
        if key in lists and isinstance(value, str):
            value = [v.strip() for v in value.split(";") if v.strip()]
        target = record
        for part in key.split(".")[:-1]:
            target = target.setdefault(part, {})
        target[key.split(".")[-1]] = value
    return _numbered(record)


def _numbered(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            value = _numbered(value)
            if value and all(k.isdigit() for k in value):
                value = [value[k] for k in sorted(value, key=int)]
        out[key] = value
    return out


_part = st.sampled_from(["a", "b", "rate", "0", "1", "2", "10", "x"])
_header = st.lists(st.lists(_part, min_size=1, max_size=3).map(".".join),
                   min_size=1, max_size=8, unique=True)
_cell = st.one_of(st.just(""), st.none(), st.sampled_from(["v", " p ; q;", "3", ";"]),
                  st.integers(-2, 2))


@settings(max_examples=300, deadline=None)
@given(names=_header, data=st.data())
def test_records_are_the_row_by_row_reading(names, data):
    rows = data.draw(st.lists(st.lists(_cell, min_size=len(names), max_size=len(names)),
                              max_size=6))
    lists = set(data.draw(st.lists(st.sampled_from(names), max_size=2)))
    lines = [2 * k + 2 for k in range(len(rows))]
    paths = [tuple(n.split(".")) for n in names]
    clashes = [line for row, line in zip(rows, lines, strict=True)
               if any(p != q and q[:len(p)] == p for p, v in zip(paths, row, strict=True)
                      if v not in ("", None) for q, w in zip(paths, row, strict=True)
                      if w not in ("", None))]
    if clashes:
        with pytest.raises(TableError, match="give one or the other") as err:
            _records(names, rows, lists, lines)
        assert err.value.line == clashes[0]
        return
    assert _records(names, rows, lists, lines) == [_reference(names, r, lists) for r in rows]
