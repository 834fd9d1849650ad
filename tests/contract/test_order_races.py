"""Guarantees 1 and 2 under real concurrency, through HTTP on the live stack: one order per
checkout token; the last units sold once; payment against the unpaid timeout."""
import time

from chalicelib.sdk import Client
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table
from tests.orders_support import order_body, place, race, seed_product, shop, stock, token


def post(client, path, body, **kw):
    """POST, retrying a connection the local server reset before answering (its listen backlog is
    small): a client resends with the same checkout token, which is the point of the token."""
    import requests
    for attempt in range(5):
        try:
            return client.post(path, body, **kw)
        except requests.ConnectionError:
            time.sleep(0.2 * (attempt + 1))
    return client.post(path, body, **kw)


def _clients(stack, s, count):
    return [Client(stack.api_url, s.channel.auth) for _ in range(count)]


def _orders_of(merchant_id):
    from chalicelib.store.keys import MerchantScope
    prefix = MerchantScope(merchant_id).pk("O", "")
    items = Table().client.scan(TableName=Table().name, FilterExpression="begins_with(pk, :p) AND sk = :o",
                                ExpressionAttributeValues={":p": {"S": prefix}, ":o": {"S": "ORDER"}})
    return items["Items"]


def test_thirty_submissions_of_one_token_make_one_order(stack):
    s = shop(stack)
    seed_product(s, "A", on_hand=100)
    key = token(s)
    body = order_body(s.merchant_id, [("A", 2)], buyer="b-race")
    clients = _clients(stack, s, 30)
    answers = race(30, lambda i: post(clients[i], "/v1/orders", body, headers={"Idempotency-Key": key}))
    statuses = [a.status_code for a in answers]
    assert all(code in (201, 409) for code in statuses), statuses
    ids = {a.json()["order_id"] for a in answers if a.status_code == 201}
    assert len(ids) == 1
    assert sum(1 for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers) == 1
    assert len(_orders_of(s.merchant_id)) == 1
    assert stock(s, "A") == {"on_hand": 100, "reserved": 2, "free": 98}
    # whoever got 409 idempotency_in_progress gets the same order when retrying
    again = clients[0].post("/v1/orders", body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["order_id"] in ids


def test_twenty_buyers_race_for_the_last_five_units(stack):
    s = shop(stack)
    seed_product(s, "LAST", on_hand=5)
    clients = _clients(stack, s, 20)
    keys = [token(s) for _ in range(20)]
    answers = race(20, lambda i: post(clients[i], "/v1/orders", order_body(s.merchant_id, [("LAST", 1)]),
                                      headers={"Idempotency-Key": keys[i]}))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 5, statuses
    assert all(a.json()["code"] == "insufficient_stock" for a in answers if a.status_code == 409)
    assert stock(s, "LAST") == {"on_hand": 5, "reserved": 5, "free": 0}
    assert len(_orders_of(s.merchant_id)) == 5


def _expire(merchant_id, order_id):
    """Move an order's payment deadline into the past, as if 30 minutes went by."""
    table = Table()
    pk, sk = MerchantScope(merchant_id).order(order_id)
    item = table.get(pk, sk)
    past = int(time.time()) - 5
    from chalicelib.domain import clock
    table.update(pk, sk, "SET pay_deadline = :d, gsi4sk = :s", values={
        ":d": past, ":s": f"{clock.iso(past)}#{merchant_id}#{order_id}"})
    return item


def test_payment_and_the_unpaid_timeout_never_both_win(stack):
    s = shop(stack)
    seed_product(s, "A", on_hand=100)
    orders = [place(s, [("A", 2)]) for _ in range(12)]
    for order in orders:
        _expire(s.merchant_id, order["order_id"])
    clients = _clients(stack, s, 12)

    def attempt(i):
        if i == 12:
            return stack.pump.run_schedule("SchedulerTick")
        if i == 13:
            return stack.pump.run_schedule("SchedulerTick")  # an overlapping run of the schedule
        return post(clients[i], f"/v1/orders/{orders[i]['order_id']}/payment", {"paid_at": "2026-03-01T10:00:00Z"})

    answers = race(14, attempt)
    paid = 0
    for i, order in enumerate(orders):
        after = Table().get(*MerchantScope(s.merchant_id).order(order["order_id"]))
        answer = answers[i]
        if after["status"] == "paid":
            paid += 1
            assert answer.status_code == 200, answer.text
        else:
            assert (after["status"], after["cancel_reason"]) == ("cancelled", "payment_timeout")
            assert answer.status_code == 409 and answer.json()["code"] == "order_cancelled", answer.text
    cancelled = answers[12]["payment_timeouts"] + answers[13]["payment_timeouts"]
    assert cancelled == 12 - paid
    assert stock(s, "A") == {"on_hand": 100, "reserved": 2 * paid, "free": 100 - 2 * paid}
    # a later run finds nothing more to do
    assert stack.pump.run_schedule("SchedulerTick")["payment_timeouts"] == 0


def test_a_refund_hold_and_shipping_never_both_happen(stack):
    from tests.orders_support import paid_order
    s = shop(stack)
    seed_product(s, "A", on_hand=100)
    orders = [paid_order(s, [("A", 1)])["order_id"] for _ in range(8)]
    channels = _clients(stack, s, 8)
    merchants = [Client(stack.api_url, s.merchant.auth) for _ in range(8)]

    def attempt(i):
        oid = orders[i // 2]
        if i % 2:
            return post(channels[i // 2], f"/v1/orders/{oid}/refund-requests", {"reason": "不要了"})
        return post(merchants[i // 2], f"/v1/orders/{oid}/logistics", {"carrier_code": "SF", "waybill_no": f"SF{i:06d}"})

    answers = race(16, attempt)
    shipped = 0
    for n, oid in enumerate(orders):
        ship, refund = answers[2 * n], answers[2 * n + 1]
        after = Table().get(*MerchantScope(s.merchant_id).order(oid))
        assert refund.status_code == 201, refund.text
        if after["status"] == "shipped":
            shipped += 1
            assert ship.status_code == 200 and refund.json()["kind"] == "after_sale"
            assert not after.get("holds")
        else:
            assert after["status"] == "paid" and after["holds"] == {"refund_pending"}
            assert ship.status_code == 409 and ship.json()["code"] == "refund_pending", ship.text
            assert refund.json()["kind"] == "hold"
    assert stock(s, "A") == {"on_hand": 100 - shipped, "reserved": 8 - shipped, "free": 92}
