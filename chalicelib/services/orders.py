"""The order after placement: payment, the unpaid timeout, refund requests and decisions, and the
one way every order change is committed (`commit`: the change, its stock operations and its
webhook outbox items in one transaction, then the delivery hint).

Payment is one transaction: the order paid, in the ERP feed and at the desk in `to_review` with
its province's carrier (the desk's carrier rules, read just before), and its webhook outbox items.
Payment and the timeout both need `status = pending_payment` on the order item, so when they
meet exactly one wins: the timeout's transaction also releases the reservations, so they are
released once or not at all. A payment that loses answers 409 `order_cancelled`; a timeout that
loses does nothing.

Refunds (the minimal flow a merchant needs):
- the channel asks (`POST /v1/orders/{id}/refund-requests`): before anything shipped the order
  gets the hold `refund_pending` (no print, no shipment: shipping requires no hold, the hold
  requires `status = paid`); once something shipped it is an after-sale request, recorded on the
  order with no hold. One request is open at a time; every request stays in `refunds`.
- the merchant decides (`POST /v1/orders/{id}/refund-decision`): approving a hold cancels the
  order (`refunded`) and releases its stock; rejecting lifts the hold; for an after-sale request
  the decision is recorded (returns and money are handled outside this API).
"""
from typing import List, Optional

from chalicelib import observability as obs
from chalicelib.domain import clock
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import Conflict, NotFound, UnprocessableRequest
from chalicelib.domain.ids import sortable_id
from chalicelib.services import webhooks
from chalicelib.store import checked
from chalicelib.store.orders import OrderChanged, OrderStore, StaleRecord, due_unpaid, order_ref

RETRIES = 3


# finding and showing ----------------------------------------------------------------------------
def locate(channel_id: str, merchant_ids, order_id: str) -> str:
    """The merchant of an order the calling channel placed; others' orders do not exist."""
    ref = order_ref(order_id)
    if not ref or ref["channel_id"] != channel_id or ref["merchant_id"] not in merchant_ids:
        raise NotFound("No such order")
    return ref["merchant_id"]


def locate_order(channel_id: str, merchant_ids, order_id: str) -> tuple:
    """(merchant id, the order) of an order the calling channel placed, in one read: the order's
    item under each merchant the channel sells for (one batch read), or, for a channel of more
    than 100 merchants, through the order reference. Others' orders do not exist."""
    if len(merchant_ids) > 100:
        merchant_id = locate(channel_id, merchant_ids, order_id)
        return merchant_id, load(OrderStore(merchant_id), order_id)
    for order in OrderStore.find(merchant_ids, order_id):
        if order.get("channel_id") == channel_id and order.get("merchant_id") in merchant_ids:
            return order["merchant_id"], order
    raise NotFound("No such order")


def load(store: OrderStore, order_id: str) -> dict:
    order = store.get(order_id)
    if order is None:
        raise NotFound("No such order")
    return order


def merchant_view(merchant_id: str, order: dict) -> dict:
    """The body the merchant sees, with its own code for the buyer as known right now."""
    from chalicelib.services.customers import erp_customer_code
    return rules.body(order, erp_customer_code(merchant_id, order["buyer"]["platform_customer_id"]))


def channel_view(order: dict) -> dict:
    return rules.body(order, None)


# committing a change ----------------------------------------------------------------------------
def commit(store: OrderStore, order_ops: list, stock_ops: list = (), event_types: List[str] = (),
           after: Optional[dict] = None, more_ops: list = (), nonce=None, checks: list = ()) -> None:
    """One transaction: the order change, its stock operations and (for the event types the
    merchant subscribes to) the outbox items carrying `after`; then hint the deliveries.

    The endpoint's subscriptions and the buyer's customer code (in the event's data) come from
    the warm cache when it has them, checked in the same transaction (store/checked.py): if
    either changed, it is read again and the transaction built again. `nonce`: the request's
    store.accounts.PendingNonce, written in the same transaction. `checks`: the caller's own
    checks on what it read from a warm cache; if one fails, StaleRecord is raised for the caller
    to build the change again."""
    scope = store.scope
    caller_checks = list(checks)
    for use_cache in (True, False):
        outbox, event_ids, checks = [], [], []
        if event_types:
            endpoint, checks = checked.read(scope.webhook_endpoint(), ("events",), use_cache, store.table,
                                            replicated=True)
            wanted = [t for t in event_types if endpoint and t in endpoint.get("events", [])]
            if wanted:
                buyer = after["buyer"]["platform_customer_id"]
                link, link_checks = checked.read(scope.buyer_link(buyer), ("erp_customer_code",), use_cache,
                                                 store.table)
                checks += link_checks
                data = rules.body(after, (link or {}).get("erp_customer_code"))
                outbox, event_ids = webhooks.event_ops(store.merchant_id, [(t, data) for t in wanted], endpoint)
        try:
            store.write(order_ops, stock_ops, list(more_ops) + outbox, checks=caller_checks + checks, nonce=nonce)
        except StaleRecord:
            checked.forget(scope.webhook_endpoint())
            if after:
                checked.forget(scope.buyer_link(after["buyer"]["platform_customer_id"]))
            if caller_checks:
                raise
            continue
        webhooks.hint(store.merchant_id, event_ids)
        return
    raise Conflict("The merchant's webhook settings changed during the write; retry", code="conflict")


def stock_changed(merchant_id: str, erp_product_ids) -> None:
    """After reserving or releasing: the catalog's auto-list rule, when the merchant has it on
    (best effort — the order change is committed; the next stock change runs the rule again)."""
    try:
        if not _auto_listing(merchant_id):
            return
        from chalicelib.services.listing import on_stocks_changed
        on_stocks_changed(merchant_id, list(erp_product_ids))
    except Exception:
        obs.logger().exception("listing rule after an order's stock change failed")


def _auto_listing(merchant_id: str) -> bool:
    from chalicelib.store.order_catalog import auto_listing_on
    return auto_listing_on(merchant_id)


# payment and timeout ----------------------------------------------------------------------------
def pay(channel_id: str, merchant_ids, order_id: str, paid_at: str, nonce=None) -> dict:
    """`nonce`: the signed request's store.accounts.PendingNonce, written with the payment."""
    merchant_id, order = locate_order(channel_id, merchant_ids, order_id)
    store = OrderStore(merchant_id)
    for use_cache in (True, False):
        if order["status"] != rules.PENDING_PAYMENT:
            break
        from chalicelib.services.desk import arrival_carrier_checked
        now_iso = clock.now_iso()
        carrier, checks = arrival_carrier_checked(merchant_id, order.get("delivery"), use_cache)
        after = dict(order, status=rules.PAID, paid_at=paid_at, sync_status="pending",
                     updated_at=now_iso, stage="to_review", desk_carrier=carrier)
        try:
            commit(store, [store.pay_op(order, paid_at, now_iso, carrier)], (), ["order.paid"], after,
                   nonce=nonce, checks=checks)
            return channel_view(after)
        except StaleRecord:           # the carrier rules changed since this process read them
            from chalicelib.store.desk_settings import DeskSettingsStore
            DeskSettingsStore(merchant_id).forget_carrier_rules()
        except OrderChanged:
            order = load(store, order_id)
            break
    if order["status"] == rules.CANCELLED and order.get("cancel_reason") == rules.PAYMENT_TIMEOUT:
        raise rules.cancelled()
    if order["status"] == rules.PENDING_PAYMENT:
        raise Conflict("The order changed while paying; retry", code="conflict")
    return channel_view(order)  # paid before: paying again changes nothing


def expire_unpaid(limit: int = 500) -> int:
    """Cancel unpaid orders past their deadline, releasing their stock; how many were cancelled."""
    now = clock.now()
    cancelled = 0
    for ref in due_unpaid(clock.iso(now), limit):
        store = OrderStore(ref["merchant_id"])
        order = store.get(ref["order_id"])
        if not order or order["status"] != rules.PENDING_PAYMENT or order["pay_deadline"] > now:
            continue
        update, releases = store.expire_ops(order, now)
        try:
            store.write([update], releases)
            cancelled += 1
            stock_changed(ref["merchant_id"], [line["erp_product_id"] for line in order["lines"]])
        except OrderChanged:
            continue  # paid (or cancelled by an overlapping run) in the meantime
        except Exception:
            obs.logger().exception("payment timeout failed", extra=ref)
    return cancelled


# refunds ----------------------------------------------------------------------------------------
def request_refund(channel_id: str, merchant_ids, order_id: str, reason: str,
                   lines: Optional[list]) -> dict:
    merchant_id, order = locate_order(channel_id, merchant_ids, order_id)
    store = OrderStore(merchant_id)
    for attempt in range(RETRIES):
        order = order if attempt == 0 else load(store, order_id)
        kind = rules.refund_kind(order)
        _check_refund_lines(order, lines)
        now_iso = clock.now_iso()
        refund = {"refund_id": sortable_id("rf_"), "kind": kind, "reason": reason,
                  "lines": lines or None, "status": "pending", "requested_at": now_iso}
        after = dict(order, open_refund_id=refund["refund_id"], updated_at=now_iso,
                     refunds=list(order.get("refunds") or []) + [refund])
        if kind == "hold":
            after["holds"] = set(order.get("holds") or ()) | {rules.REFUND_PENDING}
        try:
            commit(store, [store.refund_request_op(order, refund, kind, now_iso)], (),
                   ["order.refund_requested"], after)
        except OrderChanged:
            continue  # shipped or another request meanwhile: decide again
        return dict(refund, order_id=order_id, order_status=after["status"],
                    holds=sorted(after.get("holds") or []))
    raise Conflict("The order keeps changing; retry", code="conflict")


def _check_refund_lines(order: dict, lines: Optional[list]) -> None:
    ordered = {line["erp_product_id"]: line["quantity"] for line in order["lines"]}
    for index, line in enumerate(lines or []):
        if line["quantity"] > ordered.get(line["erp_product_id"], 0):
            raise UnprocessableRequest("validation_error", "A refund line is not in the order",
                                       errors=[{"field": f"lines[{index}]",
                                                "message": "more than ordered, or not in the order"}])


def decide_refund(merchant_id: str, order_id: str, decision: str) -> dict:
    store = OrderStore(merchant_id)
    for _ in range(RETRIES):
        order = load(store, order_id)
        index, refund = rules.open_refund(order)
        now_iso = clock.now_iso()
        refunds = [dict(r) for r in order["refunds"]]
        refunds[index].update(status="approved" if decision == "approve" else "rejected", decided_at=now_iso)
        after = dict(order, refunds=refunds, updated_at=now_iso, open_refund_id=None)
        releases, events = [], []
        if refund["kind"] == "hold":
            after["holds"] = set(order.get("holds") or ()) - {rules.REFUND_PENDING}
            if decision == "approve":
                after.update(status=rules.CANCELLED, cancel_reason=rules.REFUNDED, cancelled_at=now_iso)
                releases, events = store.release_ops(order), ["order.cancelled"]
        try:
            commit(store, [store.refund_decision_op(order, index, decision, now_iso)], releases, events, after)
        except OrderChanged:
            continue
        if releases:
            stock_changed(merchant_id, [line["erp_product_id"] for line in order["lines"]])
        return merchant_view(merchant_id, after)
    raise Conflict("The order keeps changing; retry", code="conflict")
