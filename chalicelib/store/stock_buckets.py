"""A hot product's stock in buckets: its reservations spread over many partitions.

A reservation is one conditional write in the order's transaction (2 write units), so one stock
record takes at most ~500 reservations a second: a 秒杀 of one SKU would queue behind it. A
product whose record takes SPLIT_PACE reservations within one second (and has enough free to
share) is split: the record gets `buckets` = BUCKETS, and each bucket (`M#<mid>#P#<id>#B#<n>` /
`STOCK`, its own partition) holds `free` units handed out of the record's pool and `reserved`,
what orders reserved out of it. A placement reserves in one bucket picked at random, and the
order line keeps it (`stock_bucket`) for its release or its shipping.

The record keeps `on_hand` (the shelf), `reserved` = what it promised directly plus what it
handed to its buckets, and `free` = on_hand - reserved, its pool. So the record's own writes
(sets, adjustments, lots, shipping) stay what they were, and the product's real figures are
reserved = record.reserved - Σ bucket.free and free = record.free + Σ bucket.free (`stock.combined`).

Units only ever move, each move a conditional write on what it takes from, so the sum of the
record's pool and the buckets' free never changes except by a real change of stock, and none of
them goes below zero:
- reserve q in bucket b:   b.free >= q   → b.free - q, b.reserved + q        (the order's transaction)
- release q to bucket b:   b.reserved >= q → b.reserved - q, b.free + q
- ship q from bucket b:    b.reserved >= q → b.reserved - q; and the record's consumption
- refill b with k:         record.free >= k → record.free - k, record.reserved + k; b.free + k
- gather s_j from b_j:     b_j.free >= s_j → b_j.free - s_j; record.free + Σs, record.reserved - Σs
A placement whose bucket is short reads the record and the buckets: it moves to a bucket that
has enough, or refills its bucket from the pool, or (the last units of a sale, spread thin)
gathers what the buckets hold back into the pool and reserves there, exactly as an unsplit
product does; only when record and buckets together lack the units is the answer
insufficient_stock.

Each bucket keeps a copy of the record's `lots` (an order shows a lot taken from them, and its
reservation in a bucket requires them unchanged, as one in the record does): a write of a
bucketed record's lots sets every copy in the same transaction (`write_bucketed`). A write that
would take the pool below zero while buckets still hold free units (the ERP sets on_hand below
what the buckets hold) must not leave those units reservable: the buckets are frozen first
(reservations refuse a bucket frozen less than FREEZE_SECONDS ago), read, and drained into the
record in the same transaction as the write.

A product is found hot by the reservations of its current second: the record counts them
(`pace_s`, `pace_n`, written by each reservation in it), and a warm process, which prices from
cached records, counts its own. A placement priced from a cached record that is no longer
unsplit fails on it (its reservation insists on no buckets) and goes to the buckets.
"""
import random
import time
from typing import Dict, List, Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import ChangedMeanwhile
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table, TransactionCanceled, put_op, update_op

BUCKETS = 16            # 16 partitions x ~500 reservations a second each
SPLIT_PACE = 10         # reservations within one second on one record that make its product hot
SPLIT_MIN_FREE = 4 * BUCKETS
FREEZE_SECONDS = 10


def _names(*texts: str) -> dict:
    from chalicelib.store.stock import names
    return names(*texts)


# the record's pace ---------------------------------------------------------------------------
def pace_update(seen: Optional[dict]) -> tuple:
    """(expression fragment, values) counting one reservation in the record's current second."""
    second = int(clock.now())
    if seen is not None and seen.get("pace_s") == second:
        return " ADD #pace_n :one_r", {":one_r": 1}
    return ", #pace_s = :second, #pace_n = :one_r", {":second": second, ":one_r": 1}


_PROCESS_PACE: Dict[tuple, list] = {}      # (merchant, product) -> times this process reserved it


def _process_pace(merchant_id: str, erp_id: str) -> int:
    """Reservations of the product this process made within the last second (this one included):
    a warm process prices from cached records, whose own count is as old as the cache."""
    now = clock.now()
    times = [t for t in _PROCESS_PACE.get((merchant_id, erp_id), []) if 0 <= now - t < 1.0] + [now]
    _PROCESS_PACE[(merchant_id, erp_id)] = times[-SPLIT_PACE:]
    if len(_PROCESS_PACE) > 10_000:
        _PROCESS_PACE.clear()
    return len(times)


def is_hot(seen: Optional[dict], process_pace: int = 0) -> bool:
    """Whether a record read before a reservation shows a hot product worth splitting: SPLIT_PACE
    reservations within its current second (its own count, or this process's)."""
    if not seen or seen.get("buckets") or int(seen.get("free") or 0) < SPLIT_MIN_FREE:
        return False
    counted = int(seen.get("pace_n") or 0) + 1 if seen.get("pace_s") == int(clock.now()) else 1
    return max(counted, process_pace) >= SPLIT_PACE


# keys and reads -------------------------------------------------------------------------------
def bucket_keys(scope: MerchantScope, record: dict) -> list:
    erp_id = record.get("erp_product_id") or scope.stock_id_of(record["pk"])
    return [scope.stock_bucket(erp_id, n) for n in range(int(record["buckets"]))]


def of_record(scope: MerchantScope, buckets: list, record: dict) -> list:
    keys = set(bucket_keys(scope, record))
    return [b for b in buckets if (b["pk"], b["sk"]) in keys]


def _free(bucket: Optional[dict]) -> int:
    return int((bucket or {}).get("free") or 0)


def _frozen(bucket: Optional[dict], now: float) -> bool:
    at = (bucket or {}).get("frozen")
    return at is not None and float(at) >= now - FREEZE_SECONDS


# operations --------------------------------------------------------------------------------
def _op(merchant_id: str, erp_id: str, bucket: int, expression: str, condition: str, values: dict) -> dict:
    pk, sk = MerchantScope(merchant_id).stock_bucket(erp_id, bucket)
    head, sep, tail = expression.partition(" REMOVE ")
    expression = f"{head}, #updated_at = :now{sep}{tail}"
    values = dict(values, **{":now": clock.now_iso()})
    return update_op(pk, sk, expression, condition, values, _names(expression, condition))


def reserve_op(merchant_id: str, erp_id: str, quantity: int, bucket: int, lots=None) -> dict:
    """Reserve in a bucket: only if it has the units and is not being drained; with `lots` (the
    stock's lots the order shows, as the bucket keeps a copy of them) only if those are current."""
    from chalicelib.store import stock
    condition = "#free >= :q AND (attribute_not_exists(#frozen) OR #frozen < :stale)"
    values = {":q": quantity, ":stale": clock.now() - FREEZE_SECONDS}
    if lots is stock.ANY_LOTS:
        pass
    elif not lots:
        condition += " AND (attribute_not_exists(#lots) OR #lots = :lots)"
        values[":lots"] = []
    else:
        condition += " AND #lots = :lots"
        values[":lots"] = lots
    return _op(merchant_id, erp_id, bucket, "SET #free = #free - :q, #reserved = #reserved + :q", condition, values)


def release_op(merchant_id: str, erp_id: str, quantity: int, bucket: int) -> dict:
    return _op(merchant_id, erp_id, bucket, "SET #reserved = #reserved - :q, #free = #free + :q",
               "#reserved >= :q", {":q": quantity})


def consume_op(merchant_id: str, erp_id: str, quantity: int, bucket: int) -> dict:
    return _op(merchant_id, erp_id, bucket, "SET #reserved = #reserved - :q", "#reserved >= :q", {":q": quantity})


class Buckets:
    """The moves between one product's record and its buckets."""

    def __init__(self, merchant_id: str, erp_id: str, table: Optional[Table] = None):
        self.merchant_id, self.erp_id = merchant_id, erp_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def read(self) -> tuple:
        """(record, {bucket number: bucket}) read consistently; the record None if absent."""
        record = self.table.get(*self.scope.stock(self.erp_id))
        if not record or not record.get("buckets"):
            return record, {}
        found = self.table.batch_get(bucket_keys(self.scope, dict(record, erp_product_id=self.erp_id)))
        return record, {int(b["pk"].rsplit("#", 1)[1]): b for b in found}

    def split(self, buckets: int = BUCKETS) -> bool:
        """Make the product's stock bucketed: half the pool handed out evenly, the rest handed out
        on demand (refills). False when it already was (or the record is gone)."""
        pk, sk = self.scope.stock(self.erp_id)
        record = self.table.get(pk, sk) or {}
        lots = record.get("lots") or []
        share = max(0, int(record.get("free") or 0)) // (2 * buckets)
        condition = "attribute_exists(#on_hand) AND attribute_not_exists(#buckets) AND #free >= :k AND "
        condition += "#lots = :lots" if lots else "(attribute_not_exists(#lots) OR #lots = :lots)"
        ops = [update_op(pk, sk, "SET #buckets = :n, #free = #free - :k, #reserved = #reserved + :k", condition,
                         {":n": buckets, ":lots": lots, ":k": share * buckets},
                         _names("#buckets #on_hand #lots #free #reserved"))]
        for n in range(buckets):     # each bucket keeps a copy of the lots, for the lot an order shows
            bpk, bsk = self.scope.stock_bucket(self.erp_id, n)
            ops.append(put_op({"pk": bpk, "sk": bsk, "erp_product_id": self.erp_id, "bucket": n, "free": share,
                               "reserved": 0, "lots": lots, "updated_at": clock.now_iso()},
                              condition="attribute_not_exists(pk)"))
        try:
            self.table.transact(ops)
            return True
        except TransactionCanceled:
            return False

    def refill(self, bucket: int, units: int) -> bool:
        """Hand `units` of the pool to `bucket`; False when the pool no longer has them."""
        pk, sk = self.scope.stock(self.erp_id)
        try:
            self.table.transact([
                update_op(pk, sk, "SET #free = #free - :k, #reserved = #reserved + :k", "#free >= :k",
                          {":k": units}, _names("#free #reserved")),
                _op(self.merchant_id, self.erp_id, bucket, "SET #free = if_not_exists(#free, :zero) + :k",
                    "attribute_exists(pk)", {":k": units, ":zero": 0})])
            return True
        except TransactionCanceled:
            return False

    def gather(self, buckets: Dict[int, dict]) -> bool:
        """Take back into the pool what `buckets` (as read) hold free; False when one of them no
        longer has it (another reservation came first: read again)."""
        taken = {n: _free(b) for n, b in buckets.items() if _free(b) > 0}
        if not taken:
            return True
        pk, sk = self.scope.stock(self.erp_id)
        total = sum(taken.values())
        ops = [update_op(pk, sk, "SET #free = #free + :k, #reserved = #reserved - :k", "#reserved >= :k",
                         {":k": total}, _names("#free #reserved"))]
        ops += [_op(self.merchant_id, self.erp_id, n, "SET #free = #free - :s", "#free >= :s", {":s": s})
                for n, s in taken.items()]
        try:
            self.table.transact(ops)
            return True
        except TransactionCanceled:
            return False


# placing an order ------------------------------------------------------------------------------
class Reservations:
    """The stock operations of one order's placement, one per product: in the record, or in a
    bucket of a bucketed product; and what to do when the order's transaction is refused on one.

    `records` are the stock records as the placement read them (a product without one has
    nothing to reserve). `lines_with_buckets` marks the order's lines with the buckets used."""

    def __init__(self, merchant_id: str, quantities: Dict[str, int], records: Dict[str, dict],
                 table: Optional[Table] = None, lots: Optional[Dict[str, object]] = None):
        self.merchant_id = merchant_id
        self.quantities = dict(quantities)
        self.records = dict(records)
        self.table = table
        self.lots = dict(lots or {})            # the lots each order line shows, when they are checked
        self.bucket: Dict[str, Optional[int]] = {sku: self._pick(self.records.get(sku)) for sku in self.quantities}
        self.in_pool: set = set()               # bucketed products this plan reserves in the pool
        self.emptied: List[str] = []            # bucketed products found with nothing left

    @staticmethod
    def _pick(record: Optional[dict]) -> Optional[int]:
        return random.randrange(int(record["buckets"])) if record and record.get("buckets") else None

    def ops(self) -> list:
        """A product believed unsplit is reserved in its record only while it is unsplit (a stale
        cached record sends the placement to the buckets); in a bucketed product's pool only when
        this plan read it and chose to."""
        from chalicelib.store import stock
        out = []
        for sku, quantity in self.quantities.items():
            bucket, lots = self.bucket[sku], self.lots.get(sku, stock.ANY_LOTS)
            if bucket is not None:
                out.append(reserve_op(self.merchant_id, sku, quantity, bucket, lots))
            else:
                out.append(stock.reserve_op(self.merchant_id, sku, quantity, lots, self.records.get(sku),
                                            unsplit_only=sku not in self.in_pool))
        return out

    def in_records(self) -> List[str]:
        """The products reserved in their records (the listing rule looks at those after an
        order; a bucketed product's is run when a placement finds it sold out)."""
        return [sku for sku in self.quantities if self.bucket[sku] is None]

    def lines_with_buckets(self, lines: list) -> list:
        return [dict(line, stock_bucket=self.bucket[line["erp_product_id"]])
                if self.bucket.get(line["erp_product_id"]) is not None else line for line in lines]

    def refused(self, failed: Dict[str, Optional[dict]]) -> tuple:
        """`failed`: the products whose operation failed, with what it found (ALL_OLD). Answers
        (the products that truly lack the units, whether a product's lots were no longer the ones
        the order shows); for the others the plan has moved stock or chosen where to reserve
        next, so the order may be tried again."""
        from chalicelib.store import stock
        short, stale = [], False
        for sku, old in failed.items():
            expected = self.lots.get(sku, stock.ANY_LOTS)
            if old is not None and expected is not stock.ANY_LOTS and (old.get("lots") or []) != (expected or []):
                stale = True
                continue
            if not self._make_room(sku, old):
                short.append(sku)
        return short, stale

    def _make_room(self, sku: str, old: Optional[dict]) -> bool:
        quantity, now = self.quantities[sku], clock.now()
        bucket = self.bucket[sku]
        if bucket is None and not (old and old.get("buckets")):
            return bool(old) and int(old.get("free") or 0) >= quantity    # unsplit: short unless it raced
        moves = Buckets(self.merchant_id, sku, self.table)
        record, buckets = moves.read()
        if record is None:
            return False
        self.records[sku] = record
        _refresh_cache(moves.scope.stock(sku), record)
        if _frozen(old, now) or any(_frozen(b, now) for b in buckets.values()):
            time.sleep(0.05)                    # an ERP write is draining the buckets: it is quick
            return True
        pool, count = int(record.get("free") or 0), max(1, len(buckets))
        if pool >= quantity and pool >= count:  # a good share of the pool into this bucket
            target = bucket if bucket is not None else random.randrange(count)
            moves.refill(target, max(quantity, pool // count))
            self.bucket[sku] = target
            return True
        roomy = [n for n, b in buckets.items() if _free(b) >= quantity]
        if roomy:                               # another bucket has them
            self.bucket[sku] = random.choice(roomy)
            return True
        if pool >= quantity:                    # a few units left in the pool: reserve them there
            self.bucket[sku] = None
            self.in_pool.add(sku)
            return True
        total = pool + sum(_free(b) for b in buckets.values())
        if total < quantity:
            if total <= 0:
                self.emptied.append(sku)
            return False
        moves.gather(buckets)                   # the last units, spread thin: back into the pool
        self.bucket[sku] = None
        self.in_pool.add(sku)
        return True

    def split_hot(self) -> None:
        """After the order committed: split the products it found hot (best effort)."""
        for sku in self.quantities:
            if self.bucket.get(sku) is None and sku not in self.in_pool \
                    and is_hot(self.records.get(sku), _process_pace(self.merchant_id, sku)):
                self._split(sku)

    def contended(self, skus: List[str]) -> None:
        """The order's transaction met others on these products' records (DynamoDB's
        TransactionConflict): as sure a sign of a hot product as any count."""
        for sku in skus:
            record = self.records.get(sku)
            if self.bucket.get(sku) is None and sku not in self.in_pool and record \
                    and not record.get("buckets") and int(record.get("free") or 0) >= SPLIT_MIN_FREE:
                self._split(sku)

    def _split(self, sku: str) -> None:
        try:
            moves = Buckets(self.merchant_id, sku, self.table)
            if moves.split():
                record = moves.read()[0]
                self.records[sku] = record
                _refresh_cache(moves.scope.stock(sku), record)
        except Exception:  # noqa: BLE001 - best effort: the next placement splits it
            pass


def into_pools(merchant_id: str, quantities: Dict[str, int], table: Optional[Table] = None) -> None:
    """Before reserving in the records themselves (a manual order): a bucketed product whose pool
    lacks the quantity gets back what its buckets hold free (a reservation in the pool is as good
    as one in a bucket)."""
    table = table or Table()
    scope = MerchantScope(merchant_id)
    for record in table.batch_get(scope.stock(sku) for sku in quantities):
        erp_id = record.get("erp_product_id") or scope.stock_id_of(record["pk"])
        if record.get("buckets") and int(record.get("free") or 0) < quantities.get(erp_id, 0):
            moves = Buckets(merchant_id, erp_id, table)
            for _ in range(3):
                if moves.gather(moves.read()[1]):
                    break


def _refresh_cache(key: tuple, record: Optional[dict]) -> None:
    """A warm process's copy of the record, as just read (store/catalog_cache.py)."""
    from chalicelib.store import catalog_cache
    catalog_cache.put(key, record)


# a write of a bucketed record's on_hand or lots ----------------------------------------------
def write_bucketed(store, erp_id: str, source: str, holds, refused, new_on_hand, also: dict) -> dict:
    """Write a bucketed record's on_hand (`new_on_hand(record)`, None: keep) and `also` (lots,
    a reason) together with its buckets, in one transaction with exact conditions on what was
    read: each bucket's copy of the lots follows the record's, and when the new on_hand leaves
    the pool below zero while buckets hold free units, the buckets are frozen first, then drained
    into the record, so that none can hand out units the shelf no longer has. Tried a few times
    if something moved in between; then ChangedMeanwhile."""
    moves = Buckets(store.merchant_id, erp_id, store.table)
    for attempt in range(4):
        record, buckets = moves.read()
        if record is None or not record.get("buckets"):
            raise ChangedMeanwhile(f"the stock of {erp_id!r} changed meanwhile")
        if not holds(record):
            raise refused(record)
        on_hand = new_on_hand(record) if new_on_hand else int(record.get("on_hand") or 0)
        held = sum(_free(b) for b in buckets.values())
        stamp = None
        if on_hand - int(record.get("reserved") or 0) < 0 and held > 0:
            stamp = time.time() + random.random() / 1000
            store.table.transact([_op(store.merchant_id, erp_id, n, "SET #frozen = :t", "attribute_exists(pk)",
                                      {":t": stamp}) for n in buckets])
            record, buckets = moves.read()
            if not holds(record):
                _unfreeze(store, erp_id, buckets, stamp)
                raise refused(record)
        try:
            store.table.transact(_bucketed_ops(store, erp_id, record, buckets, stamp, source, on_hand, also))
        except TransactionCanceled:
            if stamp is not None:
                _unfreeze(store, erp_id, buckets, stamp)
            time.sleep(0.02 * (attempt + 1))
            continue
        return store.table.get(*store.scope.stock(erp_id))
    raise ChangedMeanwhile(f"the stock of {erp_id!r} kept changing")


def _bucketed_ops(store, erp_id: str, record: dict, buckets: Dict[int, dict], stamp: Optional[float],
                  source: str, on_hand: int, also: dict) -> list:
    """The record's write and each bucket's: drained when `stamp` (their freeze) is given, their
    lots copy set when `also` sets the lots."""
    from chalicelib.store import stock
    drained = {n: _free(b) for n, b in buckets.items()} if stamp is not None else {}
    reserved = int(record.get("reserved") or 0) - sum(drained.values())
    now = clock.now_iso()
    fields = dict(also, on_hand=on_hand, reserved=reserved, free=on_hand - reserved, source=source,
                  updated_at=now, prev_on_hand=int(record.get("on_hand") or 0), rev=int(record.get("rev") or 0) + 1,
                  erp_product_id=erp_id)
    index = stock.index_fields(store.merchant_id, erp_id, now)
    fields.update(gsi4pk=index[":index"], gsi4sk=index[":index_sk"])
    sets = ", ".join(f"#{k} = :f_{k}" for k in fields)
    condition = "#on_hand = :seen_on_hand AND #reserved = :seen_reserved AND #buckets = :seen_buckets"
    values = {f":f_{k}": v for k, v in fields.items()}
    values.update({":seen_on_hand": record.get("on_hand"), ":seen_reserved": record.get("reserved"),
                   ":seen_buckets": record.get("buckets")})
    pk, sk = store.scope.stock(erp_id)
    ops = [update_op(pk, sk, "SET " + sets, condition, values, _names(sets, condition))]
    for n in buckets:
        sets, conditions, values = [], ["attribute_exists(pk)"], {}
        if n in drained:
            sets.append("#free = #free - :s")
            conditions.append("#frozen = :t AND #free >= :s")
            values.update({":s": drained[n], ":t": stamp})
        if "lots" in also:
            sets.append("#lots = :lots")
            values[":lots"] = also["lots"]
        if not sets:
            continue
        expression = "SET " + ", ".join(sets) + (" REMOVE #frozen" if n in drained else "")
        ops.append(_op(store.merchant_id, erp_id, n, expression, " AND ".join(conditions), values))
    return ops


def _unfreeze(store, erp_id: str, buckets: Dict[int, dict], stamp: float) -> None:
    """Lift this writer's freeze (buckets someone else froze since are left alone)."""
    for n in buckets:
        pk, sk = store.scope.stock_bucket(erp_id, n)
        try:
            store.table.update(pk, sk, "REMOVE #frozen", condition="#frozen = :t", values={":t": stamp},
                               names={"#frozen": "frozen"})
        except Exception:  # noqa: BLE001 - a freeze also lapses by itself after FREEZE_SECONDS
            pass
