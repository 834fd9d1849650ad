"""POST /v1/listings, the duplicate-listing rule, listing settings and the auto-list rule."""
import threading

import pytest

from chalicelib.sdk import Client
from tests.catalog_support import base_product, product, put_products, set_stock, uid
from tests.helpers import assert_problem, new_merchant

SHA = "ab" * 32


@pytest.fixture(scope="module")
def shop(stack):
    return new_merchant(stack)


def matched(stack, shop, erp_id, stock=5, **fields):
    """A matched product with stock."""
    put_products(shop, [product(erp_id, base_product_id=base_product(stack), **fields)])
    set_stock(shop.merchant_id, erp_id, stock)


def act(shop, action, ids, headers=None, client=None):
    answer = (client or shop.client).post("/v1/listings", {"action": action, "erp_product_ids": ids},
                                          headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def listing_of(shop, erp_id):
    return shop.client.get(f"/v1/products/{erp_id}").json()["listing"]


def test_list_and_delist_with_refusals_per_item(stack, shop):
    matched(stack, shop, "OK1")
    matched(stack, shop, "EMPTY", stock=0)
    matched(stack, shop, "HELD", stock=3)
    set_stock(shop.merchant_id, "HELD", 3, reserved=3)
    put_products(shop, [product("PEND", barcode=uid("00"))])
    set_stock(shop.merchant_id, "PEND", 9)
    results = act(shop, "list", ["OK1", "EMPTY", "HELD", "PEND", "NOPE", "OK1"])
    assert [(r["key"], r["status"], r["code"]) for r in results] == [
        ("OK1", "ok", None), ("EMPTY", "error", "no_stock"), ("HELD", "error", "no_stock"),
        ("PEND", "error", "not_matched"), ("NOPE", "error", "not_found"), ("OK1", "error", "duplicate_key")]
    assert results[0]["listing"] == "listed" and listing_of(shop, "OK1") == "listed"
    assert listing_of(shop, "EMPTY") == "unlisted"
    assert act(shop, "list", ["OK1"])[0]["status"] == "ok"                  # listing twice is fine
    assert [r["listing"] for r in act(shop, "delist", ["OK1", "EMPTY"])] == ["unlisted", "unlisted"]
    assert listing_of(shop, "OK1") == "unlisted"
    listed = shop.client.get("/v1/products?listing=listed").json()["items"]
    assert listed == []


def test_duplicates_are_refused_and_variants_allowed(stack, shop):
    matched(stack, shop, "TEE-M", name="纯棉T恤 白色", main_image_sha256=SHA, attributes={"尺码": "M"})
    matched(stack, shop, "TEE-M2", name="纯棉 T恤（白色）", main_image_sha256=SHA.upper(), attributes={"尺码": "m"})
    matched(stack, shop, "TEE-L", name="纯棉T恤 白色", main_image_sha256=SHA, attributes={"尺码": "L"})
    matched(stack, shop, "TEE-URL", name="纯棉T恤 白色", main_image_url="https://img.example/tee.jpg",
            attributes={"尺码": "M"})
    assert act(shop, "list", ["TEE-M"])[0]["status"] == "ok"
    results = act(shop, "list", ["TEE-M2", "TEE-L", "TEE-URL"])
    assert [(r["key"], r["status"], r["code"], r["duplicate_of"]) for r in results] == [
        ("TEE-M2", "error", "duplicate_listing", "TEE-M"), ("TEE-L", "ok", None, None),
        ("TEE-URL", "ok", None, None)]
    act(shop, "delist", ["TEE-M"])
    assert act(shop, "list", ["TEE-M2"])[0]["status"] == "ok"               # the original left
    assert act(shop, "list", ["TEE-M"])[0]["duplicate_of"] == "TEE-M2"


def test_twins_in_one_request_list_the_first_only(stack, shop):
    sha = uid("") .ljust(64, "c")
    matched(stack, shop, "TW1", name="保温杯 500ml", main_image_sha256=sha)
    matched(stack, shop, "TW2", name="保温杯500ML", main_image_sha256=sha)
    results = act(shop, "list", ["TW1", "TW2"])
    assert [(r["status"], r["duplicate_of"]) for r in results] == [("ok", None), ("error", "TW1")]


def test_an_image_change_on_upsert_joins_the_new_images_guard(stack, shop):
    old, new = uid("").ljust(64, "d"), uid("").ljust(64, "e")
    matched(stack, shop, "IMG1", name="水杯", main_image_sha256=old)
    matched(stack, shop, "IMG2", name="水杯", main_image_sha256=new)
    assert act(shop, "list", ["IMG1"])[0]["status"] == "ok"
    put_products(shop, [product("IMG1", name="水杯", main_image_sha256=new,
                                base_product_id=shop.client.get("/v1/products/IMG1").json()["base_product_id"])])
    assert act(shop, "list", ["IMG2"])[0]["duplicate_of"] == "IMG1"


def test_concurrent_listing_of_twins_lists_exactly_one(stack):
    merchant = new_merchant(stack)
    sha = uid("").ljust(64, "f")
    ids = [f"RACE{i}" for i in range(6)]
    for erp_id in ids:
        matched(stack, merchant, erp_id, name="同款 保温杯", main_image_sha256=sha)
    barrier, outcomes = threading.Barrier(len(ids)), []

    def run(erp_id):
        client = Client(stack.api_url, merchant.client.auth)
        barrier.wait()
        outcomes.append(act(merchant, "list", [erp_id], client=client)[0])

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(r["status"] for r in outcomes) == ["error"] * 5 + ["ok"], outcomes
    assert {r["code"] for r in outcomes if r["status"] == "error"} == {"duplicate_listing"}
    listed = merchant.client.get("/v1/products?listing=listed").json()["items"]
    assert len(listed) == 1


def test_bad_requests(shop):
    assert_problem(shop.client.post("/v1/listings", {"action": "hide", "erp_product_ids": ["A"]}), 422,
                   "validation_error")
    assert_problem(shop.client.post("/v1/listings", {"action": "list", "erp_product_ids": []}), 422,
                   "validation_error")
    assert_problem(shop.client.post("/v1/listings", {"action": "list", "erp_product_ids": [f"X{i}" for i in range(101)]}),
                   422, "validation_error")
    assert_problem(shop.client.post("/v1/listings", {"action": "list", "erp_product_ids": ["A"], "x": 1}), 422,
                   "validation_error")


def test_listing_switch_skips_automatic_listing(stack):
    merchant = new_merchant(stack)
    matched(stack, merchant, "SW1")
    merchant.client.put("/v1/sync-switches", {"listings": False})
    assert act(merchant, "list", ["SW1"])[0]["code"] == "sync_off"
    assert act(merchant, "list", ["SW1"], headers={"X-Onceship-Source": "manual"})[0]["status"] == "ok"


def test_idempotent_replay(stack, shop):
    matched(stack, shop, "IDEM1")
    key = {"Idempotency-Key": uid("k")}
    first = shop.client.post("/v1/listings", {"action": "list", "erp_product_ids": ["IDEM1"]}, headers=key)
    again = shop.client.post("/v1/listings", {"action": "list", "erp_product_ids": ["IDEM1"]}, headers=key)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()


def test_auto_list_when_stocked(stack):
    from chalicelib.services import listing
    merchant = new_merchant(stack)
    assert merchant.client.get("/v1/settings/listing").json() == {"auto_list_when_stocked": False}
    matched(stack, merchant, "AUTO1", stock=0)
    set_stock(merchant.merchant_id, "AUTO1", 4)
    assert listing.on_stock_changed(merchant.merchant_id, "AUTO1") == {}              # the setting is off
    answer = merchant.client.put("/v1/settings/listing", {"auto_list_when_stocked": True})
    assert answer.status_code == 200 and answer.json() == {"auto_list_when_stocked": True}
    assert listing.on_stock_changed(merchant.merchant_id, "AUTO1") == {"AUTO1": "listed"}
    assert listing_of(merchant, "AUTO1") == "listed"
    set_stock(merchant.merchant_id, "AUTO1", 2, reserved=2)
    assert listing.on_stock_changed(merchant.merchant_id, "AUTO1") == {"AUTO1": "unlisted"}
    put_products(merchant, [product("AUTO2", barcode=uid("00"))])
    set_stock(merchant.merchant_id, "AUTO2", 9)
    assert listing.on_stocks_changed(merchant.merchant_id, ["AUTO2", "MISSING"]) == {}   # not matched
    reviewed = merchant.client.post("/v1/products/AUTO2/review", {"base_product_id": base_product(stack)})
    assert reviewed.json()["listing"] == "listed"                     # matched with stock: listed at once
    assert_problem(merchant.client.put("/v1/settings/listing", {"auto_list_when_stocked": "yes"}), 422,
                   "validation_error")
