"""ERP polling: a 10k-SKU ERP with 1% of its SKUs changed between polls.

Measures, on its own LocalStack and a loopback ERP (tests/fake_erp.py):
  - DynamoDB write requests and items written per poll, as a ratio of changed SKUs
    (target <= 1.1: only what changed is written, plus the poll's status record);
  - the poll's wall time against a raw loop that only fetches the same pages (ratio).
The stock records are seeded straight into the table (BatchWriteItem), as if an earlier poll
had written them; an unmeasured warm-up poll then reads them all once (as a merchant's first poll
does) and leaves the snapshot that later polls start from. The claim and lease writes of each
poll (2) and its status write are counted; the snapshot goes to S3 and is reported apart.

Run: .venv/bin/python bench/polling.py [skus] [rounds]
"""
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from support import result  # noqa: E402  (first: quiets the logs)

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


class WriteCounter:
    """Counts DynamoDB write requests and the items they write, from botocore's events."""

    def __init__(self):
        self.requests = self.items = 0

    def __call__(self, model, params, **kwargs):
        if model.name not in WRITES:
            return
        self.requests += 1
        if model.name == "BatchWriteItem":
            self.items += sum(len(v) for v in params["RequestItems"].values())
        elif model.name == "TransactWriteItems":
            self.items += len(params["TransactItems"])
        else:
            self.items += 1

    def reset(self):
        self.requests = self.items = 0


def raw_fetch(url: str) -> int:
    """The baseline: every page over one kept-alive connection, parsed, nothing else."""
    import urllib3
    pool, cursor, seen = urllib3.PoolManager(), None, 0
    while True:
        page = json.loads(pool.request("GET", url + (f"?cursor={cursor}" if cursor else "")).data)
        seen += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def seed(merchant_id: str, items: list) -> None:
    from chalicelib.domain import clock
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.stock import index_fields
    from chalicelib.store.table import Table
    scope, now = MerchantScope(merchant_id), clock.iso(clock.now() - 3600)   # written an hour ago
    records = []
    for item in items:
        pk, sk = scope.stock(item["erp_product_id"])
        index = index_fields(merchant_id, item["erp_product_id"], now)
        records.append({"pk": pk, "sk": sk, "erp_product_id": item["erp_product_id"], "on_hand": item["on_hand"],
                        "reserved": 0, "free": item["on_hand"], "rev": 1, "source": "erp", "updated_at": now,
                        "gsi4pk": index[":index"], "gsi4sk": index[":index_sk"]})
    Table().batch_put(records)


def run(store, merchant_id: str) -> dict:
    """One poll as the worker runs it (claimed the way the schedule claims it)."""
    from chalicelib.services import polling
    poll_id = "poll_" + uuid.uuid4().hex
    assert store.claim(store.get()["next_poll_at"], poll_id, time.time() + 900)
    return polling.run_poll(merchant_id, poll_id)


def main(skus: int = 10_000, rounds: int = 3) -> None:
    from chalicelib import aws
    from chalicelib.local.stack import LocalStack
    from chalicelib.sdk import Client
    from chalicelib.store.erp import ErpConnectionStore
    from tests.fake_erp import FakeErp

    changed_per_round = max(1, skus // 100)
    with tempfile.TemporaryDirectory() as state, \
            LocalStack(port=0, aws_port=0, state_dir=state, run_schedules=False, snapshot_interval=0) as stack, \
            FakeErp([{"erp_product_id": f"SKU-{i:05d}", "on_hand": i % 50} for i in range(skus)],
                    page_size=500) as erp:
        admin = Client(stack.api_url, ("bearer", stack.admin_token))
        made = admin.post("/v1/admin/merchants", {"name": "bench"}).json()
        merchant = Client(stack.api_url, ("signed", made["merchant_id"], made["secret"]))
        mid = made["merchant_id"]
        seed(mid, list(erp.items.values()))
        assert merchant.put("/v1/erp-connection", {"inventory_url": erp.url, "poll_every_minutes": 1,
                                                   "timeout_seconds": 30}).status_code == 200
        counter = WriteCounter()
        aws.dynamodb().meta.events.register("before-call.dynamodb", counter)
        store = ErpConnectionStore(mid)
        results = []
        warm = time.perf_counter()
        run(store, mid)
        print(f"warm-up poll (reads every stock record, keeps a snapshot): {time.perf_counter() - warm:.2f} s")
        for round_no in range(rounds):
            for i in range(changed_per_round):
                sku = f"SKU-{(round_no * 7919 + i * 97) % skus:05d}"
                erp.put({"erp_product_id": sku, "on_hand": erp.items[sku]["on_hand"] + 1000 + round_no})
            baseline_started = time.perf_counter()
            seen = raw_fetch(erp.url)
            baseline = time.perf_counter() - baseline_started
            counter.reset()
            started = time.perf_counter()
            outcome = run(store, mid)
            took = time.perf_counter() - started
            assert outcome["outcome"] == "ok" and outcome["items_seen"] == seen == skus, outcome
            changed = outcome["items_changed"]
            results.append((changed, counter.requests, counter.items, took, baseline))
            print(f"round {round_no + 1}: {changed} of {skus} SKUs changed; {counter.requests} write requests, "
                  f"{counter.items} items written; poll {took:.2f} s, raw page fetch {baseline:.2f} s")
        aws.dynamodb().meta.events.unregister("before-call.dynamodb", counter)
    changed = statistics.median(r[0] for r in results)
    print(f"write requests per changed SKU : {statistics.median(r[1] / r[0] for r in results):.3f}  (target <= 1.1)")
    print(f"items written per changed SKU  : {statistics.median(r[2] / r[0] for r in results):.3f}  (target <= 1.1)")
    print(f"poll wall time / raw page fetch: {statistics.median(r[3] / r[4] for r in results):.2f}  "
          f"(median poll {statistics.median(r[3] for r in results):.2f} s, "
          f"raw fetch {statistics.median(r[4] for r in results):.2f} s, {changed:.0f} changed SKUs)")
    result("polling", writes_per_changed=statistics.median(r[1] / r[0] for r in results),
           items_per_changed=statistics.median(r[2] / r[0] for r in results),
           poll_vs_raw_fetch=statistics.median(r[3] / r[4] for r in results))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
