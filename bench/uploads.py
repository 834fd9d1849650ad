"""Spreadsheet uploads: a 100k-row price sheet through the whole path, against the raw reader.

Starts its own local stack (moto server), seeds the products the sheet prices, writes a 100k-row
.xlsx with openpyxl, then measures in the same run:
- the baseline: python-calamine iterating every row and cell of that file (the raw reader the
  upload uses), and for reference openpyxl's read-only mode iterating it;
- the upload: a worker process (fresh, like a Lambda container) puts the file in the bucket and
  runs the uploads and jobs queues through the app's own handlers (S3 notification → job →
  chunks → report) until the job is done (a thread of its own reads the job every 0.1 s for the
  first 30 s, then every second; its reads are not counted); rows per second, ratio to the baseline, its peak memory (max RSS), and
  the app's DynamoDB requests per 100 rows;
- the same for a preview of the file (validated and reported, nothing applied), which isolates
  the cost of the upload machinery from the cost of the writes;
- a second, fairer baseline for applying: the same price writes sent directly (one
  TransactWriteItems of 99 updates per 99 rows, nothing read, validated or reported) on a sample
  of the rows, so "apply / raw writes" is what the upload path costs over the writes themselves;
  sampled before the jobs and again right after the apply (the apply runs for minutes on a
  machine whose load moves), both samples counted;
- the reader's memory: what python-calamine holds for the opened sheet;
- the check of the sheet's true extent made once per job before calamine loads it
  (adapters/xlsx_extent.py), against the raw reader's time.
Run: .venv/bin/python bench/uploads.py [rows]
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support import result  # noqa: E402  (first: quiets the logs)

ROWS = 100_000


def make_sheet(path: str, rows: int) -> None:
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("价格")
    sheet.append(["商品编码", "默认价格", "建议零售价"])
    for i in range(rows):
        sheet.append([f"P{i:06d}", f"{10 + i % 90}.{i % 100:02d}", 120 + i % 7])
    book.save(path)


def raw_read(path: str) -> tuple:
    from python_calamine import CalamineWorkbook
    started = time.perf_counter()
    count = cells = 0
    with CalamineWorkbook.from_path(path) as book:
        for row in book.get_sheet_by_index(0).iter_rows():
            count += 1
            cells += len(row)
    return count - 1, time.perf_counter() - started


def extent_check(path: str) -> float:
    """Seconds of the upload's check of the sheet's true extent (adapters/xlsx_extent.py), which
    streams the workbook's XML once before calamine loads it."""
    from chalicelib.adapters import xlsx_extent
    started = time.perf_counter()
    xlsx_extent.check(path)
    return time.perf_counter() - started


def openpyxl_read(path: str) -> tuple:
    from openpyxl import load_workbook
    started = time.perf_counter()
    count = 0
    book = load_workbook(path, read_only=True)
    for row in book.worksheets[0].iter_rows(values_only=True):
        count += 1
    book.close()
    return count - 1, time.perf_counter() - started


def reader_memory(path: str) -> float:
    """MB the opened sheet adds to this process (calamine holds its cells; rows are made one at a
    time), measured in a fresh process."""
    code = ("import sys; sys.path.insert(0, %r)\n"
            "def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 / 1e6\n"
            "from chalicelib.adapters.sheet_files import SheetFile\n"
            "before = rss()\n"
            "with SheetFile(%r, 'xlsx', None) as sheet:\n"
            "    rows = sheet.rows(); next(rows); print(rss() - before)\n") % (str(Path(__file__).resolve().parents[1]), path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


def raw_writes(merchant_id: str, rows: int) -> tuple:
    """The price writes of `rows` sheet rows sent directly: (rows, seconds)."""
    from chalicelib.store.catalog import CatalogStore
    store = CatalogStore(merchant_id)
    started = time.perf_counter()
    for first in range(0, rows, 99):
        store.table.transact([store.prices_op(f"P{i:06d}", {"default_price": f"{10 + i % 90}.{i % 100:02d}",
                                                           "suggested_retail_price": f"{120 + i % 7}.00"})
                              for i in range(first, min(first + 99, rows))])
    return rows, time.perf_counter() - started


def seed(merchant_id: str, rows: int) -> None:
    from chalicelib.domain import clock
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.table import Table
    scope, now = MerchantScope(merchant_id), clock.now_iso()
    items = []
    for i in range(rows):
        erp_id = f"P{i:06d}"
        pk, sk = scope.product(erp_id)
        items.append({"pk": pk, "sk": sk, "erp_product_id": erp_id, "name": f"商品 {erp_id}",
                      "default_price": "1.00", "match": "pending_review", "listing": "unlisted",
                      "gsi1pk": scope.products_index(), "gsi1sk": erp_id, "created_at": now, "updated_at": now})
    table = Table()
    chunks = [items[i:i + 2500] for i in range(0, len(items), 2500)]
    threads = [threading.Thread(target=table.batch_put, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_worker(environment: dict, merchant_id: str, path: str, preview: bool) -> dict:
    env = dict(os.environ, **{k: v for k, v in environment.items() if v is not None})
    out = subprocess.run([sys.executable, __file__, "--worker", merchant_id, path, "1" if preview else "0"],
                         env=env, capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def worker(merchant_id: str, path: str, preview: bool) -> None:
    """The measured process: one put, then the app's queue handlers until the job is done."""
    import logging
    logging.disable(logging.CRITICAL)
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    from chalicelib import aws
    from chalicelib.config import settings
    from chalicelib.events import jobs, uploads
    from chalicelib.local.bootstrap import client_factory
    from chalicelib.local.pump import EventPump, FunctionSettings
    from chalicelib.domain import uploads as rules
    from chalicelib.store.uploads import UploadStore, public

    calls = []
    me = threading.get_ident()          # this thread only polls for the job; its reads are not counted

    def count(model, **_):              # a before-call handler must answer None
        if threading.get_ident() != me:
            calls.append(model.name)

    aws.dynamodb().meta.events.register("before-call.dynamodb", count)
    pump = EventPump(client_factory(os.environ["AWS_ENDPOINT_URL"]), os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    for url, handler, name in ((settings().uploads_queue_url, uploads.handle, "uploads_worker"),
                               (settings().jobs_queue_url, jobs.handle, "jobs_worker")):
        pump.register_queue(url, handler, function=FunctionSettings(name, timeout=300, memory=1024))
    key = f"uploads/{merchant_id}/prices/" + ("preview/" if preview else "") + "bench.xlsx"
    pump.start()
    started = time.perf_counter()
    with open(path, "rb") as body:
        etag = aws.client("s3").put_object(Bucket=settings().bucket, Key=key, Body=body)["ETag"].strip('"')
    store, job_id = UploadStore(merchant_id), rules.job_id(settings().bucket, key, etag)
    # a GetItem (a GSI query would scan moto's table) from this thread, whose requests are not
    # counted: every 0.1 s for 30 s, then every second, so as not to load moto for minutes
    while True:
        time.sleep(0.1 if time.perf_counter() - started < 30 else 1.0)
        found = store.get(job_id)
        if found and found["status"] in ("done", "fatal"):
            job = public(found)
            break
    elapsed = time.perf_counter() - started
    pump.stop()
    counts = {}
    for name in calls:
        counts[name] = counts.get(name, 0) + 1
    print(json.dumps({"elapsed": elapsed, "job": job, "requests": counts,
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "invocations": sum(s.stats["invocations"] for s in pump.sources.values())}))


def result_rss(worker_result: dict) -> float:
    return round(worker_result["max_rss_mb"], 1)


def main(rows: int) -> None:
    from chalicelib.local.stack import LocalStack
    from chalicelib.services import accounts

    folder = tempfile.mkdtemp(prefix="bench-uploads-")
    stack = LocalStack(port=0, aws_port=0, state_dir=folder, run_schedules=False, snapshot_interval=0)
    stack.start()
    try:
        for name in ("UploadsQueue", "JobsQueue"):       # the worker process handles these
            stack.pump.unregister_queue(name)
        merchant_id = accounts.create_merchant("bench uploads")["merchant_id"]
        path = os.path.join(folder, "prices.xlsx")
        make_sheet(path, rows)
        seed(merchant_id, rows)
        read_rows, read_seconds = raw_read(path)
        assert read_rows == rows
        baseline = rows / read_seconds
        other_rows, other_seconds = openpyxl_read(path)
        assert other_rows == rows
        other = rows / other_seconds
        print(f"file: {rows} rows, {os.path.getsize(path) / 1e6:.1f} MB .xlsx")
        print(f"raw reader (python-calamine, every cell): {read_seconds:.2f} s, {baseline:,.0f} rows/s")
        print(f"for reference, openpyxl read-only iterating the same file: {other_seconds:.2f} s, {other:,.0f} rows/s")
        check_seconds = extent_check(path)
        print(f"extent check before loading (plain-form patterns, else streamed XML): {check_seconds:.2f} s, {rows / check_seconds:,.0f} rows/s, "
              f"{check_seconds / read_seconds:.1f}x the raw reader's time (once per job)")
        sample, write_seconds = raw_writes(merchant_id, min(rows, 9900))
        direct = sample / write_seconds
        print(f"raw writes (TransactWriteItems of 99 price updates, {sample} rows): {direct:,.0f} rows/s")
        print(f"reader memory: the opened sheet adds {reader_memory(path):.0f} MB (python-calamine's cells)")
        figures = {}
        for preview in (True, False):
            outcome = run_worker(stack.environment, merchant_id, path, preview)
            job = outcome["job"]
            assert job["status"] == "done" and job["rows"] == rows and job["errors"] == 0, job
            speed = rows / outcome["elapsed"]
            total = sum(outcome["requests"].values())
            label = "preview (validate + report)" if preview else "apply (validate + write + report)"
            print(f"{label}: {outcome['elapsed']:.1f} s, {speed:,.0f} rows/s, ratio to raw reader "
                  f"{speed / baseline:.3f} (target >= 0.4; to openpyxl read-only {speed / other:.2f}); peak RSS {outcome['max_rss_mb']:.0f} MB "
                  f"(target <= 256); DynamoDB requests per 100 rows {100 * total / rows:.2f} "
                  f"{dict(sorted(outcome['requests'].items()))}; handler invocations {outcome['invocations']}")
            if preview:
                figures.update(preview_vs_openpyxl=speed / other, preview_vs_calamine=speed / baseline,
                               peak_rss_mb=result_rss(outcome))
            else:
                again, again_seconds = raw_writes(merchant_id, min(rows, 9900))
                print(f"raw writes again, right after the apply: {again / again_seconds:,.0f} rows/s")
                direct = (sample + again) / (write_seconds + again_seconds)
                print(f"apply / raw writes of the same rows: {speed / direct:.2f} (raw writes {direct:,.0f} rows/s, "
                      f"both samples)")
                figures.update(apply_vs_raw_writes=speed / direct,
                               peak_rss_mb=max(figures["peak_rss_mb"], result_rss(outcome)))
        result("uploads", **figures)
    finally:
        stack.stop(save=False)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4] == "1")
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS)
