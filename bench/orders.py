"""Order placement: the signed HTTP path against the raw TransactWriteItems it performs.

Starts its own LocalStack (moto server + the Chalice app over HTTP), seeds one merchant with
products and stock, then, interleaved so both see the same machine load and table size:
  - http: `POST /v1/orders` signed by a channel, with a fresh checkout token (issued beforehand);
  - raw : the very transaction that placement writes (token use, order, order reference, one
          reservation per product), sent with boto3 straight to the same engine.
Prints the medians and their ratio (target <= 1.5), how much of a placement is spent waiting on
DynamoDB, and the DynamoDB requests one placement makes by operation. Target: 1 write request for
the order — the token's idempotency record is inside the order's own transaction, not a second
write — besides the authentication's nonce record; the reads are the channel (authentication),
prices with the buyer's link (one batch) and the stock records for the lot shown (one batch).

chalice.local leaves Nagle's algorithm on, which adds ~40 ms to every answer on loopback; the
bench turns it off for its own server (see `_no_nagle`) so that the app is what is measured.

Run: .venv/bin/python bench/orders.py [placements] [lines per order]
"""
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


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
    """The operations `services.checkout.place_order` writes, built by the same store code."""
    import json

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


def _no_nagle(stack) -> str:
    """chalice.local's handler leaves Nagle's algorithm on; with the client's delayed ACK every
    answer then waits ~40 ms for nothing (GET /v1/health: 43 ms → 1 ms with TCP_NODELAY). That
    is the local server, not the app, so the bench turns it off for its own stack."""
    handler = getattr(getattr(stack.api.server, "_wrapped_handler", None), "func", None)
    if handler is None or getattr(handler, "disable_nagle_algorithm", False):
        return "local API server: as configured"
    handler.disable_nagle_algorithm = True
    return "local API server: TCP_NODELAY set by the bench (chalice.local leaves Nagle on: +40 ms an answer)"


def main(placements: int = 60, lines: int = 3) -> None:
    from chalicelib import aws
    from chalicelib.local.stack import LocalStack
    from chalicelib.sdk import Client
    from chalicelib.store.checkout import CheckoutTokenStore
    from chalicelib.store.table import Table

    with tempfile.TemporaryDirectory() as state_dir:
        stack = LocalStack(port=0, aws_port=0, state_dir=state_dir, admin_token="bench-admin-token",
                           run_schedules=False, snapshot_interval=0)
        stack.start()
        nagle_note = _no_nagle(stack)
        try:
            admin = Client(stack.api_url, ("bearer", stack.admin_token))
            m = admin.post("/v1/admin/merchants", {"name": "bench"}).json()
            ch = admin.post("/v1/admin/channels", {"name": "shop", "merchant_ids": [m["merchant_id"]]}).json()
            mid, cid = m["merchant_id"], ch["channel_id"]
            channel = Client(stack.api_url, ("signed", cid, ch["secret"]))
            products = [f"P{i:03d}" for i in range(lines)]
            seed(mid, products)
            tokens = CheckoutTokenStore(mid)
            table = Table()
            raw_client = aws.dynamodb()
            http_times, raw_times = [], []
            calls = Counter()
            started_calls, in_dynamodb = {}, []

            def record(model, params, **_):
                calls[model.name] += 1
                started_calls[model.name] = time.perf_counter()

            def answered(model, **_):
                in_dynamodb.append(time.perf_counter() - started_calls.pop(model.name, time.perf_counter()))

            events = aws.dynamodb().meta.events
            for n in range(placements + 5):
                warm = n < 5
                http_token = channel.post("/v1/checkout-tokens", {"merchant_id": mid}).json()["token"]
                raw_token = f"ct_raw_{n}"
                tokens.issue(raw_token, cid)
                ops = raw_transaction(mid, cid, products, raw_token)
                for op in ops:
                    for part in op.values():
                        part["TableName"] = table.name
                if not warm:
                    events.register("before-call.dynamodb", record)
                    events.register("after-call.dynamodb", answered)
                started = time.perf_counter()
                answer = channel.post("/v1/orders", body(mid, products, n), headers={"Idempotency-Key": http_token})
                elapsed = time.perf_counter() - started
                if not warm:
                    events.unregister("before-call.dynamodb", record)
                    events.unregister("after-call.dynamodb", answered)
                assert answer.status_code == 201, answer.text
                started = time.perf_counter()
                raw_client.transact_write_items(TransactItems=ops)
                raw = time.perf_counter() - started
                if not warm:
                    http_times.append(elapsed)
                    raw_times.append(raw)
        finally:
            stack.stop(save=False)
    h, r = statistics.median(http_times), statistics.median(raw_times)
    print(f"placements: {placements}, lines per order: {lines}; {nagle_note}")
    print(f"raw TransactWriteItems : median {r * 1000:.1f} ms")
    print(f"signed HTTP placement  : median {h * 1000:.1f} ms")
    print(f"ratio http/raw         : {h / r:.2f}  (target <= 1.5)")
    print(f"HTTP path overhead     : {(h - r) * 1000:.1f} ms (HTTP, signature check, and the other "
          f"DynamoDB requests below at the local engine's per-request cost)")
    waited, mean = sum(in_dynamodb) / placements, statistics.mean(http_times)
    print(f"  mean placement {mean * 1000:.1f} ms, of which waiting on DynamoDB {waited * 1000:.1f} ms; "
          f"HTTP, signature and app code {(mean - waited) * 1000:.1f} ms")
    per = {op: count / placements for op, count in sorted(calls.items())}
    writes = sum(v for k, v in per.items() if k in ("TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem"))
    print(f"DynamoDB requests per placement: {sum(per.values()):.1f} ({', '.join(f'{k} {v:.1f}' for k, v in per.items())})")
    print(f"  writes {writes:.1f}: the order transaction (order, token record, reference, reservations) "
          f"and the authentication's nonce record (replay protection, not foldable into the order's "
          f"transaction without remembering failed requests); reads: one batch of products, stock "
          f"records and the buyer link (the channel record and the auto-listing switch are cached "
          f"briefly by a warm process)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
