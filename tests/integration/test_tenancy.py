"""Guarantee 9: no caller reaches another merchant's records; a foreign id answers 404."""
from tests.helpers import assert_problem
from tests.orders_support import paid_order, seed_product, shop


def test_a_merchant_sees_none_of_another_merchants_products_or_orders(stack):
    a, b = shop(stack), shop(stack)
    put = a.merchant.put("/v1/products", {"items": [{"erp_product_id": "SECRET-1", "name": "阿莫西林胶囊",
                                                      "default_price": "9.90"}]})
    assert put.status_code == 200 and put.json()["results"][0]["status"] == "ok", put.text
    seed_product(a.merchant_id, "A", on_hand=5)
    order = paid_order(a, [("A", 1)])

    assert a.merchant.get("/v1/products/SECRET-1").status_code == 200
    assert_problem(b.merchant.get("/v1/products/SECRET-1"), 404, "not_found")
    assert "SECRET-1" not in {p["erp_product_id"] for p in b.merchant.get("/v1/products").json()["items"]}

    assert a.merchant.get(f"/v1/orders/{order['order_id']}").status_code == 200
    assert_problem(b.merchant.get(f"/v1/orders/{order['order_id']}"), 404, "not_found")
    assert_problem(b.merchant.get(f"/v1/orders/{order['order_id']}/tracking"), 404, "not_found")
    assert_problem(b.merchant.post(f"/v1/orders/{order['order_id']}/logistics",
                                   {"carrier_code": "SF", "waybill_no": "SF10001"}), 404, "not_found")
    assert order["order_id"] not in {o["order_id"] for o in b.merchant.get("/v1/orders").json()["items"]}
    # acknowledging another merchant's order does nothing to it
    b.merchant.post("/v1/orders/sync-acks", {"order_ids": [order["order_id"]]})
    assert a.merchant.get(f"/v1/orders/{order['order_id']}").json()["sync_status"] == "pending"


def test_a_channel_reaches_only_the_merchants_it_sells_for(stack):
    a, b = shop(stack), shop(stack)
    seed_product(a.merchant_id, "A", on_hand=5)
    order = paid_order(a, [("A", 1)])
    assert_problem(b.channel.post(f"/v1/orders/{order['order_id']}/refund-requests", {"reason": "x"}),
                   404, "not_found")
    assert_problem(b.channel.post("/v1/checkout-tokens", {"merchant_id": a.merchant_id}), 404, "not_found")
