"""The day's world, set up through the API before the faults are turned on: one merchant with its
catalog (products with barcodes, stock for the day), a desk (a supervisor, four operators, the
sender, a carrier rule, a waybill range), three channels selling for it, and a webhook endpoint
pointing at the merchant's (flaky) receiver."""
import random
from dataclasses import dataclass, field

from chalicelib.sdk import Client

PASSWORD = "day-password-1"
SENDER = {"name": "仁心大药房", "phone": "020-88886666", "province": "广东省", "city": "广州市",
          "district": "天河区", "detail": "体育西路 1 号"}
PROVINCES = ["北京市", "上海市", "广东省", "浙江省", "江苏省", "四川省", "湖北省", "山东省", "河南省", "福建省"]
EVENTS = ["order.paid", "order.refund_requested", "order.cancelled", "order.shipped"]
OPERATORS = 4
CHANNELS = 3


@dataclass
class World:
    stack: object
    seed: int
    orders: int
    admin: Client
    merchant_id: str
    merchant: Client
    channels: list
    supervisor: Client
    supervisor_name: str
    operators: list
    products: dict               # erp_product_id -> barcode
    start_on_hand: dict          # erp_product_id -> on hand when the day began
    receiver: object
    extra: dict = field(default_factory=dict)


def _ok(answer, *statuses):
    if answer.status_code not in (statuses or (200,)):
        raise RuntimeError(f"setup: {answer.request.method} {answer.request.path_url} answered "
                           f"{answer.status_code}: {answer.text[:500]}")
    return answer.json()


def build(stack, seed: int, orders: int, receiver) -> World:
    rng = random.Random(f"{seed}:world")
    admin = Client(stack.api_url, ("bearer", stack.admin_token))
    made = _ok(admin.post("/v1/admin/merchants", {"name": f"warehouse day {seed}"}), 201)
    mid = made["merchant_id"]
    merchant = Client(stack.api_url, ("signed", mid, made["secret"]))
    channels = []
    for i in range(CHANNELS):
        channel = _ok(admin.post("/v1/admin/channels", {"name": f"shop {i}", "merchant_ids": [mid]}), 201)
        channels.append(Client(stack.api_url, ("signed", channel["channel_id"], channel["secret"])))
    supervisor, supervisor_name = _console_user(stack, admin, mid, "supervisor", "chief")
    operators = [_console_user(stack, admin, mid, "operator", f"op{i}")[0] for i in range(OPERATORS)]
    _ok(supervisor.put("/v1/settings/sender", SENDER))
    _ok(supervisor.put("/v1/desk/carrier-rules", {"rules": [{"provinces": PROVINCES, "carrier_code": "SF"}]}))
    _ok(supervisor.post("/v1/desk/waybill-ranges", {"carrier_code": "SF", "prefix": f"SF{seed % 1000:03d}D",
                                                      "first": 1, "last": max(1000, orders * 3)}), 201)
    _ok(merchant.put("/v1/webhook-endpoint", {"url": receiver.url, "events": EVENTS}))
    products, start = {}, {}
    count = max(6, min(40, orders // 25))
    for i in range(count):
        erp_id = f"DAY-{i:03d}"
        barcode = f"69{seed % 100000:05d}{i:05d}"
        base = f"BPDAY{seed}-{i}"
        _ok(admin.put(f"/v1/admin/base-products/{base}", {"name": f"基础药品 {i}"}))
        products[erp_id] = barcode
        # about 1.3 units per expected unit sold (an order takes 3.5 on average); a few products
        # are short, so some orders are refused
        expected = orders * 3.5 / count
        start[erp_id] = int(expected * (0.4 if i % 7 == 3 else 1.3)) + 2
        items = [{"erp_product_id": erp_id, "name": f"感冒灵颗粒 {i} 号", "barcode": barcode,
                  "default_price": f"{rng.randint(5, 90)}.{rng.randint(0, 99):02d}", "base_product_id": base}]
        _ok(merchant.put("/v1/products", {"items": items}))
    erp_ids = list(products)
    for start_at in range(0, len(erp_ids), 100):
        _ok(merchant.put("/v1/inventory", {"items": [{"erp_product_id": e, "on_hand": start[e]}
                                                      for e in erp_ids[start_at:start_at + 100]]}))
        _ok(merchant.post("/v1/listings", {"action": "list", "erp_product_ids": erp_ids[start_at:start_at + 100]}))
    return World(stack, seed, orders, admin, mid, merchant, channels, supervisor, supervisor_name, operators,
                 products, start, receiver)


def _console_user(stack, admin, mid, role, username):
    _ok(admin.post(f"/v1/admin/merchants/{mid}/operators",
                   {"username": username, "password": PASSWORD, "role": role}), 201)
    session = _ok(Client(stack.api_url).post("/v1/console/sessions", {
        "merchant_id": mid, "username": username, "password": PASSWORD}), 201)
    return Client(stack.api_url, ("bearer", session["token"])), username
