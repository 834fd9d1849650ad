"""Placement on the warm path (docs/orders.md, issue 14), through HTTP on the live local stack.

The API server runs in this process, so its warm cache (store/catalog_cache.py) is the one these
tests read: each price test first shows that the cache still holds the old record when the next
order comes, so the new price can only come from the order's own transaction failing its check
on that record and the placement reading again. The nonce tests send the very same signed bytes
twice: the replay must be refused and change nothing, whether the first request placed an order
or failed.
"""
import copy
import threading
import time
import uuid

from chalicelib.sdk import Client
from chalicelib.store import catalog_cache
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table
from tests.helpers import assert_problem
from tests.orders_support import order_body, place, seed_product, shop, stock, token


def _cached(merchant_id: str, key: tuple) -> dict:
    found, item = catalog_cache.get(key)
    assert found, "the warm process should hold this record"
    return item or {}


def _ok(answer):
    assert answer.status_code == 200, answer.text
    for result in answer.json().get("results", []):
        assert result["status"] == "ok", result
    return answer.json()


def test_a_price_changed_after_a_warm_order_is_the_price_of_the_next_order(stack):
    s = shop(stack)
    seed_product(s, "A", "10.00", 50)
    assert place(s, [("A", 1)])["lines"][0]["unit_price"] == "10.00"
    _ok(s.merchant.put("/v1/prices", {"items": [{"erp_product_id": "A", "default_price": "12.00"}]}))
    assert _cached(s.merchant_id, MerchantScope(s.merchant_id).product("A"))["default_price"] == "10.00"
    order = place(s, [("A", 2)])
    assert [(l["unit_price"], l["amount"]) for l in order["lines"]] == [("12.00", "24.00")]
    assert order["amounts"]["total"] == "24.00"
    assert stock(s, "A")["reserved"] == 3
    assert _cached(s.merchant_id, MerchantScope(s.merchant_id).product("A"))["default_price"] == "12.00"


def test_a_product_delisted_after_a_warm_order_is_refused(stack):
    s = shop(stack)
    seed_product(s, "A", "10.00", 50)
    place(s, [("A", 1)])
    _ok(s.merchant.post("/v1/listings", {"action": "delist", "erp_product_ids": ["A"]}))
    assert _cached(s.merchant_id, MerchantScope(s.merchant_id).product("A"))["listing"] == "listed"
    answer = s.channel.post("/v1/orders", order_body(s.merchant_id, [("A", 1)]), headers={"Idempotency-Key": token(s)})
    assert_problem(answer, 422, "product_not_listed")
    assert stock(s, "A")["reserved"] == 1


def test_a_buyer_joining_a_customer_group_gets_its_price_on_the_next_warm_order(stack):
    s = shop(stack)
    seed_product(s, "A", "10.00", 50)
    _ok(s.merchant.put("/v1/customer-groups/vip", {"name": "VIP", "platform_customer_ids": ["someone-else"]}))
    _ok(s.merchant.put("/v1/prices", {"items": [{"erp_product_id": "A", "customer_level_prices": [
        {"customer_group_id": "vip", "price": "8.00"}]}]}))
    first = place(s, [("A", 1)], buyer="b-join")
    assert first["lines"][0]["unit_price"] == "10.00"
    # only the buyer's link changes: the product record the warm process holds is still current
    _ok(s.merchant.put("/v1/customer-groups/vip", {"name": "VIP", "platform_customer_ids": ["someone-else", "b-join"]}))
    assert "groups" not in _cached(s.merchant_id, MerchantScope(s.merchant_id).buyer_link("b-join"))
    again = place(s, [("A", 1)], buyer="b-join")
    assert again["lines"][0]["unit_price"] == "8.00"


def test_a_region_group_gaining_the_province_prices_the_next_warm_order(stack):
    s = shop(stack)
    seed_product(s, "A", "10.00", 50)
    _ok(s.merchant.put("/v1/region-groups/south", {"name": "South", "provinces": ["广西"]}))
    _ok(s.merchant.put("/v1/prices", {"items": [{"erp_product_id": "A", "region_prices": [
        {"region_group_id": "south", "price": "9.00"}]}]}))
    assert place(s, [("A", 1)])["lines"][0]["unit_price"] == "10.00"              # 广东省 is not in it
    _ok(s.merchant.put("/v1/region-groups/south", {"name": "South", "provinces": ["广西", "广东"]}))
    groups = _cached(s.merchant_id, MerchantScope(s.merchant_id).region_groups())["groups"]
    assert [g["provinces"] for g in groups] == [["广西"]]
    assert place(s, [("A", 1)])["lines"][0]["unit_price"] == "9.00"


def test_new_lots_after_a_warm_order_are_the_lots_the_next_order_shows(stack):
    s = shop(stack)
    seed_product(s, "A", "10.00", lots=[{"lot_no": "OLD", "production_date": "2025-01-01",
                                          "expiry_date": "2026-06-01", "quantity": 20}])
    assert place(s, [("A", 1)])["lines"][0]["lot"]["lot_no"] == "OLD"
    _ok(s.merchant.put("/v1/products/A/lots", {"lots": [{"lot_no": "NEW", "production_date": "2025-06-01",
                                                         "expiry_date": "2027-06-01", "quantity": 20}]}))
    assert place(s, [("A", 1)])["lines"][0]["lot"]["lot_no"] == "NEW"


def test_a_replayed_signed_placement_is_refused_and_changes_nothing(stack):
    s = shop(stack)
    seed_product(s, "A", "10.00", 50)
    key, nonce, stamp = token(s), uuid.uuid4().hex, int(time.time())
    body = order_body(s.merchant_id, [("A", 2)])
    first = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": key}, nonce=nonce, timestamp=stamp)
    assert first.status_code == 201, first.text
    replay = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": key}, nonce=nonce, timestamp=stamp)
    assert_problem(replay, 401, "nonce_reused")
    # with a fresh nonce the client's own retry still gets its order back
    again = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stock(s, "A")["reserved"] == 2


def test_a_replay_of_a_failed_placement_stays_refused_once_it_could_succeed(stack):
    s = shop(stack)
    seed_product(s, "A", "10.00", 1)
    key, nonce, stamp = token(s), uuid.uuid4().hex, int(time.time())
    body = order_body(s.merchant_id, [("A", 2)])
    first = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": key}, nonce=nonce, timestamp=stamp)
    assert_problem(first, 409, "insufficient_stock")
    _ok(s.merchant.put("/v1/inventory", {"items": [{"erp_product_id": "A", "on_hand": 10}]}))
    replay = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": key}, nonce=nonce, timestamp=stamp)
    assert_problem(replay, 401, "nonce_reused")
    assert stock(s, "A") == {"on_hand": 10, "reserved": 0, "free": 10}
    # the token was never used: a properly signed request places the order
    placed = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": key})
    assert placed.status_code == 201, placed.text


def test_concurrent_replays_of_one_signed_placement_make_one_order(stack):
    s = shop(stack)
    seed_product(s, "A", "10.00", 50)
    place(s, [("A", 1)])                                           # the process is warm
    key, nonce, stamp = token(s), uuid.uuid4().hex, int(time.time())
    body = order_body(s.merchant_id, [("A", 3)])
    clients = [Client(stack.api_url, s.channel.auth) for _ in range(8)]
    barrier, answers = threading.Barrier(8), [None] * 8

    def send(i):
        barrier.wait()
        answers[i] = clients[i].post("/v1/orders", body, headers={"Idempotency-Key": key}, nonce=nonce,
                                     timestamp=stamp)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [401] * 7, [a.text for a in answers]
    assert all(a.json()["code"] == "nonce_reused" for a in answers if a.status_code == 401)
    assert stock(s, "A")["reserved"] == 4


def test_an_order_whose_answer_was_lost_is_still_answered_as_placed(stack, monkeypatch):
    """The transaction commits, its answer is lost and the SDK sends it again: the retry fails
    on the token and the nonce the first attempt wrote. The placement recognises its own order
    (the token names it) and answers 201 with it, not a replay and not nonce_reused."""
    s = shop(stack)
    seed_product(s, "A", "10.00", 50)
    real = Table._transact
    lost = []

    def answer_lost(self, operations):
        placing = any("Put" in op and op["Put"]["Item"]["sk"] == {"S": "ORDER"} for op in operations)
        if placing and not lost:
            lost.append(True)
            real(self, copy.deepcopy(operations))       # it lands ...
        return real(self, operations)                    # ... and the retry is what the caller sees

    monkeypatch.setattr(Table, "_transact", answer_lost)
    answer = s.channel.post("/v1/orders", order_body(s.merchant_id, [("A", 2)]),
                            headers={"Idempotency-Key": token(s)})
    assert lost and answer.status_code == 201, answer.text
    assert "Idempotent-Replayed" not in answer.headers
    assert stock(s, "A")["reserved"] == 2


def test_order_changes_in_a_warm_process_follow_the_endpoint_the_carrier_rules_and_the_buyer_code(stack):
    """Payment takes the endpoint's subscriptions, the carrier rules and the buyer's customer
    code from the warm cache, checked in its transaction: changing any of them applies to the
    very next payment."""
    from tests.orders_support import paid_order
    from tests.webhook_receiver import WebhookReceiver
    s = shop(stack)
    seed_product(s, "A", "10.00", 50)
    receiver = WebhookReceiver()
    try:
        _ok(s.merchant.put("/v1/webhook-endpoint", {"url": receiver.url, "events": ["order.shipped"]}))
        _ok(s.merchant.put("/v1/desk/carrier-rules", {"rules": [{"provinces": ["广东"], "carrier_code": "zto"}]}))
        buyer = "b-code-" + uuid.uuid4().hex[:6]
        assert s.channel.put(f"/v1/buyers/{buyer}", {"name": "散客"}).status_code == 200
        first = paid_order(s, [("A", 1)], buyer)                     # the process holds all three now
        scope = MerchantScope(s.merchant_id)
        assert _cached(s.merchant_id, scope.webhook_endpoint())["events"] == ["order.shipped"]
        _ok(s.merchant.put("/v1/webhook-endpoint", {"url": receiver.url, "events": ["order.paid"]}))
        _ok(s.merchant.put("/v1/desk/carrier-rules", {"rules": [{"provinces": ["广东"], "carrier_code": "sf"}]}))
        _ok(s.merchant.put(f"/v1/customers/by-platform-id/{buyer}", {"erp_customer_code": "WALK-9"}))
        second = paid_order(s, [("A", 1)], buyer)
        carriers = [s.merchant.get(f"/v1/desk/orders/{o['order_id']}").json()["carrier_code"] for o in (first, second)]
        assert carriers == ["ZTO", "SF"]
        deadline = time.monotonic() + 20
        while not receiver.calls and time.monotonic() < deadline:
            stack.pump.drain(timeout=5)
            time.sleep(0.2)
        events = receiver.events
        assert [(e["type"], e["data"]["order_id"], e["data"]["erp_customer_code"]) for e in events] == [
            ("order.paid", second["order_id"], "WALK-9")]
    finally:
        receiver.close()
