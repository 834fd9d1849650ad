"""Carrier rules at arrival over HTTP (contract section 8): a paid order entering the desk takes
its province's carrier at once, shown in `to_review` and found by the `carrier_code` filter; a
batch change overrides it; rules changed later leave orders already at the desk as they are."""
import uuid

import pytest

from tests.integration.desk_support import Desk
from tests.orders_support import seed_product


@pytest.fixture
def shop(stack):
    d = Desk(stack, carrier_rules=False).with_channel()
    seed_product(d.mid, "AMX", on_hand=1000)      # matched and listed: the storefront sells it
    return d


def storefront_order(d: Desk, province: str) -> str:
    """Placed and paid through the channel's endpoints, delivered to `province`."""
    token = d.channel.post("/v1/checkout-tokens", {"merchant_id": d.mid})
    assert token.status_code == 201, token.text
    body = {"merchant_id": d.mid, "buyer": {"platform_customer_id": "b-" + uuid.uuid4().hex[:8], "name": "李四"},
            "lines": [{"erp_product_id": "AMX", "quantity": 1}],
            "address": {"name": "李四", "phone": "13900000000", "province": province, "city": "某市",
                        "district": "某区", "detail": "某路 2 号"}}
    placed = d.channel.post("/v1/orders", body, headers={"Idempotency-Key": token.json()["token"]})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    paid = d.channel.post(f"/v1/orders/{order_id}/payment", {"paid_at": "2026-11-11T10:00:00+08:00"})
    assert paid.status_code == 200, paid.text
    return order_id


def carriers_waiting(d: Desk, **query) -> dict:
    """{order_id: carrier_code} of the to_review list, filtered by `query`."""
    path = "/v1/desk/orders?stage=to_review&limit=100" + "".join(f"&{k}={v}" for k, v in query.items())
    answer = d.operator.get(path)
    assert answer.status_code == 200, answer.text
    return {o["order_id"]: o["carrier_code"] for o in answer.json()["items"]}


def put_rules(d: Desk, *rules) -> None:
    answer = d.supervisor.put("/v1/desk/carrier-rules", {"rules": [
        {"provinces": provinces, "carrier_code": carrier} for provinces, carrier in rules]})
    assert answer.status_code == 200, answer.text


def results(answer) -> dict:
    assert answer.status_code == 200, answer.text
    return {r["key"]: r for r in answer.json()["results"]}


def test_a_paid_order_takes_its_provinces_carrier_on_arrival(shop):
    d = shop
    put_rules(d, (["北京", "天津"], "jd"), (["广东省"], "ZTO"))
    bj, gd, xz = storefront_order(d, "北京市"), storefront_order(d, "广东"), storefront_order(d, "西藏自治区")
    assert carriers_waiting(d) == {bj: "JD", gd: "ZTO", xz: None}     # before anyone reviewed
    assert d.order(bj)["carrier_code"] == "JD" and d.order(bj)["stage"] == "to_review"
    assert list(carriers_waiting(d, carrier_code="JD")) == [bj]
    assert list(carriers_waiting(d, carrier_code="zto")) == [gd]      # the code as the platform spells it
    assert carriers_waiting(d, carrier_code="SF") == {}

    changed = results(d.operator.put("/v1/desk/orders/carrier", {"order_ids": [gd], "carrier_code": "SF"}))
    assert changed[gd]["status"] == "ok"
    assert list(carriers_waiting(d, carrier_code="SF")) == [gd] and carriers_waiting(d, carrier_code="ZTO") == {}

    reviewed = results(d.operator.post("/v1/desk/reviews", {"order_ids": [bj, gd, xz]}))
    assert [reviewed[o]["carrier_code"] for o in (bj, gd, xz)] == ["JD", "SF", None]
    # the seller's ERP sees the order as paid; the desk's carrier is the desk's until it ships
    assert d.merchant.client.get(f"/v1/orders/{bj}").json()["status"] == "paid"


def test_rules_changed_after_arrival_leave_waiting_orders_as_they_are(shop):
    d = shop
    put_rules(d, (["广东"], "ZTO"))
    early, remote = storefront_order(d, "广东省"), storefront_order(d, "西藏")
    put_rules(d, (["广东"], "STO"), (["西藏"], "EMS"))
    late = storefront_order(d, "广东省")
    assert carriers_waiting(d) == {early: "ZTO", remote: None, late: "STO"}
    # at review an order keeps the carrier it has; one that arrived with none takes today's rule
    reviewed = results(d.operator.post("/v1/desk/reviews", {"order_ids": [early, remote, late]}))
    assert [reviewed[o]["carrier_code"] for o in (early, remote, late)] == ["ZTO", "EMS", "STO"]
    put_rules(d)                                  # no rules at all: a new order has no carrier
    bare = storefront_order(d, "广东省")
    assert carriers_waiting(d) == {bare: None}


def test_an_exchange_order_arrives_with_its_provinces_carrier(shop):
    d = shop
    put_rules(d, (["广东"], "ZTO"))
    original = storefront_order(d, "广东省")
    assert results(d.operator.put("/v1/desk/orders/carrier", {"order_ids": [original], "carrier_code": "EMS"}))[
        original]["status"] == "ok"
    made = d.supervisor.post("/v1/desk/manual-orders", {"from_order_id": original, "lines": [
        {"erp_product_id": "AMX", "quantity": 1}], "remark": "换货"})
    assert made.status_code == 201, made.text
    exchange = made.json()
    assert (exchange["stage"], exchange["carrier_code"]) == ("to_review", "ZTO")
    assert carriers_waiting(d, carrier_code="ZTO") == {exchange["order_id"]: "ZTO"}
    assert carriers_waiting(d, carrier_code="EMS") == {original: "EMS"}
