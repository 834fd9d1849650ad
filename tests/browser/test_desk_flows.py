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
