"""Catalog batch writes: DynamoDB requests and time per 100 items, against a per-item baseline.

Starts its own local stack, then sends through HTTP (signed, as an ERP would) 100-item batches of
products (new, then unchanged), prices, listings and customers, counting the app's DynamoDB
requests in-process. The baseline, measured in the same run, is the least a per-item
implementation does: one PutItem per product (no reads at all).
Run: .venv/bin/python bench/catalog.py [rounds]
"""
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support import result  # noqa: E402  (first: quiets the logs)

from chalicelib.sdk import Client  # noqa: E402

N = 100


class Counter:
    """DynamoDB calls of the app in this process, by thread."""

    def __init__(self):
        from chalicelib import aws
        self.events = aws.dynamodb().meta.events
        self.calls = []

    def __enter__(self):
        self.calls, self.started, self.transact_seconds = [], {}, 0.0
        self.events.register("before-call.dynamodb", self._record)
        self.events.register("after-call.dynamodb", self._done)
        return self

    def __exit__(self, *exc):
        self.events.unregister("before-call.dynamodb", self._record)
        self.events.unregister("after-call.dynamodb", self._done)

    def _record(self, model, params, **_):
        self.calls.append((threading.get_ident(), model.name, repr(params)))
        self.started[threading.get_ident()] = time.perf_counter()

    def _done(self, model, **_):
        if model.name == "TransactWriteItems":
            self.transact_seconds += time.perf_counter() - self.started[threading.get_ident()]

    def of(self, marker: str) -> list:
        threads = {t for t, _, p in self.calls if marker in p}
        return [op for t, op, _ in self.calls if t in threads]


def timed(counter, marker, send) -> tuple:
    fresh_start = time.perf_counter()
    with counter:
        answer = send()
    elapsed = time.perf_counter() - fresh_start
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert all(r["status"] == "ok" for r in results), [r for r in results if r["status"] != "ok"][:3]
    return counter.of(marker), elapsed, counter.transact_seconds


def main(rounds: int = 3) -> None:
    from chalicelib.local.stack import LocalStack
    with tempfile.TemporaryDirectory() as state:
        stack = LocalStack(port=0, aws_port=0, state_dir=state, run_schedules=False, snapshot_interval=0)
        stack.start()
        try:
            run(stack, rounds)
        finally:
            stack.stop(save=False)


def run(stack, rounds: int) -> None:
    from chalicelib.domain import credit_code
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table

    admin = Client(stack.api_url, ("bearer", stack.admin_token))
    counter = Counter()
    rows = {}
    for r in range(rounds):
        made = admin.post("/v1/admin/merchants", {"name": f"bench {r}"}).json()
        mid, auth = made["merchant_id"], ("signed", made["merchant_id"], made["secret"])
        barcodes = [uuid.uuid4().hex[:13] for _ in range(N)]
        for i, code in enumerate(barcodes[:N // 2]):
            admin.put(f"/v1/admin/base-products/BENCH{r}-{i}", {"name": f"base {i}", "barcode": code})
        products = [{"erp_product_id": f"P{i:03}", "name": f"商品 {i}", "barcode": barcodes[i],
                     "approval_number": f"H{r}{i:05}", "spec": "10ml", "manufacturer": f"maker {i}",
                     "default_price": "12.50"} for i in range(N)]
        scenarios = {
            "products, new (match rounds)": lambda: Client(stack.api_url, auth).put("/v1/products", {"items": products}),
            "products, again (50 pending rematch)": lambda: Client(stack.api_url, auth).put("/v1/products", {"items": products}),
            "prices": lambda: Client(stack.api_url, auth).put("/v1/prices", {"items": [
                {"erp_product_id": p["erp_product_id"], "default_price": "11.00", "suggested_retail_price": "15.00"}
                for p in products]}),
            "customers": lambda: Client(stack.api_url, auth).put("/v1/customers", {"items": [
                {"erp_customer_code": f"C{i:03}", "name": f"客户 {i}",
                 "credit_code": (lambda f: f + credit_code.check_char(f))(f"91440300{r}{i:08}")} for i in range(N)]}),
        }
        for name, send in scenarios.items():
            rows.setdefault(name, []).append(timed(counter, mid, send))
        table = Table()
        for i in range(N // 2):               # stock so that matched products can be listed
            pk, sk = MerchantScope(mid).stock(f"P{i:03}")
            table.put({"pk": pk, "sk": sk, "on_hand": 5, "reserved": 0})
        ids = [f"P{i:03}" for i in range(N // 2)]
        rows.setdefault("listings (50 listable)", []).append(timed(counter, mid, lambda: Client(stack.api_url, auth).post(
            "/v1/listings", {"action": "list", "erp_product_ids": ids})))
        scope = MerchantScope(mid)
        start = time.perf_counter()
        with counter:
            for p in products:                   # the per-item baseline: one PutItem per product
                pk, sk = scope.product(p["erp_product_id"] + "-baseline")
                table.put(dict(p, pk=pk, sk=sk))
        rows.setdefault("baseline: one PutItem per item", []).append((counter.of(mid), time.perf_counter() - start, 0.0))
    base_requests = statistics.median(len(ops) for ops, _, _ in rows["baseline: one PutItem per item"])
    base_time = statistics.median(t for _, t, _ in rows["baseline: one PutItem per item"])
    print(f"{'100-item batch':38} {'requests':>8} {'vs base':>8} {'ms':>8} {'vs base':>8} {'tx ms':>8}  operations")
    for name, samples in rows.items():
        requests = statistics.median(len(ops) for ops, _, _ in samples)
        elapsed = statistics.median(t for _, t, _ in samples)
        transact = statistics.median(x for _, _, x in samples)
        ops = samples[-1][0]
        summary = ", ".join(f"{op} x{ops.count(op)}" for op in dict.fromkeys(ops))
        print(f"{name:38} {requests:8.0f} {requests / base_requests:8.2f} {elapsed * 1000:8.1f} "
              f"{elapsed / base_time:8.2f} {transact * 1000:8.1f}  {summary}")
    print("requests include the signed request's own (merchant GetItem, nonce PutItem); the baseline "
          "does no reads and no auth. 'tx ms' is the time inside TransactWriteItems on moto, which "
          "parses and applies each operation in pure Python, so local times say little about "
          "DynamoDB; the request counts are the figure that carries over.")
    short = {"products, new (match rounds)": "products_new", "products, again (50 pending rematch)": "products_again",
             "prices": "prices", "customers": "customers", "listings (50 listable)": "listings"}
    result("catalog", **{f"{short[name]}_requests_vs_base": statistics.median(len(ops) for ops, _, _ in samples) / base_requests
                         for name, samples in rows.items() if name in short})


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
