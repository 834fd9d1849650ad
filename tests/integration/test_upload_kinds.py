"""Every kind of spreadsheet applies through the same models and services as its API endpoint, as
a manual change (sync switches off for automatic writes do not stop it), with real files."""
import pytest

from chalicelib.domain.credit_code import check_char
from chalicelib.services.sheet_apply import APPLIED_BEFORE
from tests import sheets
from tests.catalog_support import base_product, product, put_products, set_stock, uid
from tests.helpers import new_merchant


@pytest.fixture(scope="module")
def shop(stack):
    merchant = new_merchant(stack, "spreadsheet shop")
    off = {m: False for m in ("products", "prices", "lots", "inventory", "listings", "customers")}
    assert merchant.client.put("/v1/sync-switches", off).status_code == 200    # automatic syncs off
    return merchant


def valid_credit_code(first17: str = "91350100MA2Y12345") -> str:
    return first17 + check_char(first17)


def product_body(shop, erp_id: str) -> dict:
    answer = shop.client.get(f"/v1/products/{erp_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_products_from_an_openpyxl_xlsx_match_what_the_api_makes(stack, shop):
    barcode = uid("69")
    base = base_product(stack, barcode=barcode)
    job = sheets.drop(stack, shop.merchant_id, "products", sheets.unique("商品", "xlsx"), sheets.xlsx([
        ["商品编码", "商品名称", "条形码", "规格", "生产厂家", "默认价格", "属性:颜色", "主图SHA256"],
        ["0017", "阿莫西林胶囊", barcode, "0.25g*24粒", "联邦制药", 12.5, "白", "AB" * 32],
        ["0018", "", "", "", "", "3", "", ""],
        ["0019", "维生素C片", "", "100片", "", "90.755", "", ""],
    ]))
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", 3, 1, 2), job
    results = sheets.outcomes(stack, job)
    assert results[0] == ("ok", f"match: matched; base_product_id: {base}")
    assert results[1][0] == "error" and "商品名称 (name) is empty" in results[1][1]
    assert results[2][0] == "error" and "more than two decimal places" in results[2][1]
    # the same item through the API (as a manual change) gives the same product
    put_products(shop, [product("API0017", name="阿莫西林胶囊", barcode=barcode, spec="0.25g*24粒",
                                manufacturer="联邦制药", default_price="12.50", attributes={"颜色": "白"},
                                main_image_sha256="ab" * 32)], headers={"X-Onceship-Source": "manual"})
    sheet_made, api_made = product_body(shop, "0017"), product_body(shop, "API0017")
    for name in ("erp_product_id", "created_at", "updated_at"):
        sheet_made.pop(name), api_made.pop(name)
    assert sheet_made == api_made
    assert sheet_made["default_price"] == "12.50" and sheet_made["attributes"] == {"颜色": "白"}


def test_prices_from_a_gb18030_csv_with_region_and_customer_group_columns(stack, shop):
    put_products(shop, [product("P1"), product("P2")], headers={"X-Onceship-Source": "manual"})
    manual = {"X-Onceship-Source": "manual"}
    assert shop.client.put("/v1/region-groups/south", {"name": "华南", "provinces": ["广东省"]},
                           headers=manual).status_code == 200
    assert shop.client.put("/v1/customer-groups/vip", {"name": "VIP", "platform_customer_ids": []},
                           headers=manual).status_code == 200
    body = sheets.csv_bytes([["商品编码", "默认价格", "建议零售价", "区域:south", "客户组:vip"],
                             ["P1", "90.750", "120", "88", "80.5"],
                             ["P2", "11", "", "", ""],
                             ["NOPE", "1", "", "", ""],
                             ["P2", "", "", "9", ""]], "gb18030")
    job = sheets.drop(stack, shop.merchant_id, "prices", sheets.unique("价格", "csv"), body)
    assert (job["status"], job["ok"], job["errors"]) == ("done", 3, 1), sheets.outcomes(stack, job)
    assert sheets.outcomes(stack, job)[2] == ("error", "not_found: no product 'NOPE'; upsert it first")
    p1 = product_body(shop, "P1")
    assert (p1["default_price"], p1["suggested_retail_price"]) == ("90.75", "120.00")
    assert p1["region_prices"] == [{"region_group_id": "south", "price": "88.00"}]
    assert p1["customer_level_prices"] == [{"customer_group_id": "vip", "price": "80.50"}]
    p2 = product_body(shop, "P2")                   # the later row for P2 applied after the first
    assert p2["default_price"] == "11.00" and p2["region_prices"] == [{"region_group_id": "south", "price": "9.00"}]
    price = shop.client.get("/v1/products/P1/price?province=广东省").json()
    assert (price["price"], price["source"]) == ("88.00", "region")


def test_customers_from_a_utf8_bom_csv(stack, shop):
    good = valid_credit_code()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = sheets.csv_bytes([["客户编码", "客户名称", "统一社会信用代码"], ["C001", "福州大药房", good],
                             ["C002", "厦门诊所", bad], ["C003", "泉州门店", ""]], "utf-8-sig")
    job = sheets.drop(stack, shop.merchant_id, "customers", sheets.unique("客户", "csv"), body)
    assert (job["status"], job["ok"], job["errors"]) == ("done", 2, 1), job
    results = sheets.outcomes(stack, job)
    assert results[0] == ("ok", "match: unmatched") and results[1][1].startswith("invalid_credit_code")
    customer = shop.client.get("/v1/customers/C001").json()
    assert customer["name"] == "福州大药房" and customer["credit_code"] == good


def test_customer_codes_for_platform_buyers_seen_on_orders(stack, shop):
    from tests.helpers import new_channel
    buyer = uid("buyer-")
    channel = new_channel(stack, [shop.merchant_id])
    assert channel.put(f"/v1/buyers/{buyer}", {"name": "南平诊所"}).status_code == 200
    body = sheets.csv_bytes([["客户编码", "平台客户编号"], ["C900", buyer], ["C901", "no-such-buyer"],
                             ["C902", ""]])
    job = sheets.drop(stack, shop.merchant_id, "customers", sheets.unique("买家", "csv"), body)
    results = sheets.outcomes(stack, job)
    assert results[0] == ("ok", f"platform_customer_id: {buyer}")
    assert results[1][1].startswith("not_found") and results[2][0] == "error" and "name" in results[2][1]
    customer = shop.client.get("/v1/customers/C900").json()
    assert (customer["platform_customer_id"], customer["match"]) == (buyer, "matched")


def test_listings_list_and_delist_with_the_apis_refusals(stack, shop):
    base = base_product(stack)
    put_products(shop, [product("L1", base_product_id=base), product("L2", base_product_id=base_product(stack)),
                        product("L3")], headers={"X-Onceship-Source": "manual"})
    set_stock(shop.merchant_id, "L1", 5)
    body = sheets.xlsx([["商品编码", "操作"], ["L1", "上架"], ["L2", "list"], ["L3", "上架"], ["L1", "下架"],
                        ["L1", "上架"], ["L4", "暂停"]])
    job = sheets.drop(stack, shop.merchant_id, "listings", sheets.unique("上下架", "xlsx"), body)
    results = sheets.outcomes(stack, job)
    assert results[0] == ("ok", "listing: listed")
    assert results[1][0] == "error" and results[1][1].startswith("no_stock")
    assert results[2][0] == "error" and results[2][1].startswith("not_matched")
    assert results[3] == ("ok", "listing: unlisted") and results[4] == ("ok", "listing: listed")
    assert results[5][0] == "error" and "暂停" in results[5][1]
    assert product_body(shop, "L1")["listing"] == "listed"


@pytest.fixture(scope="module")
def orders_shop(stack):
    from tests import orders_support
    shop = orders_support.shop(stack)
    orders_support.seed_product(shop.merchant_id, "OP1")
    return shop


def paid(shop) -> str:
    from tests import orders_support
    return orders_support.paid_order(shop, [("OP1", 1)])["order_id"]


def tracking(shop, order_id: str) -> list:
    answer = shop.merchant.get(f"/v1/orders/{order_id}/tracking")
    assert answer.status_code == 200, answer.text
    return [(e["status"], e["at"]) for e in answer.json()["items"]]


def test_order_status_rows_append_tracking_like_the_api(stack, orders_shop):
    first, second = paid(orders_shop), paid(orders_shop)
    body = sheets.xlsx([["订单号", "状态", "时间"], [first, "拣货中", "2026-03-02 09:30"],
                        [first, "delivering", 46084.5], [second, "已出库", ""], ["o_nope", "picking", ""],
                        [second, "lost", ""]])
    job = sheets.drop(stack, orders_shop.merchant_id, "order-status", sheets.unique("状态", "xlsx"), body)
    results = sheets.outcomes(stack, job)
    assert [r[0] for r in results] == ["ok", "ok", "ok", "error", "error"], results
    assert results[1] == ("ok", "order_status: paid") and results[3][1].startswith("not_found")
    assert results[4] == ("error", "validation_error: 状态 (status): 'lost' is not one of submitted (已提交), "
                                   "picking (拣货中), outbound (已出库), delivering (配送中), signed (已签收)")
    assert tracking(orders_shop, first) == [("picking", "2026-03-02T01:30:00.000Z"),      # China time
                                            ("delivering", "2026-03-03T04:00:00.000Z")]   # Excel serial
    # an empty time is when the file was dropped
    assert [s for s, _ in tracking(orders_shop, second)] == ["outbound"]


def test_logistics_rows_ship_orders_with_codes_or_carrier_names(stack, orders_shop):
    first, second = paid(orders_shop), paid(orders_shop)
    body = sheets.csv_bytes([["订单号", "快递公司", "运单号"], [first, "顺丰", "SF1234567890"],
                             [second, "zto", "ZT0001"], [first, "NOSUCH", "X12345"]], "gb18030")
    job = sheets.drop(stack, orders_shop.merchant_id, "logistics", sheets.unique("物流", "csv"), body)
    results = sheets.outcomes(stack, job)
    assert results[0] == ("ok", "order_status: shipped") and results[1][0] == "ok"
    assert results[2][0] == "error" and results[2][1].startswith("unknown_carrier")
    shipped = orders_shop.merchant.get(f"/v1/orders/{first}").json()
    assert (shipped["status"], shipped["carrier_code"], shipped["waybill_no"]) == ("shipped", "SF", "SF1234567890")


def test_a_crash_mid_file_resumes_without_applying_a_row_twice(stack, orders_shop, monkeypatch):
    from chalicelib.services import upload_runner
    monkeypatch.setenv("ONCESHIP_UPLOAD_CHUNK_ROWS", "3")
    crashes = sheets.crash_once(monkeypatch, upload_runner, "crash_after_rows", at=3)      # rows 4-6
    ids = [paid(orders_shop) for _ in range(8)]
    rows = [["订单号", "状态", "时间"]] + [[oid, "picking", f"2026-03-0{1 + i % 5} 10:00"] for i, oid in enumerate(ids)]
    job = sheets.drop(stack, orders_shop.merchant_id, "order-status", sheets.unique("crash", "csv"),
                      sheets.csv_bytes(rows))
    assert crashes == [3]
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", 8, 8, 0), job
    results = sheets.outcomes(stack, job)
    assert [m for _, m in results[3:6]] == [APPLIED_BEFORE] * 3     # applied before the crash, not again
    for oid in ids:
        assert len(tracking(orders_shop, oid)) == 1, oid


def inventory_of(shop, erp_id: str) -> dict:
    answer = shop.client.get(f"/v1/inventory/{erp_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_inventory_absolute_sets_with_compare_like_the_api(stack, shop):
    put_products(shop, [product("I1"), product("I2"), product("I3")], headers={"X-Onceship-Source": "manual"})
    assert shop.client.put("/v1/inventory", {"items": [{"erp_product_id": "I2", "on_hand": 4}]},
                           headers={"X-Onceship-Source": "manual"}).json()["results"][0]["status"] == "ok"
    body = sheets.xlsx([["商品编码", "库存数量", "原库存数量"], ["I1", "12", ""], ["I2", 9, 4], ["I3", 5, 7],
                        ["I1", "-3", ""], ["I1", "1.5", ""]])
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("库存", "xlsx"), body)
    results = sheets.outcomes(stack, job)
    assert [r[0] for r in results] == ["ok", "ok", "error", "error", "error"], results
    assert results[2][1].startswith("compare_failed")
    assert (inventory_of(shop, "I1")["on_hand"], inventory_of(shop, "I2")["on_hand"]) == (12, 9)
    assert inventory_of(shop, "I1")["source"] == "manual"


def test_lots_group_consecutive_rows_into_one_full_replace(stack, shop):
    put_products(shop, [product("LT1"), product("LT2"), product("LT3")], headers={"X-Onceship-Source": "manual"})
    body = sheets.xlsx([
        ["商品编码", "批号", "生产日期", "有效期至", "数量"],
        ["LT1", "A1", 45292, "2026-01-01", 10],          # an Excel serial date
        ["LT1", "A2", "2024/2/1", "2026年2月1日", 5],
        ["LT1", "A3", "2024-03-01", "2026-03-01", 0],     # quantity 0 is not kept
        ["LT2", "B1", "2024-01-01", "2026-01-01", 3],
        ["LT3", "C1", "2024-01-01", "2026-01-01", 1],
        ["LT2", "B2", "2024-01-01", "2026-01-01", 4],     # LT2 again, apart from its first rows
    ], formats={"B2": "@"})
    job = sheets.drop(stack, shop.merchant_id, "lots", sheets.unique("批次", "xlsx"), body)
    results = sheets.outcomes(stack, job)
    assert [r[0] for r in results] == ["ok", "ok", "ok", "error", "ok", "error"], results
    assert results[0] == ("ok", "on_hand: 15; available: 15")
    assert results[3][1].startswith("rows_not_together") and results[5] == results[3]
    lt1 = inventory_of(shop, "LT1")
    assert lt1["on_hand"] == 15
    assert [(lot["lot_no"], lot["production_date"], lot["quantity"]) for lot in lt1["lots"]] == [
        ("A1", "2024-01-01", 10), ("A2", "2024-02-01", 5)]
    assert inventory_of(shop, "LT3")["on_hand"] == 1
    assert shop.client.get("/v1/inventory/LT2").status_code == 404 or inventory_of(shop, "LT2")["lots"] == []


def libreoffice(tmp_path, source, *options) -> bytes:
    """`source` converted to .xlsx by LibreOffice Calc (a writer we did not write)."""
    import shutil
    import subprocess
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    out = tmp_path / "converted"
    done = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", *options,
                           "--convert-to", "xlsx", "--outdir", str(out), str(source)], capture_output=True, timeout=180)
    converted = out / (source.stem + ".xlsx")
    assert converted.exists(), done.stderr.decode(errors="replace")
    return converted.read_bytes()


def test_a_csv_converted_to_xlsx_by_libreoffice(stack, shop, tmp_path):
    """LibreOffice turns a UTF-8 CSV into .xlsx: numbers become number cells, the product codes
    stay text through the import filter's column types."""
    put_products(shop, [product("0042"), product("0043")], headers={"X-Onceship-Source": "manual"})
    source = tmp_path / "库存.csv"
    source.write_bytes("商品编码,库存数量\n0042,8\n0043,13\n".encode("utf-8"))
    body = libreoffice(tmp_path, source, "--infilter=CSV:44,34,76,1,1/2/2/1")
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("lo", "xlsx"), body)
    assert (job["status"], job["ok"], job["errors"]) == ("done", 2, 0), sheets.outcomes(stack, job)
    assert (inventory_of(shop, "0042")["on_hand"], inventory_of(shop, "0043")["on_hand"]) == (8, 13)


def test_formulas_computed_by_a_spreadsheet_program_are_read_as_their_values(stack, shop, tmp_path):
    """openpyxl writes formulas without values; LibreOffice computes and stores them."""
    put_products(shop, [product("F1"), product("F2")], headers={"X-Onceship-Source": "manual"})
    source = tmp_path / "formulas.xlsx"
    source.write_bytes(sheets.xlsx([["商品编码", "库存数量", "箱数"], ["F1", "=C2*12", 2], ["F2", "=C3*12+1", 3]]))
    raw = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("raw", "xlsx"), source.read_bytes())
    assert raw["status"] == "fatal" and "unknown column '箱数'" in raw["detail"]
    source.write_bytes(sheets.xlsx([["商品编码", "库存数量"], ["F1", "=2*12"], ["F2", "=3*12+1"]]))
    unsaved = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("unsaved", "xlsx"), source.read_bytes())
    assert [o for o, _ in sheets.outcomes(stack, unsaved)] == ["error", "error"]      # no values stored
    job = sheets.drop(stack, shop.merchant_id, "inventory", sheets.unique("calc", "xlsx"), libreoffice(tmp_path, source))
    assert (job["ok"], job["errors"]) == (2, 0), sheets.outcomes(stack, job)
    assert (inventory_of(shop, "F1")["on_hand"], inventory_of(shop, "F2")["on_hand"]) == (24, 37)
