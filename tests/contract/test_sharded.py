"""Sharded index partitions read as one sequence (store/sharded.py), on both engines: windows
answer exactly the index's entries in key order, however small the reads, and entries that move
from an earlier group to a later one while a reader walks are met once each."""
import random

from chalicelib.store import sharded
from chalicelib.store.table import put_op


def seed(table, groups: dict) -> list:
    """{partition: [sort keys]} into gsi3; the entries' sort keys in global order."""
    for pk, sorts in groups.items():
        for sk in sorts:
            table.put({"pk": f"item#{sk}", "sk": "X", "gsi3pk": pk, "gsi3sk": sk, "order_id": sk})
    return sorted(sk for sorts in groups.values() for sk in sorts)


def walked(table, groups, **kw) -> list:
    return [e["gsi3sk"] for e, stop in sharded.walk(table, "gsi3", groups, **kw) if e is not None]


def test_windows_answer_every_entry_once_in_key_order(table):
    rng = random.Random(7)
    shards = {f"FEED#{n}": sorted(f"2026-11-11T00:00:{rng.randint(0, 59):02d}#o{n}{i:03d}" for i in range(rng.randint(0, 9)))
              for n in range(5)}
    everything = seed(table, shards)
    group = [list(shards)]
    for per_shard in (1, 2, 3, 50):
        assert walked(table, group, per_shard=per_shard) == everything
    middle = everything[len(everything) // 2]
    assert walked(table, group, after=middle, per_shard=2) == [k for k in everything if k > middle]
    assert walked(table, group, per_shard=2, forward=False) == everything[::-1]
    low, high = everything[3], everything[-3]
    assert walked(table, group, low=low, high=high, per_shard=2) == [k for k in everything if low <= k <= high]


def test_a_position_is_a_sort_key_so_paging_is_stable(table):
    keys = seed(table, {f"P#{n}": [f"{t:03d}#{n}" for t in range(n, 60, 4)] for n in range(4)})
    pages, after = [], None
    while True:
        entries, boundary = sharded.window(table, "gsi3", [[f"P#{n}" for n in range(4)]], after=after, per_shard=3)
        pages.append([e["gsi3sk"] for e in entries])
        if boundary is None:
            break
        after = boundary
    assert [k for page in pages for k in page] == keys
    assert all(page == sorted(page) for page in pages)


def test_entries_moving_to_a_later_group_while_a_reader_walks_are_met_once(table):
    pending = [f"PENDING#{n}" for n in range(3)]
    synced = [f"SYNCED#{n}" for n in range(3)]
    keys = seed(table, {pk: [f"{t:03d}#{pk[-1]}" for t in range(int(pk[-1]), 45, 3)] for pk in pending})
    met, after, moved = [], None, set(keys[::2])
    for step in range(100):
        entries, boundary = sharded.window(table, "gsi3", [pending, synced], after=after, per_shard=2)
        met += [e["gsi3sk"] for e in entries]
        if step == 0:       # half the entries are acknowledged between two windows of the walk
            for sk in moved:
                shard = sk.rsplit("#", 1)[1]
                table.transact([put_op({"pk": f"item#{sk}", "sk": "X", "gsi3pk": f"SYNCED#{shard}", "gsi3sk": sk,
                                        "order_id": sk})])
        if boundary is None:
            break
        after = boundary
    assert sorted(set(met)) == keys and len(met) == len(set(met))
