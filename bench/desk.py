"""Fulfillment desk: DynamoDB requests for claiming a print batch and for shipping one order, and
label PDF pages per second against reportlab drawing the same pages with no data access.

Starts its own LocalStack. Requests are counted on the in-process boto3 client while the
desk's service functions run (what one API call does after authentication and idempotency).
Targets: claiming n orders ≤ 2 + ⌈n/100⌉ requests (the index query, one batch read of the
products' barcodes for the labels drawn at the claim, a transaction per 100 orders; the sender and
the carrier names are read once per batch before); shipping one order: one write (a single
transaction holding the order, its stock and its webhook event).

Run: .venv/bin/python bench/desk.py [orders_per_batch]
"""
import math
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support import result  # noqa: E402  (first: quiets the logs)

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


@contextmanager
def counting():
    """Counts DynamoDB operations made by this process's shared client while inside."""
    from chalicelib import aws
    seen: Counter = Counter()

    def count(model, **_):
        seen[model.name] += 1

    events = aws.dynamodb().meta.events
    events.register("before-call.dynamodb", count)
    try:
        yield seen
    finally:
        events.unregister("before-call.dynamodb", count)


def seed(merchant_id: str, count: int, setup: bool = True) -> list:
    """Paid orders written through the orders feature's store, reviewed and reserved at the desk."""
    from chalicelib.domain import clock
    from chalicelib.domain import orders as rules
    from chalicelib.domain.ids import sortable_id
    from chalicelib.services import desk, waybills
    from chalicelib.store import keys, stock
    from chalicelib.store.keys import MerchantScope
    from chalicelib.store.orders import OrderStore
    from chalicelib.store.table import Table, put_op

    table, scope, store = Table(), MerchantScope(merchant_id), OrderStore(merchant_id)
    for sku, barcode in (("AMX", "6901234567892"), ("IBU", None)) if setup else ():
        table.put({"pk": scope.product(sku)[0], "sk": "PRODUCT", "erp_product_id": sku, "barcode": barcode,
                   "name": f"药品{sku}"})
        table.put({"pk": scope.stock(sku)[0], "sk": "STOCK", "erp_product_id": sku, "on_hand": 100000,
                   "reserved": 0, "free": 100000})
    if setup:
        _settings(merchant_id)
    ids = []
    for _ in range(count):
        now = clock.now()
        quantities = {"AMX": 2, "IBU": 1}
        lines = rules.priced_lines(quantities, {p: ("10.00", "default", {"name": f"药品{p}"}) for p in quantities}, {})
        order = {"order_id": sortable_id("o_", now), "merchant_id": merchant_id, "channel_id": "ch_bench",
                 "status": rules.PENDING_PAYMENT, "created_at": clock.iso(now), "updated_at": clock.iso(now),
                 "pay_deadline": int(now + 1800), "buyer": {"platform_customer_id": "b_1", "name": "张三"},
                 "delivery": {"name": "张三", "phone": "13800000000", "province": "浙江省", "city": "杭州市",
                              "district": "西湖区", "detail": "文三路 90 号"},
                 "amounts": rules.amounts(lines), "lines": lines, "refunds": []}
        ref_pk, ref_sk = keys.order_ref(order["order_id"])
        table.transact([put_op(store.new_order_item(order)),
                        put_op({"pk": ref_pk, "sk": ref_sk, "order_id": order["order_id"],
                                "merchant_id": merchant_id, "channel_id": "ch_bench"})]
                       + [stock.reserve_op(merchant_id, p, q) for p, q in quantities.items()])
        store.write([store.pay_op(store.get(order["order_id"]), clock.iso(now), clock.iso(now),
                                  desk.arrival_carrier(merchant_id, order["delivery"]))])
        ids.append(order["order_id"])
    for start in range(0, count, 100):
        desk.review_orders(merchant_id, "bench", ids[start:start + 100])
        waybills.reserve(merchant_id, ids[start:start + 100])
    return ids


def _settings(merchant_id: str) -> None:
    from chalicelib.services import waybills
    from chalicelib.store.desk_settings import DeskSettingsStore
    DeskSettingsStore(merchant_id).put_sender({"name": "仁心大药房", "phone": "020-88886666", "province": "广东省",
                                               "city": "广州市", "district": "天河区", "detail": "体育西路 1 号"})
    DeskSettingsStore(merchant_id).put_carrier_rules([{"provinces": ["浙江"], "carrier_code": "SF"}])
    waybills.add_range(merchant_id, "SF", "SF", 1, 10 ** 9)


def baseline_pages(labels: list) -> bytes:
    """The same pages drawn with reportlab directly: the same strings, rules and barcode at fixed
    positions, data already in memory; no model, no fitting, no storage."""
    from io import BytesIO

    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = BytesIO()
    pdf = canvas.Canvas(out, pagesize=(100 * mm, 180 * mm), pageCompression=1)
    for label in labels:
        pdf.setFont("STSong-Light", 16)
        pdf.drawString(4 * mm, 169 * mm, label.carrier_name)
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawRightString(96 * mm, 169 * mm, label.carrier_code)
        for y in (166, 131, 100, 80):
            pdf.line(4 * mm, y * mm, 96 * mm, y * mm)
        Code128(label.waybill_no, barWidth=0.4 * mm, barHeight=22 * mm, humanReadable=False,
                quiet=True).drawOn(pdf, 8 * mm, 140 * mm)
        pdf.setFont("Helvetica-Bold", 13)
        pdf.drawCentredString(50 * mm, 134 * mm, label.waybill_no)
        y = 125 * mm
        for title, party in (("收件人", label.recipient), ("寄件人", label.sender)):
            pdf.setFont("STSong-Light", 10)
            pdf.drawString(4 * mm, y, title)
            pdf.setFont("STSong-Light", 12)
            pdf.drawString(17 * mm, y, party.get("name") or "")
            pdf.setFont("Helvetica", 12)
            pdf.drawRightString(96 * mm, y, party.get("phone") or "")
            pdf.setFont("STSong-Light", 10)
            pdf.drawString(17 * mm, y - 5 * mm, "".join(party.get(k) or "" for k in ("province", "city", "district", "detail")))
            y -= 20 * mm
        pdf.setFont("STSong-Light", 7)
        pdf.drawString(4 * mm, y, "商品")
        pdf.drawRightString(84 * mm, y, "编码")
        pdf.drawRightString(96 * mm, y, "数量")
        for line in label.lines:
            y -= 7 * mm
            pdf.setFont("STSong-Light", 9)
            pdf.drawString(4 * mm, y, line.name)
            pdf.setFont("Helvetica", 9)
            pdf.drawRightString(84 * mm, y, line.code)
            pdf.setFont("Helvetica-Bold", 9)
            pdf.drawRightString(96 * mm, y, f"x{line.quantity}")
        pdf.setFont("Helvetica", 6)
        pdf.drawString(4 * mm, 4 * mm, f"order {label.order_id}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def pages_per_second(draws: list, labels: list, rounds: int = 15) -> list:
    """Best pages/s of each drawing function, rounds interleaved so both see the same load."""
    best = [math.inf] * len(draws)
    for _ in range(rounds):
        for index, draw in enumerate(draws):
            started = time.perf_counter()
            draw(labels)
            best[index] = min(best[index], time.perf_counter() - started)
    return [len(labels) / b for b in best]


def main(batch: int = 50) -> None:
    from chalicelib.local.stack import LocalStack

    with tempfile.TemporaryDirectory() as state:
        stack = LocalStack(port=0, aws_port=0, state_dir=state, run_schedules=False, snapshot_interval=0)
        stack.start()
        try:
            run(batch)
        finally:
            stack.stop(save=False)


def run(batch: int) -> None:
    from chalicelib.adapters import labels as label_pdf
    from chalicelib.config import reset
    from chalicelib.domain.desk import Lane
    from chalicelib.domain.labels import label_from_snapshot
    from chalicelib.services import accounts, dispatch, printing
    from chalicelib.services.labels import LabelDrawing
    from chalicelib.store.desk import DeskStore

    reset()
    merchant_id = accounts.create_merchant("bench")["merchant_id"]
    seed(merchant_id, batch + 1)
    store = DeskStore(merchant_id)
    entry = {"operator": "bench", "at": "2026-01-01T00:00:00.000Z", "reason": "print batch", "batch_id": "pb_bench"}

    drawing = LabelDrawing.load(store)
    with counting() as claim_ops:
        claimed = printing.claim(store, Lane(), batch, "pb_bench", entry, drawing)
    claim_total = sum(claim_ops.values())
    print(f"claim {len(claimed)} orders with their labels drawn: {claim_total} DynamoDB requests "
          f"{dict(claim_ops)} (target <= {2 + math.ceil(batch / 100)})")

    with counting() as batch_ops:
        status, body = printing.print_batch(merchant_id, "bench", None, 1)
    print(f"POST /v1/desk/print-batches service (sender and carriers, claim 1, label PDF to S3): "
          f"{sum(batch_ops.values())} DynamoDB requests {dict(batch_ops)}")

    one = claimed[0]["order_id"]
    with counting() as ship_ops:
        answer = dispatch.ship_orders(merchant_id, "bench", [one])
    assert answer["results"][0]["status"] == "ok", answer
    writes = sum(n for op, n in ship_ops.items() if op in WRITES)
    print(f"ship one order: {writes} write request(s) (target 1), "
          f"{sum(ship_ops.values()) - writes} reads; {dict(ship_ops)}")

    items = store.orders([i["order_id"] for i in claimed])
    labels = [label_from_snapshot(o, items[o]["desk_label"]) for o in items]
    baseline_pages(labels[:1])
    label_pdf.render(labels[:1])  # fonts and imports warm for both
    base, ours = pages_per_second([baseline_pages, label_pdf.render], labels)
    print(f"label pages/s, drawing only: reportlab alone {base:.0f}, Onceship's label adapter {ours:.0f}, "
          f"ratio {ours / base:.2f}")
    with counting() as read_ops:
        started = time.perf_counter()
        found = store.orders([i["order_id"] for i in claimed])
        label_pdf.render([label_from_snapshot(o, found[o]["desk_label"]) for o in found])
        took = time.perf_counter() - started
    print(f"label pages/s with data access (read the {len(found)} orders, draw): {len(found) / took:.0f}, "
          f"ratio to reportlab alone {len(found) / took / base:.2f} ({sum(read_ops.values())} DynamoDB request)")

    more = seed(merchant_id, batch, setup=False)
    started = time.perf_counter()
    status, body = printing.print_batch(merchant_id, "bench", None, batch)
    took = time.perf_counter() - started
    print(f"whole print batch on the local stack (claim + PDF + S3): {len(body['order_ids'])} pages in "
          f"{took:.2f}s = {len(body['order_ids']) / took:.0f} pages/s, "
          f"ratio to reportlab alone {len(body['order_ids']) / took / base:.2f}")
    assert len(more) == batch
    result("desk", claim_requests=claim_total, claim_orders=len(claimed), ship_writes=writes,
           label_pages_vs_reportlab=ours / base, print_batch_vs_reportlab=len(body["order_ids"]) / took / base)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
