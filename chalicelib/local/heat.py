"""Partition heat: the capacity units each request costs, partition by partition, by DynamoDB's
documented rules, for the table and for each of its global secondary indexes.

DynamoDB limits every partition to 1,000 write units and 3,000 read units a second, the table's
and each GSI's alike, so what bounds one merchant's peak is the hottest partition its orders
write. The meter (`Meter`) is told each item a request wrote (as it was before and after), each
item or index entry it read, and adds the units to the partition that took them; the local AWS
server feeds it (local/heat_server.py) when ONCESHIP_HEAT=1, and bench/partition_heat.py reads
it. Items are in DynamoDB's wire format ({"S": "..."}, {"N": "1"}, {"M": {...}}, ...).

The rules (Developer Guide: "DynamoDB item sizes and formats", "Capacity unit consumption",
"Global secondary indexes: provisioned throughput considerations", "Transactions: capacity
management"):
- size of an item: the UTF-8 bytes of each attribute name plus its value: a string its UTF-8
  bytes, a number 1 byte per two significant digits plus 1, binary its raw bytes, a boolean or
  null 1 byte, a list or map 3 bytes plus each element (1 byte of overhead each, and for a map
  the key's bytes), a set the sum of its elements;
- writes: 1 unit per KB (1,024 bytes) rounded up per item, of the larger of the item before and
  after (a put that replaces, an update), of the deleted item (a delete), at least 1; a write
  whose condition fails still costs the item's size (1 if there is none);
- reads: 1 unit per 4 KB rounded up, at least 1, half for an eventually consistent read; a
  BatchGetItem rounds each item, a Query the sum of the items it evaluated (index entries for
  an index: their projected attributes), and an index is always read eventually consistent;
- transactions: every item twice (prepare and commit), rounded per item first; a
  ConditionCheck costs the checked item's write units like a write; a cancelled transaction
  is charged its prepare (once per item) and nothing reaches an index;
- an index entry holds the table's key, the index's key and what the index projects (`ALL`,
  `KEYS_ONLY`, `INCLUDE` its NonKeyAttributes); a write costs an index: one put when the entry
  appears, one delete when it goes, a delete on the old partition and a put on the new one when
  an index key attribute changes, one write when only projected attributes change, nothing when
  the entry is unchanged or absent before and after. Index writes are propagated after the
  transaction commits ("changes made with transactions are propagated to GSIs ... eventually,
  after the transaction completes"), so they are not doubled.
"""
from __future__ import annotations

import base64
import math
import threading
from dataclasses import dataclass, field
from typing import Iterable, Optional

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
WRITE_LIMIT = 1000      # write units per second, one partition (table or index)
READ_LIMIT = 3000       # read units per second, one partition


# sizes ----------------------------------------------------------------------------------------
def number_size(text: str) -> int:
    """Bytes of a number: 1 per two significant digits (leading and trailing zeros trimmed), + 1."""
    mantissa = text.strip().lstrip("+-").lower().split("e")[0]
    digits = mantissa.replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def _binary_size(value) -> int:
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    return len(base64.b64decode(value))


def value_size(value: dict) -> int:
    """Bytes of one attribute value in wire format (without its name)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return number_size(str(inner))
    if kind == "B":
        return _binary_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in inner)
    if kind == "NS":
        return sum(number_size(str(n)) for n in inner)
    if kind == "BS":
        return sum(_binary_size(b) for b in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown attribute type {kind!r}")


def item_size(item: Optional[dict]) -> int:
    """Bytes of an item: every attribute's name and value."""
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in (item or {}).items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


# the table's shape ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Index:
    name: str
    hash: str
    range: Optional[str] = None
    projection: str = "ALL"                 # ALL | KEYS_ONLY | INCLUDE
    include: tuple = ()                     # NonKeyAttributes of an INCLUDE projection


@dataclass(frozen=True)
class Schema:
    hash: str
    range: Optional[str] = None
    indexes: tuple = ()

    def partition(self, item: dict) -> str:
        return _plain(item[self.hash])

    def entry(self, item: Optional[dict], index: Index) -> Optional[dict]:
        """The item's entry in `index` (what the index stores), None when it is not indexed."""
        if not item or index.hash not in item or (index.range and index.range not in item):
            return None
        if index.projection == "ALL":
            return dict(item)
        names = {self.hash, self.range, index.hash, index.range} - {None}
        if index.projection == "INCLUDE":
            names |= set(index.include)
        return {k: v for k, v in item.items() if k in names}

    @staticmethod
    def from_description(table: dict) -> "Schema":
        """From a CreateTable / DescribeTable shape (KeySchema, GlobalSecondaryIndexes)."""
        def keys(schema):
            found = {k["KeyType"]: k["AttributeName"] for k in schema}
            return found["HASH"], found.get("RANGE")

        indexes = []
        for gsi in table.get("GlobalSecondaryIndexes") or []:
            hash_name, range_name = keys(gsi["KeySchema"])
            projection = gsi.get("Projection") or {}
            indexes.append(Index(gsi["IndexName"], hash_name, range_name, projection.get("ProjectionType", "ALL"),
                                 tuple(projection.get("NonKeyAttributes") or ())))
        hash_name, range_name = keys(table["KeySchema"])
        return Schema(hash_name, range_name, tuple(indexes))


def _plain(value: dict) -> str:
    (_, inner), = value.items()
    return inner if isinstance(inner, str) else str(inner)


# the meter ------------------------------------------------------------------------------------
@dataclass
class Heat:
    """What one partition took: units and how many item operations."""
    write_units: float = 0.0
    read_units: float = 0.0
    writes: int = 0
    reads: int = 0


@dataclass
class Meter:
    """Adds up units by (table, index or "", partition key value). Thread-safe."""
    partitions: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _add(self, table: str, index: str, partition: str, write: float = 0.0, read: float = 0.0) -> None:
        heat = self.partitions.setdefault((table, index, partition), Heat())
        if write:
            heat.write_units += write
            heat.writes += 1
        if read:
            heat.read_units += read
            heat.reads += 1

    def write(self, table: str, schema: Schema, before: Optional[dict], after: Optional[dict],
              transaction: bool = False, committed: bool = True) -> None:
        """One item written (put, update or delete: `after` None), or refused (`committed`
        False: a failed condition, a cancelled transaction)."""
        item = after or before
        if item is None:
            return
        with self.lock:
            if not committed:
                self._add(table, "", schema.partition(item), write=write_units(item_size(before)))
                return
            units = write_units(max(item_size(before), item_size(after)))
            self._add(table, "", schema.partition(item), write=units * (2 if transaction else 1))
            for index in schema.indexes:
                self._index_write(table, index, schema.entry(before, index), schema.entry(after, index))

    def _index_write(self, table: str, index: Index, old: Optional[dict], new: Optional[dict]) -> None:
        if old == new:
            return
        key = lambda e: (e[index.hash], e.get(index.range) if index.range else None)  # noqa: E731
        if old is not None and new is not None and key(old) == key(new):
            self._add(table, index.name, _plain(new[index.hash]),
                      write=write_units(max(item_size(old), item_size(new))))
            return
        if old is not None:
            self._add(table, index.name, _plain(old[index.hash]), write=write_units(item_size(old)))
        if new is not None:
            self._add(table, index.name, _plain(new[index.hash]), write=write_units(item_size(new)))

    def condition_check(self, table: str, schema: Schema, key: dict, item: Optional[dict]) -> None:
        """A transaction's ConditionCheck: the checked item's write units, twice."""
        with self.lock:
            self._add(table, "", schema.partition(item or key), write=2 * write_units(item_size(item)))

    def read_item(self, table: str, schema: Schema, key: dict, item: Optional[dict], consistent: bool,
                  transaction: bool = False) -> None:
        """GetItem, one key of a BatchGetItem, one Get of a TransactGetItems (consistent, twice)."""
        units = 2 * read_units(item_size(item), True) if transaction else read_units(item_size(item), consistent)
        with self.lock:
            self._add(table, "", schema.partition(key), read=units)

    def read_range(self, table: str, schema: Schema, index: Optional[str], partition: str,
                   items: Iterable[dict], consistent: bool) -> None:
        """A Query page: the items it evaluated (before any filter), one rounding for all; for an
        index, their entries in it."""
        found = next((i for i in schema.indexes if i.name == index), None) if index else None
        size = sum(item_size(schema.entry(i, found) if found else i) for i in items)
        with self.lock:
            self._add(table, index or "", partition, read=read_units(size, consistent and not index))

    def snapshot(self) -> list:
        """Every partition's totals so far, as plain rows."""
        with self.lock:
            return [{"table": t, "index": i, "partition": p, "write_units": h.write_units,
                     "read_units": h.read_units, "writes": h.writes, "reads": h.reads}
                    for (t, i, p), h in self.partitions.items()]

    def reset(self) -> None:
        with self.lock:
            self.partitions.clear()
