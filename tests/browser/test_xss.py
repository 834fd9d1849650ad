"""Guarantee 10 in a real browser: an order whose every client-supplied field holds HTML and
script renders them as text on every screen that shows them, and no script runs."""
import uuid

from tests import helpers
from tests.browser import payloads
from tests.browser.console_support import login, row, screen
from tests.integration.desk_support import Desk


def _merchant_with_poisoned_order(stack):
    """A desk merchant whose product, base product, buyer, address and remarks are payloads; the
    order placed and paid through its storefront channel."""
    p = payloads.texts()
    desk = Desk(stack).with_channel()
    base = "BP-" + uuid.uuid4().hex[:8]
    assert helpers.admin(stack).put(f"/v1/admin/base-products/{base}", {"name": p["base_name"]}).status_code == 200
    shop = desk.merchant.client
    put = shop.put("/v1/products", {"items": [{
        "erp_product_id": p["product_id"], "name": p["product_name"], "barcode": p["barcode"], "spec": p["spec"],
        "manufacturer": p["manufacturer"], "default_price": "12.50", "base_product_id": base}]})
    assert put.status_code == 200 and put.json()["results"][0]["status"] == "ok", put.text
    assert shop.put("/v1/inventory", {"items": [{"erp_product_id": p["product_id"], "on_hand": 50}]}).status_code == 200
    listed = shop.post("/v1/listings", {"action": "list", "erp_product_ids": [p["product_id"]]})
    assert listed.json()["results"][0]["status"] == "ok", listed.text
    token = desk.channel.post("/v1/checkout-tokens", {"merchant_id": desk.mid}).json()["token"]
    placed = desk.channel.post("/v1/orders", {
        "merchant_id": desk.mid, "buyer": {"platform_customer_id": "b-xss", "name": p["buyer"]},
        "lines": [{"erp_product_id": p["product_id"], "quantity": 2}],
        "address": {"name": p["recipient"], "phone": "13800000000", "province": p["province"], "city": p["city"],
                    "district": p["district"], "detail": p["detail"]},
        "remark": p["remark"]}, headers={"Idempotency-Key": token})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    paid = desk.channel.post(f"/v1/orders/{order_id}/payment", {"paid_at": "2026-11-22T10:00:00+08:00"})
    assert paid.status_code == 200, paid.text
    remark = desk.operator.put(f"/v1/desk/orders/{order_id}/remark", {"merchant_remark": p["merchant_remark"]})
    assert remark.status_code == 200, remark.text
    return desk, order_id, p


def test_every_desk_screen_shows_client_text_as_text_and_runs_no_script(stack, page):
    desk, order_id, p = _merchant_with_poisoned_order(stack)
    payloads.hook(page)
    login(page, stack, desk.mid, desk.operator.username)

    listed = row(page, order_id)                       # 审核 review list, to_review
    listed.wait_for()
    payloads.assert_shown_as_text(page, p["buyer"], p["recipient"], p["product_name"], p["remark"],
                                  p["merchant_remark"])
    listed.locator("button.open-order").click()        # the order drawer
    drawer = page.locator(f".drawer[data-drawer-order-id='{order_id}']")
    drawer.locator(".line-name").wait_for()
    payloads.assert_shown_as_text(page, p["province"], p["city"], p["district"], p["detail"], p["product_id"])
    assert drawer.locator("textarea[name=merchant_remark]").input_value() == p["merchant_remark"]
    assert p["remark"] in drawer.locator(".buyer-remark").inner_text()
    page.keyboard.press("Escape")

    # onwards through the desk (by the API: the screens under test are where the text shows)
    assert desk.operator.post("/v1/desk/reviews", {"order_ids": [order_id]}).json()["results"][0]["status"] == "ok"
    assert desk.operator.put("/v1/desk/orders/carrier", {"order_ids": [order_id], "carrier_code": "SF"}).status_code == 200
    reserved = desk.operator.post("/v1/desk/waybills", {"order_ids": [order_id]}).json()["results"][0]
    assert reserved["status"] == "ok", reserved
    assert order_id in desk.operator.post("/v1/desk/print-batches", {"max_orders": 5}).json()["order_ids"]

    screen(page, "print")                              # 打印 print station's printed list
    row(page, order_id, ".printed").wait_for()
    payloads.assert_shown_as_text(page, p["recipient"])
    screen(page, "ship")                               # 直接发货 ship list
    row(page, order_id).wait_for()
    payloads.assert_shown_as_text(page, p["buyer"], p["recipient"], p["product_name"], p["remark"])
    screen(page, "scan")                               # 验货出库 scan station
    page.keyboard.type(reserved["waybill_no"])
    page.keyboard.press("Enter")
    page.locator(f".parcel[data-order-id='{order_id}']").wait_for()
    payloads.assert_shown_as_text(page, p["recipient"], p["product_name"], p["barcode"])
    page.keyboard.type("<script>alert('scanned')</script>")   # a scanned code is text too
    page.keyboard.press("Enter")
    page.locator(".scan-alert .extra").wait_for()
    payloads.assert_shown_as_text(page, "<script>alert('scanned')</script>")


def test_the_exchange_screen_shows_client_text_as_text_and_makes_an_exchange_order(stack, page):
    desk, order_id, p = _merchant_with_poisoned_order(stack)
    payloads.hook(page)
    login(page, stack, desk.mid, desk.supervisor.username)
    screen(page, "exchange")
    page.fill("input[name=from_order_id]", order_id)
    page.get_by_role("button", name="读取 Load").click()
    page.locator(".exchange-source p").wait_for()
    payloads.assert_shown_as_text(page, p["buyer"], p["recipient"], p["detail"])
    assert page.locator(".exchange-line input[name=erp_product_id]").first.input_value() == p["product_id"]
    page.locator(".exchange-line input[name=quantity]").first.fill("1")      # and make the exchange order
    page.fill("textarea[name=remark]", "换货: 破损 <b>damaged</b>")
    page.get_by_role("button", name="创建换货单 Create exchange order").click()
    made = page.locator("p.ok button.link")
    made.wait_for()
    exchange = desk.order(made.get_attribute("data-order-id"))
    assert exchange["stage"] == "to_review" and exchange["exchange_of"] == order_id
    assert [(l["erp_product_id"], l["quantity"]) for l in exchange["lines"]] == [(p["product_id"], 1)]
    made.click()                                                           # its drawer
    remark = page.locator(".drawer textarea[name=merchant_remark]")
    remark.wait_for()
    assert remark.input_value() == "换货: 破损 <b>damaged</b>"                # the exchange's own note
    payloads.assert_no_script_ran(page)


def test_every_back_office_screen_shows_client_text_as_text_and_runs_no_script(stack, page, tmp_path):
    from tests.browser.console_support import console_user
    desk, order_id, p = _merchant_with_poisoned_order(stack)
    pending_id = "PENDING-" + uuid.uuid4().hex[:6]
    put = desk.merchant.client.put("/v1/products", {"items": [{     # pending: its barcode finds no base product
        "erp_product_id": pending_id, "name": p["product_name"], "barcode": "69" + uuid.uuid4().hex[:11],
        "spec": p["spec"], "manufacturer": p["manufacturer"], "default_price": "1.00"}]})
    assert put.json()["results"][0]["match"] == "pending_review", put.text
    username, password = console_user(stack, desk.mid, "manager")
    payloads.hook(page)
    login(page, stack, desk.mid, username, password)

    screen(page, "products")                                  # 商品 list
    page.locator(f"tr[data-product-id='{p['product_id']}']").wait_for()
    payloads.assert_shown_as_text(page, p["product_name"], p["barcode"], p["spec"], p["manufacturer"], p["product_id"])
    page.locator(f"tr[data-product-id='{pending_id}'] button.resolve").click()   # resolve dialog
    page.locator("dialog.dialog .candidates p.hint, dialog.dialog label.candidate").first.wait_for()
    payloads.assert_shown_as_text(page, p["product_name"])
    page.keyboard.press("Escape")
    page.locator(f"tr[data-product-id='{p['product_id']}'] a.product-link").click()   # the product page
    page.locator("#screen[data-screen=product] .card[data-stock=on_hand]").wait_for()
    payloads.assert_shown_as_text(page, p["product_name"], p["barcode"], p["spec"], p["manufacturer"], p["product_id"])

    screen(page, "orders")                                    # 订单 feed and one order
    feed = page.locator(f"tr[data-order-id='{order_id}']")
    feed.wait_for()
    payloads.assert_shown_as_text(page, p["buyer"], p["recipient"])
    feed.locator("button.link").click()
    page.locator(f"[data-detail-order-id='{order_id}'] .line-name").wait_for()
    payloads.assert_shown_as_text(page, p["province"], p["city"], p["district"], p["detail"], p["remark"],
                                  p["merchant_remark"], p["product_name"])

    screen(page, "sheets")                                    # 表格 a file name
    sheet = tmp_path / p["filename"].replace("/", "_")
    sheet.write_text("erp_product_id,on_hand\n" + p["product_id"] + ",7\n", encoding="utf-8")
    page.select_option("select[name=kind]", "inventory")
    page.set_input_files("input[name=file]", str(sheet))
    page.get_by_role("button", name="上传 Upload").click()
    page.locator("tr[data-job-id] td.filename", has_text=p["filename"]).wait_for(timeout=20_000)
    payloads.assert_shown_as_text(page, p["filename"])
