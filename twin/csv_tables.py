"""The shape of a CSV table: a header naming its columns, then records exactly as wide.

pandas and ``csv.DictReader`` both let a malformed file through: a record with one cell
too many makes pandas take the first column as the index (or ``DictReader`` file the extra
cells under ``None``), a short record is padded with empty cells — so a truncated file
passes. Every CSV reader of medtwin checks the shape here first, and a problem names the
file and the line (a record's first line: quoted cells may hold line breaks).
"""

import csv
import os
from collections.abc import Iterator
from pathlib import Path

from twin.problems import InputError, Problem

MAX_SHOWN = 20
"""Most ragged records reported for one file."""


class TableError(ValueError):
    """A CSV file that is not a table: no header, a header with an empty or repeated column
    name, or a record of another width than the header; ``line`` is where (if one line)."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(message)


def records(path: str | os.PathLike[str]) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of every non-blank record of a CSV file, the header first (UTF-8,
    a byte-order mark allowed); text the csv module cannot parse (a NUL byte) is a
    :class:`TableError`."""
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        line = 1
        try:
            for cells in reader:
                if cells:
                    yield line, cells
                line = reader.line_num + 1
        except csv.Error as exc:
            raise TableError(f"not a CSV table: {exc}", line) from None


def read_table(path: str | os.PathLike[str]) -> tuple[list[str], list[list[str]], list[int]]:
    """The column names of a CSV table, its records' cells and the line each record starts
    on; a :class:`TableError` when its shape is wrong (see the module docstring)."""
    found = records(path)
    first = next(found, None)
    if first is None:
        raise TableError("the file is empty: a table needs a header row naming its columns")
    names = [h.strip() for h in first[1]]
    if "" in names:
        raise TableError(f"column {names.index('') + 1} of the header has no name", first[0])
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise TableError(f"column(s) {', '.join(repeated)} appear more than once in the "
                         "header", first[0])
    rows, lines = [], []
    for line, cells in found:
        if len(cells) != len(names):
            raise TableError(f"{len(cells)} cells, the header has {len(names)} columns", line)
        rows.append(cells)
        lines.append(line)
    return names, rows, lines


def check_shape(path: str | os.PathLike[str]) -> None:
    """Raise :class:`InputError` naming each record (up to :data:`MAX_SHOWN`) whose width is
    not the header's, or an empty file; before a reader (pandas) that would let it pass."""
    found = records(path)
    try:
        first = next(found, None)
        if first is None:
            raise TableError("the file is empty: a table needs a header row naming its "
                             "columns")
        width = len(first[1])
        ragged = [(line, len(cells)) for line, cells in found if len(cells) != width]
    except TableError as exc:
        raise InputError([Problem(str(path), f"line {exc.line}" if exc.line else "",
                                  str(exc))]) from None
    if ragged:
        raise InputError([Problem(str(path), f"line {line}", f"{cells} cells, the header has "
                                  f"{width} columns (a truncated or hand-edited file?)")
                          for line, cells in ragged[:MAX_SHOWN]])
