"""The back office through the console only, as a manager: resolve a pending product and list
it, a duplicate refused with a link to its twin, a spreadsheet uploaded from the browser and its
report downloaded, a product's inventory sync switched off."""
import io
import uuid

import openpyxl

from tests import helpers
from tests.browser.console_support import console_user, login, screen


def _manager(stack, page):
    m = helpers.new_merchant(stack)
    username, password = console_user(stack, m.merchant_id, "manager")
    login(page, stack, m.merchant_id, username, password)
    return m


def _workbook(download):
    with open(download.path(), "rb") as handle:
        return openpyxl.load_workbook(io.BytesIO(handle.read()))


def _ok(answer):
    assert answer.status_code in (200, 201), answer.text
    body = answer.json()
    assert all(r["status"] == "ok" for r in body.get("results", [])), body
    return body


def test_manager_resolves_a_pending_product_and_lists_it_and_sees_a_duplicate_refused(stack, page):
    m = _manager(stack, page)
    barcode = "69" + uuid.uuid4().hex[:11]
    admin = helpers.admin(stack)
    first, second = (f"BP-{uuid.uuid4().hex[:8]}" for _ in range(2))
    for base, name in ((first, "阿莫西林胶囊 24粒"), (second, "阿莫西林胶囊 36粒")):
        _ok(admin.put(f"/v1/admin/base-products/{base}", {"name": name, "barcode": barcode}))
    image = uuid.uuid4().hex * 2
    put = _ok(m.client.put("/v1/products", {"items": [
        {"erp_product_id": "AMX-36", "name": "阿莫西林胶囊", "barcode": barcode, "default_price": "18.50",
         "main_image_sha256": image},
        {"erp_product_id": "AMX-COPY", "name": "阿莫西林 胶囊", "default_price": "18.50", "base_product_id": first,
         "main_image_sha256": image}]}))
    assert put["results"][0]["match"] == "pending_review"
    _ok(m.client.put("/v1/inventory", {"items": [{"erp_product_id": "AMX-36", "on_hand": 10},
                                                  {"erp_product_id": "AMX-COPY", "on_hand": 5}]}))

    screen(page, "products")
    page.get_by_role("button", name="待匹配队列 Pending review queue").click()
    pending = page.locator("tr[data-product-id='AMX-36']")
    pending.locator("button.resolve").click()
    dialog = page.locator("dialog.dialog")
    dialog.locator(f"label.candidate[data-base-product-id='{second}'] input").check()
    assert dialog.locator("label.candidate").count() == 2
    dialog.locator("button[type=submit]").click()
    page.locator(".note", has_text="已匹配 Matched: AMX-36").wait_for()
    assert m.client.get("/v1/products/AMX-36").json()["base_product_id"] == second

    page.select_option("select[name=match]", "")
    page.locator("tr[data-product-id='AMX-36'] input[type=checkbox]").check()
    page.click("#act-list")
    page.locator(".results tr[data-key='AMX-36'].result-ok").wait_for()
    assert m.client.get("/v1/products/AMX-36").json()["listing"] == "listed"

    page.locator("tr[data-product-id='AMX-COPY'] input[type=checkbox]").check()
    page.click("#act-list")
    refused = page.locator(".results tr[data-key='AMX-COPY'].result-error")
    assert "duplicate_listing" in refused.inner_text()
    refused.locator("a.duplicate-of").click()               # to the product it duplicates
    page.locator("#screen[data-screen=product] h1", has_text="AMX-36").wait_for()


def test_manager_uploads_a_sheet_from_the_browser_and_downloads_its_report(stack, page, tmp_path):
    m = _manager(stack, page)
    _ok(m.client.put("/v1/products", {"items": [{"erp_product_id": "VC-100", "name": "维生素C片", "default_price": "6.90"}]}))
    screen(page, "sheets")
    with page.expect_download() as template:
        page.click("button[data-template=inventory]")
    assert template.value.suggested_filename == "inventory.xlsx"
    book = _workbook(template.value)
    assert "库存数量" in [c.value for c in book.worksheets[0][1]]

    sheet = tmp_path / "库存 11月.csv"
    sheet.write_text("erp_product_id,on_hand\nVC-100,１２\nVC-100,-3\nVC-100,abc\n", encoding="utf-8")
    page.select_option("select[name=kind]", "inventory")
    page.set_input_files("input[name=file]", str(sheet))
    page.get_by_role("button", name="上传 Upload").click()
    job = page.locator("tr[data-status=done]", has_text="库存 11月.csv")
    job.wait_for(timeout=30_000)                             # the list refreshes itself
    cells = job.locator("td").all_inner_texts()
    assert cells[4:8] == ["3", "1", "0", "2"], cells         # rows, ok, skipped, errors
    assert m.client.get("/v1/inventory/VC-100").json()["on_hand"] == 12
    with page.expect_download() as report:
        job.locator("button.report").click()
    assert report.value.suggested_filename == "库存 11月.csv.result.xlsx"
    rows = list(_workbook(report.value).worksheets[0].values)
    assert [r[-2] for r in rows[1:]] == ["ok", "error", "error"], rows


def test_manager_turns_a_products_inventory_sync_off(stack, page):
    m = _manager(stack, page)
    _ok(m.client.put("/v1/products", {"items": [{"erp_product_id": "IBU-20", "name": "布洛芬", "default_price": "25.80"}]}))
    _ok(m.client.put("/v1/inventory", {"items": [{"erp_product_id": "IBU-20", "on_hand": 30}]}))
    page.goto(stack.console_url + "#/product/IBU-20")
    page.locator(".card[data-stock=on_hand] .big", has_text="30").wait_for()
    assert page.locator(".card[data-stock=available] .big").inner_text() == "30"
    page.locator("label.switch[data-module=inventory] input").uncheck()
    page.click("form.switches button[type=submit]")
    page.locator("label.switch[data-module=inventory] .warn").wait_for()
    assert m.client.get("/v1/products/IBU-20/sync-switches").json()["switches"]["inventory"]["on"] is False
    pushed = m.client.put("/v1/inventory", {"items": [{"erp_product_id": "IBU-20", "on_hand": 1}]}).json()
    assert pushed["results"][0]["code"] == "sync_off"           # the ERP's automatic push is kept out
    assert m.client.get("/v1/inventory/IBU-20").json()["on_hand"] == 30
