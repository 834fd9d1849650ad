"""Sharded "due" queues in an index: work items keyed by the time they fall due, spread over a
few partitions so that no single partition is hot; read back across every shard."""
from typing import Callable, List

from chalicelib.store.table import Table


def due_items(table: Table, partition: Callable[[int], str], shards: int, index: str, now_iso: str,
              fields: tuple, limit: int = 500) -> List[dict]:
    """Up to `limit` items due by `now_iso` from every shard, each cut down to `fields`."""
    found: List[dict] = []
    for n in range(shards):
        start = None
        while len(found) < limit:
            page, start = table.query(partition(n), index=index, sk_between=("0", now_iso),
                                      limit=min(100, limit - len(found)), start=start)
            found.extend({f: item[f] for f in fields} for item in page)
            if not start:
                break
    return found
