"""The day's invariants, checked at its end from what is stored (the table, the bucket) and what the
receiver and the clients saw (the ledger). Each check answers (checked, violations): how many
things it looked at and a description of each one that is wrong."""
import collections
import io
from dataclasses import dataclass, field
from typing import Callable, List

from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import Table

OPEN = ("pending_payment", "paid", "partially_shipped")
SHIPPED = ("shipped", "completed")


@dataclass
class Check:
    name: str
    checked: int = 0
    violations: List[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.violations.append(text)


@dataclass
class Stored:
    """The merchant's records at the end of the day, by kind."""
    orders: dict          # order id -> order item
    stock: dict           # erp_product_id -> stock item
    outbox: list          # webhook delivery items
    tracking: dict        # order id -> [tracking items]
    jobs: list            # upload jobs of the day's sheets, with their report rows


def load(stack, world, sheets: list) -> Stored:
    scope = MerchantScope(world.merchant_id)
    table = Table(stack.table_name, client=stack.client("dynamodb"))
    items = _scan(stack, scope.pk(""))
    orders, stock, tracking = {}, {}, collections.defaultdict(list)
    order_sk, stock_sk = scope.order("x")[1], scope.stock("x")[1]
    delivery_sk, delivery_pk = scope.webhook_delivery("x")[1], scope.pk("EVT", "")
    track_prefix = scope.order_tracking("x")[1]
    outbox, buckets = [], collections.defaultdict(list)
    for item in items:
        if item["sk"] == order_sk:
            orders[item["order_id"]] = item
        elif item["sk"] == stock_sk and item["pk"] == scope.stock(item.get("erp_product_id", ""))[0]:
            stock[item["erp_product_id"]] = item
        elif item["sk"] == stock_sk and "bucket" in item:        # a hot product's stock bucket
            buckets[item["erp_product_id"]].append(item)
        elif item["sk"] == delivery_sk and item["pk"].startswith(delivery_pk):
            outbox.append(item)
        elif item["sk"].startswith(track_prefix):
            tracking[item["order_id"]].append(item)
    jobs = [_job(stack, table, world, sheet) for sheet in sheets]
    from chalicelib.store.stock import combined       # a bucketed product's real figures
    stock = {erp_id: combined(item, buckets.get(erp_id, ())) for erp_id, item in stock.items()}
    return Stored(orders, stock, outbox, dict(tracking), jobs)


def _scan(stack, prefix: str) -> list:
    from chalicelib.store.table import deserialize
    found = []
    pages = stack.client("dynamodb").get_paginator("scan").paginate(
        TableName=stack.table_name, ConsistentRead=True, FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": prefix}})
    for page in pages:
        found += [deserialize(item) for item in page["Items"]]
    return found


def _job(stack, table, world, sheet: dict) -> dict:
    from chalicelib.domain import uploads
    from chalicelib.store.uploads import UploadStore
    store = UploadStore(world.merchant_id, table)
    job, start = None, None
    while job is None:
        page, start = store.page(100, start)
        job = next((j for j in page if j["key"] == sheet["key"]), None)
        if not start:
            break
    rows = []
    if job and job.get("report_key"):
        body = stack.client("s3").get_object(Bucket=stack.bucket, Key=job["report_key"])["Body"].read()
        rows = _sheet_rows(body)
    return {"sheet": sheet, "job": job, "report": rows, "done": bool(job) and job["status"] == uploads.DONE}


def _sheet_rows(body: bytes) -> list:
    from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return [[str(cell) for cell in row] for row in book.get_sheet_by_index(0).to_python()]


# -- the checks -------------------------------------------------------------------------------------
def one_order_per_token(stored: Stored, ledger, world) -> Check:
    check = Check("one order per checkout token (0 duplicate orders)")
    by_token = collections.defaultdict(list)
    for order in stored.orders.values():
        by_token[order["token"]].append(order["order_id"])
    for token, ids in by_token.items():
        check.checked += 1
        if len(ids) > 1:
            check.fail(f"token {token} has {len(ids)} orders: {sorted(ids)}")
    for token, told in ledger.placed.items():
        if len(told) > 1:
            check.fail(f"token {token} was answered with different orders {sorted(told)}")
        for order_id in told:
            if order_id not in stored.orders:
                check.fail(f"order {order_id} was answered 201 but is not stored")
    return check


def stock_never_negative(stored: Stored, ledger, world) -> Check:
    check = Check("0 negative stock (on hand, reserved, free = on hand - reserved)")
    for erp_id, item in stored.stock.items():
        check.checked += 1
        on_hand, reserved, free = int(item["on_hand"]), int(item["reserved"]), int(item["free"])
        if on_hand < 0 or reserved < 0:
            check.fail(f"{erp_id}: on_hand {on_hand}, reserved {reserved}")
        if free != on_hand - reserved:
            check.fail(f"{erp_id}: free {free} is not on_hand {on_hand} - reserved {reserved}")
    return check


def stock_conserved(stored: Stored, ledger, world) -> Check:
    check = Check("stock conserved (start + sheet = on hand + shipped; reserved = open orders)")
    shipped, held = collections.Counter(), collections.Counter()
    for order in stored.orders.values():
        for line in order["lines"]:
            done = int(line.get("shipped_quantity") or 0)
            shipped[line["erp_product_id"]] += done
            if order["status"] in OPEN:
                held[line["erp_product_id"]] += int(line["quantity"]) - done
    restocked = _sheet_restock(stored)
    for erp_id, start in world.start_on_hand.items():
        check.checked += 1
        item = stored.stock.get(erp_id) or {}
        on_hand, reserved = int(item.get("on_hand", 0)), int(item.get("reserved", 0))
        if start + restocked[erp_id] != on_hand + shipped[erp_id]:
            check.fail(f"{erp_id}: start {start} + sheet {restocked[erp_id]} != on hand {on_hand} + "
                       f"shipped {shipped[erp_id]}")
        if reserved != held[erp_id]:
            check.fail(f"{erp_id}: reserved {reserved}, but open orders hold {held[erp_id]}")
    return check


def _sheet_restock(stored: Stored) -> collections.Counter:
    """What the stock sheet's applied rows added: on_hand - compare_on_hand for each `ok` row."""
    added = collections.Counter()
    for job in stored.jobs:
        if job["sheet"]["kind"] != "inventory" or not job["report"]:
            continue
        header = job["report"][0]
        at = {name: header.index(name) for name in ("erp_product_id", "on_hand", "compare_on_hand", "outcome")
              if name in header}
        for row in job["report"][1:]:
            if row[at["outcome"]] == "ok" and row[at["compare_on_hand"]].strip():
                added[row[at["erp_product_id"]]] += int(float(row[at["on_hand"]])) - int(float(row[at["compare_on_hand"]]))
    return added


def prints_authorized(stored: Stored, ledger, world) -> Check:
    check = Check("0 prints without authorization beyond the first; no order in two batches")
    for order in stored.orders.values():
        prints = order.get("desk_prints") or []
        if not prints:
            continue
        check.checked += 1
        count = int(order.get("desk_print_count") or 0)
        if count != len(prints):
            check.fail(f"{order['order_id']}: print count {count}, {len(prints)} prints logged")
        for entry in prints[1:]:
            if not entry.get("authorized_by"):
                check.fail(f"{order['order_id']}: a print by {entry.get('operator')} without authorization")
        if count - 1 != ledger.reprints[order["order_id"]]:
            check.fail(f"{order['order_id']}: {count - 1} reprints stored, {ledger.reprints[order['order_id']]} "
                       f"authorized reprints answered")
    claimed = collections.Counter(order_id for _, ids in ledger.batches for order_id in ids)
    for order_id, times in claimed.items():
        if times > 1:
            check.fail(f"{order_id} was handed to operators in {times} print batches")
    return check


def no_held_or_refunded_shipped(stored: Stored, ledger, world) -> Check:
    check = Check("0 shipments of held or refunded orders")
    for order in stored.orders.values():
        if order["status"] not in SHIPPED:
            continue
        check.checked += 1
        if order.get("holds"):
            check.fail(f"{order['order_id']} shipped with holds {sorted(order['holds'])}")
        for refund in order.get("refunds") or []:
            if refund["kind"] == "hold" and refund["status"] != "rejected":
                check.fail(f"{order['order_id']} shipped although its refund hold is {refund['status']}")
    for order_id, (kind, decision) in ledger.refunds.items():
        if kind == "hold" and decision == "approve":
            status = stored.orders[order_id]["status"]
            if status != "cancelled" or stored.orders[order_id].get("cancel_reason") != "refunded":
                check.fail(f"{order_id}: refund approved before shipping, but the order is {status}")
    return check


def reprints_inspected(stored: Stored, ledger, world) -> Check:
    """An order printed more than once cannot be shipped directly (contract, the desk): every
    reprinted order the desk shipped was inspected after its last print, and no direct ship of a
    reprinted order was answered `ok`."""
    check = Check("0 reprinted orders shipped without an inspection of their last label")
    for order in stored.orders.values():
        prints = order.get("desk_prints") or []
        if len(prints) < 2 or not order.get("desk_shipped_at"):
            continue
        check.checked += 1
        inspected, last_print = order.get("desk_inspected_at"), prints[-1].get("at") or ""
        if not inspected or inspected < last_print:
            seen = f"its inspection at {inspected}" if inspected else "no inspection"
            check.fail(f"{order['order_id']}: printed {len(prints)} times, last at {last_print}, shipped at "
                       f"{order['desk_shipped_at']} with {seen}")
    for order_id in sorted(ledger.direct_shipped_after_reprint):
        check.fail(f"{order_id}: a direct ship after its authorized reprint was answered ok")
    return check


def none_shipped_twice(stored: Stored, ledger, world) -> Check:
    check = Check("0 orders shipped twice")
    shipped_events = collections.Counter(_order_of(item) for item in stored.outbox if item["type"] == "order.shipped")
    for order in stored.orders.values():
        check.checked += 1
        for line in order["lines"]:
            if int(line.get("shipped_quantity") or 0) > int(line["quantity"]):
                check.fail(f"{order['order_id']}: {line['erp_product_id']} shipped "
                           f"{line['shipped_quantity']} of {line['quantity']}")
        if shipped_events[order["order_id"]] > (1 if order["status"] in SHIPPED else 0):
            check.fail(f"{order['order_id']} ({order['status']}) has {shipped_events[order['order_id']]} "
                       f"order.shipped events")
    for order_id in ledger.shipped_twice_told:
        check.fail(f"{order_id}: two requests were both answered that they shipped it")
    return check


def none_lost(stored: Stored, ledger, world) -> Check:
    check = Check("0 orders lost (every paid order shipped, cancelled or at the desk with a reason)")
    oversold = {e for e, s in stored.stock.items() if int(s["reserved"]) > int(s["on_hand"])}
    for order_id in ledger.paid:
        if order_id not in stored.orders:
            check.fail(f"{order_id} was paid but is not stored")
    for order in stored.orders.values():
        if order["status"] == "pending_payment":
            if order["order_id"] in ledger.paid:
                check.fail(f"{order['order_id']} was answered paid but is still pending_payment")
            continue
        check.checked += 1
        if order["status"] in SHIPPED or order["status"] == "cancelled":
            continue
        if order.get("holds"):
            continue
        products = {line["erp_product_id"] for line in order["lines"]}
        if products & oversold:
            continue
        check.fail(f"{order['order_id']} is {order['status']} at stage {order.get('stage')} with no reason "
                   f"(no hold, no oversold product)")
    return check


def erp_acknowledged(stored: Stored, ledger, world) -> Check:
    check = Check("every order the ERP read acknowledged; only paid orders offered")
    for order_id in ledger.erp_read:
        check.checked += 1
        order = stored.orders.get(order_id)
        if order is None or order.get("sync_status") != "synced":
            check.fail(f"{order_id} was read by the ERP but is {order and order.get('sync_status')}")
    for order in stored.orders.values():
        if order.get("paid_at") and order.get("sync_status") != "synced":
            check.fail(f"{order['order_id']} was paid but never reached the ERP ({order.get('sync_status')})")
    for order_id in ledger.erp_unpaid_seen:
        check.fail(f"the ERP was offered {order_id} before it was paid")
    return check


def webhooks_once(stored: Stored, ledger, world, calls: list) -> Check:
    check = Check("every webhook event received; exactly once after dedupe by event id")
    taken = collections.Counter(event_id for event_id, _, _, ok in calls if ok)
    stored_ids = {item["event_id"] for item in stored.outbox}
    for item in stored.outbox:
        check.checked += 1
        if not taken[item["event_id"]]:
            check.fail(f"event {item['event_id']} ({item['type']}) was never received (status {item['status']})")
    for event_id in set(taken) - stored_ids:
        check.fail(f"event {event_id} was received but is not in the outbox")
    per_order = collections.Counter((_order_of(item), item["type"]) for item in stored.outbox)
    for order in stored.orders.values():
        requests = len(order.get("refunds") or [])
        expected = {"order.paid": 1 if order.get("paid_at") else 0,
                    "order.shipped": 1 if order["status"] in SHIPPED else 0,
                    "order.cancelled": 1 if order.get("cancel_reason") == "refunded" else 0,
                    "order.refund_requested": requests}
        for event_type, count in expected.items():
            if per_order[(order["order_id"], event_type)] != count:
                check.fail(f"{order['order_id']}: {per_order[(order['order_id'], event_type)]} {event_type} "
                           f"events, expected {count}")
    return check


def wrong_items_caught(stored: Stored, ledger, world) -> Check:
    """Every wrong scan is answered inspection_mismatch, or refused before the goods are compared
    because a refund request or a cancellation came first (such an order ships on no scan while
    held: `no_held_or_refunded_shipped` checks that from the table). Any other answer is a violation."""
    check = Check("100% of wrong-item scans caught")
    for order_id, sent in ledger.wrong_scans.items():
        check.checked += sent
        held = ledger.held_scans[order_id]
        if ledger.caught[order_id] + held != sent:
            check.fail(f"{order_id}: {sent} wrong scans, {ledger.caught[order_id]} caught, {held} refused for a hold")
    if ledger.notes.get("wrong_item_shipped"):
        check.fail(f"{ledger.notes['wrong_item_shipped']} orders shipped on a wrong scan")
    return check


def sheet_rows_once(stored: Stored, ledger, world) -> Check:
    check = Check("every spreadsheet row applied once or reported")
    for job in stored.jobs:
        sheet = job["sheet"]
        check.checked += sheet["rows"]
        if not job["done"]:
            check.fail(f"{sheet['kind']} sheet {sheet['key']}: job {job['job'] and job['job']['status']}")
            continue
        report = job["report"]
        if len(report) - 1 != sheet["rows"]:
            check.fail(f"{sheet['kind']} sheet: {sheet['rows']} rows, {len(report) - 1} in the report")
            continue
        outcome = report[0].index("outcome")
        outcomes = collections.Counter(row[outcome] for row in report[1:])
        if set(outcomes) - {"ok", "skipped", "error"}:
            check.fail(f"{sheet['kind']} sheet: outcomes {dict(outcomes)}")
        if outcomes["error"] < sheet["bad_rows"]:
            check.fail(f"{sheet['kind']} sheet: {sheet['bad_rows']} bad rows, {outcomes['error']} reported")
        if sheet["kind"] == "order-status":
            _status_rows(check, stored, report, outcome)
    return check


def _status_rows(check: Check, stored: Stored, report: list, outcome: int) -> None:
    header = report[0]
    order_at, status_at = header.index("order_id"), header.index("status")
    applied = collections.Counter((row[order_at], row[status_at]) for row in report[1:] if row[outcome] == "ok")
    for (order_id, status), times in applied.items():
        events = [e for e in stored.tracking.get(order_id, []) if e["status"] == status]
        if len(events) != times:
            check.fail(f"{order_id}: {times} {status} rows applied, {len(events)} tracking events")


def dead_letters_empty(stack) -> Check:
    check = Check("dead letters 0 after redrive")
    sqs = stack.client("sqs")
    for queue in ("JobsDLQ", "UploadsDLQ", "WebhooksDLQ"):
        check.checked += 1
        attributes = sqs.get_queue_attributes(QueueUrl=stack.queue_urls[queue], AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        left = sum(int(v) for v in attributes.values())
        if left:
            check.fail(f"{queue}: {left} messages")
    return check


def _order_of(item: dict) -> str:
    import json
    return (json.loads(item["body"]).get("data") or {}).get("order_id")


CHECKS: List[Callable] = [one_order_per_token, stock_never_negative, stock_conserved, prints_authorized,
                          no_held_or_refunded_shipped, reprints_inspected, none_shipped_twice, none_lost,
                          erp_acknowledged, wrong_items_caught, sheet_rows_once]
