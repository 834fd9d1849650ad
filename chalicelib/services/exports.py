"""Order exports: a job, then one invocation pages through the same query as `GET /v1/orders`
and streams the rows into an .xlsx (adapters/sheet_writer.py: rows go to disk as they come, so memory
does not grow with the export), uploaded to `exports/<merchant_id>/<job_id>.xlsx`.

The file is one workbook, so it is written in one invocation. One that would run into its
Lambda deadline stops in time and closes the job `fatal`, saying how far it got and to narrow the
filters, rather than die and leave the job running until its message reaches the dead letters."""
import os
import tempfile
import time
import uuid

from chalicelib import observability as obs
from chalicelib.adapters import bucket, queues
from chalicelib.domain import clock
from chalicelib.domain import exports as layout
from chalicelib.domain.errors import NotFound
from chalicelib.domain.uploads import DONE, FATAL, JobClosed, LeaseHeld
from chalicelib.store.exports import ExportStore

DOWNLOAD_SECONDS = 15 * 60
PAGE = 100
LEASE_MARGIN = 60
FINISH_RESERVE = 30.0        # seconds kept for closing the workbook and uploading it


class _OutOfTime(Exception):
    pass


def start_orders_export(merchant_id: str, filters: dict) -> dict:
    job_id = "ex_" + uuid.uuid4().hex[:24]
    ExportStore(merchant_id).create(job_id, "orders", filters)
    queues.send(queues.jobs_url(), {"type": "export.orders", "merchant_id": merchant_id, "job_id": job_id})
    return {"job_id": job_id, "status": "in_queue"}


def job(merchant_id: str, job_id: str) -> dict:
    found = ExportStore(merchant_id).get(job_id)
    if found is None:
        raise NotFound(f"no export job {job_id}")
    done = found["status"] == DONE
    return {"job_id": job_id, "kind": found.get("kind"), "status": found["status"],
            "detail": found.get("detail"), "rows": int(found.get("rows") or 0),
            "key": found.get("key") if done else None,
            "download_url": bucket.presign_get(found["key"], DOWNLOAD_SECONDS, job_id + ".xlsx") if done else None,
            "created_at": found.get("created_at"), "finished_at": found.get("finished_at")}


def run(merchant_id: str, job_id: str, meta: dict) -> None:
    started = time.monotonic()
    deadline = meta.get("deadline") or started + 240
    store = ExportStore(merchant_id)
    owner = meta["message_id"]
    try:
        found = store.claim(job_id, owner, int(meta.get("receive_count") or 1),
                            int(clock.now() + (deadline - started) + LEASE_MARGIN))
    except (JobClosed, LeaseHeld, NotFound):
        return
    from chalicelib.adapters.sheet_writer import XLSX_TYPE, StreamedSheet
    path = os.path.join(tempfile.gettempdir(), f"onceship-export-{job_id}.xlsx")
    sheet = StreamedSheet(path, "orders", layout.ORDER_HEADER)
    rows = 0
    try:
        for order in _orders(merchant_id, found.get("filters") or {}):
            if time.monotonic() > deadline - FINISH_RESERVE:
                raise _OutOfTime()
            for row in layout.order_rows(order):
                sheet.append(row)
                rows += 1
        sheet.close()
        key = f"exports/{merchant_id}/{job_id}.xlsx"
        bucket.put_file(key, path, XLSX_TYPE)
    except ImportError as err:
        store.close(job_id, owner, FATAL, f"orders cannot be exported yet ({err.name} is missing)", None, 0)
        return
    except _OutOfTime:
        sheet.discard()
        store.close(job_id, owner, FATAL, f"too many orders for one export: {rows} rows were written before "
                    "the time ran out; narrow the filters (a shorter paid_from/paid_to window)", None, rows)
        obs.logger().warning("order export out of time", extra={"job_id": job_id, "rows": rows})
        return
    finally:
        try:
            os.remove(path)
        except OSError:
            pass
    store.close(job_id, owner, DONE, f"{rows} rows", key, rows)
    obs.count("OrderExportRows", rows)


def _orders(merchant_id: str, filters: dict):
    from chalicelib.models.orders import OrderQuery
    from chalicelib.services import order_feed
    cursor = None
    while True:
        query = OrderQuery.model_validate(dict(filters, limit=PAGE, cursor=cursor))
        page = order_feed.list_orders(merchant_id, query)
        yield from page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return
