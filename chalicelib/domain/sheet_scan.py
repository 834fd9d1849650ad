"""Where a sheet's header is and which rows are data.

Blank rows are skipped everywhere. Above the header, a title banner (one text in a cell merged
across columns) is skipped. A header may span several rows when some of its cells are merged
downwards (a two-level header: a group title merged across the columns it covers, the column
names under it): each column is then named by the lowest text in that band.
"""
from typing import Iterator, List, Sequence, Tuple

from chalicelib.domain.sheet_kinds import Kind
from chalicelib.domain.sheet_layout import Layout, SheetFatal, is_column_name, resolve

Row = Tuple[int, List[str]]
Merge = Tuple[Tuple[int, int], Tuple[int, int]]   # ((row0, col0), (row1, col1)), 0-based


def blank(row: Sequence[str]) -> bool:
    for value in row:
        if value and not value.isspace():     # what strips to something (a loop: runs every row)
            return False
    return True


def scan(kind: Kind, rows: Iterator[Row], merged: Sequence[Merge] = ()) -> Tuple[Layout, Iterator[Row]]:
    """The resolved header and an iterator over the non-blank data rows after it."""
    rows = iter(rows)
    for number, row in rows:
        if blank(row) or _banner(kind, number, row, merged):
            continue
        band = [row]
        last = max([r1 + 1 for (r0, _), (r1, _) in merged if r0 + 1 == number and r1 > r0] or [number])
        while number < last:
            number, row = next(rows, (last, []))
            band.append(row)
        header, covered = _names(band, number - len(band) + 1, merged)
        return resolve(kind, header, covered), _data(rows)
    raise SheetFatal("the sheet is empty: the first row should hold the column names")


def _banner(kind: Kind, number: int, row: Sequence[str], merged: Sequence[Merge]) -> bool:
    filled = [i for i, v in enumerate(row) if v and v.strip()]
    if len(filled) != 1 or is_column_name(kind, row[filled[0]].strip()):
        return False
    return any(r0 + 1 == number and c0 == filled[0] and c1 > c0 for (r0, c0), (_, c1) in merged)


def _names(band: List[List[str]], first: int, merged: Sequence[Merge]) -> Tuple[List[str], List[int]]:
    width = max(len(r) for r in band)
    names = []
    for col in range(width):
        texts = [r[col].strip() for r in band if col < len(r) and r[col] and r[col].strip()]
        names.append(texts[-1] if texts else "")
    last = first + len(band) - 1
    covered = sorted({col for (r0, c0), (r1, c1) in merged
                      if r0 + 1 <= last and r1 + 1 >= first
                      for col in range(c0 + 1, c1 + 1)})
    return names, covered


def _data(rows: Iterator[Row]) -> Iterator[Row]:
    for number, row in rows:
        if not blank(row):
            yield number, row
