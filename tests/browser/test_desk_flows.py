"""The desk through the console only: review, reserve, print, ship; the scan station; reprints."""
import requests

from tests.browser.console_support import login, results_of, row, screen
from tests.integration.desk_support import Desk


def test_operator_reviews_reserves_claims_a_batch_gets_the_pdf_and_ships(stack, page):
    desk = Desk(stack)
    orders = [desk.paid_order(lines=[("P1", 1)]) for _ in range(2)]
    login(page, stack, desk.mid, desk.operator.username)
    assert page.locator("#screen[data-screen=review]").is_visible()
    for order_id in orders:
        row(page, order_id).locator("input[type=checkbox]").check()
    page.click("#act-review")
    for order_id in orders:
        assert results_of(page, order_id).locator("td").nth(1).inner_text() == "ok"
    page.click(".tab[data-stage=reviewed]")
    row(page, orders[0]).wait_for()
    page.check("input[name=select_all]")
    page.click("#act-reserve")
    waybills = [results_of(page, o).locator("td").nth(5).inner_text() for o in orders]
    assert all(w.startswith(desk.prefix) for w in waybills), waybills

    screen(page, "print")
    page.fill("input[name=max_orders]", "10")
    page.click("#claim-batch")
    batch = page.locator(".batch").first
    batch.wait_for()
    assert set(batch.locator(".batch-orders li").all_inner_texts()) >= set(orders)
    pdf = requests.get(batch.locator("a.labels-link").get_attribute("href"), timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    screen(page, "ship")
    for order_id in orders:
        row(page, order_id).locator("input[type=checkbox]").check()
    page.click("#act-ship")
    for order_id in orders:
        assert results_of(page, order_id).locator("td").nth(1).inner_text() == "ok"
        assert desk.order(order_id)["stage"] == "shipped"


def _scan(page, code: str) -> None:
    """What a keyboard-wedge scanner does: types the code, then Enter, into the focused input."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_scan_station_refuses_a_wrong_item_then_ships_on_the_right_ones_without_the_mouse(stack, page):
    desk = Desk(stack)
    desk.product("AMX", barcode="6901234567892")
    desk.product("IBU", barcode="6902345678903")
    (order_id,) = desk.printed(1, lines=[("AMX", 2), ("IBU", 1)])
    waybill = desk.order(order_id)["waybill_no"]
    login(page, stack, desk.mid, desk.operator.username)
    screen(page, "scan")
    assert page.evaluate("document.activeElement.id") == "scan-input"

    _scan(page, waybill)
    parcel = page.locator(f".parcel[data-order-id='{order_id}']")
    parcel.wait_for()
    assert parcel.locator("tr[data-code='6901234567892'] .expected").inner_text() == "2"
    _scan(page, "6901234567892")
    assert parcel.locator("tr[data-code='6901234567892'] .scanned").inner_text() == "1"

    _scan(page, "6999999999999")   # not in this parcel
    alarm = page.locator(".scan-alert .mismatch")
    alarm.wait_for()
    assert "6999999999999" in alarm.locator(".extra").inner_text()
    assert "6902345678903 × 1" in alarm.locator(".missing").inner_text()
    assert page.evaluate("window.__consoleBeeps") >= 1
    assert desk.order(order_id)["stage"] == "printed"

    _scan(page, "6901234567892")
    _scan(page, "6902345678903")
    page.locator(".scan-last .shipped").wait_for()
    assert order_id in page.locator(".scan-last").inner_text()
    assert desk.order(order_id)["stage"] == "shipped"
    assert page.locator(".parcel").count() == 0 and page.input_value("#scan-input") == ""
    assert page.evaluate("document.activeElement.id") == "scan-input"


def test_a_reprint_is_refused_without_a_supervisor_then_authorized(stack, page):
    desk = Desk(stack)
    (order_id,) = desk.printed(1)
    login(page, stack, desk.mid, desk.operator.username)
    screen(page, "print")
    row(page, order_id, ".printed").locator("button.reprint").click()
    dialog = page.locator("dialog.dialog")
    dialog.locator("input[name=reason]").fill("卡纸")
    dialog.locator("input[name=supervisor_username]").fill(desk.operator.username)   # no supervisor
    dialog.locator("input[name=supervisor_password]").fill("password-1")
    dialog.locator("button[type=submit]").click()
    refusal = dialog.locator(".dialog-outcome .problem")
    refusal.wait_for()
    assert "reprint_not_authorized" in refusal.inner_text()
    assert "补打需主管授权" in refusal.inner_text()
    assert desk.order(order_id)["print_count"] == 1

    dialog.locator("input[name=supervisor_username]").fill(desk.supervisor.username)
    dialog.locator("input[name=supervisor_password]").fill("password-1")
    dialog.locator("button[type=submit]").click()
    link = dialog.locator(".dialog-outcome a.labels-link")
    link.wait_for()
    assert requests.get(link.get_attribute("href"), timeout=10).content.startswith(b"%PDF")
    printed = desk.order(order_id)
    assert printed["print_count"] == 2
    assert printed["prints"][-1]["authorized_by"] == desk.supervisor.username
    assert printed["prints"][-1]["reason"] == "卡纸"


def test_review_screen_filters_smart_review_with_reasons_carrier_change_refund_check_and_remark(stack, page):
    from tests.integration.desk_support import hold, set_on_hand
    desk = Desk(stack)
    plain = desk.paid_order(lines=[("P1", 1)], province="浙江省")
    remarked = desk.paid_order(lines=[("P1", 1)], province="浙江省", remark="请放门口")
    held = desk.paid_order(lines=[("P1", 1)], province="浙江省")
    hold(desk.mid, held)
    oversold = desk.paid_order(lines=[("P9", 3)], province="浙江省")
    set_on_hand(desk.mid, "P9", 1)
    elsewhere = desk.paid_order(lines=[("P1", 1)], province="广东省")
    login(page, stack, desk.mid, desk.operator.username)
    page.locator(".tab[data-stage=to_review] .count", has_text="5").wait_for()

    page.fill("input[name=province]", "浙江省")
    page.press("input[name=province]", "Enter")
    row(page, elsewhere).wait_for(state="detached")
    assert page.locator("#screen tr[data-order-id]").count() == 4
    page.click("#act-smart-review")
    assert "ok" in results_of(page, plain).inner_text()
    for order_id, code in ((remarked, "has_remark"), (held, "refund_pending"), (oversold, "insufficient_stock")):
        result = results_of(page, order_id)
        assert "skipped" in result.inner_text() and code in result.inner_text(), result.inner_text()
    assert "有备注" in results_of(page, remarked).inner_text() and "库存不足" in results_of(page, oversold).inner_text()
    assert desk.order(elsewhere)["stage"] == "to_review"   # outside the filter: untouched

    page.check("input[name=select_all]")
    page.click("#act-refund-check")
    page.locator(".results h3", has_text="退款检查").wait_for()
    assert "是 yes" in results_of(page, held).inner_text() and "否 no" in results_of(page, remarked).inner_text()
    row(page, remarked).locator("input[type=checkbox]").check()
    page.select_option("select[name=carrier_code_change]", "YTO")
    page.click("#act-carrier")
    results_of(page, remarked).locator("td", has_text="YTO").wait_for()
    assert desk.order(remarked)["carrier_code"] == "YTO"

    row(page, remarked).locator("button.open-order").click()
    drawer = page.locator(f".drawer[data-drawer-order-id='{remarked}']")
    assert "请放门口" in drawer.locator(".buyer-remark").inner_text()
    drawer.locator("textarea[name=merchant_remark]").fill("已电话确认 confirmed by phone")
    drawer.get_by_role("button", name="保存备注 Save remark").click()
    page.locator(".note", has_text="客服备注已保存").wait_for()
    assert desk.order(remarked)["merchant_remark"] == "已电话确认 confirmed by phone"
    assert "YTO" in drawer.inner_text()
