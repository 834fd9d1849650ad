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
    out, gathered, problems, unreadable = {}, {}, [], set()
    for slot in layout.slots:
        raw = row[slot.index].strip() if slot.index < len(row) and row[slot.index] else ""
        target = slot.column or slot.family
        if not raw:
            continue
        try:
            value = _value(target, raw)
        except Exception as err:  # noqa: BLE001 - whatever a cell holds, it is this row's error
            problems.append(f"{_where(slot)}: {_reason(err)}")
            unreadable.add(slot.column.field if slot.column else None)
            continue
        if slot.column:
            out[slot.column.field] = value
        else:
            gathered.setdefault(slot.family, []).append((slot.member, value))
    named = layout.named
    for index, value in enumerate(row):
        if value and index not in named and value.strip():
            problems.append(f"column {column_letter(index)} has a value but no header")
    for key, value in (defaults or {}).items():
        out.setdefault(key, value)
    for column in layout.kind.columns:
        if column.required and column.field not in out and column.field not in unreadable:
            problems.append(f"{label(column)} is empty")
    if problems:
        raise RowInvalid("; ".join(problems))
    for family, members in gathered.items():
        if family.id_name:
            out[family.into] = [{family.id_name: m, family.value_name: v} for m, v in members]
        else:
            out[family.into] = dict(members)
    return out


def _where(slot: Slot) -> str:
    if slot.column:
        return label(slot.column)
    return f"{slot.family.prefix}:{slot.member}"


def _reason(err: Exception) -> str:
    if isinstance(err, cells.CellError):
        return str(err)
    return f"the cell cannot be read ({type(err).__name__})"


def _value(target, raw: str):
    kind = target.type
    if kind == MONEY:
        return cells.money(raw)
    if kind == INT:
        return int(cells.integer(raw))
    if kind == DAY:
        return cells.day(raw)
    if kind == MOMENT:
        return cells.moment(raw)
    if kind == CHOICE:
        wanted = _plain(cells.capped(raw, MAX_CHOICE, "a choice"))
        for value, alias in target.choices:
            if wanted in (_plain(value), _plain(alias)):
                return value
        allowed = ", ".join(f"{v} ({a})" for v, a in target.choices)
        raise cells.CellError(f"{cells.shown(raw)} is not one of {allowed}")
    return cells.capped(raw, cells.MAX_TEXT, "a text cell")


def key_of(layout: Layout, row: Sequence[str]) -> str:
    """The row's own key as written (for messages), '' when its key cell is empty."""
    for slot in layout.slots:
        if slot.column and slot.column.field == layout.kind.key:
            return row[slot.index].strip() if slot.index < len(row) and row[slot.index] else ""
    return ""
