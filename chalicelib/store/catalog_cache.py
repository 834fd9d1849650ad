"""A warm process's copy of the catalog records orders are priced from, never trusted alone.

Entries are items by (pk, sk) as last read (None: the item did not exist), with when they were
read. Nothing here decides anything: a placement that prices from a cached record writes its
order in a transaction that also checks, on every such record, the very attributes it used
(store/order_catalog.py), so a stale entry fails that transaction and is read again — an order
is never written at a price, listing or lot that is no longer the stored one. The cache bounds
its size (oldest entries go first) and forgets entries after MAX_AGE_SECONDS, so a record that
changed costs at most one failed transaction per process for a while, not one per order.
Keys carry the merchant's partition, so one merchant's records never answer for another's.
"""
import threading
import time
from collections import OrderedDict
from typing import Iterable, Optional, Tuple

MAX_ENTRIES = 20_000
MAX_AGE_SECONDS = 300.0

_lock = threading.Lock()
_entries: "OrderedDict[tuple, Tuple[float, Optional[dict]]]" = OrderedDict()


def get(key: tuple, max_age: float = MAX_AGE_SECONDS) -> Tuple[bool, Optional[dict]]:
    """(found, item): found is False when there is no entry younger than `max_age` seconds."""
    with _lock:
        entry = _entries.get(key)
        if entry is None or time.monotonic() - entry[0] > max_age:
            return False, None
        return True, entry[1]


def put(key: tuple, item: Optional[dict]) -> None:
    with _lock:
        _entries[key] = (time.monotonic(), item)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def drop(keys: Iterable[tuple]) -> None:
    with _lock:
        for key in keys:
            _entries.pop(key, None)


def clear() -> None:
    with _lock:
        _entries.clear()
