"""PUT /v1/prices, region and customer groups, GET /v1/products/{id}/price, resolve_prices."""
import pytest

from tests.catalog_support import calls_of_request, dynamodb_calls, product, put_products
from tests.helpers import assert_problem, new_merchant


@pytest.fixture(scope="module")
def shop(stack):
    merchant = new_merchant(stack)
    put_products(merchant, [product(f"P{i}", default_price="12.50") for i in range(1, 9)])
    put = merchant.client.put
    assert put("/v1/region-groups/south", {"name": "华南", "provinces": ["广东省", "广西壮族自治区"]}).status_code == 200
    assert put("/v1/region-groups/coast", {"name": "沿海", "provinces": ["广东", "浙江省"]}).status_code == 200
    assert put("/v1/customer-groups/vip", {"name": "VIP", "platform_customer_ids": ["buyer-1", "buyer-2"]}).status_code == 200
    assert put("/v1/customer-groups/gold", {"name": "金牌", "platform_customer_ids": ["buyer-2"]}).status_code == 200
    return merchant


def put_prices(shop, items, headers=None):
    answer = shop.client.put("/v1/prices", {"items": items}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def price(shop, erp_id, query=""):
    answer = shop.client.get(f"/v1/products/{erp_id}/price{query}")
    assert answer.status_code == 200, answer.text
    return answer.json()["price"], answer.json()["source"]


def test_customer_level_beats_region_beats_default(shop):
    results = put_prices(shop, [{"erp_product_id": "P1", "suggested_retail_price": "19.90",
                                 "region_prices": [{"region_group_id": "south", "price": "11.00"},
                                                   {"region_group_id": "coast", "price": "11.50"}],
                                 "customer_level_prices": [{"customer_group_id": "vip", "price": "9.90"},
                                                           {"customer_group_id": "gold", "price": "9.50"}]}])
    assert results[0]["status"] == "ok"
    assert price(shop, "P1") == ("12.50", "default")
    assert price(shop, "P1", "?province=浙江省") == ("11.50", "region")
    assert price(shop, "P1", "?province=广东") == ("11.00", "region")          # the lowest of two groups
    assert price(shop, "P1", "?province=北京市") == ("12.50", "default")
    assert price(shop, "P1", "?province=广东省&platform_customer_id=buyer-1") == ("9.90", "customer_level")
    assert price(shop, "P1", "?platform_customer_id=buyer-2") == ("9.50", "customer_level")
    assert price(shop, "P1", "?platform_customer_id=stranger&province=广西") == ("11.00", "region")
    body = shop.client.get("/v1/products/P1").json()
    assert body["suggested_retail_price"] == "19.90"
    assert body["region_prices"] == [{"region_group_id": "coast", "price": "11.50"},
                                     {"region_group_id": "south", "price": "11.00"}]


def test_given_lists_replace_the_stored_ones_and_omitted_ones_stay(shop):
    put_prices(shop, [{"erp_product_id": "P2", "region_prices": [{"region_group_id": "south", "price": "8.00"}],
                       "customer_level_prices": [{"customer_group_id": "vip", "price": "7.00"}]}])
    put_prices(shop, [{"erp_product_id": "P2", "default_price": "13", "region_prices": []}])
    body = shop.client.get("/v1/products/P2").json()
    assert body["default_price"] == "13.00" and body["region_prices"] == []
    assert body["customer_level_prices"] == [{"customer_group_id": "vip", "price": "7.00"}]
    assert price(shop, "P2", "?province=广东") == ("13.00", "default")


def test_group_membership_changes_follow_the_group(shop):
    put_prices(shop, [{"erp_product_id": "P3", "customer_level_prices": [{"customer_group_id": "vip", "price": "5.00"}]}])
    assert price(shop, "P3", "?platform_customer_id=buyer-1")[1] == "customer_level"
    shop.client.put("/v1/customer-groups/vip", {"name": "VIP", "platform_customer_ids": ["buyer-2", "buyer-3"]})
    assert price(shop, "P3", "?platform_customer_id=buyer-1") == ("12.50", "default")
    assert price(shop, "P3", "?platform_customer_id=buyer-3") == ("5.00", "customer_level")
    shop.client.put("/v1/customer-groups/vip", {"name": "VIP", "platform_customer_ids": ["buyer-1", "buyer-2"]})


def test_bad_items_fail_alone(shop):
    results = put_prices(shop, [
        {"erp_product_id": "P4", "default_price": "14.00"},
        {"erp_product_id": "P1", "default_price": "-1.00"},
        {"erp_product_id": "P1", "default_price": "1.999"},
        {"erp_product_id": "P1", "default_price": 3.5},
        {"erp_product_id": "NOPE", "default_price": "1.00"},
        {"erp_product_id": "P5", "region_prices": [{"region_group_id": "mars", "price": "1.00"}]},
        {"erp_product_id": "P6", "customer_level_prices": [{"customer_group_id": "nobody", "price": "1.00"}]},
        {"erp_product_id": "P7", "region_prices": [{"region_group_id": "south", "price": "1.00"},
                                                   {"region_group_id": "south", "price": "2.00"}]},
        {"erp_product_id": "P4", "default_price": "15.00"},
        {"erp_product_id": "P8", "colour": "red"},
    ])
    assert [(r["key"], r["status"], r["code"]) for r in results] == [
        ("P4", "ok", None), ("P1", "error", "validation_error"), ("P1", "error", "validation_error"),
        ("P1", "error", "validation_error"), ("NOPE", "error", "not_found"),
        ("P5", "error", "unknown_region_group"), ("P6", "error", "unknown_customer_group"),
        ("P7", "error", "validation_error"), ("P4", "error", "duplicate_key"), ("P8", "error", "validation_error")]
    assert shop.client.get("/v1/products/P4").json()["default_price"] == "14.00"
    assert_problem(shop.client.put("/v1/prices", {"items": [{"erp_product_id": f"P{i}"} for i in range(101)]}),
                   422, "validation_error")
    assert_problem(shop.client.get("/v1/products/NOPE/price"), 404, "not_found")
    assert_problem(shop.client.get("/v1/products/P1/price?buyer=x"), 422, "validation_error")


def test_a_price_batch_naming_no_group_is_one_transaction_and_no_read(stack, shop):
    """The products' existence is the writes' own condition: a missing one is still not_found,
    and the others land."""
    from chalicelib.sdk import Client
    fresh = Client(stack.api_url, shop.client.auth)            # one connection: one server thread
    items = [{"erp_product_id": "P2", "default_price": "8.00"}, {"erp_product_id": "GONE", "default_price": "1.00"},
             {"erp_product_id": "P3", "suggested_retail_price": "30.00"}]
    with dynamodb_calls() as calls:
        answer = fresh.put("/v1/prices", {"items": items})
    assert answer.status_code == 200, answer.text
    assert [(r["key"], r["status"], r["code"]) for r in answer.json()["results"]] == [
        ("P2", "ok", None), ("GONE", "error", "not_found"), ("P3", "ok", None)]
    operations = calls_of_request(calls, shop.merchant_id)
    assert "BatchGetItem" not in operations, operations          # (a GetItem may be the caller's account)
    assert operations.count("TransactWriteItems") == 2, operations      # cancelled by GONE, then the rest
    assert shop.client.get("/v1/products/P2").json()["default_price"] == "8.00"
    assert shop.client.get("/v1/products/P3").json()["suggested_retail_price"] == "30.00"


def test_group_bodies_are_checked(shop):
    put = shop.client.put
    assert_problem(put("/v1/region-groups/r1", {"name": "x", "provinces": []}), 422, "validation_error")
    assert_problem(put("/v1/region-groups/r1", {"name": "x", "provinces": "广东"}), 422, "validation_error")
    assert_problem(put("/v1/region-groups/bad%2Fid", {"name": "x", "provinces": ["广东"]}), 422, "validation_error")
    assert_problem(put("/v1/customer-groups/c1", {"name": "x", "platform_customer_ids": [1]}), 422,
                   "validation_error")
    answer = put("/v1/region-groups/r1", {"name": "x", "provinces": ["广东", "广东"]})
    assert answer.json()["provinces"] == ["广东"] and answer.json()["status"] == "ok"


def test_switches_apply_to_prices_and_groups(stack):
    merchant = new_merchant(stack)
    put_products(merchant, [product("Q1"), product("Q2")])
    merchant.client.put("/v1/products/Q1/sync-switches", {"prices": False})
    results = put_prices(merchant, [{"erp_product_id": "Q1", "default_price": "1.00"},
                                    {"erp_product_id": "Q2", "default_price": "2.00"}])
    assert [(r["status"], r["code"]) for r in results] == [("skipped", "sync_off"), ("ok", None)]
    merchant.client.put("/v1/sync-switches", {"prices": False})
    answer = merchant.client.put("/v1/region-groups/g", {"name": "x", "provinces": ["广东"]})
    assert answer.status_code == 200 and answer.json()["code"] == "sync_off"
    manual = merchant.client.put("/v1/region-groups/g", {"name": "x", "provinces": ["广东"]},
                                 headers={"X-Onceship-Source": "manual"})
    assert manual.json()["status"] == "ok"


def test_resolve_prices_for_an_order_in_two_requests(stack, shop):
    from chalicelib.services.pricing import resolve_prices
    with dynamodb_calls() as calls:
        found = resolve_prices(shop.merchant_id, ["P1", "P2", "NOPE"], "广东省", "buyer-1")
    assert {k: v[:2] for k, v in found.items()} == {"P1": ("9.90", "customer_level"), "P2": ("7.00", "customer_level")}
    assert found["P1"][2]["name"] == "商品 P1"
    assert calls_of_request(calls, shop.merchant_id) == ["BatchGetItem", "Query"]
