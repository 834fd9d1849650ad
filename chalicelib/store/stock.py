"""Stock records (pk `M#<mid>#P#<erp_product_id>#S`, sk `STOCK`): named conditional writes.

Attributes: `on_hand`, `reserved`, `free` (= on_hand - reserved, kept by every write so that one
condition `free >= :q` guards a reservation), `lots`, `source`, `updated_at`, `rev` (bumped by
every change of on_hand or lots, so a write computed from a read can insist nothing changed in
between) and `prev_on_hand` (on_hand before the latest write, returned with the new record so the
caller knows whether stock moved without reading first). Every arithmetic happens inside
DynamoDB: a reservation landing between two writes is never lost.

The record is in the merchant's stock index (gsi4, `M#<mid>#STOCK#<shard>`, sorted by the time of
its latest change of on_hand or lots): the writes that change those (sets, adjustments, lots,
shipping) file it anew, so a poll reads only the records that changed since its previous one;
reservations and releases change neither, and leave the index alone (a reservation writes no
index: at 1,000 SKUs and 5,000 orders a second one index partition would take them all).

A hot product's stock is split into buckets (store/stock_buckets.py): the record then carries
`buckets` and its `reserved` includes what it handed to the buckets; `StockStore` reads give the
product's real figures either way (`combined`).

`reserve_op`, `release_op` and `consume_ops` build the operations that orders and the desk put
in their own transactions (an order's placement uses `stock_buckets.Reservations`, which picks
the record or a bucket); after such a transaction commits, the caller should call
`services.inventory.stock_changed(merchant_id, erp_product_ids)` (the catalog's listing rule).
"""
import re
from typing import Iterable, List, Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import ChangedMeanwhile, CompareFailed, InsufficientStock, NotFound
from chalicelib.store import keys, sharded
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import ConditionFailed, Table, TransactionCanceled, check_op, update_op

STOCK = "STOCK"
_NAME = re.compile(r"#([A-Za-z_][A-Za-z0-9_]*)")
ABSENT = object()          # expected revision of a record that must not exist yet

_TOUCH = ("#rev = if_not_exists(#rev, :zero) + :one, #prev_on_hand = if_not_exists(#on_hand, :zero), "
          "#reserved = if_not_exists(#reserved, :zero), #source = :source, #updated_at = :now, "
          "#erp_product_id = :erp_id, #gsi4pk = :index, #gsi4sk = :index_sk")
_SET_ON_HAND = "#on_hand = :on_hand, #free = :on_hand - if_not_exists(#reserved, :zero)"
_ADJUST = ("#on_hand = if_not_exists(#on_hand, :zero) + :delta, #free = if_not_exists(#free, :zero) + :delta, "
           "#last_reason = :reason")
# a bucketed record's buckets hold units of its pool: a write may not take the pool below zero
_SET_KEEPS_BUCKETS = "attribute_not_exists(#buckets) OR #reserved <= :on_hand"
_ADJUST_KEEPS_BUCKETS = "attribute_not_exists(#buckets) OR #free >= :need"


def names(*expressions: Optional[str]) -> dict:
    """ExpressionAttributeNames for every `#name` used (DynamoDB refuses unused ones)."""
    return {"#" + n: n for e in expressions if e for n in _NAME.findall(e)}


def index_fields(merchant_id: str, erp_product_id: str, changed_at: str) -> dict:
    """Where a stock record is in the stock index: its shard, at the time on_hand or lots changed."""
    scope = MerchantScope(merchant_id)
    return {":index": scope.stock_index(keys.shard_of(erp_product_id, keys.STOCK_INDEX_SHARDS)),
            ":index_sk": scope.stock_index_sk(changed_at, erp_product_id)}


def index_partitions(merchant_id: str) -> List[str]:
    scope = MerchantScope(merchant_id)
    return [scope.stock_index(n) for n in range(keys.STOCK_INDEX_SHARDS)]


# operations for other features' transactions ----------------------------------------------------
ANY_LOTS = object()        # a reservation that does not depend on the record's lots


def reserve_op(merchant_id: str, erp_product_id: str, quantity: int, lots=ANY_LOTS,
               seen: Optional[dict] = None, unsplit_only: bool = False) -> dict:
    """Promise `quantity` to an order: only if that much is free (never sold twice). With `lots`
    (a list, or None for none), also only if the record's lots are still those (the lot an
    order shows was taken from them). `seen` (the record as read) lets the write count this
    second's reservations, which is how a product is found hot (store/stock_buckets.py);
    `unsplit_only`: only while the product's stock is not bucketed."""
    from chalicelib.store.stock_buckets import pace_update
    condition, extra = "#free >= :q" + (" AND attribute_not_exists(#buckets)" if unsplit_only else ""), {}
    if lots is None:
        condition += " AND attribute_not_exists(#lots)"
    elif lots is not ANY_LOTS:
        condition, extra = condition + " AND #lots = :lots", {":lots": lots}
    expression, values = pace_update(seen)
    return _move(merchant_id, erp_product_id, quantity,
                 "SET #reserved = #reserved + :q, #free = #free - :q" + expression, condition, dict(extra, **values))


def release_op(merchant_id: str, erp_product_id: str, quantity: int, bucket: Optional[int] = None) -> dict:
    """Give back a reservation (order cancelled or refunded before shipping), to the bucket it
    was taken from when it was."""
    if bucket is not None:
        from chalicelib.store.stock_buckets import release_op as bucket_release
        return bucket_release(merchant_id, erp_product_id, quantity, bucket)
    return _move(merchant_id, erp_product_id, quantity,
                 "SET #reserved = #reserved - :q, #free = #free + :q", "#reserved >= :q")


def consume_op(merchant_id: str, erp_product_id: str, quantity: int) -> dict:
    """Shipping: the reserved units leave the shelf (on_hand and reserved both drop; free stays).
    Refused when on_hand is below the quantity (an oversold product): stock is never negative."""
    changed = clock.now_iso()
    return _move(merchant_id, erp_product_id, quantity,
                 "SET #prev_on_hand = #on_hand, #on_hand = #on_hand - :q, #reserved = #reserved - :q, "
                 "#rev = if_not_exists(#rev, :zero) + :one, #gsi4pk = :index, #gsi4sk = :index_sk",
                 "#reserved >= :q AND #on_hand >= :q",
                 dict(index_fields(merchant_id, erp_product_id, changed), **{":one": 1, ":zero": 0}))


def consume_ops(merchant_id: str, erp_product_id: str, quantity: int, bucket: Optional[int] = None) -> list:
    """Shipping an order line: the record's consumption, and the bucket's when the line's units
    were reserved in one."""
    ops = [consume_op(merchant_id, erp_product_id, quantity)]
    if bucket is not None:
        from chalicelib.store.stock_buckets import consume_op as bucket_consume
        ops.append(bucket_consume(merchant_id, erp_product_id, quantity, bucket))
    return ops


def _move(merchant_id: str, erp_product_id: str, quantity: int, expression: str, condition: str,
          extra: Optional[dict] = None) -> dict:
    if not isinstance(quantity, int) or quantity <= 0:
        raise ValueError("a stock movement is a positive whole number")
    expression = _with_set(expression, "#updated_at = :now")
    values = dict(extra or {}, **{":q": quantity, ":now": clock.now_iso()})
    pk, sk = MerchantScope(merchant_id).stock(erp_product_id)
    return update_op(pk, sk, expression, condition, values, names(expression, condition))


def _with_set(expression: str, assignment: str) -> str:
    """Adds `assignment` to the SET clause of an update expression (which may also ADD)."""
    head, sep, tail = expression.partition(" ADD ")
    return f"{head}, {assignment}{sep}{tail}"


def combined(record: Optional[dict], buckets: Iterable[dict] = ()) -> Optional[dict]:
    """The product's real figures from its record and its buckets: what the buckets still hold
    free is not reserved (the record counts it as handed out) and is available."""
    buckets = list(buckets)
    if record is None or not record.get("buckets"):
        return record
    held_free = sum(int(b.get("free") or 0) for b in buckets)
    out = dict(record, reserved=int(record.get("reserved") or 0) - held_free,
               free=int(record.get("free") or 0) + held_free)
    stamps = [s for s in [record.get("updated_at")] + [b.get("updated_at") for b in buckets] if s]
    if stamps:
        out["updated_at"] = max(stamps)
    return out


class StockStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    # reads -------------------------------------------------------------------------------------
    def get(self, erp_product_id: str) -> Optional[dict]:
        return self.with_buckets([self.table.get(*self.scope.stock(erp_product_id))])[0]

    def with_product(self, erp_product_id: str) -> tuple:
        """(product record or None, stock record or None) in one read (and the buckets' when split)."""
        found = {item["sk"]: item for item in self.table.batch_get(
            [self.scope.product(erp_product_id), self.scope.stock(erp_product_id)])}
        return found.get(self.scope.product(erp_product_id)[1]), self.with_buckets([found.get(STOCK)])[0]

    def many(self, erp_product_ids) -> list:
        """Consistent reads of the records that exist among `erp_product_ids` (real figures)."""
        return [r for r in self.with_buckets(self.table.batch_get([self.scope.stock(i) for i in erp_product_ids])) if r]

    def with_buckets(self, records: list) -> list:
        """The records (None kept) with their products' real figures: a bucketed one's buckets read
        and counted in (`combined`)."""
        from chalicelib.store.stock_buckets import bucket_keys, of_record
        split = [r for r in records if r and r.get("buckets")]
        if not split:
            return records
        wanted = [k for r in split for k in bucket_keys(self.scope, r)]
        buckets = self.table.batch_get(wanted)
        return [combined(r, of_record(self.scope, buckets, r)) if r and r.get("buckets") else r for r in records]

    def everything(self) -> list:
        """Every record of the merchant: the index's shards, then the records (consistent; the
        poll needs their revision, on_hand and lots, which reservations do not change)."""
        entries = sharded.everything(self.table, "gsi4", index_partitions(self.merchant_id))
        return self.table.batch_get([self.scope.stock(e["erp_product_id"]) for e in entries])

    def changed_since(self, epoch: float) -> list:
        """The records whose on_hand or lots changed at or after `epoch`, from the index."""
        entries = sharded.everything(self.table, "gsi4", index_partitions(self.merchant_id),
                                     low=clock.iso(epoch))
        return self.table.batch_get([self.scope.stock(e["erp_product_id"]) for e in entries])

    # named writes ------------------------------------------------------------------------------
    def set_on_hand(self, erp_product_id: str, on_hand: int, source: str,
                    compare_on_hand: Optional[int] = None) -> dict:
        """Absolute set; with `compare_on_hand` only if the stored value equals it (a product
        without a record counts as 0), else CompareFailed."""
        condition = None
        values = {":on_hand": on_hand}
        if compare_on_hand is not None:
            values[":compare"] = compare_on_hand
            condition = "#on_hand = :compare"
            if compare_on_hand == 0:
                condition = "attribute_not_exists(#on_hand) OR " + condition

        def refused(old: dict) -> Exception:
            stored = int((old or {}).get("on_hand") or 0)
            return CompareFailed(f"on_hand is {stored}, not {compare_on_hand}", on_hand=stored)

        def holds(old: dict) -> bool:
            return compare_on_hand is None or int((old or {}).get("on_hand") or 0) == compare_on_hand

        return self._write(erp_product_id, _SET_ON_HAND, source, condition, values, _SET_KEEPS_BUCKETS,
                           holds, refused, lambda old: on_hand)

    def adjust(self, erp_product_id: str, delta: int, source: str, reason: str) -> dict:
        """on_hand += delta, refused (InsufficientStock) when that would go below 0."""
        condition, guard = None, None
        values = {":delta": delta, ":reason": reason}
        if delta < 0:
            condition, guard, values[":need"] = "#on_hand >= :need", _ADJUST_KEEPS_BUCKETS, -delta

        def refused(old: dict) -> Exception:
            stored = int((old or {}).get("on_hand") or 0)
            return InsufficientStock(f"on_hand is {stored}; a delta of {delta} would take it below 0",
                                     on_hand=stored)

        def holds(old: dict) -> bool:
            return int((old or {}).get("on_hand") or 0) + delta >= 0

        return self._write(erp_product_id, _ADJUST, source, condition, values, guard, holds, refused,
                           lambda old: int((old or {}).get("on_hand") or 0) + delta, {"last_reason": reason})

    def replace(self, erp_product_id: str, source: str, on_hand: Optional[int] = None,
                lots: Optional[list] = None, expected_rev=None, of_product: bool = False) -> dict:
        """Write on_hand and/or lots as given (None: keep). With `expected_rev` (a revision, or
        ABSENT) only if the record is still at it, else ChangedMeanwhile. With `of_product` only
        if the product exists, checked in the same transaction, else NotFound and nothing written."""
        sets, values = [], {}
        if on_hand is not None:
            sets.append(_SET_ON_HAND)
            values[":on_hand"] = on_hand
        if lots is not None:
            sets.append("#lots = :lots")
            values[":lots"] = lots
        condition = None
        if expected_rev is ABSENT:
            condition = "attribute_not_exists(#rev)"
        elif expected_rev is not None:
            condition, values[":rev"] = "#rev = :rev", expected_rev

        def holds(old: dict) -> bool:
            stored = (old or {}).get("rev")
            return expected_rev is None or (stored is None if expected_rev is ABSENT else stored == expected_rev)

        guard = _SET_KEEPS_BUCKETS if on_hand is not None else None
        if lots is not None:
            guard = "attribute_not_exists(#buckets)"    # a bucketed record's buckets copy its lots
        return self._write(erp_product_id, ", ".join(sets), source, condition, values, guard, holds,
                           lambda old: ChangedMeanwhile(f"the stock of {erp_product_id!r} changed meanwhile"),
                           (lambda old: on_hand) if on_hand is not None else None,
                           {"lots": lots} if lots is not None else {}, of_product)

    def _write(self, erp_product_id: str, sets: str, source: str, condition: Optional[str], values: dict,
               bucket_guard: Optional[str], holds, refused, new_on_hand, also: Optional[dict] = None,
               of_product: bool = False) -> dict:
        """One conditional update of the record (with `of_product`, in one transaction with a
        check that the product exists). A bucketed record whose pool the write would take below
        zero, or whose lots it changes (`bucket_guard` fails while the caller's condition
        `holds`), is written together with its buckets instead (stock_buckets.write_bucketed)."""
        expression = "SET " + ", ".join(filter(None, [sets, _TOUCH]))
        now = clock.now_iso()
        values = dict(values, **{":zero": 0, ":one": 1, ":source": source, ":now": now, ":erp_id": erp_product_id},
                      **index_fields(self.merchant_id, erp_product_id, now))
        full = " AND ".join(f"({c})" for c in (condition, bucket_guard) if c) or None
        pk, sk = self.scope.stock(erp_product_id)
        try:
            record = self._update(pk, sk, expression, full, values, of_product)
        except ConditionFailed as failed:
            old = failed.old
            if not (old and old.get("buckets") and holds(old)):
                raise refused(old)
            from chalicelib.store.stock_buckets import write_bucketed
            record = write_bucketed(self, erp_product_id, source, holds, refused, new_on_hand, also or {})
        return self.with_buckets([record])[0]

    def _update(self, pk: str, sk: str, expression: str, condition: Optional[str], values: dict,
                of_product: bool) -> dict:
        if not of_product:
            return self.table.update(pk, sk, expression, condition, values, names(expression, condition))
        erp_product_id = values[":erp_id"]
        try:
            self.table.transact([check_op(*self.scope.product(erp_product_id), "attribute_exists(pk)"),
                                 update_op(pk, sk, expression, condition, values, names(expression, condition))])
        except TransactionCanceled as cancelled:
            if cancelled.reasons[:1] == ["ConditionalCheckFailed"]:
                raise NotFound(f"no product {erp_product_id!r}")
            if cancelled.reasons[1:2] == ["ConditionalCheckFailed"]:
                raise ConditionFailed(cancelled.olds[1] if len(cancelled.olds) > 1 else None)
            raise
        return self.table.get(pk, sk) or {}

    # reservations as one transaction (orders build their own with the ops above) ---------------
    def reserve(self, lines: Iterable[tuple]) -> None:
        self._transact(lines, reserve_op)

    def release(self, lines: Iterable[tuple]) -> None:
        self._transact(lines, release_op)

    def consume(self, lines: Iterable[tuple]) -> None:
        self._transact(lines, consume_op)

    def _transact(self, lines: Iterable[tuple], build) -> None:
        lines = list(lines)
        try:
            self.table.transact([build(self.merchant_id, erp_id, qty) for erp_id, qty in lines])
        except TransactionCanceled as cancelled:
            short = [lines[i][0] for i in cancelled.failed_indexes()]
            if not short:
                raise
            raise InsufficientStock(f"not enough stock of {', '.join(short)}", erp_product_ids=short)
