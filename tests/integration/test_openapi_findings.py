"""What checking every answer against the OpenAPI document found, each kept as a test of its own.

(The checks themselves run on every answer of the suite, tests/conformance.py, and with
generated requests in test_openapi_conformance.py; these tests name the cases they found.)
"""
from tests.helpers import assert_problem, new_merchant
from tests.integration.desk_support import Desk
from tests.orders_support import paid_order, seed_product, shop


def test_reprinting_a_cancelled_order_is_a_documented_409(stack):
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    d = Desk(stack)
    order_id = d.printed(1)[0]
    Table().update(*MerchantScope(d.mid).order(order_id), "SET #status = :c",
                   values={":c": "cancelled"}, names={"#status": "status"})
    authorized = {"reason": "卡纸", "supervisor": {"username": d.supervisor.username, "password": "password-1"}}
    assert_problem(d.operator.post(f"/v1/desk/orders/{order_id}/reprints", authorized), 409, "cancelled")


def test_an_open_refund_shows_every_field_of_its_shape(stack):
    s = shop(stack)
    seed_product(s, "F-1")
    order_id = paid_order(s, [("F-1", 1)])["order_id"]
    assert s.channel.post(f"/v1/orders/{order_id}/refund-requests", {"reason": "买错了"}).status_code == 201
    refund = s.merchant.get(f"/v1/orders/{order_id}").json()["refunds"][0]
    assert refund["lines"] is None and refund["decided_at"] is None and refund["status"] == "pending"


def test_refused_customer_items_carry_the_match_fields_like_the_others(stack):
    m = new_merchant(stack)
    answer = m.client.put("/v1/customers", {"items": [
        {"erp_customer_code": "C-1", "name": "ok"}, {"erp_customer_code": "C-2"},
        {"erp_customer_code": "C-1", "name": "twice"}]})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [("ok", None), ("error", "validation_error"),
                                                           ("error", "duplicate_key")]
    assert all(r["match"] in (None, "unmatched") and "platform_customer_id" in r for r in results)


def test_a_batch_item_whose_key_is_not_a_string_or_number_answers_a_null_key(stack):
    """schemathesis sent {"erp_product_id": false}; the result echoed `false` as its key, which
    the document (string, integer or null) does not allow."""
    m = new_merchant(stack)
    answer = m.client.put("/v1/prices", {"items": [{"erp_product_id": False}, {"erp_product_id": True},
                                                   {"erp_product_id": ["x"]}]})
    assert answer.status_code == 200, answer.text
    assert [(r["key"], r["status"], r["code"]) for r in answer.json()["results"]] == [
        (None, "error", "validation_error")] * 3


def test_the_served_document_is_the_generated_one(stack):
    from chalicelib.api.openapi import document
    from tests.helpers import anonymous
    served = anonymous(stack).get("/v1/openapi.json")
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("application/json")
    assert served.json() == document()
