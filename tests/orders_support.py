"""Test support for orders: a merchant with a channel, products with stock, placing orders.

Products and stock are written straight into the table (the catalog's and inventory's own
endpoints are tested by their features); everything about orders goes through HTTP.
"""
import uuid
from dataclasses import dataclass

from chalicelib.domain import clock
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table
from tests.helpers import new_channel, new_merchant


@dataclass
class Shop:
    merchant_id: str
    merchant: object      # signed Client of the merchant
    channel: object       # signed Client of a channel selling for it
    channel_id: str


def shop(stack) -> Shop:
    m = new_merchant(stack)
    channel = new_channel(stack, [m.merchant_id])
    return Shop(m.merchant_id, m.client, channel, channel.auth[1])


def seed_product(merchant_id: str, erp_product_id: str, price: str = "10.00", on_hand: int = 100,
                 lots=None, listed: bool = True) -> None:
    scope = MerchantScope(merchant_id)
    table = Table()
    pk, sk = scope.product(erp_product_id)
    table.put({"pk": pk, "sk": sk, "erp_product_id": erp_product_id, "name": f"药品 {erp_product_id}",
               "default_price": price, "match": "matched", "base_product_id": "b1",
               "listing": "listed" if listed else "unlisted", "updated_at": clock.now_iso()})
    pk, sk = scope.stock(erp_product_id)
    table.put({"pk": pk, "sk": sk, "on_hand": on_hand, "reserved": 0, "free": on_hand,
               "lots": lots or [], "source": "manual", "updated_at": clock.now_iso()})


def stock(merchant_id: str, erp_product_id: str) -> dict:
    item = Table().get(*MerchantScope(merchant_id).stock(erp_product_id)) or {}
    return {k: item.get(k) for k in ("on_hand", "reserved", "free")}


def order_body(merchant_id: str, lines, buyer: str = "") -> dict:
    return {"merchant_id": merchant_id,
            "buyer": {"platform_customer_id": buyer or "b-" + uuid.uuid4().hex[:8], "name": "仁和药房"},
            "lines": [{"erp_product_id": e, "quantity": q} for e, q in lines],
            "address": {"name": "张三", "phone": "13800000000", "province": "广东省", "city": "深圳市",
                        "district": "南山区", "detail": "科技园 1 号"}}


def token(shop: Shop) -> str:
    answer = shop.channel.post("/v1/checkout-tokens", {"merchant_id": shop.merchant_id})
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def place(shop: Shop, lines, buyer: str = "", expect: int = 201):
    answer = shop.channel.post("/v1/orders", order_body(shop.merchant_id, lines, buyer),
                               headers={"Idempotency-Key": token(shop)})
    assert answer.status_code == expect, answer.text
    return answer.json()


def pay(shop: Shop, order_id: str, expect: int = 200) -> dict:
    answer = shop.channel.post(f"/v1/orders/{order_id}/payment", {"paid_at": "2026-03-01T10:00:00+08:00"})
    assert answer.status_code == expect, answer.text
    return answer.json()


def paid_order(shop: Shop, lines, buyer: str = "") -> dict:
    order = place(shop, lines, buyer)
    return pay(shop, order["order_id"])
