"""Partition heat of one merchant's 双十一, measured from the code's own requests.

DynamoDB gives every partition 1,000 write units and 3,000 read units a second, the table's and
each GSI's alike. This bench starts its own LocalStack with the partition-heat meter on
(ONCESHIP_HEAT=1, chalicelib/local/heat.py) and runs a recorded mix over HTTP, exactly as
channels, the desk and the ERP call the API:

  merchant mix: one merchant, `orders` orders over 1,000 SKUs (1-3 lines each, a fixed seed; a
    third of the SKUs priced by region, the buyers in eight provinces),
    through their whole life: checkout token + placement, payment, review, waybill reservation,
    print batch, direct ship, the ERP's read of the order feed and its acknowledgements, and the
    webhook deliveries (held back until their own phase, then delivered to a local receiver);
  flash sale: `flash` placements of one unit each of one SKU (秒杀), by different buyers.

Each phase's units are read from the meter by partition (table and index). A partition shared
by many orders (a merchant's feed, desk or stock index, a SKU's stock, a queue shard) takes
units(P)/n per order, so at r orders a second it takes r·units(P)/n a second, and the rate at
which it reaches its limit is limit·n/units(P). A partition of one order or one request (the
order item, its reference, a checkout token, a nonce, an idempotency record, a waybill number)
only ever takes its own order's few writes: it is listed apart and never limits the rate.

Printed: for each figure, the hottest partitions' units per second at the target load and the
rate at which the first partition reaches its limit:
  merchant_placements_per_s        placements of one merchant (target >= 5,000)
  merchant_lifecycle_orders_per_s  orders of one merchant through their whole life (>= 1,000)
  sku_reservations_per_s           reservations of one SKU in a flash sale (>= 3,000)

Before and after, in the same run: the same mix also runs on the design as it was before the key
changes (commit BEFORE: the meter and this mix, every order's indexes unsharded with ALL
projections, one stock item a product), from that commit's own files (`git archive` into a
temporary folder, the same interpreter), and both figures are printed side by side, its result
line carrying `before_*` beside the figures of today. `--after-only` skips it (so does a clone
without that commit, saying so).

Run: .venv/bin/python bench/partition_heat.py [orders] [flash] [--after-only]
"""
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import parse, result  # noqa: E402  (quiet logs: bench/support.py)
from tests.webhook_receiver import WebhookReceiver  # noqa: E402

WRITE_LIMIT, READ_LIMIT = 1000, 3000
BEFORE = "6863790"      # the meter and this mix, on the keys as they were (docs/architecture.md, "Before")
FIGURES = ("merchant_placements_per_s", "merchant_lifecycle_orders_per_s", "sku_reservations_per_s")
TARGETS = {"placements": 5000, "lifecycle": 1000, "reservations": 3000}
SKUS = [f"SKU{n:04d}" for n in range(1, 1001)]
FLASH_SKU = "FLASH1"
PROVINCES = ["广东省", "浙江省", "江苏省", "北京市", "上海市", "四川省", "湖北省", "山东省"]
RULE_PROVINCES = ["广东", "浙江", "江苏", "北京", "上海", "四川", "湖北", "山东"]
# partitions that hold one order's or one request's records: they take a few writes each, ever
PER_ENTITY = [re.compile(p) for p in (r"^ORDERREF#", r"^NONCE#", r"^IDEM#", r"^SESSION#", r"^M#[^#]+#O#",
                                      r"^M#[^#]+#CT#", r"^M#[^#]+#WB#")]


# the mix -------------------------------------------------------------------------------------
def ok(answer, *statuses):
    assert answer.status_code in (statuses or (200,)), answer.text
    return answer.json() if answer.content else {}


def setup(stack, receiver: WebhookReceiver, flash: int):
    """A merchant with 1,000 listed SKUs and the flash SKU in stock, a channel, the desk's sender,
    carrier rules and waybill range, and a webhook endpoint for the order events."""
    from chalicelib.domain import clock
    from chalicelib.sdk import Client
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table

    admin = Client(stack.api_url, ("bearer", stack.admin_token))
    made = ok(admin.post("/v1/admin/merchants", {"name": "双十一旗舰店"}), 201)
    mid = made["merchant_id"]
    merchant = Client(stack.api_url, ("signed", mid, made["secret"]))
    shop = ok(admin.post("/v1/admin/channels", {"name": "天猫", "merchant_ids": [mid]}), 201)
    channel = Client(stack.api_url, ("signed", shop["channel_id"], shop["secret"]))
    scope, table = MerchantScope(mid), Table()
    for sku in SKUS + [FLASH_SKU]:       # catalog records as the catalog writes them (not measured)
        pk, sk = scope.product(sku)
        table.put({"pk": pk, "sk": sk, "erp_product_id": sku, "name": f"药品 {sku} 0.25g×24片",
                   "default_price": "19.90", "listing": "listed", "match": "matched", "base_product_id": "BP" + sku,
                   "updated_at": clock.now_iso(), "gsi1pk": scope.products_index(), "gsi1sk": sku})
    stock = [{"erp_product_id": s, "on_hand": 100000} for s in SKUS] + [{"erp_product_id": FLASH_SKU,
                                                                          "on_hand": flash + 1000}]
    for start in range(0, len(stock), 100):
        ok(merchant.put("/v1/inventory", {"items": stock[start:start + 100]}))
    ok(merchant.put("/v1/region-groups/south", {"name": "华南", "provinces": ["广东省", "广西壮族自治区", "海南省"]}))
    regional = [{"erp_product_id": sku, "region_prices": [{"region_group_id": "south", "price": "18.80"}]}
                for sku in SKUS[::3]]                       # a third of the catalogue priced by region
    for start in range(0, len(regional), 100):
        all_ok(ok(merchant.put("/v1/prices", {"items": regional[start:start + 100]})))
    ok(merchant.put("/v1/settings/sender", {"name": "仁心大药房", "phone": "020-88886666", "province": "广东省",
                                            "city": "广州市", "district": "天河区", "detail": "体育西路 1 号"}))
    ok(merchant.put("/v1/desk/carrier-rules", {"rules": [{"provinces": RULE_PROVINCES, "carrier_code": "SF"}]}))
    ok(merchant.post("/v1/desk/waybill-ranges", {"carrier_code": "SF", "prefix": "SF", "first": 1,
                                                 "last": 10 ** 9}), 201)
    ok(merchant.put("/v1/webhook-endpoint", {"url": receiver.url, "events": [
        "order.paid", "order.shipped", "order.cancelled", "order.refund_requested"]}))
    return mid, merchant, channel


def order_body(mid: str, lines: list, n: int) -> dict:
    return {"merchant_id": mid, "buyer": {"platform_customer_id": f"buyer-{n % 500}", "name": "仁和药房"},
            "lines": [{"erp_product_id": e, "quantity": q} for e, q in lines],
            "remark": None, "address": {"name": "张三", "phone": "13800000000", "province": PROVINCES[n % len(PROVINCES)],
                                        "city": "深圳市", "district": "南山区", "detail": f"科技园 {n} 号"}}


def place(mid: str, channel, lines: list, n: int) -> str:
    token = ok(channel.post("/v1/checkout-tokens", {"merchant_id": mid}), 201)["token"]
    return ok(channel.post("/v1/orders", order_body(mid, lines, n), headers={"Idempotency-Key": token}),
              201)["order_id"]


def chunks(ids: list, size: int = 100):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def all_ok(body: dict) -> None:
    bad = [r for r in body.get("results", []) if r["status"] != "ok"]
    assert not bad, bad[:3]


class Mix:
    """The recorded mix, phase by phase, each phase metered on its own."""

    def __init__(self, stack, mid, merchant, channel, orders: int, flash: int):
        self.stack, self.mid, self.merchant, self.channel = stack, mid, merchant, channel
        rng = random.Random(20261111)
        self.baskets = [[(sku, rng.randint(1, 3)) for sku in rng.sample(SKUS, rng.choice((1, 2, 2, 3)))]
                        for _ in range(orders)]
        self.flash = flash
        self.ids: list = []
        self.seconds: dict = {}
        self.webhooks = stack.pump.sources["WebhooksQueue"]

    def metered(self, name: str, run) -> list:
        from chalicelib.local import heat_server
        heat_server.reset(self.stack.aws_endpoint)
        started = time.perf_counter()
        run()
        self.seconds[name] = time.perf_counter() - started
        return heat_server.read(self.stack.aws_endpoint)

    def phases(self):
        yield "placement", lambda: self.ids.extend(place(self.mid, self.channel, b, n)
                                                   for n, b in enumerate(self.baskets))
        yield "payment", lambda: [ok(self.channel.post(f"/v1/orders/{o}/payment",
                                                       {"paid_at": "2026-11-11T00:00:05+08:00"})) for o in self.ids]
        yield "review", lambda: [all_ok(ok(self.merchant.post("/v1/desk/reviews", {"order_ids": c})))
                                 for c in chunks(self.ids)]
        yield "waybill", lambda: [all_ok(ok(self.merchant.post("/v1/desk/waybills", {"order_ids": c})))
                                  for c in chunks(self.ids)]
        yield "print", self.print_all
        yield "ship", lambda: [all_ok(ok(self.merchant.post("/v1/desk/shipments", {"order_ids": c})))
                               for c in chunks(self.ids, 20)]     # one transaction an order: small requests
        yield "erp read + ack", self.erp
        yield "webhook", self.deliver

    def print_all(self) -> None:
        printed = 0
        while printed < len(self.ids):
            batch = ok(self.merchant.post("/v1/desk/print-batches", {"max_orders": 100}), 200, 201)
            assert batch["order_ids"], f"only {printed} of {len(self.ids)} printed"
            printed += len(batch["order_ids"])

    def erp(self) -> None:
        seen, cursor = [], None
        while True:
            page = ok(self.merchant.get("/v1/orders?sync_status=pending&limit=100"
                                        + (f"&cursor={cursor}" if cursor else "")))
            seen += [o["order_id"] for o in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(self.ids), (len(seen), len(self.ids))
        for chunk in chunks(seen):
            all_ok(ok(self.merchant.post("/v1/orders/sync-acks", {"order_ids": chunk})))

    def hold_webhooks(self) -> None:
        self.stack.pump.unregister_queue(self.webhooks.name)

    def deliver(self) -> None:
        w = self.webhooks
        self.stack.pump.register_queue(w.queue_url, w.handler, name=w.name, batch_size=w.batch_size,
                                       report_batch_item_failures=w.report_batch_item_failures,
                                       function=w.function)
        self.stack.pump.drain(timeout=600)

    def flash_sale(self) -> None:
        for n in range(self.flash):
            place(self.mid, self.channel, [(FLASH_SKU, 1)], 10 ** 6 + n)

    def flash_start(self) -> str:
        """The sale's first seconds (not metered): a burst of buyers at once, as the 秒杀 opens.
        The SKU's record finds itself hot and splits into buckets; when the local stack is too
        slow to reach the pace that does it (SPLIT_PACE reservations in one second), the bench
        splits it as that pace would, and says so."""
        from chalicelib.store.stock_buckets import Buckets
        from chalicelib.store.keys import MerchantScope
        from chalicelib.store.table import Table
        threads = [threading.Thread(target=place, args=(self.mid, self.channel, [(FLASH_SKU, 1)], 2 * 10 ** 6 + n))
                   for n in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if (Table().get(*MerchantScope(self.mid).stock(FLASH_SKU)) or {}).get("buckets"):
            return "split by itself in the opening burst"
        Buckets(self.mid, FLASH_SKU).split()
        return "split by the bench (the local stack did not reach the pace that splits it)"


# the figures ---------------------------------------------------------------------------------
def label(row: dict, mid: str) -> str:
    where = row["index"] or "table"
    return f"{where:5} {row['partition'].replace(mid, '<mid>')}"


def per_entity(row: dict) -> bool:
    return any(p.search(row["partition"]) for p in PER_ENTITY)


def combine(*runs: list) -> list:
    total: dict = defaultdict(lambda: {"write_units": 0.0, "read_units": 0.0})
    for rows in runs:
        for r in rows:
            t = total[(r["table"], r["index"], r["partition"])]
            t.update(table=r["table"], index=r["index"], partition=r["partition"])
            t["write_units"] += r["write_units"]
            t["read_units"] += r["read_units"]
    return list(total.values())


def sustainable(rows: list, count: int) -> tuple:
    """(the rate at which the first shared partition reaches its limit, shared rows by heat)."""
    shared = [r for r in rows if not per_entity(r)]

    def rate(r):
        write = WRITE_LIMIT * count / r["write_units"] if r["write_units"] else float("inf")
        read = READ_LIMIT * count / r["read_units"] if r["read_units"] else float("inf")
        return min(write, read)

    shared.sort(key=rate)
    return (rate(shared[0]) if shared else float("inf")), [(r, rate(r)) for r in shared]


def report(title: str, rows: list, count: int, target: int, mid: str, top: int = 8) -> float:
    best, ranked = sustainable(rows, count)
    print(f"\n{title}: hottest partitions at the target of {target:,}/s "
          f"({count} measured; units a second at the target, share of the partition's limit)")
    print(f"  {'partition':58} {'WCU/s':>9} {'RCU/s':>9} {'limit':>6} {'sustains':>10}")
    for r, rate in ranked[:top]:
        w, rd = r["write_units"] * target / count, r["read_units"] * target / count
        share = max(w / WRITE_LIMIT, rd / READ_LIMIT)
        print(f"  {label(r, mid)[:58]:58} {w:9.0f} {rd:9.0f} {share:6.0%} {rate:10,.0f}/s")
    single = [r for r in rows if per_entity(r)]
    if single:
        most = max(single, key=lambda r: r["write_units"])
        print(f"  + {len(single)} partitions of one order or request each (order, reference, token, nonce, "
              f"idempotency, waybill number); the busiest took {most['write_units']:.0f} WU "
              f"and {most['read_units']:.1f} RU in all ({label(most, mid).split()[1][:40]}): never limiting")
    print(f"  => the first partition reaches its limit at {best:,.0f}/s ({'meets' if best >= target else 'BELOW'} "
          f"the target of {target:,}/s)")
    return best


def units_per_order(name: str, rows: list, count: int, seconds: float) -> str:
    w = sum(r["write_units"] for r in rows) / count
    rd = sum(r["read_units"] for r in rows) / count
    return f"  {name:16} {w:8.1f} WU {rd:8.1f} RU per order   ({seconds:.0f} s on the local stack)"



def before(orders: int, flash: int):
    """The figures of the same mix on the design at commit BEFORE, run from that commit's files in
    a temporary folder with this interpreter: {figure: value}, or None when this clone lacks the
    commit (a shallow clone) or that run failed (said, with its last lines)."""
    root = Path(__file__).resolve().parents[1]
    known = subprocess.run(["git", "-C", str(root), "cat-file", "-e", BEFORE + "^{commit}"], capture_output=True)
    if known.returncode != 0:
        print(f"before: commit {BEFORE} is not in this clone (fetch the full history to measure it)")
        return None
    with tempfile.TemporaryDirectory(prefix="heat-before-") as folder:
        archive = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", BEFORE],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        env = dict(os.environ)
        env.pop("ONCESHIP_HEAT", None)
        out = subprocess.run([sys.executable, "bench/partition_heat.py", str(orders), str(flash)], cwd=folder,
                             env=env, capture_output=True, text=True, timeout=3600)
    lines = out.stdout.strip().splitlines()
    found = [parse(line) for line in lines if line.startswith("bench: ")]
    if out.returncode != 0 or not found:
        print(f"before: the run at {BEFORE} failed:\n" + "\n".join((lines + out.stderr.splitlines())[-15:]))
        return None
    print(f"== before: the same mix on the design at commit {BEFORE} (unsharded indexes with ALL projections, "
          "one stock item a product)")
    for line in lines:
        if not line.startswith("bench: "):
            print("   " + line)
    print(f"== after: the design of today")
    return {name: found[-1][1][name] for name in FIGURES}


def side_by_side(then: dict, now: dict) -> None:
    targets = dict(zip(FIGURES, (TARGETS["placements"], TARGETS["lifecycle"], TARGETS["reservations"])))
    print(f"\n{'figure':34} {'target':>9} {'before':>9} {'after':>9} {'after/before':>13}")
    for name in FIGURES:
        print(f"{name:34} {targets[name]:>9,} {then[name]:>9,.0f} {now[name]:>9,.0f} {now[name] / then[name]:>12.1f}x")


def main(orders: int = 200, flash: int = 200, measure_before: bool = True) -> None:
    then = before(orders, flash) if measure_before else None
    from chalicelib.local import heat_server
    from chalicelib.local.stack import LocalStack

    previous = os.environ.get(heat_server.ENABLED)
    os.environ[heat_server.ENABLED] = "1"
    receiver = WebhookReceiver()
    with tempfile.TemporaryDirectory() as state_dir:
        stack = LocalStack(port=0, aws_port=0, state_dir=state_dir, admin_token="bench-admin-token",
                           run_schedules=False, snapshot_interval=0)
        stack.start()
        try:
            mid, merchant, channel = setup(stack, receiver, flash)
            mix = Mix(stack, mid, merchant, channel, orders, flash)
            mix.hold_webhooks()
            phases = {name: mix.metered(name, run) for name, run in mix.phases()}
            opening = mix.flash_start()
            flash_rows = mix.metered("flash sale", mix.flash_sale)
        finally:
            stack.stop(save=False)
            if previous is None:
                os.environ.pop(heat_server.ENABLED, None)
            else:
                os.environ[heat_server.ENABLED] = previous
    lines = sum(len(b) for b in mix.baskets)
    print(f"one merchant: {orders} orders over {len(SKUS):,} SKUs ({lines / orders:.1f} lines an order), "
          f"{len(receiver.calls)} webhook deliveries; flash sale: {flash} placements of one SKU "
          f"(its stock {opening})")
    print("units by phase (every partition, table and indexes):")
    for name, rows in phases.items():
        print(units_per_order(name, rows, orders, mix.seconds[name]))
    print(units_per_order("flash placement", flash_rows, flash, mix.seconds["flash sale"]))
    placements = report("one merchant's placements", phases["placement"], orders, TARGETS["placements"], mid)
    lifecycle = report("one merchant's orders through their whole life", combine(*phases.values()), orders,
                       TARGETS["lifecycle"], mid)
    reservations = report("one SKU's reservations (flash sale placements)", flash_rows, flash,
                          TARGETS["reservations"], mid)
    now = dict(zip(FIGURES, (round(placements), round(lifecycle), round(reservations))))
    if then:
        side_by_side(then, now)
    print()
    result("partition_heat", **now, **{f"before_{name}": round(value) for name, value in (then or {}).items()})


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*(int(a) for a in arguments[:2]), measure_before="--after-only" not in sys.argv[1:])
