"""Inventory over HTTP (contract section 5) and a product's lots (section 4)."""
import threading

import pytest

from tests.catalog_support import product, put_products
from tests.helpers import assert_problem, new_merchant

MANUAL = {"X-Onceship-Source": "manual"}


@pytest.fixture(scope="module")
def merchant(stack):
    return new_merchant(stack)


def put(merchant, *items, headers=None):
    answer = merchant.client.put("/v1/inventory", {"items": list(items)}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def stock(merchant, erp_id):
    answer = merchant.client.get(f"/v1/inventory/{erp_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_absolute_set_and_read_back(merchant):
    results = put(merchant, {"erp_product_id": "SET-1", "on_hand": 7}, {"erp_product_id": "SET-2", "on_hand": 0})
    assert [r["status"] for r in results] == ["ok", "ok"]
    assert results[0] == {"key": "SET-1", "status": "ok", "code": None, "detail": None,
                          "on_hand": 7, "reserved": 0, "available": 7, "oversold": 0}
    body = stock(merchant, "SET-1")
    assert body["on_hand"] == 7 and body["available"] == 7 and body["source"] == "erp"
    assert body["updated_at"].endswith("Z") and body["lots"] == []


def test_compare_on_hand_fails_per_item(merchant):
    put(merchant, {"erp_product_id": "CAS-1", "on_hand": 5})
    results = put(merchant, {"erp_product_id": "CAS-1", "on_hand": 9, "compare_on_hand": 4},
                  {"erp_product_id": "CAS-2", "on_hand": 2, "compare_on_hand": 0})
    assert (results[0]["status"], results[0]["code"], results[0]["on_hand"]) == ("error", "compare_failed", 5)
    assert results[1]["status"] == "ok"
    assert put(merchant, {"erp_product_id": "CAS-1", "on_hand": 9, "compare_on_hand": 5})[0]["status"] == "ok"
    assert stock(merchant, "CAS-1")["on_hand"] == 9


def test_bad_items_fail_alone_and_bad_envelopes_fail_whole(merchant):
    results = put(merchant, {"erp_product_id": "BAD-1", "on_hand": -1}, {"erp_product_id": "BAD-2", "on_hand": 1},
                  {"erp_product_id": "BAD-2", "on_hand": 2}, {"erp_product_id": "BAD-3", "on_hand": 1, "typo": 1},
                  {"erp_product_id": "BAD-4", "on_hand": "5"}, {"erp_product_id": "BAD-5", "on_hand": 1.5})
    assert [(r["status"], r["code"]) for r in results] == [
        ("error", "validation_error"), ("ok", None), ("error", "duplicate_key"), ("error", "validation_error"),
        ("error", "validation_error"), ("error", "validation_error")]
    assert_problem(merchant.client.put("/v1/inventory", {"items": []}), 422, "validation_error")
    too_many = [{"erp_product_id": f"X{i}", "on_hand": 1} for i in range(101)]
    assert_problem(merchant.client.put("/v1/inventory", {"items": too_many}), 422, "validation_error")


def test_adjustments_never_take_stock_below_zero(merchant):
    put(merchant, {"erp_product_id": "ADJ-1", "on_hand": 3})
    answer = merchant.client.post("/v1/inventory/adjustments", {"items": [
        {"erp_product_id": "ADJ-1", "delta": -5, "reason": "breakage"},
        {"erp_product_id": "ADJ-2", "delta": 4, "reason": "delivery"},
        {"erp_product_id": "ADJ-3", "delta": -1, "reason": "count"}]}, headers=MANUAL)
    results = answer.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("error", "insufficient_stock"), ("ok", None), ("error", "insufficient_stock")]
    assert results[0]["on_hand"] == 3 and results[1]["on_hand"] == 4
    assert stock(merchant, "ADJ-1")["on_hand"] == 3
    assert stock(merchant, "ADJ-2")["source"] == "manual"


def test_adjustments_replay_with_the_same_idempotency_key(merchant):
    body = {"items": [{"erp_product_id": "IDEM-1", "delta": 2, "reason": "delivery"}]}
    first = merchant.client.post("/v1/inventory/adjustments", body, headers={"Idempotency-Key": "adj-1"})
    again = merchant.client.post("/v1/inventory/adjustments", body, headers={"Idempotency-Key": "adj-1"})
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    assert stock(merchant, "IDEM-1")["on_hand"] == 2


def test_concurrent_adjustments_over_http_stop_at_zero(merchant):
    put(merchant, {"erp_product_id": "RACE-1", "on_hand": 6})
    statuses, barrier = [], threading.Barrier(12)

    def take():
        barrier.wait()
        answer = merchant.client.post("/v1/inventory/adjustments", {"items": [
            {"erp_product_id": "RACE-1", "delta": -1, "reason": "sold"}]})
        statuses.append(answer.json()["results"][0]["status"])

    threads = [threading.Thread(target=take) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count("ok") == 6 and statuses.count("error") == 6
    assert stock(merchant, "RACE-1")["on_hand"] == 0


def test_unknown_product_is_404_and_other_merchants_see_nothing(stack, merchant):
    assert_problem(merchant.client.get("/v1/inventory/NOPE"), 404, "not_found")
    put(merchant, {"erp_product_id": "MINE", "on_hand": 1})
    other = new_merchant(stack)
    assert_problem(other.client.get("/v1/inventory/MINE"), 404, "not_found")


def test_lots_replace_and_set_on_hand_to_their_sum(merchant):
    lots = [{"lot_no": "L2", "production_date": "2026-02-01", "expiry_date": "2028-02-01", "quantity": 4},
            {"lot_no": "L1", "production_date": "2026-01-01", "expiry_date": "2028-01-01", "quantity": 3},
            {"lot_no": "L0", "production_date": "2025-01-01", "expiry_date": "2027-01-01", "quantity": 0}]
    put_products(merchant, [product("LOT-1")])
    answer = merchant.client.put("/v1/products/LOT-1/lots", {"lots": lots})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "ok" and body["on_hand"] == 7
    assert [lot["lot_no"] for lot in body["lots"]] == ["L1", "L2"]
    assert stock(merchant, "LOT-1")["lots"] == body["lots"]
    again = merchant.client.put("/v1/products/LOT-1/lots", {"lots": lots[:1]}).json()
    assert again["on_hand"] == 4 and [lot["lot_no"] for lot in again["lots"]] == ["L2"]


def test_lots_expiring_before_production_are_refused(merchant):
    bad = [{"lot_no": "L1", "production_date": "2026-01-01", "expiry_date": "2028-01-01", "quantity": 1},
           {"lot_no": "L2", "production_date": "2026-01-01", "expiry_date": "2025-12-31", "quantity": 1}]
    body = assert_problem(merchant.client.put("/v1/products/LOT-2/lots", {"lots": bad}), 422, "validation_error")
    assert body["errors"][0]["field"] == "lots[1].expiry_date"
    assert_problem(merchant.client.get("/v1/inventory/LOT-2"), 404, "not_found")


def test_openapi_documents_the_inventory_endpoints(stack):
    from tests.helpers import anonymous
    document = anonymous(stack).get("/v1/openapi.json").json()
    for path in ("/v1/inventory", "/v1/inventory/adjustments", "/v1/inventory/{erp_product_id}",
                 "/v1/products/{erp_product_id}/lots", "/v1/erp-connection", "/v1/erp-connection/status"):
        assert path in document["paths"], path
    item = document["paths"]["/v1/inventory"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert "compare_on_hand" in str(document["components"]["schemas"]) or "compare_on_hand" in str(item)


def test_stock_turning_positive_lists_and_zero_delists_with_auto_listing(stack, merchant):
    from tests.helpers import admin
    assert admin(stack).put("/v1/admin/base-products/BASE-INV-1", {"name": "阿莫西林胶囊"}).status_code == 200
    made = merchant.client.put("/v1/products", {"items": [{"erp_product_id": "AUTO-1", "name": "阿莫西林胶囊",
                                                           "base_product_id": "BASE-INV-1", "default_price": "9.90"}]})
    assert made.json()["results"][0]["match"] == "matched", made.text
    assert merchant.client.put("/v1/settings/listing", {"auto_list_when_stocked": True}).status_code == 200
    put(merchant, {"erp_product_id": "AUTO-1", "on_hand": 3})
    assert merchant.client.get("/v1/products/AUTO-1").json()["listing"] == "listed"
    merchant.client.post("/v1/inventory/adjustments", {"items": [{"erp_product_id": "AUTO-1", "delta": -3,
                                                                  "reason": "sold out"}]})
    assert merchant.client.get("/v1/products/AUTO-1").json()["listing"] == "unlisted"
