"""Placement through HTTP: tokens, one order per token, prices, stock, errors (contract section 7)."""
import uuid

from tests.helpers import assert_problem, new_channel, new_merchant
from tests.orders_support import order_body, place, seed_product, shop, stock, token


def test_an_order_reserves_stock_and_prices_come_from_the_catalog(stack):
    s = shop(stack)
    seed_product(s, "A", "12.50", 10, lots=[{"lot_no": "L7", "production_date": "2025-01-01",
                                                        "expiry_date": "2027-01-01", "quantity": 10}])
    seed_product(s, "B", "3.00", 5)
    body = order_body(s.merchant_id, [("A", 2), ("B", 1), ("A", 1)])
    body["remark"] = "请尽快发货"
    body["invoice"] = {"kind": "special", "title": "仁和药房", "tax_id": "91350100M000100Y43"}
    answer = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": token(s)})
    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert order["status"] == "pending_payment" and order["holds"] == [] and order["sync_status"] is None
    assert [(l["erp_product_id"], l["quantity"], l["unit_price"], l["amount"]) for l in order["lines"]] == \
        [("A", 3, "12.50", "37.50"), ("B", 1, "3.00", "3.00")]
    assert order["lines"][0]["lot"]["lot_no"] == "L7" and order["lines"][1]["lot"] is None
    assert order["amounts"] == {"goods": "40.50", "freight": "0.00", "discount": "0.00", "total": "40.50"}
    assert order["invoice"]["title"] == "仁和药房" and order["remark"] == "请尽快发货"
    assert stock(s, "A") == {"on_hand": 10, "reserved": 3, "free": 7}
    assert stock(s, "B") == {"on_hand": 5, "reserved": 1, "free": 4}
    assert "Idempotent-Replayed" not in answer.headers


def test_the_same_token_replays_the_first_order_and_a_different_body_is_a_mismatch(stack):
    s = shop(stack)
    seed_product(s, "A", on_hand=10)
    key = token(s)
    body = order_body(s.merchant_id, [("A", 1)])
    first = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": key})
    again = s.channel.post("/v1/orders", body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert stock(s, "A")["reserved"] == 1
    other = dict(body, lines=[{"erp_product_id": "A", "quantity": 2}])
    assert_problem(s.channel.post("/v1/orders", other, headers={"Idempotency-Key": key}), 422,
                   "idempotency_key_mismatch")


def test_tokens_are_required_issued_and_bound_to_their_merchant_and_channel(stack):
    s = shop(stack)
    seed_product(s, "A")
    body = order_body(s.merchant_id, [("A", 1)])
    assert_problem(s.channel.post("/v1/orders", body), 422, "idempotency_key_required")
    assert_problem(s.channel.post("/v1/orders", body, headers={"Idempotency-Key": "ct_never-issued"}), 422,
                   "invalid_checkout_token")
    other = new_merchant(stack)
    both = new_channel(stack, [s.merchant_id, other.merchant_id])
    foreign = both.post("/v1/checkout-tokens", {"merchant_id": other.merchant_id}).json()["token"]
    assert_problem(both.post("/v1/orders", body, headers={"Idempotency-Key": foreign}), 422,
                   "invalid_checkout_token")
    # a token issued to this channel cannot be used by another channel of the same merchant
    assert_problem(both.post("/v1/orders", body, headers={"Idempotency-Key": token(s)}), 422,
                   "invalid_checkout_token")
    # a merchant the channel does not sell for does not exist for it
    assert_problem(s.channel.post("/v1/checkout-tokens", {"merchant_id": other.merchant_id}), 404, "not_found")
    assert_problem(s.channel.post("/v1/orders", order_body(other.merchant_id, [("A", 1)]),
                                  headers={"Idempotency-Key": foreign}), 404, "not_found")
    # only channels place orders
    assert_problem(s.merchant.post("/v1/checkout-tokens", {"merchant_id": s.merchant_id}), 403, "forbidden")


def test_not_enough_stock_writes_nothing_and_leaves_the_token_usable(stack):
    s = shop(stack)
    seed_product(s, "A", on_hand=2)
    seed_product(s, "B", on_hand=5)
    key = token(s)
    short = s.channel.post("/v1/orders", order_body(s.merchant_id, [("B", 1), ("A", 3)]),
                           headers={"Idempotency-Key": key})
    body = assert_problem(short, 409, "insufficient_stock")
    assert body["erp_product_ids"] == ["A"]
    assert stock(s, "A")["reserved"] == 0 and stock(s, "B")["reserved"] == 0
    fits = s.channel.post("/v1/orders", order_body(s.merchant_id, [("B", 1), ("A", 2)]),
                          headers={"Idempotency-Key": key})
    assert fits.status_code == 201, fits.text


def test_unknown_and_unlisted_products_are_refused(stack):
    s = shop(stack)
    seed_product(s, "A")
    seed_product(s, "H", listed=False)
    for lines, code in (([("A", 1), ("Z", 1)], "unknown_product"), ([("H", 1)], "product_not_listed")):
        answer = s.channel.post("/v1/orders", order_body(s.merchant_id, lines),
                                headers={"Idempotency-Key": token(s)})
        assert_problem(answer, 422, code)


def test_validation_errors_name_the_field(stack):
    s = shop(stack)
    body = order_body(s.merchant_id, [("A", 0)])
    body["surprise"] = 1
    problem = assert_problem(s.channel.post("/v1/orders", body, headers={"Idempotency-Key": token(s)}),
                             422, "validation_error")
    fields = {e["field"] for e in problem["errors"]}
    assert "lines[0].quantity" in fields and "surprise" in fields


def test_placed_orders_exist_once_and_belong_to_their_channel(stack):
    s = shop(stack)
    seed_product(s, "A")
    order = place(s, [("A", 1)])
    stranger = shop(stack)
    assert_problem(stranger.channel.post(f"/v1/orders/{order['order_id']}/payment",
                                         {"paid_at": "2026-03-01T10:00:00Z"}), 404, "not_found")
    assert_problem(s.channel.post(f"/v1/orders/o_{uuid.uuid4().hex}/payment",
                                  {"paid_at": "2026-03-01T10:00:00Z"}), 404, "not_found")
