"""PUT/GET /v1/products and review (contract section 4) through HTTP."""
import pytest

from chalicelib.sdk import Client
from tests.catalog_support import (base_product, calls_of_request, dynamodb_calls, product, put_products,
                                   uid)
from tests.helpers import assert_problem, new_merchant


@pytest.fixture(scope="module")
def merchant(stack):
    return new_merchant(stack)


def test_matching_by_explicit_id_barcode_approval_and_spec_with_manufacturer(stack, merchant):
    barcode, approval, spec, maker = uid("69"), uid("国药准字H"), uid("0.25g*"), uid("制药")
    explicit = base_product(stack)
    by_barcode = base_product(stack, barcode=barcode)
    by_approval = base_product(stack, approval_number=approval)
    by_spec = base_product(stack, spec=spec, manufacturer=maker)
    results = put_products(merchant, [
        product("E1", base_product_id=explicit, barcode=barcode),
        product("E2", barcode=" " + barcode.upper() + " ", approval_number=approval),
        product("E3", barcode=uid("00"), approval_number=approval.replace("H", "Ｈ")),
        product("E4", spec=spec.upper(), manufacturer=maker + "  "),
    ])
    assert [(r["key"], r["status"], r["match"], r["base_product_id"]) for r in results] == [
        ("E1", "ok", "matched", explicit), ("E2", "ok", "matched", by_barcode),
        ("E3", "ok", "matched", by_approval), ("E4", "ok", "matched", by_spec)]
    body = merchant.client.get("/v1/products/E3").json()
    assert body["match_source"] == "approval" and body["listing"] == "unlisted"
    assert body["default_price"] == "10.00" and body["approval_number"] == approval.replace("H", "Ｈ")


def test_several_or_no_base_products_are_pending_review_until_a_person_decides(stack, merchant):
    shared = uid("69")
    first, second = base_product(stack, barcode=shared), base_product(stack, barcode=shared)
    results = put_products(merchant, [product("R1", barcode=shared), product("R2", barcode=uid("00"))])
    assert [(r["match"], r["base_product_id"]) for r in results] == [("pending_review", None)] * 2
    reviewed = merchant.client.post("/v1/products/R1/review", {"base_product_id": second})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["match"] == "matched" and reviewed.json()["base_product_id"] == second
    again = put_products(merchant, [product("R1", barcode=shared, name="renamed")])
    assert (again[0]["match"], again[0]["base_product_id"]) == ("matched", second)   # the review stays
    assert first != second


def test_a_criterion_that_finds_nothing_falls_through_to_the_next(stack, merchant):
    approval = uid("Z")
    found = base_product(stack, approval_number=approval)
    result = put_products(merchant, [product("F1", barcode=uid("00"), approval_number=approval)])[0]
    assert (result["match"], result["base_product_id"]) == ("matched", found)


def test_changed_identifiers_match_again(stack, merchant):
    old_code, new_code = uid("69"), uid("69")
    old_base, new_base = base_product(stack, barcode=old_code), base_product(stack, barcode=new_code)
    assert put_products(merchant, [product("C1", barcode=old_code)])[0]["base_product_id"] == old_base
    assert put_products(merchant, [product("C1", barcode=new_code)])[0]["base_product_id"] == new_base
    result = put_products(merchant, [product("C1", barcode=uid("00"))])[0]
    assert (result["match"], result["base_product_id"]) == ("pending_review", None)


def test_bad_items_fail_alone_and_the_good_ones_are_applied(stack, merchant):
    results = put_products(merchant, [
        product("G1"),
        product("B1", default_price=12.5),                       # a number, not a string
        product("B2", colour="red"),                             # unknown field
        product("B3", default_price="-1.00"),
        product("B4", default_price="1.005"),
        product("B5/x"),                                         # a code cannot hold "/"
        product("G1", name="the same id again"),
        product("B6", attributes={"size": 5}),
        "not an object",
        product("G2", attributes={"尺码": "L"}, main_image_sha256="AB" * 32),
    ])
    assert [(r["key"], r["status"], r["code"]) for r in results] == [
        ("G1", "ok", None), ("B1", "error", "validation_error"), ("B2", "error", "validation_error"),
        ("B3", "error", "validation_error"), ("B4", "error", "validation_error"),
        ("B5/x", "error", "validation_error"), ("G1", "error", "duplicate_key"),
        ("B6", "error", "validation_error"), (None, "error", "validation_error"), ("G2", "ok", None)]
    assert "items[2].colour" in results[2]["detail"]
    assert all("match" in r and "base_product_id" in r for r in results)
    assert merchant.client.get("/v1/products/G1").json()["name"] == "商品 G1"
    assert merchant.client.get("/v1/products/G2").json()["main_image_sha256"] == "ab" * 32
    for missing in ("B1", "B3"):
        assert_problem(merchant.client.get(f"/v1/products/{missing}"), 404, "not_found")


@pytest.mark.parametrize("body", [{"items": []}, {"items": [product(f"X{i}") for i in range(101)]},
                                  {"items": "P1"}, {}, {"items": [product("X")], "extra": 1}])
def test_bad_envelopes_are_422(merchant, body):
    assert_problem(merchant.client.put("/v1/products", body), 422, "validation_error")


def test_another_merchants_products_are_not_found(stack, merchant):
    put_products(merchant, [product("OWN1")])
    other = new_merchant(stack)
    assert_problem(other.client.get("/v1/products/OWN1"), 404, "not_found")
    assert other.client.get("/v1/products").json() == {"items": [], "next_cursor": None}


def test_list_filters_and_pages(stack):
    shop = new_merchant(stack)
    barcode = uid("69")
    base_product(stack, barcode=barcode)
    put_products(shop, [product(f"L{i:02}", barcode=barcode if i % 2 else uid("00")) for i in range(7)])
    seen, cursor = [], None
    while True:
        page = shop.client.get("/v1/products?match=matched&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert page.status_code == 200, page.text
        seen += [p["erp_product_id"] for p in page.json()["items"]]
        assert len(page.json()["items"]) <= 2
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert seen == ["L01", "L03", "L05"]
    pending = shop.client.get("/v1/products?listing=unlisted&match=pending_review&limit=100").json()
    assert [p["erp_product_id"] for p in pending["items"]] == ["L00", "L02", "L04", "L06"]
    assert len(shop.client.get("/v1/products").json()["items"]) == 7
    assert_problem(shop.client.get("/v1/products?limit=0"), 422, "validation_error")
    assert_problem(shop.client.get("/v1/products?listing=maybe"), 422, "validation_error")
    assert_problem(shop.client.get("/v1/products?cursor=abc"), 422, "validation_error")


def test_review_errors(stack, merchant):
    put_products(merchant, [product("RV1", barcode=uid("00"))])
    assert_problem(merchant.client.post("/v1/products/RV1/review", {"base_product_id": uid("no")}), 422,
                   "unknown_base_product")
    assert_problem(merchant.client.post("/v1/products/RV404/review", {"base_product_id": base_product(stack)}),
                   404, "not_found")
    assert_problem(merchant.client.post("/v1/products/RV1/review", {"base_product_id": 7}), 422,
                   "validation_error")


def test_sync_switch_skips_automatic_writes_but_not_manual_ones(stack):
    shop = new_merchant(stack)
    put_products(shop, [product("S1"), product("S2")])
    assert shop.client.put("/v1/products/S1/sync-switches", {"products": False}).status_code == 200
    results = put_products(shop, [product("S1", name="new"), product("S2", name="new")])
    assert [(r["status"], r["code"]) for r in results] == [("skipped", "sync_off"), ("ok", None)]
    assert shop.client.get("/v1/products/S1").json()["name"] == "商品 S1"
    manual = put_products(shop, [product("S1", name="new")], headers={"X-Onceship-Source": "manual"})
    assert manual[0]["status"] == "ok"
    assert shop.client.get("/v1/products/S1").json()["name"] == "new"
    assert shop.client.put("/v1/products/S2/sync-switches", {"prices": False}).status_code == 200
    kept = put_products(shop, [product("S2", name="newer", default_price="99.00"), product("S4", default_price="4.00")])
    assert kept[0]["status"] == "ok" and "default_price kept" in kept[0]["detail"]
    assert shop.client.get("/v1/products/S2").json()["name"] == "newer"
    assert shop.client.get("/v1/products/S2").json()["default_price"] == "10.00"       # the prices switch
    assert shop.client.get("/v1/products/S4").json()["default_price"] == "4.00"
    assert shop.client.put("/v1/sync-switches", {"products": False}).status_code == 200
    assert put_products(shop, [product("S3")])[0]["code"] == "sync_off"


def test_a_100_item_upsert_takes_a_handful_of_dynamodb_requests(stack):
    shop = new_merchant(stack)
    barcodes = [uid("69") for _ in range(50)]
    for code in barcodes[:10]:
        base_product(stack, barcode=code)
    items = [product(f"N{i:03}", barcode=barcodes[i % 50], approval_number=uid("H"), spec="1g",
                     manufacturer=uid("m")) for i in range(100)]
    fresh = Client(stack.api_url, shop.client.auth)            # one connection: one server thread
    with dynamodb_calls() as calls:
        answer = fresh.put("/v1/products", {"items": items})
    assert answer.status_code == 200 and all(r["status"] == "ok" for r in answer.json()["results"])
    operations = calls_of_request(calls, shop.merchant_id)
    writes = [op for op in operations if op in ("PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems")]
    print("100-item upsert:", len(operations), "requests", operations)
    assert operations.count("TransactWriteItems") == 1
    assert len(operations) <= 12, operations
    assert len(writes) <= 4, writes            # nonce, rate window, the transaction
