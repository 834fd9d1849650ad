"""What an order costs over its life: DynamoDB requests and write units per order, against the
floor of one write per state change.

Starts its own LocalStack and takes N orders (default 100) through everything a day at the
warehouse does to them, each step through HTTP as its real caller makes it:
  place       the storefront channel, one signed POST /v1/orders per order (a warm process);
  pay         the channel, one signed POST /v1/orders/{id}/payment per order;
  review      an operator at the desk, POST /v1/desk/reviews {"auto": true};
  waybill     the operator, POST /v1/desk/waybills for the orders (100 a request);
  print       the operator, POST /v1/desk/print-batches (labels PDF to S3);
  ship        the operator, POST /v1/desk/shipments (100 a request);
  erp read    the merchant's ERP, GET /v1/orders pages of 100 (signed);
  erp ack     the ERP, POST /v1/orders/sync-acks (100 a request);
  webhook     the webhooks worker delivering order.paid and order.shipped to the merchant's
              endpoint (a loopback receiver answering 200); it is held back until the end so
              that its requests are counted apart.
Every DynamoDB request of the app (API server and workers run in this process) is counted by
stage. Write units are computed from the items themselves: DynamoDB's item size (attribute names
and values), 1 WCU per started KB, twice that inside a transaction; an Update or ConditionCheck
is sized by the item after the request (read back through a separate, uncounted client).

The floor is one write request per state change: place, pay, review, waybill, print, ship and
ack change the order once each, and each webhook event delivered is one more (its delivery
record) — 9 for an order with two events. Target: requests per order <= 1.3 x the floor.

Run: .venv/bin/python bench/lifecycle.py [orders]
"""
import json
import math
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict

from support import WRITES, result

from chalicelib.sdk import Client

STAGES = ("place", "pay", "review", "waybill", "print", "ship", "erp read", "erp ack", "webhook")
FLOOR = {"place": 1, "pay": 1, "review": 1, "waybill": 1, "print": 1, "ship": 1, "erp read": 0,
         "erp ack": 1, "webhook": 2}
SENDER = {"name": "仁心大药房", "phone": "020-88886666", "province": "广东省", "city": "广州市",
          "district": "天河区", "detail": "体育西路 1 号"}


# item sizes (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html)
def value_size(value: dict) -> int:
    kind, v = next(iter(value.items()))
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = len(v.lstrip("-").replace(".", "").strip("0")) or 1
        return 1 + math.ceil(digits / 2)
    if kind == "B":
        return len(v) if isinstance(v, (bytes, bytearray)) else len(v) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: x}) for x in v)
    if kind == "L":
        return 3 + sum(1 + value_size(x) for x in v)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(x) for k, x in v.items())
    return 1


def item_size(item: dict) -> int:
    return sum(len(k.encode()) + value_size(v) for k, v in (item or {}).items())


def units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


class Meter:
    """Requests and write units of the app's DynamoDB client, by stage."""

    def __init__(self, table_name: str):
        import boto3
        from chalicelib import aws
        self.table_name = table_name
        self.reader = boto3.session.Session().client("dynamodb")     # not counted
        self.stage = None
        self.requests: dict = defaultdict(Counter)
        self.write_units: Counter = Counter()
        self._bodies: dict = {}
        events = aws.dynamodb().meta.events
        events.register("before-call.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)

    def _before(self, model, params, **_):
        if self.stage is not None:
            self.requests[self.stage][model.name] += 1
            self._bodies[threading.get_ident()] = (self.stage, json.loads(params["body"] or b"{}"))

    def _after(self, model, parsed, **_):
        stage, body = self._bodies.pop(threading.get_ident(), (None, None))
        if stage is None or model.name not in WRITES or parsed.get("Error"):
            return
        self.write_units[stage] += self._units(model.name, body, parsed)

    def _units(self, operation: str, body: dict, parsed: dict) -> int:
        if operation == "PutItem":
            return units(item_size(body["Item"]))
        if operation == "UpdateItem":
            return units(item_size(parsed.get("Attributes") or self._read(body["Key"])))
        if operation == "DeleteItem":
            return 1
        if operation == "BatchWriteItem":
            return sum(units(item_size(r["PutRequest"]["Item"])) if "PutRequest" in r else 1
                       for rs in body["RequestItems"].values() for r in rs)
        total = 0                                               # TransactWriteItems: 2x
        for op in body["TransactItems"]:
            kind, part = next(iter(op.items()))
            size = item_size(part["Item"]) if kind == "Put" else (
                item_size(self._read(part["Key"])) if kind in ("Update", "ConditionCheck") else 1024)
            total += 2 * units(size)
        return total

    def _read(self, key: dict) -> dict:
        return self.reader.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item") or {}


def seed(merchant_id: str, products: list) -> None:
    from chalicelib.domain import clock
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    scope, table = MerchantScope(merchant_id), Table()
    for erp_id in products:
        pk, sk = scope.product(erp_id)
        table.put({"pk": pk, "sk": sk, "erp_product_id": erp_id, "name": f"药品 {erp_id}", "barcode": None,
                   "default_price": "9.90", "listing": "listed", "match": "matched", "updated_at": clock.now_iso()})
        pk, sk = scope.stock(erp_id)
        table.put({"pk": pk, "sk": sk, "erp_product_id": erp_id, "on_hand": 10 ** 6, "reserved": 0, "free": 10 ** 6,
                   "lots": [{"lot_no": "L1", "production_date": "2025-01-01", "expiry_date": "2027-01-01",
                             "quantity": 10 ** 6}]})


def order_body(merchant_id: str, products: list, n: int) -> dict:
    return {"merchant_id": merchant_id, "buyer": {"platform_customer_id": f"b{n}", "name": "仁和药房"},
            "lines": [{"erp_product_id": e, "quantity": 1 + n % 3} for e in products],
            "address": {"name": "张三", "phone": "13800000000", "province": "广东省", "city": "深圳市",
                        "district": "南山区", "detail": f"科技园 {n} 号"}}


def ok(answer, *statuses):
    assert answer.status_code in (statuses or (200,)), answer.text
    return answer.json()


def chunks(items: list, size: int = 100):
    return [items[i:i + size] for i in range(0, len(items), size)]


def run(stack, orders: int, lines: int) -> dict:
    from tests.webhook_receiver import WebhookReceiver

    admin = Client(stack.api_url, ("bearer", stack.admin_token))
    m = ok(admin.post("/v1/admin/merchants", {"name": "bench"}), 201)
    ch = ok(admin.post("/v1/admin/channels", {"name": "shop", "merchant_ids": [m["merchant_id"]]}), 201)
    mid = m["merchant_id"]
    merchant = Client(stack.api_url, ("signed", mid, m["secret"]))
    channel = Client(stack.api_url, ("signed", ch["channel_id"], ch["secret"]))
    for role, name in (("supervisor", "sup"), ("operator", "op")):
        ok(admin.post(f"/v1/admin/merchants/{mid}/operators", {"username": name, "password": "password-1",
                                                              "role": role}), 201)
    sessions = {name: ok(Client(stack.api_url).post("/v1/console/sessions", {
        "merchant_id": mid, "username": name, "password": "password-1"}), 201)["token"] for name in ("sup", "op")}
    supervisor, desk = (Client(stack.api_url, ("bearer", sessions[n])) for n in ("sup", "op"))
    ok(supervisor.put("/v1/settings/sender", SENDER))
    ok(supervisor.put("/v1/desk/carrier-rules", {"rules": [{"provinces": ["广东"], "carrier_code": "zto"}]}))
    ok(supervisor.post("/v1/desk/waybill-ranges", {"carrier_code": "ZTO", "prefix": "ZT", "first": 1,
                                                   "last": 10 ** 7}), 201)
    receiver = WebhookReceiver()
    ok(merchant.put("/v1/webhook-endpoint", {"url": receiver.url, "events": ["order.paid", "order.shipped"]}))
    products = [f"P{i:03d}" for i in range(lines)]
    seed(mid, products)
    hooks = stack.pump._source(stack.queue_urls["WebhooksQueue"])
    stack.pump.unregister_queue(hooks.name)                   # deliveries are counted at the end
    for n in range(3):                                        # warm: imports, connections, caches
        token = ok(channel.post("/v1/checkout-tokens", {"merchant_id": mid}), 201)["token"]
        ok(channel.post("/v1/orders", order_body(mid, products, n), headers={"Idempotency-Key": token}), 201)
    meter = Meter(stack.table_name)
    tokens = [ok(channel.post("/v1/checkout-tokens", {"merchant_id": mid}), 201)["token"] for _ in range(orders)]
    started = time.perf_counter()

    meter.stage = "place"
    ids = [ok(channel.post("/v1/orders", order_body(mid, products, n), headers={"Idempotency-Key": t}), 201)["order_id"]
           for n, t in enumerate(tokens)]
    meter.stage = "pay"
    for order_id in ids:
        ok(channel.post(f"/v1/orders/{order_id}/payment", {"paid_at": "2026-03-01T10:00:00+08:00"}))
    meter.stage = "review"
    reviewed = []
    while len(reviewed) < orders:
        results = ok(desk.post("/v1/desk/reviews", {"auto": True}))["results"]
        assert results, "review found nothing to do"
        reviewed += [r["key"] for r in results if r["status"] == "ok"]
    meter.stage = "waybill"
    for part in chunks(ids):
        assert all(r["status"] == "ok" for r in ok(desk.post("/v1/desk/waybills", {"order_ids": part}))["results"])
    meter.stage = "print"
    printed = []
    while len(printed) < orders:
        batch = ok(desk.post("/v1/desk/print-batches", {"max_orders": 100}), 200, 201)
        assert batch["order_ids"], batch
        printed += batch["order_ids"]
    meter.stage = "ship"
    for part in chunks(ids):
        assert all(r["status"] == "ok" for r in ok(desk.post("/v1/desk/shipments", {"order_ids": part}))["results"])
    meter.stage = "erp read"
    read, cursor = [], None
    while True:
        page = ok(merchant.get("/v1/orders?limit=100" + (f"&cursor={cursor}" if cursor else "")))
        read += [o["order_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    wanted = set(ids)
    meter.stage = "erp ack"
    for part in chunks([i for i in read if i in wanted]):
        ok(merchant.post("/v1/orders/sync-acks", {"order_ids": part}))
    meter.stage = "webhook"
    stack.pump.register_queue(hooks.queue_url, hooks.handler, name=hooks.name, batch_size=hooks.batch_size,
                              function=hooks.function)
    expected = 2 * orders                                     # the warm-up orders were never paid
    deadline = time.monotonic() + 300
    while len(receiver.calls) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    stack.pump.drain(timeout=60)
    meter.stage = None
    elapsed = time.perf_counter() - started
    assert wanted <= set(read), "the ERP read every order"
    delivered = Counter(e["type"] for e in receiver.events)
    assert delivered["order.paid"] >= orders and delivered["order.shipped"] >= orders, delivered
    return {"meter": meter, "elapsed": elapsed, "delivered": delivered}


def main(orders: int = 100, lines: int = 2) -> None:
    from chalicelib.local.stack import LocalStack
    with tempfile.TemporaryDirectory() as state_dir:
        stack = LocalStack(port=0, aws_port=0, state_dir=state_dir, run_schedules=False, snapshot_interval=0)
        stack.start()
        try:
            outcome = run(stack, orders, lines)
        finally:
            stack.stop(save=False)
    meter = outcome["meter"]
    print(f"{orders} orders of {lines} lines through their whole life, per order:")
    print(f"{'stage':10} {'requests':>9} {'writes':>7} {'floor':>6} {'WCU':>6}  operations")
    total = writes_total = wcu_total = 0.0
    for stage in STAGES:
        ops = meter.requests[stage]
        requests = sum(ops.values()) / orders
        writes = sum(n for op, n in ops.items() if op in WRITES) / orders
        wcu = meter.write_units[stage] / orders
        total, writes_total, wcu_total = total + requests, writes_total + writes, wcu_total + wcu
        summary = ", ".join(f"{op} {n / orders:.2f}" for op, n in sorted(ops.items()))
        print(f"{stage:10} {requests:9.2f} {writes:7.2f} {FLOOR[stage]:6d} {wcu:6.1f}  {summary}")
    floor = sum(FLOOR.values())
    print(f"{'total':10} {total:9.2f} {writes_total:7.2f} {floor:6d} {wcu_total:6.1f}")
    print(f"requests / floor: {total / floor:.2f} (target <= 1.3); write requests / floor: {writes_total / floor:.2f}; "
          f"{outcome['elapsed']:.1f} s for the {orders} orders")
    result("lifecycle", requests_per_order=total, floor_requests=floor, write_units_per_order=wcu_total,
           requests_vs_floor=total / floor, writes_per_order=writes_total)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
