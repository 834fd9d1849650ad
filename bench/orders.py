"""Order placement: the signed HTTP path against the raw TransactWriteItems an order must write.

Starts its own LocalStack (moto server + the Chalice app over HTTP), seeds one merchant with
products and stock, then, interleaved so all three see the same machine load and table size:
  - first: `POST /v1/orders` signed by a channel, with a fresh checkout token, after the warm
           process forgot everything it caches (channel record, product and stock records): what
           the first order of a process, or of products it has not sold yet, costs;
  - warm : the same again right after (what every later order costs);
  - raw  : the floor, the very transaction an order must write (token use, order, order
           reference, one reservation per product), sent with botocore straight to the same engine;
  - own  : the transaction the warm placement actually sent (with the nonce, the checks on the
           cached records and the lots), sent again the same way for a new token, order and nonce:
           what the guarantees cost in the engine, apart from HTTP, the signature and the app.
Each round orders one of GROUPS sets of products, so that no product is ordered at the pace
that makes it hot (store/stock_buckets.py splits a product's stock after SPLIT_PACE reservations
within a second, and a hot product is read fresh with every placement: a different path, for a
秒杀, not the one measured here).
Prints the medians, their ratios (target: warm <= 1.25 x raw) and the DynamoDB requests of a warm
and of a first placement by operation (target: 1 on the warm path — the order's transaction,
which also carries the request's nonce and the checks that the cached prices are current).

Run: .venv/bin/python bench/orders.py [placements] [lines per order]
"""
import json
import statistics
import sys
import time
import uuid

from support import Requests, result

from chalicelib.sdk import Client

GROUPS = 8      # product sets ordered in turn: each product a few times a second at most


def seed(merchant_id: str, products: list) -> None:
    from chalicelib.domain import clock
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    scope, table = MerchantScope(merchant_id), Table()
    for erp_id in products:
        pk, sk = scope.product(erp_id)
        table.put({"pk": pk, "sk": sk, "erp_product_id": erp_id, "name": f"药品 {erp_id}",
                   "default_price": "9.90", "listing": "listed", "match": "matched",
                   "updated_at": clock.now_iso()})
        pk, sk = scope.stock(erp_id)
        table.put({"pk": pk, "sk": sk, "on_hand": 10 ** 6, "reserved": 0, "free": 10 ** 6,
                   "lots": [{"lot_no": "L1", "production_date": "2025-01-01", "expiry_date": "2027-01-01",
                             "quantity": 10 ** 6}]})


def body(merchant_id: str, products: list, n: int) -> dict:
    return {"merchant_id": merchant_id, "buyer": {"platform_customer_id": f"b{n % 50}", "name": "仁和药房"},
            "lines": [{"erp_product_id": e, "quantity": 1} for e in products],
            "address": {"name": "张三", "phone": "13800000000", "province": "广东省", "city": "深圳市",
                        "district": "南山区", "detail": "科技园 1 号"}}


def raw_transaction(merchant_id: str, channel_id: str, products: list, token: str) -> list:
    """The operations an order must write, built by the same store code: the token's use, the
    order, its reference, a reservation per product."""
    from chalicelib.domain import clock
    from chalicelib.domain import orders as rules
    from chalicelib.domain.ids import sortable_id
    from chalicelib.store import keys, stock
    from chalicelib.store.checkout import CheckoutTokenStore
    from chalicelib.store.orders import OrderStore
    from chalicelib.store.table import put_op
    now = clock.now()
    prices = {e: ("9.90", "default", {"name": e}) for e in products}
    lines = rules.priced_lines({e: 1 for e in products}, prices, {})
    order = {"order_id": sortable_id("o_", now), "merchant_id": merchant_id, "channel_id": channel_id,
             "token": token, "status": rules.PENDING_PAYMENT, "created_at": clock.iso(now),
             "updated_at": clock.iso(now), "pay_deadline": int(now + 1800), "buyer": {"platform_customer_id": "b",
             "name": "x"}, "delivery": {}, "amounts": rules.amounts(lines), "lines": lines, "refunds": []}
    item = OrderStore(merchant_id).new_order_item(order)
    ref_pk, ref_sk = keys.order_ref(order["order_id"])
    text = json.dumps(rules.body(order), ensure_ascii=False)
    return [CheckoutTokenStore(merchant_id).use_op(token, channel_id, order["order_id"], "f" * 64, text),
            put_op(item, condition="attribute_not_exists(pk)"),
            put_op({"pk": ref_pk, "sk": ref_sk, "order_id": order["order_id"], "merchant_id": merchant_id,
                    "channel_id": channel_id})] + [stock.reserve_op(merchant_id, e, 1) for e in products]


def forget_caches() -> None:
    """What a fresh process does not have: the verified channel and the catalog records."""
    from chalicelib.services import callers
    callers.forget()
    try:
        from chalicelib.store import catalog_cache
    except ImportError:       # before the warm path caches catalog records
        return
    catalog_cache.clear()


def main(placements: int = 60, lines: int = 3) -> None:
    import tempfile

    from chalicelib import aws
    from chalicelib.local.stack import LocalStack
    from chalicelib.store.checkout import CheckoutTokenStore
    from chalicelib.store.table import Table

    with tempfile.TemporaryDirectory() as state_dir:
        stack = LocalStack(port=0, aws_port=0, state_dir=state_dir, admin_token="bench-admin-token",
                           run_schedules=False, snapshot_interval=0)
        stack.start()
        try:
            admin = Client(stack.api_url, ("bearer", stack.admin_token))
            m = admin.post("/v1/admin/merchants", {"name": "bench"}).json()
            ch = admin.post("/v1/admin/channels", {"name": "shop", "merchant_ids": [m["merchant_id"]]}).json()
            mid, cid = m["merchant_id"], ch["channel_id"]
            channel = Client(stack.api_url, ("signed", cid, ch["secret"]))
            groups = [[f"P{g}{i:03d}" for i in range(lines)] for g in range(GROUPS)]
            seed(mid, [e for group in groups for e in group])
            products = groups[0]
            tokens, table, raw_client = CheckoutTokenStore(mid), Table(), aws.dynamodb()
            times = {"first": [], "warm": [], "raw": [], "own": []}
            requests = {"first": Requests(), "warm": Requests()}
            n = 0
            floor_ops: list = []

            def place(kind: str, measured: bool) -> tuple:
                nonlocal n
                n += 1
                token = channel.post("/v1/checkout-tokens", {"merchant_id": mid}).json()["token"]
                if kind == "first":
                    forget_caches()
                with requests[kind].counting() if measured else _nothing():
                    started = time.perf_counter()
                    answer = channel.post("/v1/orders", body(mid, products, n), headers={"Idempotency-Key": token})
                    elapsed = time.perf_counter() - started
                assert answer.status_code == 201, answer.text
                if measured:
                    times[kind].append(elapsed)
                return token, answer.json()["order_id"]

            def own(used_token: str, order_id: str) -> None:
                """The warm placement's own transaction (its nonce and checks included) sent again
                raw, for a new token, order and nonce: what the guarantees cost in the engine."""
                from chalicelib.domain import clock
                from chalicelib.domain.ids import sortable_id
                op, params = requests["warm"].params[-1]
                assert op == "TransactWriteItems"
                text = params["body"].decode() if isinstance(params["body"], bytes) else params["body"]
                request = json.loads(text)
                nonce_pk = next(o["Put"]["Item"]["pk"]["S"] for o in request["TransactItems"]
                                if "Put" in o and o["Put"]["Item"]["pk"]["S"].startswith("NONCE#"))
                token = f"ct_own_{n}"
                tokens.issue(token, cid)
                text = (text.replace(used_token, token).replace(order_id, sortable_id("o_", clock.now()))
                        .replace(nonce_pk, f"{nonce_pk}_own{n}"))
                request = dict(json.loads(text), ClientRequestToken=str(uuid.uuid4()))
                started = time.perf_counter()
                raw_client.transact_write_items(**request)
                times["own"].append(time.perf_counter() - started)

            def raw(measured: bool) -> None:
                token = f"ct_raw_{n}"
                tokens.issue(token, cid)
                ops = raw_transaction(mid, cid, products, token)
                floor_ops[:] = ops
                for op in ops:
                    for part in op.values():
                        part["TableName"] = table.name
                started = time.perf_counter()
                raw_client.transact_write_items(TransactItems=ops)
                if measured:
                    times["raw"].append(time.perf_counter() - started)

            for i in range(placements + 5):
                measured = i >= 5                      # the first rounds warm imports and connections
                products = groups[i % GROUPS]
                place("first", measured)
                used = place("warm", measured)
                raw(measured)
                if measured:
                    own(*used)
        finally:
            stack.stop(save=False)
    first, warm, floor, own_tx = (statistics.median(times[k]) for k in ("first", "warm", "raw", "own"))

    def per(kind):
        counted = requests[kind]
        return counted.total / placements, ", ".join(f"{op} {c / placements:.1f}" for op, c in sorted(counted.ops.items()))

    warm_requests, warm_ops = per("warm")
    first_requests, first_ops = per("first")
    print(f"placements: {placements} of each kind, {lines} lines per order")
    print(f"{'':34} {'median ms':>10} {'vs raw':>7} {'DynamoDB requests':>18}")
    print(f"{'raw TransactWriteItems (floor)':34} {floor * 1000:10.1f} {1:7.2f} {1:18.1f}")
    print(f"{'signed placement, warm process':34} {warm * 1000:10.1f} {warm / floor:7.2f} {warm_requests:18.1f}  ({warm_ops})")
    print(f"{'signed placement, first call':34} {first * 1000:10.1f} {first / floor:7.2f} {first_requests:18.1f}  ({first_ops})")
    print(f"{'a warm placement transaction, raw':34} {own_tx * 1000:10.1f} {own_tx / floor:7.2f} {1:18.1f}  "
          f"(its nonce and checks included; the warm placement is {warm / own_tx:.2f} x it)")
    waited = requests["warm"].seconds / placements
    print(f"a warm placement waits {waited * 1000:.1f} ms (mean) on DynamoDB, its transaction carrying "
          f"{requests['warm'].items_per_transaction():.0f} operations against the floor's {len(floor_ops)}; "
          f"the rest is HTTP, the signature and the app")
    print("targets: warm <= 1.25 x raw, 1 DynamoDB request per warm placement")
    result("orders", warm_ratio=warm / floor, warm_requests=warm_requests, first_ratio=first / floor,
           first_requests=first_requests, own_transaction_ratio=own_tx / floor,
           warm_vs_own_transaction=warm / own_tx, raw_ms=floor * 1000, warm_ms=warm * 1000, first_ms=first * 1000)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
