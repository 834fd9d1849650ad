"""Waybill number ranges that carriers issue to a merchant, as pure rules.

A number is `prefix` followed by the integer zero-padded to the width of `last`. Two ranges
overlap when they can spell the same number, which can happen across different prefixes
("SF0" + "012" and "SF" + "0012"), so overlap is decided on the spelled numbers.
"""
from dataclasses import dataclass
from typing import List, Optional, Tuple


@dataclass(frozen=True)
class NumberRange:
    prefix: str
    first: int
    last: int

    @property
    def width(self) -> int:
        return len(str(self.last))

    def number(self, value: int) -> str:
        return self.prefix + str(value).zfill(self.width)

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def problems(r: NumberRange) -> Optional[str]:
    if r.first < 0:
        return "first must not be negative"
    if r.last < r.first:
        return "last must not be smaller than first"
    return None


def overlaps(a: NumberRange, b: NumberRange) -> bool:
    """True when some number of `a` is spelled exactly like some number of `b`."""
    if len(a.prefix) + a.width != len(b.prefix) + b.width:
        return False
    short, long_ = (a, b) if len(a.prefix) <= len(b.prefix) else (b, a)
    if not long_.prefix.startswith(short.prefix):
        return False
    infix = long_.prefix[len(short.prefix):]
    if infix and not infix.isdigit():
        return False
    base = int(infix) * 10 ** long_.width if infix else 0
    low, high = base + long_.first, base + long_.last
    return low <= short.last and short.first <= high


@dataclass
class Allocation:
    """Numbers taken from one range: its counter moves from `seen` to `new_next`."""
    index: int
    seen: int
    new_next: int
    numbers: List[str]


def allocate(ranges: List[Tuple[NumberRange, int]], wanted: int, taken: frozenset = frozenset()) -> List[Allocation]:
    """Up to `wanted` numbers from ranges (each with its counter), in order, skipping numbers known
    to be `taken`; fewer when the ranges run out."""
    out: List[Allocation] = []
    for index, (r, next_value) in enumerate(ranges):
        numbers: List[str] = []
        value = next_value
        while len(numbers) + sum(len(a.numbers) for a in out) < wanted and value <= r.last:
            spelled_no = r.number(value)
            if spelled_no not in taken:
                numbers.append(spelled_no)
            value += 1
        if value != next_value:
            out.append(Allocation(index, next_value, value, numbers))
        if sum(len(a.numbers) for a in out) >= wanted:
            break
    return out
