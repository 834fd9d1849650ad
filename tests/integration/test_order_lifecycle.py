"""After placement, through HTTP: payment, refunds, logistics, shipments, ERP statuses, tracking."""
from tests.helpers import assert_problem
from tests.orders_support import paid_order, pay, place, seed_product, shop, stock


def _setup(stack, on_hand=10):
    s = shop(stack)
    seed_product(s, "A", "5.00", on_hand)
    seed_product(s, "B", "2.00", on_hand)
    return s


def _get(s, order_id):
    answer = s.merchant.get(f"/v1/orders/{order_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_payment_makes_the_order_paid_once(stack):
    s = _setup(stack)
    order = place(s, [("A", 1)])
    assert_problem(s.merchant.get(f"/v1/orders/{order['order_id']}"), 404, "not_found")  # not offered yet
    paid = pay(s, order["order_id"])
    assert (paid["status"], paid["paid_at"], paid["sync_status"]) == ("paid", "2026-03-01T02:00:00.000Z", "pending")
    again = pay(s, order["order_id"])
    assert again["status"] == "paid" and again["paid_at"] == paid["paid_at"]
    body = _get(s, order["order_id"])
    assert body["status"] == "paid" and body["erp_customer_code"] is None
    assert stock(s, "A")["reserved"] == 1


def test_the_buyer_code_is_read_when_the_order_is_read(stack):
    s = _setup(stack)
    buyer = "pc-" + s.merchant_id
    assert s.channel.put(f"/v1/buyers/{buyer}", {"name": "仁和药房"}).status_code in (200, 201)
    order = paid_order(s, [("A", 1)], buyer=buyer)
    assert _get(s, order["order_id"])["erp_customer_code"] is None
    answer = s.merchant.put(f"/v1/customers/by-platform-id/{buyer}", {"erp_customer_code": "KH-0077"})
    assert answer.status_code in (200, 201), answer.text
    assert _get(s, order["order_id"])["erp_customer_code"] == "KH-0077"


def test_refund_before_shipping_holds_then_approval_cancels_and_releases(stack):
    s = _setup(stack)
    order = paid_order(s, [("A", 3)])
    oid = order["order_id"]
    asked = s.channel.post(f"/v1/orders/{oid}/refund-requests", {"reason": "买错了"})
    assert asked.status_code == 201, asked.text
    assert (asked.json()["kind"], asked.json()["holds"]) == ("hold", ["refund_pending"])
    assert_problem(s.channel.post(f"/v1/orders/{oid}/refund-requests", {"reason": "again"}), 409,
                   "refund_already_requested")
    assert _get(s, oid)["holds"] == ["refund_pending"]
    assert_problem(s.merchant.post(f"/v1/orders/{oid}/logistics", {"carrier_code": "SF", "waybill_no": "SF1001"}),
                   409, "refund_pending")
    assert_problem(s.merchant.post(f"/v1/orders/{oid}/shipments", {"lines": [{"erp_product_id": "A", "quantity": 1}]}),
                   409, "refund_pending")
    decided = s.merchant.post(f"/v1/orders/{oid}/refund-decision", {"decision": "approve"})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["status"], body["cancel_reason"], body["holds"]) == ("cancelled", "refunded", [])
    assert body["refunds"][0]["status"] == "approved"
    assert stock(s, "A") == {"on_hand": 10, "reserved": 0, "free": 10}
    assert_problem(s.merchant.post(f"/v1/orders/{oid}/refund-decision", {"decision": "approve"}), 409,
                   "no_refund_pending")


def test_rejecting_a_refund_lifts_the_hold_and_the_order_ships(stack):
    s = _setup(stack)
    oid = paid_order(s, [("A", 2)])["order_id"]
    s.channel.post(f"/v1/orders/{oid}/refund-requests", {"reason": "不想要了", "lines": [{"erp_product_id": "A", "quantity": 1}]})
    rejected = s.merchant.post(f"/v1/orders/{oid}/refund-decision", {"decision": "reject"})
    assert rejected.status_code == 200 and rejected.json()["holds"] == [] and rejected.json()["status"] == "paid"
    shipped = s.merchant.post(f"/v1/orders/{oid}/logistics", {"carrier_code": "sf", "waybill_no": "SF1002"})
    assert shipped.status_code == 200, shipped.text
    body = shipped.json()
    assert (body["status"], body["carrier_code"], body["waybill_no"]) == ("shipped", "SF", "SF1002")
    assert body["lines"][0]["shipped_quantity"] == 2
    assert stock(s, "A") == {"on_hand": 8, "reserved": 0, "free": 8}
    # after shipping a refund request is an after-sale record, and the order is not held
    after = s.channel.post(f"/v1/orders/{oid}/refund-requests", {"reason": "破损"})
    assert after.status_code == 201 and after.json()["kind"] == "after_sale" and after.json()["holds"] == []
    assert s.merchant.post(f"/v1/orders/{oid}/refund-decision", {"decision": "approve"}).json()["status"] == "shipped"
    # a corrected waybill changes nothing else
    fixed = s.merchant.post(f"/v1/orders/{oid}/logistics", {"carrier_code": "ZTO", "waybill_no": "ZT2002"})
    assert fixed.status_code == 200 and fixed.json()["waybill_no"] == "ZT2002"
    assert stock(s, "A")["on_hand"] == 8


def test_logistics_needs_a_known_carrier_and_a_paid_order(stack):
    s = _setup(stack)
    unpaid = place(s, [("A", 1)])["order_id"]
    oid = paid_order(s, [("A", 1)])["order_id"]
    assert_problem(s.merchant.post(f"/v1/orders/{oid}/logistics", {"carrier_code": "NOPE", "waybill_no": "X12345"}),
                   422, "unknown_carrier")
    assert_problem(s.merchant.post(f"/v1/orders/{unpaid}/logistics", {"carrier_code": "SF", "waybill_no": "X12345"}),
                   409, "order_not_paid")
    assert_problem(s.merchant.post("/v1/orders/o_missing/logistics", {"carrier_code": "SF", "waybill_no": "X12345"}),
                   404, "not_found")


def test_partial_shipments_add_up_with_lots_and_over_shipment_is_refused(stack):
    s = _setup(stack)
    oid = paid_order(s, [("A", 3), ("B", 1)])["order_id"]
    first = s.merchant.post(f"/v1/orders/{oid}/shipments", {"lines": [
        {"erp_product_id": "A", "quantity": 2, "lot_no": "L1", "production_date": "2025-01-01",
         "expiry_date": "2027-01-01"}]})
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "partially_shipped"
    assert stock(s, "A") == {"on_hand": 8, "reserved": 1, "free": 7}
    assert_problem(s.merchant.post(f"/v1/orders/{oid}/shipments", {"lines": [{"erp_product_id": "A", "quantity": 2}]}),
                   422, "over_shipment")
    assert_problem(s.merchant.post(f"/v1/orders/{oid}/shipments", {"lines": [{"erp_product_id": "Z", "quantity": 1}]}),
                   422, "over_shipment")
    rest = s.merchant.post(f"/v1/orders/{oid}/shipments", {"lines": [
        {"erp_product_id": "A", "quantity": 1, "lot_no": "L2"}, {"erp_product_id": "B", "quantity": 1}]})
    assert rest.status_code == 201 and rest.json()["status"] == "shipped"
    lines = {l["erp_product_id"]: l for l in _get(s, oid)["lines"]}
    assert lines["A"]["shipped_quantity"] == 3 and [l["lot_no"] for l in lines["A"]["shipped_lots"]] == ["L1", "L2"]
    assert lines["A"]["shipped_lots"][0]["expiry_date"] == "2027-01-01"
    # a lot sent without dates still has every field of its shape (found by the OpenAPI conformance check)
    assert lines["A"]["shipped_lots"][1] == {"lot_no": "L2", "quantity": 1, "production_date": None,
                                             "expiry_date": None}
    assert stock(s, "A") == {"on_hand": 7, "reserved": 0, "free": 7}
    assert stock(s, "B") == {"on_hand": 9, "reserved": 0, "free": 9}


def test_erp_statuses_become_tracking_and_never_move_back(stack):
    s = _setup(stack)
    oid = paid_order(s, [("A", 1)])["order_id"]
    post = lambda status, at: s.merchant.post(f"/v1/orders/{oid}/erp-status", {"status": status, "at": at})  # noqa: E731
    assert post("picking", "2026-03-01T10:00:00+08:00").status_code == 201
    assert_problem(post("signed", "2026-03-01T11:00:00+08:00"), 409, "order_not_shipped")
    s.merchant.post(f"/v1/orders/{oid}/logistics", {"carrier_code": "SF", "waybill_no": "SF3003"})
    assert post("delivering", "2026-03-02T09:00:00+08:00").json()["moved"] is True
    late = post("submitted", "2026-03-01T09:00:00+08:00").json()
    assert late["moved"] is False and late["order_status"] == "shipped"
    signed = post("signed", "2026-03-02T15:00:00+08:00").json()
    assert signed["order_status"] == "completed"
    assert _get(s, oid)["status"] == "completed"
    tracking = s.merchant.get(f"/v1/orders/{oid}/tracking").json()["items"]
    assert [t["status"] for t in tracking] == ["submitted", "picking", "delivering", "signed"]
    assert tracking[1] == {"status": "picking", "text": "订单已处理,商家拣货中", "at": "2026-03-01T02:00:00.000Z"}
    assert s.channel.get(f"/v1/orders/{oid}/tracking").json()["items"] == tracking
    assert_problem(shop(stack).channel.get(f"/v1/orders/{oid}/tracking"), 404, "not_found")


def test_auto_listing_follows_what_orders_reserve_and_release(stack):
    s = _setup(stack, on_hand=2)
    assert s.merchant.put("/v1/settings/listing", {"auto_list_when_stocked": True}).status_code == 200
    oid = paid_order(s, [("A", 2)])["order_id"]
    assert s.merchant.get("/v1/products/A").json()["listing"] == "unlisted"  # nothing left to sell
    s.channel.post(f"/v1/orders/{oid}/refund-requests", {"reason": "取消"})
    s.merchant.post(f"/v1/orders/{oid}/refund-decision", {"decision": "approve"})
    assert s.merchant.get("/v1/products/A").json()["listing"] == "listed"
