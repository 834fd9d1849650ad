"""A hot product's stock in buckets, through HTTP on the live stack: orders reserve in buckets
and release and ship from the bucket they reserved in; buyers racing for the units get each unit
once; the ERP lowering stock under a sale never lets a bucket hand out units the shelf no longer
has; the figures shown are the product's whole stock. (Guarantee 2, on the bucketed design.)"""

import pytest

from chalicelib.store.keys import MerchantScope
from chalicelib.store.stock_buckets import BUCKETS, Buckets
from chalicelib.store.table import Table
from tests.orders_support import order_body, pay, place, race, seed_product, shop, stock, token


def split(s, erp_id: str) -> None:
    """The product found hot (as SPLIT_PACE reservations within a second find it)."""
    assert Buckets(s.merchant_id, erp_id).split()


def buckets(s, erp_id: str) -> list:
    scope = MerchantScope(s.merchant_id)
    return Table().batch_get(scope.stock_bucket(erp_id, n) for n in range(BUCKETS))


def record(s, erp_id: str) -> dict:
    return Table().get(*MerchantScope(s.merchant_id).stock(erp_id))


def assert_consistent(s, erp_id: str, reserved_units: int) -> None:
    """Units only moved: the record's pool and the buckets' free are what is not reserved, and
    nothing is below zero."""
    main, parts = record(s, erp_id), buckets(s, erp_id)
    assert all(b["free"] >= 0 and b["reserved"] >= 0 for b in parts), parts
    in_buckets = sum(b["free"] + b["reserved"] for b in parts)
    direct = main["reserved"] - in_buckets
    assert direct >= 0, (main, parts)
    assert direct + sum(b["reserved"] for b in parts) == reserved_units
    assert main["free"] == main["on_hand"] - main["reserved"]


def clients(stack, s, count):
    from chalicelib.sdk import Client
    return [Client(stack.api_url, s.channel.auth) for _ in range(count)]


def post(client, path, body, **kw):
    from tests.contract.test_order_races import post as retrying
    return retrying(client, path, body, **kw)


def test_orders_reserve_release_and_ship_through_the_buckets(stack):
    s = shop(stack)
    seed_product(s, "HOT", on_hand=500)
    split(s, "HOT")
    placed = [place(s, [("HOT", 3)]) for _ in range(4)]
    assert stock(s, "HOT") == {"on_hand": 500, "reserved": 12, "free": 488}
    assert sum(b["reserved"] for b in buckets(s, "HOT")) == 12        # reserved in buckets, not the record
    cancelled, shipped = placed[0]["order_id"], placed[1]["order_id"]
    pay(s, cancelled)
    assert s.channel.post(f"/v1/orders/{cancelled}/refund-requests", {"reason": "不要了"}).status_code == 201
    assert s.merchant.post(f"/v1/orders/{cancelled}/refund-decision", {"decision": "approve"}).status_code == 200
    pay(s, shipped)
    answer = s.merchant.post(f"/v1/orders/{shipped}/logistics", {"carrier_code": "SF", "waybill_no": "SF990001"})
    assert answer.status_code == 200, answer.text
    assert stock(s, "HOT") == {"on_hand": 497, "reserved": 6, "free": 491}
    assert_consistent(s, "HOT", 6)
    view = s.merchant.get("/v1/inventory/HOT").json()
    assert (view["on_hand"], view["reserved"], view["available"], view["oversold"]) == (497, 6, 491, 0)


def test_forty_buyers_racing_for_twenty_five_bucketed_units_get_each_unit_once(stack):
    s = shop(stack)
    seed_product(s, "SALE", on_hand=200)
    split(s, "SALE")
    for _ in range(35):                                  # the sale so far: units now spread over buckets
        place(s, [("SALE", 5)])
    assert stock(s, "SALE")["free"] == 25
    keys = [token(s) for _ in range(40)]
    racers = clients(stack, s, 40)
    answers = race(40, lambda i: post(racers[i], "/v1/orders", order_body(s.merchant_id, [("SALE", 1)]),
                                      headers={"Idempotency-Key": keys[i]}))
    codes = [a.status_code if not isinstance(a, Exception) else repr(a) for a in answers]
    assert codes.count(201) == 25, codes
    assert all(a.json()["code"] == "insufficient_stock" for a in answers if a.status_code == 409), codes
    assert stock(s, "SALE") == {"on_hand": 200, "reserved": 200, "free": 0}
    assert_consistent(s, "SALE", 200)


def test_the_erp_lowering_stock_during_a_sale_never_lets_a_bucket_oversell(stack):
    s = shop(stack)
    seed_product(s, "DROP", on_hand=300)
    split(s, "DROP")
    for _ in range(20):                                  # buckets refilled from the pool
        place(s, [("DROP", 1)])
    held = sum(b["free"] for b in buckets(s, "DROP"))
    assert held > 0
    keys = [token(s) for _ in range(24)]
    racers = clients(stack, s, 24)

    def attempt(i):
        if i == 0:
            return s.merchant.put("/v1/inventory", {"items": [{"erp_product_id": "DROP", "on_hand": 30}]})
        return post(racers[i], "/v1/orders", order_body(s.merchant_id, [("DROP", 1)]),
                    headers={"Idempotency-Key": keys[i]})

    answers = race(24, attempt)
    assert answers[0].status_code == 200 and answers[0].json()["results"][0]["status"] == "ok", answers[0].text
    placed = 20 + sum(1 for a in answers[1:] if a.status_code == 201)
    assert all(a.status_code in (201, 409) for a in answers[1:]), [a.text for a in answers[1:]]
    after = stock(s, "DROP")
    assert after["on_hand"] == 30 and after["reserved"] == placed
    assert after["free"] == 30 - placed                  # oversold shows, never hidden in a bucket
    if placed >= 30:
        assert all(b["free"] == 0 for b in buckets(s, "DROP"))
    assert_consistent(s, "DROP", placed)
    more = s.channel.post("/v1/orders", order_body(s.merchant_id, [("DROP", 1)]),
                          headers={"Idempotency-Key": token(s)})
    assert more.status_code == (201 if placed < 30 else 409), more.text


def test_a_hot_product_splits_itself(stack, monkeypatch):
    """SPLIT_PACE reservations within one second on one record split the product's stock."""
    from chalicelib.domain import clock
    from chalicelib.store import stock_buckets
    s = shop(stack)
    seed_product(s, "FAST", on_hand=1000)
    second = int(clock.now()) + 1.5
    monkeypatch.setattr(clock, "now", lambda: second)     # the placements of one second
    for _ in range(stock_buckets.SPLIT_PACE):
        place(s, [("FAST", 1)])
    assert record(s, "FAST").get("buckets") == BUCKETS
    monkeypatch.undo()
    place(s, [("FAST", 2)])
    assert stock(s, "FAST") == {"on_hand": 1000, "reserved": stock_buckets.SPLIT_PACE + 2,
                                "free": 1000 - stock_buckets.SPLIT_PACE - 2}
    assert sum(b["reserved"] for b in buckets(s, "FAST")) == 2


@pytest.mark.parametrize("quantity,winners", [(1, 5), (2, 2)])
def test_the_last_units_spread_over_buckets_are_sold_exactly(stack, quantity, winners):
    s = shop(stack)
    seed_product(s, "TAIL", on_hand=5)
    split(s, "TAIL")
    moves = Buckets(s.merchant_id, "TAIL")
    for n in range(5):                                   # one unit in each of five buckets, none in the pool
        assert moves.refill(n, 1)
    assert record(s, "TAIL")["free"] == 0
    keys = [token(s) for _ in range(12)]
    racers = clients(stack, s, 12)
    answers = race(12, lambda i: post(racers[i], "/v1/orders", order_body(s.merchant_id, [("TAIL", quantity)]),
                                      headers={"Idempotency-Key": keys[i]}))
    assert sorted(a.status_code for a in answers) == [201] * winners + [409] * (12 - winners)
    assert all(a.json()["code"] == "insufficient_stock" for a in answers if a.status_code == 409)
    assert stock(s, "TAIL") == {"on_hand": 5, "reserved": quantity * winners, "free": 5 - quantity * winners}
    assert_consistent(s, "TAIL", quantity * winners)
