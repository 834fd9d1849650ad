"""A sheet's header row resolved against its kind, and each data row turned into an API item.

Headers may be Chinese or English, in any order, full-width or half-width, with a trailing `*`.
Anything the header row gets wrong (an unknown column, a required one missing, a name twice, a
name spread over merged cells) is `SheetFatal`: the whole file stops before any row is applied.
A row's own problems are `RowInvalid` for that row only.
"""
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Optional, Sequence, Tuple

from chalicelib.domain import cells
from chalicelib.domain.sheet_kinds import CHOICE, DAY, INT, MOMENT, MONEY, Column, Family, Kind

_DECORATION = re.compile(r"(\*|\(必填\)|\(required\))$")
MAX_HEADER = 200     # a header cell longer than this names no column
MAX_CHOICE = 32


class SheetFatal(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class RowInvalid(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Slot:
    index: int
    column: Optional[Column] = None
    family: Optional[Family] = None
    member: str = ""


@dataclass(frozen=True)
class Layout:
    kind: Kind
    headers: Tuple[str, ...]          # as written, one per column (the report repeats them)
    slots: Tuple[Slot, ...]

    @cached_property
    def named(self) -> frozenset:
        """Columns with a header; a value in any other column is a row error."""
        return frozenset(slot.index for slot in self.slots)

    @cached_property
    def plan(self) -> tuple:
        """What `item` does with each slot, worked out once per sheet rather than once per row:
        (index, field or None, family or None, member, read the cell: None for text)."""
        return tuple((slot.index, slot.column.field if slot.column else None, slot.family, slot.member,
                      _reader(slot.column or slot.family)) for slot in self.slots)

    @cached_property
    def dense(self) -> int:
        """n when the first n columns all have a header and no other does (a row no longer than
        that has no value outside the named columns), else 0."""
        return len(self.named) if self.named == frozenset(range(len(self.named))) else 0

    @cached_property
    def required(self) -> tuple:
        return tuple(column for column in self.kind.columns if column.required)

    @cached_property
    def key_index(self) -> Optional[int]:
        return next((slot.index for slot in self.slots if slot.column and slot.column.field == self.kind.key), None)


def label(column: Column) -> str:
    return f"{column.zh} ({column.field})"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _plain(name: str) -> str:
    if len(name.strip()) > MAX_HEADER:
        return "\x00"          # matches no column name
    text = unicodedata.normalize("NFKC", name).strip()
    text = re.sub(r"\s+", "", text).lower()
    return _DECORATION.sub("", text)


def _lookup(kind: Kind) -> Tuple[dict, dict]:
    names, families = {}, {}
    for column in kind.columns:
        names[_plain(column.field)] = column
        names[_plain(column.zh)] = column
    for family in kind.families:
        families[_plain(family.prefix)] = family
        families[_plain(family.zh)] = family
    return names, families


def is_column_name(kind: Kind, text: str) -> bool:
    return _slot(0, text, *_lookup(kind)) is not None


def resolve(kind: Kind, header: Sequence[str], merged: Sequence[int] = ()) -> Layout:
    """`header` is the header row as text; `merged` the columns covered (not started) by a
    merged cell of that row."""
    names, families = _lookup(kind)
    slots, seen, problems = [], {}, []
    for index, raw in enumerate(header):
        text = (raw or "").strip()
        where = f"column {column_letter(index)}"
        if not text:
            if index in merged:
                problems.append(f"{where} has no header of its own (merged with the cell before "
                                f"it); give every column its own header cell")
            continue
        slot = _slot(index, text, names, families)
        if slot is None:
            problems.append(f"{where}: unknown column {cells.shown(text)}")
            continue
        name = slot.column.field if slot.column else f"{slot.family.prefix}:{slot.member}"
        if name in seen:
            problems.append(f"{where}: {cells.shown(text)} repeats column {column_letter(seen[name])}")
            continue
        seen[name] = index
        slots.append(slot)
    missing = [label(c) for c in kind.columns if c.required and c.field not in seen]
    if missing:
        problems.append("missing required column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
    if problems:
        known = ", ".join(label(c) for c in kind.columns)
        for family in kind.families:
            known += f", {family.zh}:<id> ({family.prefix}:<id>)"
        raise SheetFatal("; ".join(problems) + f". Columns of a {kind.name} sheet: {known}")
    return Layout(kind, tuple((h or "").strip() for h in header), tuple(slots))


def _slot(index: int, text: str, names: dict, families: dict) -> Optional[Slot]:
    column = names.get(_plain(text))
    if column is not None:
        return Slot(index, column=column)
    colon = next((i for i, ch in enumerate(text) if unicodedata.normalize("NFKC", ch) == ":"), None)
    if colon is None:
        return None
    family = families.get(_plain(text[:colon]))
    member = text[colon + 1:].strip()      # a group id is a code: kept as typed, not normalised
    if family is None or not member:
        return None
    return Slot(index, family=family, member=member)


def item(layout: Layout, row: Sequence[str], defaults: Optional[dict] = None) -> dict:
    """The API item a row stands for (absent cells are absent fields), or RowInvalid."""
    out, gathered, problems, unreadable = {}, None, None, None
    width = len(row)
    for index, field, family, member, read in layout.plan:
        raw = row[index] if index < width else ""
        if not raw:
            continue
        raw = raw.strip()
        if not raw:
            continue
        if read is None and len(raw) <= cells.MAX_TEXT:
            value = raw                 # a text cell within its cap: itself
        else:
            try:
                value = (read or _text)(raw)
            except Exception as err:  # noqa: BLE001 - whatever a cell holds, it is this row's error
                if problems is None:
                    problems, unreadable = [], set()
                problems.append(f"{_where_of(layout, index)}: {_reason(err)}")
                unreadable.add(field)
                continue
        if family is None:
            out[field] = value
        else:
            if gathered is None:
                gathered = {}
            gathered.setdefault(family, []).append((member, value))
    dense = layout.dense
    if not dense or width > dense:
        named = layout.named
        for index, value in enumerate(row):
            if value and index not in named and value.strip():
                if problems is None:
                    problems, unreadable = [], set()
                problems.append(f"column {column_letter(index)} has a value but no header")
    if defaults:
        for key, value in defaults.items():
            out.setdefault(key, value)
    for column in layout.required:
        if column.field not in out and (unreadable is None or column.field not in unreadable):
            if problems is None:
                problems, unreadable = [], set()
            problems.append(f"{label(column)} is empty")
    if problems:
        raise RowInvalid("; ".join(problems))
    if gathered:
        for family, members in gathered.items():
            if family.id_name:
                out[family.into] = [{family.id_name: m, family.value_name: v} for m, v in members]
            else:
                out[family.into] = dict(members)
    return out


def _where_of(layout: Layout, index: int) -> str:
    return _where(next(slot for slot in layout.slots if slot.index == index))


def _where(slot: Slot) -> str:
    if slot.column:
        return label(slot.column)
    return f"{slot.family.prefix}:{slot.member}"


def _reason(err: Exception) -> str:
    if isinstance(err, cells.CellError):
        return str(err)
    return f"the cell cannot be read ({type(err).__name__})"


def _reader(target):
    """The function that reads a cell of `target` (a column or a family) from its text."""
    kind = target.type
    if kind == MONEY:
        return cells.money
    if kind == INT:
        return _whole
    if kind == DAY:
        return cells.day
    if kind == MOMENT:
        return cells.moment
    if kind == CHOICE:
        return lambda raw: _choice(target, raw)
    return None         # text: `item` takes it as it is when within MAX_TEXT, else `_text`


def _whole(raw: str) -> int:
    return int(cells.integer(raw))


def _text(raw: str) -> str:
    return cells.capped(raw, cells.MAX_TEXT, "a text cell")


def _choice(target, raw: str) -> str:
    wanted = _plain(cells.capped(raw, MAX_CHOICE, "a choice"))
    for value, alias in target.choices:
        if wanted in (_plain(value), _plain(alias)):
            return value
    allowed = ", ".join(f"{v} ({a})" for v, a in target.choices)
    raise cells.CellError(f"{cells.shown(raw)} is not one of {allowed}")


def key_of(layout: Layout, row: Sequence[str]) -> str:
    """The row's own key as written (for messages), '' when its key cell is empty."""
    index = layout.key_index
    if index is None or index >= len(row) or not row[index]:
        return ""
    return row[index].strip()
