"""Orders in DynamoDB: the records, the named conditional writes, the ERP feed and the timeout queue.

Records (keys spelled in store/keys.py)
---------------------------------------
`M#<mid>#O#<order_id>` / `ORDER` — the order:
    order_id, merchant_id, channel_id, token      who placed it, with which checkout token
    status        pending_payment | paid | partially_shipped | shipped | completed | cancelled
    cancel_reason payment_timeout | refunded (absent otherwise)
    holds         string set, absent when empty: {"refund_pending"} — guard with `NOT_HELD`
    open_refund_id, refunds   the refund request waiting for a decision; every request, in order
    sync_status   absent until paid, then pending | synced (ERP acknowledgement)
    created_at, paid_at, updated_at, shipped_at, cancelled_at, synced_at, feed_at   RFC 3339 UTC
    pay_deadline  epoch seconds; unpaid after it → cancelled by the schedule
    buyer {platform_customer_id, name}, remark, merchant_remark, delivery {...}, invoice {...}|absent
    amounts {goods, freight, discount, total}, lines [{erp_product_id, name, quantity,
        unit_price, amount, price_source, lot, shipped_quantity, shipped_lots}]   money as strings
    erp_status    the latest ERP status (never moves back)
    stage         the desk's stage; set to `to_review` at payment, `shipped` when shipped
                  (store/desk.py: entry_fields, stage_fields, which also keep gsi4 in step);
                  payment also sets `desk_carrier` when the province has a carrier rule
    carrier_code, waybill_no   set by logistics (or the desk)
    version       +1 on every write of this module; writes that recompute lines require it
    gsi3pk/gsi3sk ERP feed, from payment on: `M#<mid>#FEED#pending|synced#<shard>`,
                  `<feed_at>#<order_id>` (`feed_fields`)
    gsi4pk/gsi4sk while pending_payment only: `ORDERS#UNPAID#<shard>`, `<deadline>#<mid>#<oid>`;
                  removed at cancellation; from payment on the desk's index `M#<mid>#DESK#<rank>#<shard>`,
                  `<stage rank>#<paid_at>#<order_id>` (store/desk.py)
    Both indexes are sharded by the order id and project only keys and ids (docs/architecture.md,
    "Partition heat"): readers fetch the orders themselves.
`M#<mid>#O#<oid>` / `SHIPMENT#<id>` — one shipment's lines; `TRACK#<at>#<id>` — a tracking event.
`ORDERREF#<oid>` / `REF` — merchant_id and channel_id of an order (channels address orders by id).

Guards other features use (conditions in store/expr.py's `#name` convention)
---------------------------------------------------------------------------
`NOT_HELD` (no hold), `SHIPPABLE` (paid or partially shipped, not held): a direct ship by the desk
must carry `SHIPPABLE` so that a refund hold and a shipment exclude each other — the hold needs
`status = paid`, the shipment needs no hold, and DynamoDB serialises both on the one item.
`ship_ops` builds a whole-order shipment (with the stock it consumes) for such callers.
"""
import random
import time
from typing import Dict, List, Optional, Tuple

from chalicelib.domain import clock
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import (Conflict, IdempotencyInProgress, IdempotencyKeyMismatch,
                                      UnprocessableRequest)
from chalicelib.store import keys, stock, stock_buckets
from chalicelib.store.checkout import USED
from chalicelib.store.expr import Update
from chalicelib.store.keys import MerchantScope
from chalicelib.store.due import due_items
from chalicelib.store.table import Table, TransactionCanceled, put_op

NOT_HELD = "attribute_not_exists(#holds)"
SHIPPABLE = "#status IN (:st_paid, :st_partial) AND " + NOT_HELD
SHIPPABLE_VALUES = {"st_paid": rules.PAID, "st_partial": rules.PARTIALLY_SHIPPED}
CONFLICT_RETRIES = 6
PLACE_ATTEMPTS = 12     # a bucketed product's last units may need a few moves


class OrderChanged(Exception):
    """The order was not in the state a write expected (another writer won); re-read and decide."""


class StaleRecord(Exception):
    """A record a write was built from and checked in its transaction (a product, stock lots,
    the buyer link, a region group, the webhook endpoint) is no longer what was read: nothing
    was written; read again and build the write again."""


class InvalidCheckoutToken(UnprocessableRequest):
    def __init__(self, detail: str = "This checkout token was not issued to you for this merchant"):
        super().__init__("invalid_checkout_token", detail)


def order_ref(order_id: str, table: Optional[Table] = None) -> Optional[dict]:
    return (table or Table()).get(*keys.order_ref(order_id))


def due_unpaid(now_iso: str, limit: int = 500, table: Optional[Table] = None) -> List[dict]:
    """Unpaid orders whose payment deadline passed (merchant_id, order_id), from every shard."""
    return due_items(table or Table(), keys.unpaid_queue, keys.UNPAID_SHARDS, "gsi4", now_iso,
                     ("merchant_id", "order_id"), limit)


def feed_fields(merchant_id: str, order_id: str, feed_at_iso: str, sync_status: str = "pending") -> dict:
    """Where a paid order is in the ERP feed (gsi3): its shard of `pending` (or `synced`)."""
    scope = MerchantScope(merchant_id)
    return {"gsi3pk": scope.order_feed(sync_status, keys.shard_of(order_id, keys.FEED_SHARDS)),
            "gsi3sk": scope.feed_sort(feed_at_iso, order_id)}


def feed_partitions(merchant_id: str, sync_status: str) -> List[str]:
    scope = MerchantScope(merchant_id)
    return [scope.order_feed(sync_status, n) for n in range(keys.FEED_SHARDS)]


class OrderStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    # reads ------------------------------------------------------------------------------------
    def get(self, order_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.order(order_id))

    @staticmethod
    def find(merchant_ids, order_id: str, table: Optional[Table] = None) -> List[dict]:
        """The order's item under each of these merchants that has it (one batch read)."""
        return (table or Table()).batch_get([MerchantScope(m).order(order_id) for m in merchant_ids])

    def tracking(self, order_id: str) -> List[dict]:
        pk, prefix = self.scope.order_tracking(order_id)
        return self.table.query_all(pk, prefix, consistent=True)

    def many(self, order_ids) -> Dict[str, dict]:
        """{order_id: order} for those that exist, read consistently (100 a request)."""
        items = self.table.batch_get(self.scope.order(o) for o in order_ids)
        return {i["order_id"]: i for i in items if i.get("sk") == "ORDER"}

    # placement --------------------------------------------------------------------------------
    def new_order_item(self, order: dict) -> dict:
        pk, sk = self.scope.order(order["order_id"])
        deadline_iso = clock.iso(order["pay_deadline"])
        return dict(order, pk=pk, sk=sk, version=1,
                    gsi4pk=keys.unpaid_queue(keys.shard_of(order["order_id"], keys.UNPAID_SHARDS)),
                    gsi4sk=f"{deadline_iso}#{self.merchant_id}#{order['order_id']}")

    def place(self, order: dict, token_op: dict, fingerprint: str, reservations, read_token,
              checks: list = (), nonce=None) -> Optional[str]:
        """Write the order, use the token and reserve the stock, all in one transaction.

        `reservations` (a stock_buckets.Reservations, or {erp_product_id: quantity}) gives one
        operation per product: in its record, or in a bucket of a bucketed product (the order's
        lines name the bucket), also requiring the lots the order shows when it was told them.
        `checks` are more ConditionChecks (what the order was priced from,
        store/order_catalog.py) and `nonce` a store.accounts.PendingNonce written in the same
        transaction. None when placed; the first response's text when this token already placed
        this very request (a replay). InvalidCheckoutToken, IdempotencyKeyMismatch,
        InsufficientStock, NonceReused (the nonce was used: a replayed request) or StaleRecord
        (a check failed: read again) otherwise; nothing is written unless everything is. A
        refused reservation of a product that still has the units (in another bucket, in the
        pool) is placed again where they are.
        """
        if isinstance(reservations, dict):
            reservations = stock_buckets.Reservations(self.merchant_id, reservations, {}, self.table)
        ref_pk, ref_sk = keys.order_ref(order["order_id"])
        skus = list(reservations.quantities)
        ref = put_op({"pk": ref_pk, "sk": ref_sk, "order_id": order["order_id"],
                      "merchant_id": self.merchant_id, "channel_id": order["channel_id"]})
        for attempt in range(PLACE_ATTEMPTS):
            item = self.new_order_item(dict(order, lines=reservations.lines_with_buckets(order["lines"])))
            head = [token_op, put_op(item, condition="attribute_not_exists(pk)"), ref]
            if nonce is not None:
                head.append(nonce.op())
            ops = head + reservations.ops() + list(checks)
            try:
                self.table.transact(_copy_ops(ops))
                if nonce is not None:
                    nonce.committed()
                reservations.split_hot()
                return None
            except TransactionCanceled as cancelled:
                reasons = cancelled.reasons + ["None"] * (len(ops) - len(cancelled.reasons))
                olds = list(cancelled.olds) + [None] * (len(ops) - len(cancelled.olds))
                failed = [r == "ConditionalCheckFailed" for r in reasons]
                nonce_failed = nonce is not None and failed[3]
                if nonce_failed and nonce.mine(olds[3]):
                    nonce.committed()             # an earlier attempt landed, its answer was lost
                    return None
                if failed[0]:
                    if _own_order(olds[0], order["order_id"], fingerprint):
                        if nonce is not None:     # an earlier attempt landed, its answer was lost
                            nonce.committed()
                        return None
                    if nonce_failed:
                        raise nonce.refused()
                    return token_outcome(olds[0], read_token, order["channel_id"], fingerprint)
                if nonce_failed:
                    raise nonce.refused()
                refused = {skus[i]: olds[len(head) + i] for i in range(len(skus)) if failed[len(head) + i]}
                if refused:
                    short, stale = reservations.refused(refused)
                    if short:
                        raise rules.InsufficientStock(f"Not enough stock for {', '.join(short)}",
                                                      erp_product_ids=short)
                    if stale:
                        raise StaleRecord()
                    continue                    # the units are elsewhere: place it there
                if any(failed[len(head):]):
                    raise StaleRecord()
                reservations.contended([skus[i] for i in range(len(skus))
                                        if reasons[len(head) + i] == "TransactionConflict"])
                if any(r not in ("None", "TransactionConflict") for r in reasons):
                    raise Conflict(f"The order could not be written: {reasons}")
            time.sleep(0.02 * (attempt + 1) * (1 + random.random()))
        raise IdempotencyInProgress("The checkout token is being used by another request; retry")

    # payment and timeout -----------------------------------------------------------------------
    def pay_op(self, order: dict, paid_at: str, now_iso: str, carrier_code: Optional[str] = None) -> dict:
        """Paid, in the ERP feed, and at the desk in to_review with `carrier_code` (the arrival
        carrier of its province's rule, if any): one conditional write."""
        oid = order["order_id"]
        return (Update()
                .set_all({"status": rules.PAID, "paid_at": paid_at, "sync_status": "pending",
                          "feed_at": now_iso, "updated_at": now_iso})
                .set_all(feed_fields(self.merchant_id, oid, now_iso))
                .set_all(_desk().entry_fields(self.merchant_id, oid, paid_at, carrier_code))  # to_review, gsi4
                .increment("version")
                .when("#status = :pending", pending=rules.PENDING_PAYMENT)
                .op(*self.scope.order(oid)))

    def expire_ops(self, order: dict, now: float) -> Tuple[dict, list]:
        """Cancel an unpaid order past its deadline and release its reservations."""
        now_iso = clock.iso(now)
        update = (Update()
                  .set_all({"status": rules.CANCELLED, "cancel_reason": rules.PAYMENT_TIMEOUT,
                            "cancelled_at": now_iso, "updated_at": now_iso})
                  .increment("version")
                  .remove("gsi4pk", "gsi4sk")
                  .when("#status = :pending AND #pay_deadline <= :now", pending=rules.PENDING_PAYMENT,
                        now=int(now)))
        return update.op(*self.scope.order(order["order_id"])), self.release_ops(order)

    def release_ops(self, order: dict) -> list:
        """Give back what the order still holds reserved (ordered minus shipped, per product)."""
        return [stock.release_op(self.merchant_id, line["erp_product_id"], rest, line.get("stock_bucket"))
                for line in order["lines"]
                if (rest := line["quantity"] - line.get("shipped_quantity", 0)) > 0]

    # shipping ---------------------------------------------------------------------------------
    def ship_ops(self, order: dict, carrier_code: Optional[str], waybill_no: Optional[str],
                 now_iso: str, guard: Optional[str] = None, guard_values: Optional[dict] = None,
                 extra: Optional[dict] = None) -> Tuple[dict, list]:
        """Ship every remaining unit: (order update, stock consume ops).

        The update requires `SHIPPABLE` and the version read (plus the caller's `guard`, e.g. the
        desk's `print_count = :one`); `extra` are more fields to set (e.g. the desk's stage).
        """
        lines, consume = rules.ship_remaining(order["lines"])
        update = (Update()
                  .set_all({"status": rules.SHIPPED, "lines": lines, "updated_at": now_iso,
                            "shipped_at": now_iso, "carrier_code": carrier_code,
                            "waybill_no": waybill_no})
                  .set_all(_desk().stage_fields(self.merchant_id, order, "shipped"))
                  .set_all(extra or {})
                  .increment("version")
                  .when(SHIPPABLE, **SHIPPABLE_VALUES)
                  .when("#version = :version", version=order["version"]))
        if guard:
            update.when(guard, **(guard_values or {}))
        return (update.op(*self.scope.order(order["order_id"])),
                self._consume_ops(order, consume))

    def shipment_ops(self, order: dict, shipment: dict, now_iso: str) -> Tuple[dict, list, str]:
        """Add a (partial) shipment: (order update + shipment record ops, consume ops, new status)."""
        lines, consume, status = rules.apply_shipment(order["lines"], shipment["lines"])
        fields = {"status": status, "lines": lines, "updated_at": now_iso}
        if status == rules.SHIPPED:
            fields.update(_desk().stage_fields(self.merchant_id, order, "shipped"), shipped_at=now_iso)
        update = (Update().set_all(fields).increment("version")
                  .when(SHIPPABLE, **SHIPPABLE_VALUES)
                  .when("#version = :version", version=order["version"]))
        pk, sk = self.scope.order_shipment(order["order_id"], shipment["shipment_id"])
        record = put_op(dict(shipment, pk=pk, sk=sk, order_id=order["order_id"], created_at=now_iso),
                        condition="attribute_not_exists(pk)")
        return ([update.op(*self.scope.order(order["order_id"])), record],
                self._consume_ops(order, consume), status)

    def _consume_ops(self, order: dict, consume: Dict[str, int]) -> list:
        """What shipping `consume` takes off the shelf, from the buckets the lines reserved in."""
        buckets = {line["erp_product_id"]: line.get("stock_bucket") for line in order["lines"]}
        return [op for sku, qty in consume.items() for op in stock.consume_ops(self.merchant_id, sku, qty, buckets.get(sku))]

    def correct_logistics_op(self, order: dict, carrier_code: str, waybill_no: str, now_iso: str) -> dict:
        """A shipped order's carrier or waybill number corrected: nothing else changes."""
        return (Update()
                .set_all({"carrier_code": carrier_code, "waybill_no": waybill_no, "updated_at": now_iso})
                .increment("version")
                .when("#status IN (:shipped, :completed)", shipped=rules.SHIPPED, completed=rules.COMPLETED)
                .op(*self.scope.order(order["order_id"])))

    # ERP status and acknowledgement -----------------------------------------------------------
    def tracking_op(self, order_id: str, event: dict) -> dict:
        pk, sk = self.scope.order_tracking(order_id, event["at"], event["event_id"])
        return put_op(dict(event, pk=pk, sk=sk, order_id=order_id))

    def erp_status_op(self, order: dict, erp_status: str, new_status: Optional[str], now_iso: str) -> dict:
        update = Update().set("erp_status", erp_status).set("updated_at", now_iso).increment("version")
        if new_status:
            update.set("status", new_status).set("completed_at", now_iso)
        if order.get("erp_status"):
            update.when("#erp_status = :old", old=order["erp_status"])
        else:
            update.when("attribute_not_exists(#erp_status)")
        return update.when("#status = :status", status=order["status"]).op(*self.scope.order(order["order_id"]))

    def acknowledge_many(self, order_ids: List[str], now_iso: str) -> Dict[str, str]:
        """Mark paid orders synced, as few transactions as it takes (up to 100 acks each; one
        that fails its condition is left out and the rest sent again): {order_id: `synced`,
        `already_synced`, `not_paid` or `not_found`}."""
        from chalicelib.store import groups
        ids = list(dict.fromkeys(order_ids))
        writes = [groups.Group(order_id, [self._ack(order_id, now_iso).op(*self.scope.order(order_id))])
                  for order_id in ids]
        failed = groups.apply(self.table, writes)
        outcome = {order_id: "synced" for order_id in ids}
        for order_id, why in failed.items():
            old = why.old if why.reason == "ConditionalCheckFailed" else None
            if why.reason != "ConditionalCheckFailed":
                outcome[order_id] = self.acknowledge(order_id, now_iso)
            elif old is None:
                outcome[order_id] = "not_found"
            else:
                outcome[order_id] = "already_synced" if old.get("sync_status") == "synced" else "not_paid"
        return outcome

    def _ack(self, order_id: str, now_iso: str) -> Update:
        return (Update()
                .set_all({"sync_status": "synced", "synced_at": now_iso,
                          "gsi3pk": self.scope.order_feed("synced", keys.shard_of(order_id, keys.FEED_SHARDS))})
                .when("#sync_status = :pending", pending="pending"))

    def acknowledge(self, order_id: str, now_iso: str) -> str:
        """Mark a paid order synced: `synced`, `already_synced`, `not_paid` or `not_found`."""
        update = self._ack(order_id, now_iso)
        from chalicelib.store.table import ConditionFailed
        try:
            update.apply(self.table, *self.scope.order(order_id))
            return "synced"
        except ConditionFailed as failed:
            old = failed.old if failed.old is not None else self.get(order_id)
        if old is None:
            return "not_found"
        return "already_synced" if old.get("sync_status") == "synced" else "not_paid"

    # refunds ----------------------------------------------------------------------------------
    def refund_request_op(self, order: dict, refund: dict, kind: str, now_iso: str) -> dict:
        update = (Update()
                  .set_all({"open_refund_id": refund["refund_id"], "updated_at": now_iso})
                  .append("refunds", [refund])
                  .increment("version")
                  .when("attribute_not_exists(#open_refund_id)"))
        if kind == "hold":
            update.add_to_set("holds", {rules.REFUND_PENDING}).when("#status = :paid", paid=rules.PAID)
        else:
            update.when("#status IN (:a, :b, :c)", a=rules.PARTIALLY_SHIPPED, b=rules.SHIPPED,
                        c=rules.COMPLETED)
        return update.op(*self.scope.order(order["order_id"]))

    def refund_decision_op(self, order: dict, index: int, decision: str, now_iso: str) -> dict:
        """Close the open refund request; approving a hold also cancels the order (release apart)."""
        refund = order["refunds"][index]
        outcome = "approved" if decision == "approve" else "rejected"
        update = (Update()
                  .set(f"refunds[{index}].status", outcome)
                  .set(f"refunds[{index}].decided_at", now_iso)
                  .set("updated_at", now_iso)
                  .increment("version")
                  .remove("open_refund_id")
                  .when("#open_refund_id = :rid", rid=refund["refund_id"]))
        if refund["kind"] == "hold":
            update.delete_from_set("holds", {rules.REFUND_PENDING})
            if decision == "approve":
                update.set_all({"status": rules.CANCELLED, "cancel_reason": rules.REFUNDED,
                                "cancelled_at": now_iso}).remove("gsi4pk", "gsi4sk")
                update.when("#status = :paid", paid=rules.PAID)
        return update.op(*self.scope.order(order["order_id"]))

    # writing ----------------------------------------------------------------------------------
    def write(self, order_ops: list, stock_ops: list = (), other_ops: list = (), checks: list = (),
              nonce=None) -> None:
        """One transaction; a failed order condition → OrderChanged, a stock one → InsufficientStock,
        one of `checks` (ConditionChecks on records read from a warm cache) → StaleRecord, the
        request's `nonce` (store.accounts.PendingNonce, written in the same transaction) →
        NonceReused."""
        ops = list(order_ops) + list(stock_ops) + list(other_ops) + list(checks)
        if nonce is not None:
            ops.append(nonce.op())
        for attempt in range(CONFLICT_RETRIES):
            try:
                self.table.transact(_copy_ops(ops))
                if nonce is not None:
                    nonce.committed()
                return
            except TransactionCanceled as cancelled:
                reasons = cancelled.reasons + ["None"] * (len(ops) - len(cancelled.reasons))
                if nonce is not None and reasons[-1] == "ConditionalCheckFailed":
                    if nonce.mine(cancelled.olds[-1] if len(cancelled.olds) == len(ops) else None):
                        nonce.committed()         # an earlier attempt landed, its answer was lost
                        return
                    raise nonce.refused()
                if any(r == "ConditionalCheckFailed" for r in reasons[:len(order_ops)]):
                    raise OrderChanged()
                first_check = len(ops) - len(checks) - (nonce is not None)
                if any(r == "ConditionalCheckFailed" for r in reasons[first_check:first_check + len(checks)]):
                    raise StaleRecord()
                first_stock = len(order_ops)
                short = [i for i, r in enumerate(reasons[first_stock:first_stock + len(stock_ops)])
                         if r == "ConditionalCheckFailed"]
                if short:
                    raise rules.InsufficientStock("Not enough stock to do this")
                if "ConditionalCheckFailed" in reasons:
                    raise Conflict(f"The change could not be written: {reasons}")
            time.sleep(0.02 * (attempt + 1))
        raise OrderChanged()


def _desk():
    """store/desk.py, imported when an order reaches the desk (placement never needs it)."""
    from chalicelib.store import desk
    return desk


def _copy_ops(ops: list) -> list:
    """Table.transact stamps TableName into the operations; give it fresh dicts each attempt."""
    return [{kind: dict(body) for kind, body in op.items()} for op in ops]


def _own_order(token: Optional[dict], order_id: str, fingerprint: str) -> bool:
    """The token was used by this very placement (a retry after its answer was lost)."""
    return bool(token) and token.get("state") == USED and token.get("order_id") == order_id \
        and token.get("fingerprint") == fingerprint


def token_outcome(old: Optional[dict], read_token, channel_id: str, fingerprint: str) -> str:
    token = old if old and old.get("state") else read_token()
    if not token or token.get("state") != USED or token.get("channel_id") != channel_id:
        raise InvalidCheckoutToken()
    if token.get("fingerprint") != fingerprint:
        raise IdempotencyKeyMismatch()
    return token["response"]
