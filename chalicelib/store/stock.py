"""Stock records (pk `M#<mid>#P#<erp_product_id>`, sk `STOCK`): named conditional writes.

Attributes: `on_hand`, `reserved`, `free` (= on_hand - reserved, kept by every write so that one
condition `free >= :q` guards a reservation), `lots`, `source`, `updated_at` (every write sets it and files the record under it in gsi2), `rev` (bumped by
every change of on_hand or lots, so a write computed from a read can insist nothing changed in
between) and `prev_on_hand` (on_hand before the latest write, returned with the new record so the
caller knows whether stock moved without reading first). Every arithmetic happens inside
DynamoDB: a reservation landing between two writes is never lost.

`reserve_op`, `release_op` and `consume_op` build the operations that orders and the desk put
in their own transactions; after such a transaction commits, the caller should call
`services.inventory.stock_changed(merchant_id, erp_product_ids)` (the catalog's listing rule).
"""
import re
from typing import Iterable, Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import ChangedMeanwhile, CompareFailed, InsufficientStock, NotFound
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import ConditionFailed, Table, TransactionCanceled, check_op, update_op

STOCK = "STOCK"
_NAME = re.compile(r"#([A-Za-z_][A-Za-z0-9_]*)")
ABSENT = object()          # expected revision of a record that must not exist yet

_TOUCH = ("#rev = if_not_exists(#rev, :zero) + :one, #prev_on_hand = if_not_exists(#on_hand, :zero), "
          "#reserved = if_not_exists(#reserved, :zero), #source = :source, #updated_at = :now, "
          "#erp_product_id = :erp_id, #gsi2pk = :index, #gsi2sk = :index_sk")
_SET_ON_HAND = "#on_hand = :on_hand, #free = :on_hand - if_not_exists(#reserved, :zero)"
_ADJUST = ("#on_hand = if_not_exists(#on_hand, :zero) + :delta, #free = if_not_exists(#free, :zero) + :delta, "
           "#last_reason = :reason")


def names(*expressions: Optional[str]) -> dict:
    """ExpressionAttributeNames for every `#name` used (DynamoDB refuses unused ones)."""
    return {"#" + n: n for e in expressions if e for n in _NAME.findall(e)}


# operations for other features' transactions ----------------------------------------------------
ANY_LOTS = object()        # a reservation that does not depend on the record's lots


def reserve_op(merchant_id: str, erp_product_id: str, quantity: int, lots=ANY_LOTS) -> dict:
    """Promise `quantity` to an order: only if that much is free (never sold twice). With `lots`
    (a list, or None for none), also only if the record's lots are still those (the lot an
    order shows was taken from them)."""
    condition, extra = "#free >= :q", {}
    if lots is None:
        condition += " AND attribute_not_exists(#lots)"
    elif lots is not ANY_LOTS:
        condition, extra = condition + " AND #lots = :lots", {":lots": lots}
    return _move(merchant_id, erp_product_id, quantity,
                 "SET #reserved = #reserved + :q, #free = #free - :q", condition, extra=extra)


def release_op(merchant_id: str, erp_product_id: str, quantity: int) -> dict:
    """Give back a reservation (order cancelled or refunded before shipping)."""
    return _move(merchant_id, erp_product_id, quantity,
                 "SET #reserved = #reserved - :q, #free = #free + :q", "#reserved >= :q")


def consume_op(merchant_id: str, erp_product_id: str, quantity: int) -> dict:
    """Shipping: the reserved units leave the shelf (on_hand and reserved both drop; free stays).
    Refused when on_hand is below the quantity (an oversold product): stock is never negative."""
    return _move(merchant_id, erp_product_id, quantity,
                 "SET #prev_on_hand = #on_hand, #on_hand = #on_hand - :q, #reserved = #reserved - :q, "
                 "#rev = if_not_exists(#rev, :zero) + :one",
                 "#reserved >= :q AND #on_hand >= :q", one=True)


def _move(merchant_id: str, erp_product_id: str, quantity: int, expression: str, condition: str,
          one: bool = False, extra: Optional[dict] = None) -> dict:
    if not isinstance(quantity, int) or quantity <= 0:
        raise ValueError("a stock movement is a positive whole number")
    scope, now = MerchantScope(merchant_id), clock.now_iso()
    expression += ", #updated_at = :now, #gsi2pk = :index, #gsi2sk = :index_sk"
    values = {":q": quantity, ":now": now, ":index": scope.stock_index(),
              ":index_sk": scope.stock_index_sk(now, erp_product_id)}
    if one:
        values[":one"], values[":zero"] = 1, 0
    values.update(extra or {})
    pk, sk = scope.stock(erp_product_id)
    return update_op(pk, sk, expression, condition, values, names(expression, condition))


class StockStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    # reads -------------------------------------------------------------------------------------
    def get(self, erp_product_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.stock(erp_product_id))

    def with_product(self, erp_product_id: str) -> tuple:
        """(product record or None, stock record or None) in one read."""
        found = {item["sk"]: item for item in self.table.batch_get(
            [self.scope.product(erp_product_id), self.scope.stock(erp_product_id)])}
        return found.get(self.scope.product(erp_product_id)[1]), found.get(STOCK)

    def many(self, erp_product_ids) -> list:
        """Consistent reads of the records that exist among `erp_product_ids`."""
        return self.table.batch_get([self.scope.stock(i) for i in erp_product_ids])

    def everything(self) -> list:
        """Every record of the merchant, a few index pages (eventually consistent: writes based
        on it carry the revision they saw)."""
        return self.table.query_all(self.scope.stock_index(), index="gsi2")

    def changed_since(self, epoch: float) -> list:
        """The records written at or after `epoch` (by their updated_at), from the index."""
        return self.table.query_all(self.scope.stock_index(), index="gsi2",
                                    sk_between=(clock.iso(epoch), "~"))

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
        try:
            return self._write(erp_product_id, _SET_ON_HAND, source, condition, values)
        except ConditionFailed as failed:
            stored = int((failed.old or {}).get("on_hand") or 0)
            raise CompareFailed(f"on_hand is {stored}, not {compare_on_hand}", on_hand=stored)

    def adjust(self, erp_product_id: str, delta: int, source: str, reason: str) -> dict:
        """on_hand += delta, refused (InsufficientStock) when that would go below 0."""
        condition = None
        values = {":delta": delta, ":reason": reason}
        if delta < 0:
            condition, values[":need"] = "#on_hand >= :need", -delta
        try:
            return self._write(erp_product_id, _ADJUST, source, condition, values)
        except ConditionFailed as failed:
            stored = int((failed.old or {}).get("on_hand") or 0)
            raise InsufficientStock(f"on_hand is {stored}; a delta of {delta} would take it below 0",
                                    on_hand=stored)

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
        try:
            return self._write(erp_product_id, ", ".join(sets), source, condition, values, of_product)
        except ConditionFailed:
            raise ChangedMeanwhile(f"the stock of {erp_product_id!r} changed meanwhile")

    def _write(self, erp_product_id: str, sets: str, source: str, condition: Optional[str],
               values: dict, of_product: bool = False) -> dict:
        expression = "SET " + ", ".join(filter(None, [sets, _TOUCH]))
        now = clock.now_iso()
        values = dict(values, **{":zero": 0, ":one": 1, ":source": source, ":now": now,
                                 ":erp_id": erp_product_id, ":index": self.scope.stock_index(),
                                 ":index_sk": self.scope.stock_index_sk(now, erp_product_id)})
        pk, sk = self.scope.stock(erp_product_id)
        if not of_product:
            return self.table.update(pk, sk, expression, condition, values, names(expression, condition))
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
