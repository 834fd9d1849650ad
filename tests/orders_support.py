"""Test support for orders: a merchant with a channel, products with stock, placing orders.

Everything goes through HTTP: products through the catalog (matched to a base product, listed),
stock through inventory, orders through the order endpoints.
"""
import threading
import uuid
from dataclasses import dataclass

from chalicelib.sdk import segment
from tests.helpers import admin, new_channel, new_merchant


@dataclass
class Shop:
    merchant_id: str
    merchant: object      # signed Client of the merchant
    channel: object       # signed Client of a channel selling for it
    channel_id: str
    stack: object = None


def shop(stack) -> Shop:
    m = new_merchant(stack)
    channel = new_channel(stack, [m.merchant_id])
    return Shop(m.merchant_id, m.client, channel, channel.auth[1], stack)


def _ok(answer, *statuses):
    assert answer.status_code in (statuses or (200,)), answer.text
    body = answer.json()
    for result in body.get("results", []):
        assert result["status"] == "ok", result
    return body


def seed_product(s, erp_product_id: str, price: str = "10.00", on_hand: int = 100, lots=None,
                 listed: bool = True) -> None:
    """A matched product at `price` with `on_hand` units (or `lots`), listed unless told.

    `s` is a Shop (through the catalog and inventory endpoints) or, as other features' tests call
    it, a merchant id (the records are then written straight into the table)."""
    if isinstance(s, str):
        return _seed_records(s, erp_product_id, price, on_hand, lots, listed)
    base = "BP" + uuid.uuid4().hex[:10]
    _ok(admin(s.stack).put(f"/v1/admin/base-products/{base}", {"name": "base " + base}))
    _ok(s.merchant.put("/v1/products", {"items": [{
        "erp_product_id": erp_product_id, "name": f"药品 {erp_product_id}", "default_price": price,
        "base_product_id": base}]}))
    if lots:
        _ok(s.merchant.put(f"/v1/products/{segment(erp_product_id)}/lots", {"lots": lots}))
    else:
        _ok(s.merchant.put("/v1/inventory", {"items": [{"erp_product_id": erp_product_id, "on_hand": on_hand}]}))
    if listed:
        _ok(s.merchant.post("/v1/listings", {"action": "list", "erp_product_ids": [erp_product_id]}))


def _seed_records(merchant_id, erp_product_id, price, on_hand, lots, listed) -> None:
    from chalicelib.domain import clock
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    scope, table = MerchantScope(merchant_id), Table()
    pk, sk = scope.product(erp_product_id)
    table.put({"pk": pk, "sk": sk, "erp_product_id": erp_product_id, "name": f"药品 {erp_product_id}",
               "default_price": price, "match": "matched", "base_product_id": "b1",
               "listing": "listed" if listed else "unlisted", "updated_at": clock.now_iso()})
    pk, sk = scope.stock(erp_product_id)
    on_hand = sum(lot["quantity"] for lot in lots) if lots else on_hand
    table.put({"pk": pk, "sk": sk, "on_hand": on_hand, "reserved": 0, "free": on_hand,
               "lots": lots or [], "source": "manual", "updated_at": clock.now_iso()})


def stock(s, erp_product_id: str) -> dict:
    """on_hand, reserved and free (= on_hand - reserved) of a Shop's product (or a merchant id's)."""
    if isinstance(s, str):
        from chalicelib.store.keys import MerchantScope
        from chalicelib.store.table import Table
        item = Table().get(*MerchantScope(s).stock(erp_product_id)) or {}
        return {k: item.get(k) for k in ("on_hand", "reserved", "free")}
    body = _ok(s.merchant.get(f"/v1/inventory/{segment(erp_product_id)}"))
    return {"on_hand": body["on_hand"], "reserved": body["reserved"], "free": body["on_hand"] - body["reserved"]}


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


def race(count, attempt):
    """Run attempt(i) in `count` threads released at once; their answers, in order."""
    barrier = threading.Barrier(count)
    answers = [None] * count

    def run(i):
        barrier.wait()
        try:
            answers[i] = attempt(i)
        except Exception as error:  # noqa: BLE001 - the test looks at it
            answers[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
