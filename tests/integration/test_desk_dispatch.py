"""Parcels leaving the desk over HTTP: direct ship, outbound inspection, exchange orders
(contract section 8, guarantees 3 and 4)."""
import pytest

from tests.helpers import assert_problem
from tests.integration.desk_support import Desk, hold
from tests.webhook_receiver import WebhookReceiver


@pytest.fixture(scope="module")
def desk(stack):
    d = Desk(stack)
    d.product("AMX", barcode="6901234567892", on_hand=100)
    d.product("IBU", on_hand=100)
    return d


def results(answer) -> dict:
    assert answer.status_code == 200, answer.text
    return {r["key"]: r for r in answer.json()["results"]}


LINES = [("AMX", 2), ("IBU", 1)]


def test_direct_ship_writes_back_consumes_stock_and_notifies(stack):
    desk = Desk(stack)
    receiver = WebhookReceiver()
    try:
        hook = desk.merchant.client.put("/v1/webhook-endpoint", {"url": receiver.url, "events": ["order.shipped"]})
        assert hook.status_code == 200, hook.text
        order_id = desk.printed(1, lines=LINES)[0]
        before = desk.stock("AMX")
        waybill_no = desk.order(order_id)["waybill_no"]
        answer = results(desk.operator.post("/v1/desk/shipments", {"order_ids": [order_id]}))
        assert answer[order_id]["status"] == "ok" and answer[order_id]["waybill_no"] == waybill_no
        after = desk.stock("AMX")
        assert (after["on_hand"], after["reserved"]) == (before["on_hand"] - 2, before["reserved"] - 2)
        erp_view = desk.merchant.client.get(f"/v1/orders/{order_id}").json()
        assert erp_view["status"] == "shipped"
        assert (erp_view["carrier_code"], erp_view["waybill_no"]) == ("SF", waybill_no)
        assert [l["shipped_quantity"] for l in erp_view["lines"]] == [2, 1]
        view = desk.order(order_id)
        assert view["stage"] == "shipped" and view["shipped_at"] and view["shipped_by"] == desk.operator.username
        assert order_id in ids_at(desk, "shipped") and order_id not in ids_at(desk, "printed")
        again = results(desk.operator.post("/v1/desk/shipments", {"order_ids": [order_id]}))
        assert (again[order_id]["status"], again[order_id]["code"]) == ("skipped", "already_shipped")
        assert desk.stock("AMX")["on_hand"] == before["on_hand"] - 2      # not consumed twice
        events = receiver.wait_for(1)
        assert [(e["type"], e["data"]["order_id"], e["data"]["waybill_no"]) for e in events] == [
            ("order.shipped", order_id, waybill_no)]
        stack.pump.drain()
    finally:
        receiver.close()


def ids_at(desk, stage: str) -> list:
    return [o["order_id"] for o in desk.operator.get(f"/v1/desk/orders?stage={stage}&limit=100").json()["items"]]


def test_only_printed_unheld_orders_ship_directly(stack, desk):
    held = desk.printed(1)[0]
    reserved = desk.reserved(1)[0]
    hold(desk.mid, held)
    answer = results(desk.operator.post("/v1/desk/shipments", {"order_ids": [reserved, held, "o_nope"]}))
    assert answer[reserved]["code"] == "not_printed"
    assert answer[held]["code"] == "refund_pending"
    assert answer["o_nope"]["code"] == "not_found"
    assert desk.order(held)["stage"] == "printed"


def test_double_printed_order_needs_inspection_and_passes_it(stack, desk):
    order_id = desk.printed(1, lines=LINES)[0]
    desk.reprint(order_id)
    blocked = results(desk.operator.post("/v1/desk/shipments", {"order_ids": [order_id]}))
    assert blocked[order_id]["code"] == "needs_inspection"
    waybill_no = desk.order(order_id)["waybill_no"]
    wrong = desk.operator.post("/v1/desk/inspections", {"waybill_no": waybill_no,
                                                         "scanned": ["6901234567892", "IBU", "X-1"]})
    body = assert_problem(wrong, 422, "inspection_mismatch")
    assert body["missing"] == [{"code": "6901234567892", "quantity": 1}]
    assert body["extra"] == [{"code": "X-1", "quantity": 1}]
    assert desk.order(order_id)["stage"] == "printed"
    right = desk.operator.post("/v1/desk/inspections", {"waybill_no": waybill_no,
                                                         "scanned": ["IBU", "6901234567892", "6901234567892"]})
    assert right.status_code == 200, right.text
    assert right.json()["stage"] == "shipped" and right.json()["inspected_at"]
    assert desk.merchant.client.get(f"/v1/orders/{order_id}").json()["status"] == "shipped"
    assert_problem(desk.operator.post("/v1/desk/inspections", {"waybill_no": waybill_no, "scanned": []}),
                   409, "already_shipped")
    assert_problem(desk.operator.post("/v1/desk/inspections", {"waybill_no": "NOPE-1", "scanned": []}),
                   404, "not_found")


def test_inspection_refuses_held_orders(stack, desk):
    order_id = desk.printed(1)[0]
    hold(desk.mid, order_id)
    view = desk.order(order_id)
    scans = ["P1"]
    assert_problem(desk.operator.post("/v1/desk/inspections", {"waybill_no": view["waybill_no"], "scanned": scans}),
                   409, "refund_pending")


def test_exchange_order_for_the_same_buyer(stack, desk):
    original = desk.printed(1, lines=LINES)[0]
    before = desk.stock("IBU")
    assert desk.operator.post("/v1/desk/manual-orders", {"from_order_id": original, "lines": [
        {"erp_product_id": "IBU", "quantity": 1}], "remark": "换货"}).status_code == 403
    made = desk.supervisor.post("/v1/desk/manual-orders", {"from_order_id": original, "lines": [
        {"erp_product_id": "IBU", "quantity": 3}], "remark": "换货: 担保交易 中国邮政"})
    assert made.status_code == 201, made.text
    body = made.json()
    source = desk.order(original)
    assert body["stage"] == "to_review" and body["status"] == "paid"
    assert body["buyer"] == source["buyer"] and body["delivery"] == source["delivery"]
    assert body["amounts"]["total"] == "0.00" and body["lines"][0]["unit_price"] == "0.00"
    assert body["merchant_remark"] == "换货: 担保交易 中国邮政"
    assert desk.stock("IBU")["reserved"] == before["reserved"] + 3
    erp = desk.merchant.client.get(f"/v1/orders/{body['order_id']}")
    assert erp.status_code == 200 and erp.json()["status"] == "paid"
    assert_problem(desk.supervisor.post("/v1/desk/manual-orders", {"from_order_id": original, "lines": [
        {"erp_product_id": "NOPE", "quantity": 1}]}), 422, "unknown_product")
    assert_problem(desk.supervisor.post("/v1/desk/manual-orders", {"from_order_id": "o_nope", "lines": [
        {"erp_product_id": "IBU", "quantity": 1}]}), 404, "not_found")
    assert_problem(desk.supervisor.post("/v1/desk/manual-orders", {"from_order_id": original, "lines": [
        {"erp_product_id": "IBU", "quantity": 10_000}]}), 409, "insufficient_stock")
