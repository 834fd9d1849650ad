"""Reading an index partition spread over shards as if it were one, in sort-key order.

A partition that a share of all orders writes (the ERP feed, the desk, the stock index, the
webhook deliveries by status) is split into shards by a hash of the id (store/keys.py), so each
takes a part of the writes. Sort keys are unique across the shards (they end in the id), so the
shards together are one ordered sequence, and a position in it is just a sort key.

`window` reads each shard from a position, up to `per_shard` entries, and answers the entries up
to the nearest last key among the shards that had more: every shard has been read completely up
to there, so those entries are exactly the index's entries in that stretch, in global order, and
the next window starts where this one stopped. `groups` are read one after the other (the shards
of a group at once): a reader whose entries only ever move from an earlier group to a later one
(the feed's `pending` to `synced`) meets each entry in a window at least once, whichever moves
happen while it reads; `walk` strings windows together.

Entries carry the index keys and the ids the index projects; callers fetch the items they need
with one batch read (their own partitions, read consistently).
"""
from typing import Iterator, List, Optional, Sequence, Tuple

from chalicelib.store.parallel import each
from chalicelib.store.table import Table

LOW, HIGH = " ", "~"   # below and above every sort key the indexes hold (all printable ASCII)


def window(table: Table, index: str, groups: Sequence[Sequence[str]], low: str = LOW, high: str = HIGH,
           after: Optional[str] = None, per_shard: int = 50, forward: bool = True) -> Tuple[List[dict], Optional[str]]:
    """(entries in (after, boundary] within [low, high], in order; the boundary, None when every
    shard was read to the end). Backwards (`forward` False) "after" means below."""
    sort_name = index + "sk"
    if after is not None:
        low, high = (max(low, after), high) if forward else (low, min(high, after))
    found: dict = {}
    boundaries: List[str] = []
    for group in groups:
        pages = each([lambda pk=pk: _read(table, index, pk, low, high, per_shard + 1, forward) for pk in group])
        for entries, more in pages:
            entries = [e for e in entries if e[sort_name] != after]
            for entry in entries:
                found.setdefault((entry["pk"], entry["sk"]), entry)
            if more and entries:
                boundaries.append(entries[-1][sort_name])
    boundary = (min(boundaries) if forward else max(boundaries)) if boundaries else None
    inside = (lambda k: k <= boundary) if forward else (lambda k: k >= boundary)
    ordered = sorted((e for e in found.values() if boundary is None or inside(e[sort_name])),
                     key=lambda e: e[sort_name], reverse=not forward)
    return ordered, boundary


def _read(table: Table, index: str, pk: str, low: str, high: str, limit: int, forward: bool) -> tuple:
    items, last = table.query(pk, index=index, sk_between=(low, high), limit=limit, forward=forward)
    return items, last is not None


def walk(table: Table, index: str, groups: Sequence[Sequence[str]], low: str = LOW, high: str = HIGH,
         after: Optional[str] = None, per_shard: int = 50, forward: bool = True,
         windows: Optional[int] = None) -> Iterator[Tuple[dict, Optional[str]]]:
    """Every entry from `after` on, in order, as (entry, None); after at most `windows` windows
    (None: no limit) one last (None, position) says where the walk stopped."""
    done = 0
    while True:
        entries, boundary = window(table, index, groups, low, high, after, per_shard, forward)
        for entry in entries:
            yield entry, None
        if boundary is None:
            return
        after = boundary
        done += 1
        if windows is not None and done >= windows:
            yield None, after
            return


def everything(table: Table, index: str, partitions: Sequence[str], low: str = LOW, high: str = HIGH) -> List[dict]:
    """Every entry of the shards within [low, high] (a few queries each), in sort-key order."""
    pages = each([lambda pk=pk: table.query_all(pk, index=index, sk_between=(low, high)) for pk in partitions])
    return sorted((entry for page in pages for entry in page), key=lambda e: e[index + "sk"])
