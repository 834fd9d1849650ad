"""ONCESHIP_DEMO=1: a demo merchant with products, stock, a channel, desk operators and paid orders.

Everything goes through the public API, as a real merchant and channel would do it. The demo's
credentials are kept in the state dir, so a restart reuses the demo instead of making another.
"""
import json
from pathlib import Path

from chalicelib.sdk import Client

PRODUCTS = [
    ("YP-0001", "阿莫西林胶囊", "6901234567892", "国药准字H20003263", "0.25g*24粒", "华北制药", "18.50", 120),
    ("YP-0002", "布洛芬缓释胶囊", "6902345678903", "国药准字H10900089", "0.3g*20粒", "中美史克", "25.80", 80),
    ("YP-0003", "维生素C片", "6903456789014", "国药准字H13021727", "0.1g*100片", "东北制药", "6.90", 300),
    ("YP-0004", "医用外科口罩", "6904567890125", None, "50只/盒", "稳健医疗", "39.00", 60),
]
ADDRESS = {"name": "张三", "phone": "13800000000", "province": "广东省", "city": "深圳市",
           "district": "南山区", "detail": "科技园中区 1 号"}


def load(stack) -> str:
    saved = Path(stack.state_dir) / "demo.json"
    if saved.exists():
        return _describe(json.loads(saved.read_text()))
    admin = Client(stack.api_url, ("bearer", stack.admin_token))
    merchant = _ok(admin.post("/v1/admin/merchants", {"name": "演示大药房"}))
    mid = merchant["merchant_id"]
    shop = Client(stack.api_url, ("signed", mid, merchant["secret"]))
    for erp_id, name, barcode, approval, spec, maker, price, _ in PRODUCTS:
        _ok(admin.put(f"/v1/admin/base-products/base-{erp_id}",
                      {"name": name, "barcode": barcode, "approval_number": approval, "spec": spec,
                       "manufacturer": maker}))
    _ok(shop.put("/v1/products", {"items": [
        {"erp_product_id": e, "name": n, "barcode": b, "approval_number": a, "spec": s, "manufacturer": m,
         "default_price": p} for e, n, b, a, s, m, p, _ in PRODUCTS]}))
    _ok(shop.put("/v1/inventory", {"items": [{"erp_product_id": p[0], "on_hand": p[7]} for p in PRODUCTS]}))
    _ok(shop.post("/v1/listings", {"action": "list", "erp_product_ids": [p[0] for p in PRODUCTS]}))
    _ok(shop.put("/v1/settings/sender", {"name": "演示大药房仓库", "phone": "075512345678", "province": "广东省",
                                         "city": "深圳市", "district": "宝安区", "detail": "物流园 8 栋"}),
        allow=(403, 404))  # the desk settings may not be deployed
    channel = _ok(admin.post("/v1/admin/channels", {"name": "演示商城", "merchant_ids": [mid]}))
    store = Client(stack.api_url, ("signed", channel["channel_id"], channel["secret"]))
    for username, role in (("supervisor", "supervisor"), ("operator", "operator")):
        _ok(admin.post(f"/v1/admin/merchants/{mid}/operators",
                       {"username": username, "password": "onceship-demo", "role": role}))
    orders = [_paid_order(store, mid, i) for i in range(5)]
    demo = {"merchant_id": mid, "merchant_secret": merchant["secret"], "channel_id": channel["channel_id"],
            "channel_secret": channel["secret"], "operators": ["supervisor", "operator"],
            "operator_password": "onceship-demo", "orders": orders}
    saved.write_text(json.dumps(demo, ensure_ascii=False, indent=2))
    return _describe(demo)


def _paid_order(store: Client, merchant_id: str, n: int) -> str:
    token = _ok(store.post("/v1/checkout-tokens", {"merchant_id": merchant_id}))["token"]
    lines = [{"erp_product_id": PRODUCTS[n % 4][0], "quantity": 1 + n % 3}]
    if n % 2:
        lines.append({"erp_product_id": PRODUCTS[(n + 1) % 4][0], "quantity": 2})
    order = _ok(store.post("/v1/orders", {"merchant_id": merchant_id,
                                          "buyer": {"platform_customer_id": f"buyer-{n}", "name": f"客户{n}"},
                                          "lines": lines, "address": ADDRESS},
                           headers={"Idempotency-Key": token}))
    _ok(store.post(f"/v1/orders/{order['order_id']}/payment", {"paid_at": "2026-11-22T10:00:00+08:00"}))
    return order["order_id"]


def _ok(answer, allow=()):
    if answer.status_code in allow:
        return None
    if answer.status_code >= 300:
        raise RuntimeError(f"demo: {answer.request.method} {answer.request.path_url} → {answer.status_code} {answer.text}")
    return answer.json()


def _describe(demo: dict) -> str:
    return (f"merchant {demo['merchant_id']} secret {demo['merchant_secret']} | channel {demo['channel_id']} "
            f"secret {demo['channel_secret']} | console users {', '.join(demo['operators'])} "
            f"password {demo['operator_password']} | {len(demo['orders'])} paid orders")
