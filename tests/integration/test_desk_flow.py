"""The seed's whole flow through HTTP, from a storefront order to a shipped parcel:
审核 → 退款检测 → 预约物流单号 → 打印货运单 → 直接发货 → 物流回写 (contract sections 7 and 8)."""
import requests

from tests.helpers import operator
from tests.integration.desk_support import SENDER
from tests.orders_support import paid_order, seed_product, shop, stock


def test_a_storefront_order_goes_through_the_desk_and_back_to_the_erp(stack):
    s = shop(stack)
    seed_product(s.merchant_id, "AMX", on_hand=10)
    supervisor = operator(stack, s.merchant_id, "supervisor")
    desk = operator(stack, s.merchant_id)
    assert supervisor.put("/v1/settings/sender", SENDER).status_code == 200
    assert supervisor.put("/v1/desk/carrier-rules", {"rules": [{"provinces": ["广东"], "carrier_code": "zto"}]}
                          ).status_code == 200
    assert supervisor.post("/v1/desk/waybill-ranges", {"carrier_code": "ZTO", "prefix": "ZT" + s.merchant_id[-6:],
                                                       "first": 1, "last": 99999}).status_code == 201
    order_id = paid_order(s, [("AMX", 3)])["order_id"]

    waiting = desk.get("/v1/desk/orders?stage=to_review").json()["items"]
    assert [o["order_id"] for o in waiting] == [order_id]
    assert waiting[0]["paid_at"] and waiting[0]["lines"][0]["quantity"] == 3

    reviewed = desk.post("/v1/desk/reviews", {"auto": True}).json()["results"]
    assert [(r["key"], r["status"], r["carrier_code"]) for r in reviewed] == [(order_id, "ok", "ZTO")]
    checked = desk.post("/v1/desk/refund-checks", {"order_ids": [order_id]}).json()["results"][0]
    assert checked["refund_pending"] is False
    reserved = desk.post("/v1/desk/waybills", {"order_ids": [order_id]}).json()["results"][0]
    waybill_no = reserved["waybill_no"]
    batch = desk.post("/v1/desk/print-batches", {"max_orders": 10}).json()
    assert batch["order_ids"] == [order_id]
    assert requests.get(batch["labels_url"], timeout=10).content.startswith(b"%PDF")
    shipped = desk.post("/v1/desk/shipments", {"order_ids": [order_id]}).json()["results"][0]
    assert shipped["status"] == "ok", shipped

    erp = s.merchant.get(f"/v1/orders/{order_id}").json()
    assert (erp["status"], erp["carrier_code"], erp["waybill_no"]) == ("shipped", "ZTO", waybill_no)
    assert stock(s.merchant_id, "AMX") == {"on_hand": 7, "reserved": 0, "free": 7}
    view = desk.get(f"/v1/desk/orders/{order_id}").json()
    assert (view["stage"], view["print_count"]) == ("shipped", 1)
    assert [o["order_id"] for o in desk.get("/v1/desk/orders?stage=shipped").json()["items"]] == [order_id]
