"""The order store's named writes on both engines (moto in memory and the local server): the
conditions behind guarantees 1, 2 and 4 and the webhook claim, where they really run."""
import json

import pytest

from chalicelib.domain import clock
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import IdempotencyKeyMismatch
from chalicelib.store.checkout import CheckoutTokenStore
from chalicelib.store.keys import MerchantScope
from chalicelib.store.orders import InvalidCheckoutToken, OrderChanged, OrderStore
from chalicelib.store.webhooks import WebhookStore

MID = "m_contract"


def _stock(table, erp_id, on_hand):
    pk, sk = MerchantScope(MID).stock(erp_id)
    table.put({"pk": pk, "sk": sk, "on_hand": on_hand, "reserved": 0, "free": on_hand})


def _free(table, erp_id):
    return table.get(*MerchantScope(MID).stock(erp_id))["free"]


def _order(order_id, quantity=2, channel="ch_1"):
    now = clock.now()
    lines = rules.priced_lines({"A": quantity}, {"A": ("1.00", "default", {})}, {})
    return {"order_id": order_id, "merchant_id": MID, "channel_id": channel, "token": "t",
            "status": rules.PENDING_PAYMENT, "created_at": clock.iso(now), "updated_at": clock.iso(now),
            "pay_deadline": int(now) - 1, "buyer": {"platform_customer_id": "b", "name": "n"},
            "delivery": {}, "amounts": rules.amounts(lines), "lines": lines, "refunds": []}


def _place(table, order_id, token, quantity=2, fingerprint="fp", channel="ch_1"):
    tokens = CheckoutTokenStore(MID, table)
    order = _order(order_id, quantity, channel)
    use = tokens.use_op(token, channel, order_id, fingerprint, json.dumps({"order_id": order_id}))
    return OrderStore(MID, table).place(order, use, fingerprint, {"A": quantity}, lambda: tokens.get(token))


def test_a_token_places_one_order_and_then_only_replays(table):
    _stock(table, "A", 5)
    tokens = CheckoutTokenStore(MID, table)
    tokens.issue("t1", "ch_1")
    assert _place(table, "o1", "t1") is None
    assert json.loads(_place(table, "o2", "t1")) == {"order_id": "o1"}
    with pytest.raises(IdempotencyKeyMismatch):
        _place(table, "o3", "t1", fingerprint="other")
    with pytest.raises(InvalidCheckoutToken):
        _place(table, "o4", "t1", channel="ch_2")
    with pytest.raises(InvalidCheckoutToken):
        _place(table, "o5", "never-issued")
    assert OrderStore(MID, table).get("o2") is None and _free(table, "A") == 3
    assert "ttl" not in tokens.get("t1")  # a used token is kept for good


def test_short_stock_writes_nothing(table):
    _stock(table, "A", 1)
    CheckoutTokenStore(MID, table).issue("t2", "ch_1")
    with pytest.raises(rules.InsufficientStock):
        _place(table, "o6", "t2", quantity=2)
    assert OrderStore(MID, table).get("o6") is None and _free(table, "A") == 1
    assert CheckoutTokenStore(MID, table).get("t2")["state"] == "issued"


def test_payment_and_timeout_exclude_each_other(table):
    _stock(table, "A", 10)
    store = OrderStore(MID, table)
    for token, oid in (("t3", "o7"), ("t4", "o8")):
        CheckoutTokenStore(MID, table).issue(token, "ch_1")
        _place(table, oid, token)
    paid, expired = store.get("o7"), store.get("o8")
    store.write([store.pay_op(paid, "2026-01-01T00:00:00.000Z", clock.now_iso())])
    with pytest.raises(OrderChanged):
        update, releases = store.expire_ops(paid, clock.now())
        store.write([update], releases)
    update, releases = store.expire_ops(expired, clock.now())
    store.write([update], releases)
    with pytest.raises(OrderChanged):
        store.write([store.pay_op(expired, "2026-01-01T00:00:00.000Z", clock.now_iso())])
    assert _free(table, "A") == 8  # o7 still reserved, o8 released once
    assert (store.get("o8")["status"], store.get("o8")["cancel_reason"]) == ("cancelled", "payment_timeout")


def test_a_hold_and_a_shipment_exclude_each_other(table):
    _stock(table, "A", 10)
    store = OrderStore(MID, table)
    CheckoutTokenStore(MID, table).issue("t5", "ch_1")
    _place(table, "o9", "t5")
    store.write([store.pay_op(store.get("o9"), "2026-01-01T00:00:00.000Z", clock.now_iso())])
    order = store.get("o9")
    refund = {"refund_id": "r1", "kind": "hold", "reason": "x", "status": "pending"}
    store.write([store.refund_request_op(order, refund, "hold", clock.now_iso())])
    update, consume = store.ship_ops(order, "SF", "SF1", clock.now_iso())
    with pytest.raises(OrderChanged):  # shipping needs no hold (and the version read)
        store.write([update], consume)
    held = store.get("o9")
    assert held["holds"] == {"refund_pending"}
    store.write([store.refund_decision_op(held, 0, "reject", clock.now_iso())])
    lifted = store.get("o9")
    assert "holds" not in lifted and lifted["refunds"][0]["status"] == "rejected"
    update, consume = store.ship_ops(lifted, "SF", "SF1", clock.now_iso())
    store.write([update], consume)
    with pytest.raises(OrderChanged):  # and a hold needs an unshipped order
        store.write([store.refund_request_op(lifted, dict(refund, refund_id="r2"), "hold", clock.now_iso())])
    assert store.get("o9")["status"] == "shipped"
    assert table.get(*MerchantScope(MID).stock("A"))["on_hand"] == 8


def test_acknowledging_marks_paid_orders_only(table):
    _stock(table, "A", 10)
    store = OrderStore(MID, table)
    for token, oid in (("t6", "o10"), ("t7", "o11")):
        CheckoutTokenStore(MID, table).issue(token, "ch_1")
        _place(table, oid, token)
    store.write([store.pay_op(store.get("o10"), "2026-01-01T00:00:00.000Z", clock.now_iso())])
    assert store.acknowledge("o10", clock.now_iso()) == "synced"
    assert store.acknowledge("o10", clock.now_iso()) == "already_synced"
    assert store.acknowledge("o11", clock.now_iso()) == "not_paid"
    assert store.acknowledge("nope", clock.now_iso()) == "not_found"


def test_a_due_webhook_attempt_is_claimed_once(table):
    store = WebhookStore(MID, table)
    now = clock.now()
    table.transact([store.outbox_op("evt_1", "order.paid", "{}", now)])
    item = store.get("evt_1")
    first, second = store.claim(item, now), store.claim(item, now)
    assert first is not None and second is None and first["attempts"] == 1
    stale = dict(first, attempts=0)
    assert not store.finish(stale, 500, None, False, now + 5)  # only the claimant records
    assert store.finish(first, 500, None, False, now + 5)
    failed = store.get("evt_1")
    assert (failed["status"], failed["gave_up"], failed["next_attempt_at"]) == ("failed", False, clock.iso(now + 5))
    again = store.claim(failed, now + 5)
    assert store.finish(again, 200, None, True, None)
    done = store.get("evt_1")
    assert done["status"] == "succeeded" and "next_attempt_at" not in done and "gsi3pk" not in done
