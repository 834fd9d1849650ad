"""Codes ERPs choose (contract section 1) through HTTP on the live stack: products, prices, lots,
inventory, customers, buyers, groups, the price lookup, orders and the order feed keyed by codes
such as `红色-XL 01`, `A01 #2`, `SKU+1`, and `A#B` next to `A`; paths decoded exactly once and
signed as sent; a `/` in a code as that item's error; spreadsheet rows and polled ERP items with
such codes. Also the product-addressed 404s and unknown base products (section 4)."""
import http.client
import json
from urllib.parse import quote, urlsplit

import pytest

from chalicelib.sdk import segment, signed_headers
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table
from tests import sheets
from tests.catalog_support import base_product, product, put_products, uid
from tests.fake_erp import FakeErp
from tests.helpers import admin, assert_problem, new_merchant
from tests.orders_support import paid_order, seed_product, shop

CODES = ["红色-XL 01", "A01 #2", "SKU+1", "A#B", "A", "A#2", "A%23B", "50% 酒精", "x?y=1&z", "é", "😀 表情"]
BAD = ["B/1", " pad", "pad ", "back\\slash", "a\u200bb", "x" * 65, ""]
MANUAL = {"X-Onceship-Source": "manual"}
LOT = {"production_date": "2026-01-01", "expiry_date": "2028-01-01"}


def ok(answer, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def results(answer) -> list:
    return [(r["key"], r["status"], r["code"]) for r in ok(answer)["results"]]


def raw(stack, merchant, method: str, wire_path: str, signed_path: str = "", body: bytes = b""):
    """A signed request whose path goes on the wire byte for byte as given (no client rewrites
    it), signed over `signed_path` (default: the wire path). Answers (status, body)."""
    url = stack.api_url + (signed_path or wire_path)
    headers = signed_headers(merchant.merchant_id, merchant.secret, method, url, body)
    parts = urlsplit(stack.api_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, wire_path, body=body, headers=dict(headers, **{"Content-Type": "application/json"}))
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"null")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def catalog(stack):
    """A merchant whose products are keyed by every code of CODES."""
    merchant = new_merchant(stack)
    answer = merchant.client.put("/v1/products", {"items": [product(c, name="商品 " + c) for c in CODES]})
    assert all(status == "ok" for _, status, _ in results(answer)), answer.text
    return merchant


def test_any_printable_code_keys_a_product_and_a_slash_is_that_item_s_error(catalog):
    answer = catalog.client.put("/v1/products", {"items": [product(c) for c in BAD] + [product("红色-XL 01",
                                                                                                  name="红色 T恤")]})
    assert results(answer) == [(c, "error", "validation_error") for c in BAD] + [("红色-XL 01", "ok", None)]
    assert "'/'" in ok(answer)["results"][0]["detail"]
    for code in CODES:
        body = ok(catalog.client.get(f"/v1/products/{segment(code)}"))
        assert body["erp_product_id"] == code
        assert body["name"] == ("红色 T恤" if code == "红色-XL 01" else "商品 " + code)
    assert ok(catalog.client.get("/v1/products/SKU+1"))["erp_product_id"] == "SKU+1"   # + in a path is a plus


def test_a_listing_batch_answers_a_bad_code_as_that_id_s_error(catalog):
    answer = catalog.client.post("/v1/listings", {"action": "delist", "erp_product_ids": ["A#B", "a/b", " A", "A"]})
    assert results(answer) == [("A#B", "ok", None), ("a/b", "error", "validation_error"),
                               (" A", "error", "validation_error"), ("A", "ok", None)]
    answer = catalog.client.post("/v1/listings", {"action": "list", "erp_product_ids": ["红色-XL 01"]})
    assert results(answer) == [("红色-XL 01", "error", "not_matched")]


def test_listing_pages_through_every_code_once(catalog):
    seen, cursor = [], None
    while True:
        page = ok(catalog.client.get("/v1/products?limit=3" + (f"&cursor={cursor}" if cursor else "")))
        seen += [item["erp_product_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(CODES)


def test_a_path_is_decoded_exactly_once_and_an_encoded_slash_is_an_invalid_code(stack, catalog):
    assert ok(catalog.client.get("/v1/products/A/price"))["price"] == "10.00"
    for wire in ("/v1/products/A%2Fprice", "/v1/products/A%2f", "/v1/inventory/A%2F..%2Fx",
                 "/v1/products/A%5CB", "/v1/products/%20A", "/v1/products/%E2%80%8B"):
        status, body = raw(stack, catalog, "GET", wire)
        assert (status, body["code"]) == (422, "validation_error"), (wire, body)
    status, body = raw(stack, catalog, "GET", "/v1/products/A%2Fprice")
    assert body["errors"] == [{"field": "erp_product_id", "message": "must not contain '/'"}]
    for malformed in ("/v1/products/%ZZ", "/v1/products/A%2", "/v1/products/%FF%FE"):
        status, body = raw(stack, catalog, "GET", malformed)
        assert (status, body["code"]) == (422, "validation_error"), (malformed, body)
    # decoded once: %2523 is "%23", so this is the product "A%23B", not "A#B"
    assert raw(stack, catalog, "GET", "/v1/products/A%2523B")[1]["erp_product_id"] == "A%23B"
    assert raw(stack, catalog, "GET", "/v1/products/A%23B")[1]["erp_product_id"] == "A#B"
    status, body = raw(stack, catalog, "GET", "/v1/products/" + quote("不存在"))
    assert (status, body["code"]) == (404, "not_found")


def test_the_signature_covers_the_path_exactly_as_sent(stack, catalog):
    wire = "/v1/products/" + segment("红色-XL 01")
    assert raw(stack, catalog, "GET", wire)[0] == 200
    status, body = raw(stack, catalog, "GET", wire, signed_path="/v1/products/红色-XL 01")
    assert (status, body["code"]) == (401, "signature_invalid")
    lower = wire.replace("%E7", "%e7")          # another spelling of the same path is another PATH
    assert raw(stack, catalog, "GET", lower, signed_path=wire)[0] == 401
    assert raw(stack, catalog, "GET", lower)[0] == 200
    # the SDK signs what requests puts on the wire, also for a path given with raw Chinese
    assert ok(catalog.client.get("/v1/products/红色-XL%2001"))["erp_product_id"] == "红色-XL 01"


def test_prices_groups_customers_buyers_and_orders_with_codes(stack):
    s = shop(stack)
    seed_product(s, "A#B", "20.00", on_hand=10)
    seed_product(s, "红色-XL 01", "5.00", on_hand=10)
    buyer, customer, region, group = "买家 #1", "客户 A#1", "华南 #1", "金牌+客户"
    assert ok(s.channel.put(f"/v1/buyers/{segment(buyer)}", {"name": "仁和药房"}))["platform_customer_id"] == buyer
    assert results(s.merchant.put("/v1/customers", {"items": [{"erp_customer_code": customer, "name": "仁和"},
                                                              {"erp_customer_code": "C/1", "name": "x"}]})) == [
        (customer, "ok", None), ("C/1", "error", "validation_error")]
    ok(s.merchant.put(f"/v1/customers/by-platform-id/{segment(buyer)}", {"erp_customer_code": customer}))
    assert ok(s.merchant.get(f"/v1/customers/{segment(customer)}"))["erp_customer_code"] == customer
    assert ok(s.merchant.put(f"/v1/region-groups/{segment(region)}", {"name": "华南", "provinces": ["广东省"]})
              )["region_group_id"] == region
    ok(s.merchant.put(f"/v1/customer-groups/{segment(group)}", {"name": "VIP", "platform_customer_ids": [buyer]}))
    assert_problem(s.merchant.put("/v1/customer-groups/" + segment("x/y"), {"name": "x", "platform_customer_ids": []}),
                   422, "validation_error")
    assert results(s.merchant.put("/v1/prices", {"items": [
        {"erp_product_id": "A#B", "region_prices": [{"region_group_id": region, "price": "18.00"}],
         "customer_level_prices": [{"customer_group_id": group, "price": "15.00"}]},
        {"erp_product_id": "A", "default_price": "1.00"},
        {"erp_product_id": "A/B", "default_price": "1.00"}]})) == [
        ("A#B", "ok", None), ("A", "error", "not_found"), ("A/B", "error", "validation_error")]

    price = f"/v1/products/{segment('A#B')}/price"
    assert ok(s.merchant.get(price)) == {"erp_product_id": "A#B", "price": "20.00", "source": "default"}
    assert ok(s.merchant.get(price + "?province=" + quote("广东省")))["source"] == "region"
    both = ok(s.merchant.get(f"{price}?province={quote('广东省')}&platform_customer_id={quote(buyer, safe='')}"))
    assert (both["price"], both["source"]) == ("15.00", "customer_level")
    assert_problem(s.merchant.get(f"{price}?platform_customer_id={quote('a/b', safe='')}"), 422, "validation_error")

    order = paid_order(s, [("A#B", 2), ("红色-XL 01", 1)], buyer=buyer)
    assert [(l["erp_product_id"], l["unit_price"]) for l in order["lines"]] == [("A#B", "15.00"), ("红色-XL 01", "5.00")]
    feed = ok(s.merchant.get("/v1/orders?sync_status=pending"))["items"]
    assert [o["order_id"] for o in feed] == [order["order_id"]]
    assert feed[0]["erp_customer_code"] == customer and feed[0]["buyer"]["platform_customer_id"] == buyer
    assert [l["erp_product_id"] for l in feed[0]["lines"]] == ["A#B", "红色-XL 01"]
    by_code = ok(s.merchant.get("/v1/desk/orders?erp_product_id=" + quote("A#B", safe="")))["items"]
    assert [o["order_id"] for o in by_code] == [order["order_id"]]
    assert ok(s.merchant.get("/v1/desk/orders?erp_product_id=A"))["items"] == []
    assert ok(s.merchant.get(f"/v1/inventory/{segment('A#B')}"))["reserved"] == 2
    assert_problem(s.merchant.get("/v1/inventory/A"), 404, "not_found")


def test_lots_and_inventory_keep_a_and_a_hash_b_apart(stack):
    merchant = new_merchant(stack)
    put_products(merchant, [product("A"), product("A#B"), product("红色-XL 01")])
    lots = [dict(LOT, lot_no="批次 #1", quantity=3), dict(LOT, lot_no="L+2", quantity=4)]
    body = ok(merchant.client.put(f"/v1/products/{segment('A#B')}/lots", {"lots": lots}))
    assert (body["erp_product_id"], body["on_hand"], sorted(l["lot_no"] for l in body["lots"])) == \
        ("A#B", 7, ["L+2", "批次 #1"])
    bad = assert_problem(merchant.client.put(f"/v1/products/{segment('A#B')}/lots",
                                             {"lots": [dict(LOT, lot_no="L/3", quantity=1)]}), 422, "validation_error")
    assert bad["errors"][0]["field"] == "lots[0].lot_no"
    assert results(merchant.client.put("/v1/inventory", {"items": [
        {"erp_product_id": "A", "on_hand": 5}, {"erp_product_id": "红色-XL 01", "on_hand": 2},
        {"erp_product_id": "x/y", "on_hand": 1}]})) == [
        ("A", "ok", None), ("红色-XL 01", "ok", None), ("x/y", "error", "validation_error")]
    assert results(merchant.client.post("/v1/inventory/adjustments", {"items": [
        {"erp_product_id": "A#B", "delta": -1, "reason": "破损"}]})) == [("A#B", "ok", None)]
    a, a_b = (ok(merchant.client.get(f"/v1/inventory/{segment(c)}")) for c in ("A", "A#B"))
    assert (a["on_hand"], a["lots"]) == (5, [])
    assert (a_b["on_hand"], len(a_b["lots"])) == (6, 2)
    assert ok(merchant.client.get(f"/v1/inventory/{segment('红色-XL 01')}"))["on_hand"] == 2
    stored = Table().get(*MerchantScope(merchant.merchant_id).stock("A#B"))
    assert stored["pk"].endswith("#P#A%23B#S") and stored["erp_product_id"] == "A#B"


def test_product_addressed_endpoints_of_a_product_the_merchant_does_not_have_are_404_and_write_nothing(stack):
    merchant = new_merchant(stack)
    put_products(merchant, [product("A"), product("红色-XL 01")])
    base = base_product(stack)
    scope, table = MerchantScope(merchant.merchant_id), Table()
    lots = {"lots": [dict(LOT, lot_no="L1", quantity=3)]}
    for ghost in ("A#2", "红色-XL 02", "A2"):
        path = f"/v1/products/{segment(ghost)}"
        assert_problem(merchant.client.put(path + "/lots", lots), 404, "not_found")
        assert_problem(merchant.client.put(path + "/lots", lots, headers=MANUAL), 404, "not_found")
        assert_problem(merchant.client.put(path + "/sync-switches", {"inventory": False}), 404, "not_found")
        assert_problem(merchant.client.get(path + "/sync-switches"), 404, "not_found")
        assert_problem(merchant.client.post(path + "/review", {"base_product_id": base}), 404, "not_found")
        assert_problem(merchant.client.get(path + "/price"), 404, "not_found")
        assert_problem(merchant.client.get(f"/v1/inventory/{segment(ghost)}"), 404, "not_found")
        for key in (scope.product(ghost), scope.stock(ghost), scope.sync_product(ghost)):
            assert table.get(*key) is None, key
    ok(merchant.client.put("/v1/sync-switches", {"lots": False}))        # an automatic write is 404 too
    assert_problem(merchant.client.put(f"/v1/products/{segment('A#2')}/lots", lots), 404, "not_found")
    assert ok(merchant.client.put("/v1/products/A/lots", lots))["code"] == "sync_off"
    assert ok(merchant.client.put("/v1/products/A/lots", lots, headers=MANUAL))["on_hand"] == 3
    assert ok(merchant.client.get("/v1/products/A/sync-switches"))["switches"]["inventory"]["on"] is True
    other = new_merchant(stack)                                          # another merchant's product
    assert_problem(other.client.put("/v1/products/A/lots", {"lots": []}), 404, "not_found")
    assert_problem(other.client.put("/v1/products/A/sync-switches", {"inventory": False}), 404, "not_found")
    assert ok(merchant.client.get("/v1/inventory/A"))["on_hand"] == 3
    assert table.get(*MerchantScope(other.merchant_id).stock("A")) is None


def test_an_unknown_base_product_id_falls_back_to_the_criteria(stack):
    merchant = new_merchant(stack)
    barcode, missing, later = uid("69"), "不存在 #" + uid(), "BP #" + uid()
    by_barcode = base_product(stack, barcode=barcode)
    hashed = "BP #" + uid()
    ok(admin(stack).put(f"/v1/admin/base-products/{segment(hashed)}", {"name": "带 # 的基础商品"}))
    answer = ok(merchant.client.put("/v1/products", {"items": [
        product("U1", base_product_id=missing, barcode=barcode), product("U2", base_product_id=later),
        product("U3", base_product_id=hashed), product("U4", base_product_id="a/b")]}))["results"]
    assert [(r["key"], r["status"], r["match"], r["base_product_id"]) for r in answer[:3]] == [
        ("U1", "ok", "matched", by_barcode), ("U2", "ok", "pending_review", None), ("U3", "ok", "matched", hashed)]
    assert missing in answer[0]["detail"] and "barcode" in answer[0]["detail"] and answer[2]["detail"] is None
    assert (answer[3]["status"], answer[3]["code"]) == ("error", "validation_error")
    assert ok(merchant.client.get("/v1/products/U1"))["match_source"] == "barcode"
    ok(admin(stack).put(f"/v1/admin/base-products/{segment(later)}", {"name": "后来的基础商品"}))
    again = ok(merchant.client.put("/v1/products", {"items": [product("U2", base_product_id=later)]}))["results"][0]
    assert (again["match"], again["base_product_id"]) == ("matched", later)
    assert_problem(merchant.client.post("/v1/products/U2/review", {"base_product_id": missing}), 422,
                   "unknown_base_product")       # a person's explicit choice must exist


def test_spreadsheet_rows_with_codes(stack):
    merchant = new_merchant(stack)
    region = "华南 #1"
    ok(merchant.client.put(f"/v1/region-groups/{segment(region)}", {"name": "华南", "provinces": ["广东省"]}))
    job = sheets.drop(stack, merchant.merchant_id, "products", sheets.unique("商品", "csv"), sheets.csv_bytes([
        ["商品编码", "商品名称", "默认价格"], ["红色-XL 01", "红色 T恤", "9.9"], ["A01 #2", "螺丝", "1"],
        ["bad/code", "坏", "1"], ["SKU+1", "加号", "2"]]))
    assert (job["status"], job["ok"], job["errors"]) == ("done", 3, 1), sheets.outcomes(stack, job)
    assert sheets.outcomes(stack, job)[2][0] == "error" and "'/'" in sheets.outcomes(stack, job)[2][1]
    assert ok(merchant.client.get(f"/v1/products/{segment('A01 #2')}"))["name"] == "螺丝"
    job = sheets.drop(stack, merchant.merchant_id, "prices", sheets.unique("价格", "xlsx"), sheets.xlsx([
        ["商品编码", "默认价格", f"区域:{region}"], ["红色-XL 01", "12", "11"]]))
    assert (job["status"], job["ok"]) == ("done", 1), sheets.outcomes(stack, job)
    body = ok(merchant.client.get(f"/v1/products/{segment('红色-XL 01')}"))
    assert body["region_prices"] == [{"region_group_id": region, "price": "11.00"}]
    job = sheets.drop(stack, merchant.merchant_id, "lots", sheets.unique("批次", "xlsx"), sheets.xlsx([
        ["商品编码", "批号", "生产日期", "有效期至", "数量"], ["A01 #2", "批次 #1", "2024-01-01", "2026-01-01", 3],
        ["SKU+1", "L/2", "2024-01-01", "2026-01-01", 3]]))
    assert [outcome for outcome, _ in sheets.outcomes(stack, job)] == ["ok", "error"]
    lots = ok(merchant.client.get(f"/v1/inventory/{segment('A01 #2')}"))["lots"]
    assert [(l["lot_no"], l["quantity"]) for l in lots] == [("批次 #1", 3)]


def test_polled_erp_items_with_codes(stack):
    merchant = new_merchant(stack)
    put_products(merchant, [product("A#B")])
    items = [{"erp_product_id": "红色-XL 01", "on_hand": 5}, {"erp_product_id": "A", "on_hand": 9},
             {"erp_product_id": "A#B", "lots": [dict(LOT, lot_no="批次 #1", quantity=2)]},
             {"erp_product_id": "bad/code", "on_hand": 1}, {"erp_product_id": "SKU+1", "on_hand": 4}]
    with FakeErp(items, page_size=2) as erp:
        ok(merchant.client.put("/v1/erp-connection", {"inventory_url": erp.url, "poll_every_minutes": 1}))
        stack.pump.run_schedule("SchedulerTick")
        stack.pump.drain()
    status = ok(merchant.client.get("/v1/erp-connection/status"))
    assert (status["outcome"], status["items_seen"], status["items_changed"]) == ("ok", 4, 4), status
    assert "bad/code" in status["error"] and "'/'" in status["error"]
    for code, on_hand in (("红色-XL 01", 5), ("A", 9), ("A#B", 2), ("SKU+1", 4)):
        assert ok(merchant.client.get(f"/v1/inventory/{segment(code)}"))["on_hand"] == on_hand, code
    assert ok(merchant.client.get(f"/v1/inventory/{segment('A#B')}"))["lots"][0]["lot_no"] == "批次 #1"
    assert_problem(merchant.client.get(f"/v1/inventory/{segment('bad/code')}"), 422, "validation_error")
