"""ONCESHIP_DEMO=1: a demo merchant whose console can be tried at once: products (one waiting
for a person to match it), stock, a channel, a manager, a supervisor and an operator, desk
settings (sender, carrier rules, an SF waybill range, a print lane), and paid orders in every
stage of the desk (待审核 to 已发货).

Everything goes through the public API, as a real merchant, channel and warehouse would do it.
The demo's credentials are kept in the state dir, so a restart reuses the demo instead of
making another.
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
# a product whose barcode two base products carry: it waits in the 待匹配 pending_review queue
PENDING = ("YP-0005", "板蓝根颗粒", "6905678901236", "10g*20袋", "白云山")
ADDRESSES = [
    {"name": "张三", "phone": "13800000000", "province": "广东省", "city": "深圳市", "district": "南山区",
     "detail": "科技园中区 1 号"},
    {"name": "李四", "phone": "13900000000", "province": "浙江省", "city": "杭州市", "district": "西湖区",
     "detail": "文三路 90 号"},
    {"name": "王五", "phone": "13700000000", "province": "北京市", "city": "北京市", "district": "海淀区",
     "detail": "中关村大街 27 号"},
]
PASSWORD = "onceship-demo"
USERS = (("manager", "manager"), ("supervisor", "supervisor"), ("operator", "operator"))
# how many orders end in each stage, and how they get there
STAGES = (("to_review", 4), ("reviewed", 2), ("waybill_reserved", 2), ("printed", 3), ("shipped", 2))


def load(stack) -> str:
    saved = Path(stack.state_dir) / "demo.json"
    if saved.exists():
        return _describe(json.loads(saved.read_text()))
    admin = Client(stack.api_url, ("bearer", stack.admin_token))
    merchant = _ok(admin.post("/v1/admin/merchants", {"name": "演示大药房"}))
    mid = merchant["merchant_id"]
    shop = Client(stack.api_url, ("signed", mid, merchant["secret"]))
    _catalog(admin, shop)
    users = [u for u, role in USERS if _user(admin, mid, u, role)]
    channel = _ok(admin.post("/v1/admin/channels", {"name": "演示商城", "merchant_ids": [mid]}))
    store = Client(stack.api_url, ("signed", channel["channel_id"], channel["secret"]))
    supervisor = _session(stack, mid, "supervisor")
    _desk_settings(supervisor)
    orders = [_paid_order(store, mid, i) for i in range(sum(n for _, n in STAGES))]
    _through_the_desk(supervisor, orders)
    demo = {"merchant_id": mid, "merchant_secret": merchant["secret"], "channel_id": channel["channel_id"],
            "channel_secret": channel["secret"], "operators": users, "operator_password": PASSWORD,
            "orders": orders, "console_url": stack.console_url}
    saved.write_text(json.dumps(demo, ensure_ascii=False, indent=2))
    return _describe(demo)


def _catalog(admin: Client, shop: Client) -> None:
    for erp_id, name, barcode, approval, spec, maker, price, _ in PRODUCTS:
        _ok(admin.put(f"/v1/admin/base-products/base-{erp_id}",
                      {"name": name, "barcode": barcode, "approval_number": approval, "spec": spec,
                       "manufacturer": maker}))
    erp_id, name, barcode, spec, maker = PENDING
    for suffix, pack in (("a", "10g*20袋"), ("b", "10g*10袋")):
        _ok(admin.put(f"/v1/admin/base-products/base-{erp_id}-{suffix}",
                      {"name": f"{name} {pack}", "barcode": barcode, "spec": pack, "manufacturer": maker}))
    _ok(shop.put("/v1/products", {"items": [
        {"erp_product_id": e, "name": n, "barcode": b, "approval_number": a, "spec": s, "manufacturer": m,
         "default_price": p} for e, n, b, a, s, m, p, _ in PRODUCTS]
        + [{"erp_product_id": erp_id, "name": name, "barcode": barcode, "spec": spec, "manufacturer": maker,
            "default_price": "15.00"}]}))
    _ok(shop.put("/v1/inventory", {"items": [{"erp_product_id": p[0], "on_hand": p[7]} for p in PRODUCTS]
                                   + [{"erp_product_id": erp_id, "on_hand": 40}]}))
    _ok(shop.post("/v1/listings", {"action": "list", "erp_product_ids": [p[0] for p in PRODUCTS]}))


def _user(admin: Client, merchant_id: str, username: str, role: str) -> bool:
    answer = admin.post(f"/v1/admin/merchants/{merchant_id}/operators",
                        {"username": username, "password": PASSWORD, "role": role})
    if answer.status_code == 422 and role == "manager":
        return False  # a stack without the manager role yet
    _ok(answer)
    return True


def _session(stack, merchant_id: str, username: str) -> Client:
    answer = _ok(Client(stack.api_url).post("/v1/console/sessions", {
        "merchant_id": merchant_id, "username": username, "password": PASSWORD}))
    return Client(stack.api_url, ("bearer", answer["token"]))


def _desk_settings(supervisor: Client) -> None:
    _ok(supervisor.put("/v1/settings/sender", {"name": "演示大药房仓库", "phone": "075512345678", "province": "广东省",
                                              "city": "深圳市", "district": "宝安区", "detail": "物流园 8 栋"}))
    _ok(supervisor.put("/v1/desk/carrier-rules", {"rules": [
        {"provinces": ["广东省", "广西壮族自治区", "福建省"], "carrier_code": "SF"},
        {"provinces": ["浙江省", "江苏省", "上海市", "北京市"], "carrier_code": "ZTO"}]}))
    for carrier, prefix in (("SF", "SF7000"), ("ZTO", "ZT7000")):
        _ok(supervisor.post("/v1/desk/waybill-ranges", {"carrier_code": carrier, "prefix": prefix,
                                                        "first": 1, "last": 5000}))
    _ok(supervisor.put("/v1/desk/print-lanes/south", {"provinces": ["广东省", "广西壮族自治区", "福建省"]}))


def _paid_order(store: Client, merchant_id: str, n: int) -> str:
    token = _ok(store.post("/v1/checkout-tokens", {"merchant_id": merchant_id}))["token"]
    lines = [{"erp_product_id": PRODUCTS[n % 4][0], "quantity": 1 + n % 3}]
    if n % 2:
        lines.append({"erp_product_id": PRODUCTS[(n + 1) % 4][0], "quantity": 2})
    body = {"merchant_id": merchant_id, "buyer": {"platform_customer_id": f"buyer-{n}", "name": f"客户{n}"},
            "lines": lines, "address": ADDRESSES[n % len(ADDRESSES)]}
    if n == 1:
        body["remark"] = "请周末送货"
    order = _ok(store.post("/v1/orders", body, headers={"Idempotency-Key": token}))
    _ok(store.post(f"/v1/orders/{order['order_id']}/payment", {"paid_at": f"2026-11-22T{8 + n:02d}:00:00+08:00"}))
    return order["order_id"]


def _through_the_desk(desk: Client, orders: list) -> None:
    """Leaves the counts of STAGES in each stage. A print batch claims the oldest reserved
    orders, so the ones to print are reserved (and printed) before the ones that stay reserved."""
    count = dict(STAGES)
    waiting, onwards = orders[:count["to_review"]], orders[count["to_review"]:]
    reviewed, onwards = onwards[:count["reviewed"]], onwards[count["reviewed"]:]
    reserved, printed = onwards[:count["waybill_reserved"]], onwards[count["waybill_reserved"]:]
    assert len(waiting) + len(reviewed) + len(reserved) + len(printed) == len(orders)
    _ok(desk.post("/v1/desk/reviews", {"order_ids": reviewed + reserved + printed}))
    _ok(desk.post("/v1/desk/waybills", {"order_ids": printed}))
    _ok(desk.post("/v1/desk/print-batches", {"max_orders": len(printed)}))
    _ok(desk.post("/v1/desk/waybills", {"order_ids": reserved}))
    _ok(desk.post("/v1/desk/shipments", {"order_ids": printed[count["printed"]:]}))


def _ok(answer, allow=()):
    if answer.status_code in allow:
        return None
    if answer.status_code >= 300:
        raise RuntimeError(f"demo: {answer.request.method} {answer.request.path_url} → {answer.status_code} {answer.text}")
    body = answer.json()
    failed = [r for r in body.get("results", []) if r.get("status") == "error"] if isinstance(body, dict) else []
    if failed:
        raise RuntimeError(f"demo: {answer.request.method} {answer.request.path_url}: {failed}")
    return body


def _describe(demo: dict) -> str:
    logins = "; ".join(f"{u} / {demo['operator_password']}" for u in demo["operators"])
    return (f"merchant {demo['merchant_id']} secret {demo['merchant_secret']} | channel {demo['channel_id']} "
            f"secret {demo['channel_secret']} | {len(demo['orders'])} paid orders\n"
            f"  Console logins (merchant_id {demo['merchant_id']}): {logins}")
