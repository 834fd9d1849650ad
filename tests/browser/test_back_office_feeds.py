"""The back office's feeds through the console, as a manager: the ERP order feed with an order's
tracking and an export; the webhook endpoint, its failed deliveries and a retry; the ERP
connection and the module switches."""
from tests.browser.console_support import console_user, login, screen
from tests.orders_support import paid_order, seed_product, shop
from tests.webhook_receiver import WebhookReceiver


def test_manager_reads_the_order_feed_an_orders_tracking_and_exports(stack, page):
    s = shop(stack)
    seed_product(s, "A1", on_hand=10)
    order = paid_order(s, [("A1", 2)])
    assert s.merchant.post(f"/v1/orders/{order['order_id']}/erp-status",
                           {"status": "picking", "at": "2026-11-23T09:00:00+08:00"}).status_code == 201
    username, password = console_user(stack, s.merchant_id, "manager")
    login(page, stack, s.merchant_id, username, password)
    screen(page, "orders")
    listed = page.locator(f"tr[data-order-id='{order['order_id']}']")
    listed.locator("button.link").click()
    detail = page.locator(f"[data-detail-order-id='{order['order_id']}']")
    detail.locator(".tracking li", has_text="拣货").wait_for()
    assert "仁和药房" in detail.inner_text() and "科技园 1 号" in detail.inner_text()

    page.click("#act-export")
    link = page.locator(".exports-list a.export-link")
    link.wait_for(timeout=30_000)
    with page.expect_download() as export:
        link.click()
    assert open(export.value.path(), "rb").read(2) == b"PK"


def test_manager_sets_the_webhook_endpoint_sees_a_failed_delivery_and_retries_it(stack, page):
    s = shop(stack)
    seed_product(s, "A1", on_hand=10)
    username, password = console_user(stack, s.merchant_id, "manager")
    with WebhookReceiver(failures=1000) as receiver:
        login(page, stack, s.merchant_id, username, password)
        screen(page, "webhooks")
        page.fill("input[name=url]", receiver.url)
        page.click("#screen form button[type=submit]")
        secret = page.locator("code.signing-secret").inner_text()
        assert len(secret) >= 16
        paid_order(s, [("A1", 1)])
        receiver.wait_for(1)                     # the pump delivers it; the receiver answers 500
        assert receiver.signed_by(secret, *receiver.calls[0])
        page.select_option("select[name=status]", "failed")
        failed = page.locator("tr[data-event-id]").first
        failed.wait_for()
        assert "order.paid" in failed.inner_text() and "500" in failed.inner_text()
        receiver.failures = 0                       # the merchant fixed its receiver
        calls = len(receiver.calls)
        failed.locator("button.retry").click()
        page.locator(".note", has_text="已重新排队").wait_for()
        receiver.wait_for(calls + 1)
        page.select_option("select[name=status]", "succeeded")
        page.locator("tr[data-event-id]", has_text="order.paid").wait_for()


def test_manager_connects_the_erp_and_switches_a_module_off(stack, page):
    s = shop(stack)
    username, password = console_user(stack, s.merchant_id, "manager")
    login(page, stack, s.merchant_id, username, password)
    screen(page, "sync")
    page.fill("input[name=inventory_url]", "http://127.0.0.1:9/erp/inventory")
    page.fill("input[name=auth_header]", "Authorization: Bearer erp-secret-123")
    page.fill("input[name=poll_every_minutes]", "5")
    page.get_by_role("button", name="保存连接 Save connection").click()
    page.locator(".hint", has_text="已设置 set").wait_for()
    assert "erp-secret-123" not in page.content()
    page.locator("dl.erp-status").wait_for()
    assert s.merchant.get("/v1/erp-connection").json()["poll_every_minutes"] == 5

    page.locator("label.switch[data-module=prices] input").uncheck()
    page.locator("form", has=page.locator("label.switch[data-module=prices]")).locator("button[type=submit]").click()
    page.locator(".note", has_text="模块同步开关已保存").wait_for()
    assert s.merchant.get("/v1/sync-switches").json()["prices"] is False
