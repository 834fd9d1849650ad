"""The day's actors, each a thread with its own seeded generator, all talking HTTP to the API as real
clients do (bench/warehouse/calls.py retries timeouts and 5xx with the same request):

- channels place orders with a checkout token each, sometimes sending the same token again (a
  timeout on their side, now and then two at once), and pay what they placed;
- refunds: 5% of paid orders get a refund request at a random moment (before review, mid-desk,
  after shipping), and the merchant approves or rejects it a little later;
- four operators at once review, reserve waybills, claim print batches and ship: 3% of what they
  print is reprinted with a supervisor's authorization and then inspected, 2% gets a wrong item
  scanned at inspection (then the right ones), the rest ships directly; idle, they sweep what
  was left printed (a refund hold lifted, say);
- the ERP pulls paid orders and acknowledges them, crashing before 1 in 10 acknowledgements;
- the spreadsheets: one of stock (compare-and-set rows) and one of order statuses, mid-day;
- the ticker runs the one-minute schedule every few seconds (payment timeouts, webhook retries).
"""
import heapq
import random
import threading
import time
import uuid
from datetime import datetime, timezone

import requests

from bench.warehouse import calls
from bench.warehouse.world import PROVINCES

REPRINT_SHARE = 0.03
WRONG_ITEM_SHARE = 0.02
REFUND_SHARE = 0.05
ERP_CRASH_SHARE = 0.1
RESEND_SHARE = 0.1
SWEEP_AFTER_SECONDS = 8.0
TICK_SECONDS = 5.0   # the schedule is a safety net (webhook retries come as delayed hints)


def key() -> dict:
    return {"Idempotency-Key": uuid.uuid4().hex}


class Day:
    """What the actors share: the world, the ledger, the counters, and who is done."""

    def __init__(self, world, ledger):
        self.world = world
        self.ledger = ledger
        self.counter = calls.Counter()
        self.api_calls = calls.Counter()   # what the actors asked, by method and route
        self.placed_count = 0
        self.lock = threading.Lock()
        self.channels_done = threading.Event()
        self.refunds_done = threading.Event()
        self.desk_done = threading.Event()
        self.stop = threading.Event()
        self.refund_queue = []   # heap of (due, n, order_id, channel index)
        self.errors = []
        self.settle_phases = {}

    def rng(self, actor: str) -> random.Random:
        return random.Random(f"{self.world.seed}:{actor}")

    def call(self, client, method, path, body=None, headers=None):
        self.api_calls.add(f"{method} {calls.route(path)}")
        return calls.call(client, method, path, body, headers, self.counter)

    def failed(self, actor: str, error: Exception) -> None:
        with self.lock:
            self.errors.append(f"{actor}: {type(error).__name__}: {error}"[:500])


def run_thread(day: Day, name: str, target, *args) -> threading.Thread:
    def body():
        try:
            target(day, *args)
        except Exception as error:  # noqa: BLE001 - the day reports it
            day.failed(name, error)
    thread = threading.Thread(target=body, name=f"day-{name}", daemon=True)
    thread.start()
    return thread


# -- channels ------------------------------------------------------------------------------------
def channel(day: Day, index: int, numbers: list) -> None:
    rng = day.rng(f"channel:{index}")
    client = day.world.channels[index]
    products = list(day.world.products)
    for n in numbers:
        lines = {}
        for _ in range(rng.choice((1, 1, 2, 3))):
            lines[rng.choice(products)] = rng.randint(1, 3)
        body = {"merchant_id": day.world.merchant_id,
                "buyer": {"platform_customer_id": f"buyer-{rng.randint(1, 300)}", "name": "仁和药房"},
                "lines": [{"erp_product_id": p, "quantity": q} for p, q in lines.items()],
                "address": {"name": "张三", "phone": "13800000000", "province": rng.choice(PROVINCES),
                            "city": "某市", "district": "某区", "detail": f"某路 {n} 号"}}
        try:
            order_id = _place(day, rng, client, body)
            with day.lock:
                day.placed_count += 1
            if order_id is None:
                continue
            answer = day.call(client, "POST", f"/v1/orders/{order_id}/payment",
                              {"paid_at": datetime.now(timezone.utc).isoformat()}, key())
            if answer.status_code != 200:
                day.ledger.note(f"payment_answered_{answer.status_code}")
                continue
            day.ledger.add("paid", order_id)
            if rng.random() < REFUND_SHARE:
                due = time.monotonic() + rng.choice((0.0, 0.5, 2.0, 5.0, 10.0, 20.0)) * rng.random()
                with day.lock:
                    heapq.heappush(day.refund_queue, (due, n, order_id, index))
        except calls.GaveUp as gave_up:
            day.ledger.note("channel_gave_up")
            day.failed(f"channel {index}", gave_up)


def _place(day: Day, rng: random.Random, client, body: dict):
    """Submit with one checkout token until answered; sometimes again (a timeout on our side),
    sometimes twice at once. The order id, or None when refused."""
    token = day.call(client, "POST", "/v1/checkout-tokens", {"merchant_id": body["merchant_id"]}, key())
    if token.status_code != 201:
        raise calls.GaveUp(f"checkout token: {token.status_code} {token.text[:200]}")
    token = token.json()["token"]
    submissions = 1
    if rng.random() < RESEND_SHARE:
        submissions = 3 if rng.random() < 0.5 else 2
    answers = []

    def submit():
        answers.append(day.call(client, "POST", "/v1/orders", body, {"Idempotency-Key": token}))

    if submissions == 3:  # two at once, then one more
        twin = threading.Thread(target=submit)
        twin.start()
        submit()
        twin.join()
        submit()
        day.ledger.note("placements_sent_concurrently")
    else:
        for _ in range(submissions):
            submit()
    order_ids = set()
    for answer in answers:
        if answer.status_code == 201:
            order_id = answer.json()["order_id"]
            order_ids.add(order_id)
            day.ledger.placed_for(token, order_id)
        else:
            code = _code(answer)
            day.ledger.add("refused", code)
    if len(answers) > 1:
        day.ledger.note("placements_resent", len(answers) - 1)
    if not order_ids:
        with day.ledger.lock:
            day.ledger.placed.setdefault(token, set())
        return None
    return sorted(order_ids)[0]


def _code(answer) -> str:
    try:
        return answer.json().get("code") or str(answer.status_code)
    except ValueError:
        return str(answer.status_code)


# -- refunds ---------------------------------------------------------------------------------------
def refunds(day: Day) -> None:
    rng = day.rng("refunds")
    decisions = []   # (due, order_id, kind, decision)
    while True:
        now = time.monotonic()
        due = []
        with day.lock:
            while day.refund_queue and day.refund_queue[0][0] <= now:
                due.append(heapq.heappop(day.refund_queue))
            empty = not day.refund_queue
        for _, _, order_id, index in due:
            try:
                _request_refund(day, rng, decisions, order_id, index)
            except calls.GaveUp as gave_up:
                day.failed("refund request (carried on)", gave_up)
        for entry in [d for d in decisions if d[0] <= time.monotonic()]:
            decisions.remove(entry)
            try:
                _decide_refund(day, *entry[1:])
            except calls.GaveUp as gave_up:
                day.failed("refund decision (carried on)", gave_up)
        if empty and not decisions and day.channels_done.is_set():
            day.refunds_done.set()
            return
        time.sleep(0.1)


def _request_refund(day: Day, rng, decisions: list, order_id: str, index: int) -> None:
    answer = day.call(day.world.channels[index], "POST", f"/v1/orders/{order_id}/refund-requests",
                      {"reason": "买错了"}, key())
    if answer.status_code == 201:
        kind = answer.json()["kind"]
        decision = "approve" if rng.random() < 0.6 else "reject"
        decisions.append((time.monotonic() + rng.uniform(0.2, 3.0), order_id, kind, decision))
    else:
        with day.ledger.lock:
            day.ledger.refunds[order_id] = (f"refused:{_code(answer)}", None)


def _decide_refund(day: Day, order_id: str, kind: str, decision: str) -> None:
    answer = day.call(day.world.merchant, "POST", f"/v1/orders/{order_id}/refund-decision",
                      {"decision": decision}, key())
    with day.ledger.lock:
        day.ledger.refunds[order_id] = (kind, decision if answer.status_code == 200
                                        else f"refused:{_code(answer)}")


# -- operators ---------------------------------------------------------------------------------------
def operator(day: Day, index: int) -> None:
    rng = day.rng(f"operator:{index}")
    client = day.world.operators[index]
    idle = 0
    while not day.stop.is_set():
        try:
            idle = _operator_round(day, client, rng, index, idle)
        except calls.GaveUp as gave_up:   # a person carries on with the next thing
            day.ledger.note("operator_gave_up")
            day.failed(f"operator {index} (carried on)", gave_up)
            idle = 0
        if idle is None:
            return


def _operator_round(day: Day, client, rng: random.Random, index: int, idle: int):
    """One round of an operator's work; the new idle count, None when the day is done."""
    reviewed = _review(day, client)
    worked = len(reviewed) + _reserve(day, client, reviewed)
    claimed = _claim(day, client, f"op{index}", rng.randint(5, 25))
    if claimed:
        _handle(day, client, rng, claimed)
    worked += len(claimed)
    waiting = 0
    if not worked:
        swept, waiting = _sweep(day, client, rng)
        worked += swept
    if worked:
        return 0
    idle += 1
    if day.channels_done.is_set() and day.refunds_done.is_set() and idle >= 4 and not waiting:
        return None
    time.sleep(min(1.5, 0.2 * idle) * (0.5 + rng.random()))
    return idle


def _review(day: Day, client) -> list:
    """The orders this review passed."""
    answer = day.call(client, "POST", "/v1/desk/reviews",   # reviewing again only skips: no key
                      {"auto": True, "filter": {"stage": "to_review", "limit": 100}})
    if answer.status_code != 200:
        day.ledger.note(f"review_answered_{answer.status_code}")
        return []
    return [r["key"] for r in answer.json()["results"] if r["status"] == "ok"]


def _reserve(day: Day, client, reviewed: list) -> int:
    """Waybills for what this operator just reviewed; idle, for whatever is left reviewed."""
    ids = reviewed
    if not ids:
        listed = day.call(client, "GET", "/v1/desk/orders?stage=reviewed&limit=100")
        ids = [o["order_id"] for o in listed.json().get("items", [])] if listed.status_code == 200 else []
    if not ids:
        return 0
    answer = day.call(client, "POST", "/v1/desk/waybills", {"order_ids": ids})  # a reserved order keeps its number
    if answer.status_code != 200:
        day.ledger.note(f"reserve_answered_{answer.status_code}")
        return 0
    return sum(1 for r in answer.json()["results"] if r["status"] == "ok")


def _claim(day: Day, client, name: str, wanted: int) -> list:
    answer = day.call(client, "POST", "/v1/desk/print-batches", {"max_orders": wanted}, key())
    if answer.status_code not in (200, 201):
        day.ledger.note(f"claim_answered_{answer.status_code}")
        return []
    order_ids = answer.json()["order_ids"]
    if order_ids:
        day.ledger.add("batches", (name, tuple(order_ids)))
    return order_ids


def _handle(day: Day, client, rng: random.Random, order_ids: list) -> None:
    direct = []
    for order_id in order_ids:
        roll = rng.random()
        if roll < REPRINT_SHARE:
            _reprint_then_inspect(day, client, order_id)
        elif roll < REPRINT_SHARE + WRONG_ITEM_SHARE:
            _inspect(day, client, rng, order_id, wrong_first=True)
        else:
            direct.append(order_id)
    if direct:
        _ship_directly(day, client, direct)


def _ship_directly(day: Day, client, order_ids: list) -> dict:
    """Ship; what each id was told: "ok" or its code (none when the request was not answered 200)."""
    answer = day.call(client, "POST", "/v1/desk/shipments", {"order_ids": order_ids}, key())
    if answer.status_code != 200:
        day.ledger.note(f"ship_answered_{answer.status_code}")
        return {}
    told = {}
    for result in answer.json()["results"]:
        if result["status"] == "ok":
            day.ledger.told_shipped(result["key"])
            told[result["key"]] = "ok"
            continue
        told[result["key"]] = result.get("code")
        if result.get("code") != "needs_inspection":
            day.ledger.note(f"ship_{result['status']}_{result.get('code')}")
    return told


def _reprint_then_inspect(day: Day, client, order_id: str) -> None:
    answer = day.call(client, "POST", f"/v1/desk/orders/{order_id}/reprints", {
        "reason": "卡纸", "supervisor": {"username": day.world.supervisor_name, "password": "day-password-1"}}, key())
    if answer.status_code != 201:
        day.ledger.note(f"reprint_answered_{_code(answer)}")
        return
    day.ledger.add("reprints", order_id)
    told = _ship_directly(day, client, [order_id]).get(order_id, "no answer")
    if told == "ok":
        day.ledger.add("direct_shipped_after_reprint", order_id)
    elif told != "needs_inspection":   # a refund request or a cancellation came first, or no answer
        day.ledger.note(f"reprinted_order_direct_ship_answered_{told}")
    else:
        _inspect(day, client, None, order_id, wrong_first=False)


HOLD_CODES = {"refund_pending", "order_cancelled", "cancelled"}   # refused before the goods are compared


def _inspect(day: Day, client, rng, order_id: str, wrong_first: bool) -> None:
    detail = day.call(client, "GET", f"/v1/desk/orders/{order_id}")
    if detail.status_code != 200:
        day.ledger.note(f"desk_order_answered_{detail.status_code}")
        return
    order = detail.json()
    units = [day.world.products[line["erp_product_id"]] for line in order["lines"]
             for _ in range(line["quantity"])]
    if wrong_first:
        others = [code for code in day.world.products.values() if code not in units]
        wrong = list(units)
        wrong[rng.randrange(len(wrong))] = rng.choice(others)
        day.ledger.add("wrong_scans", order_id)
        answer = day.call(client, "POST", "/v1/desk/inspections",
                          {"waybill_no": order["waybill_no"], "scanned": wrong}, key())
        if answer.status_code == 422 and _code(answer) == "inspection_mismatch":
            day.ledger.add("caught", order_id)
        elif answer.status_code == 200:
            day.ledger.note("wrong_item_shipped")
            return
        else:
            if answer.status_code == 409 and _code(answer) in HOLD_CODES:
                # a refund request came in first: the order may ship on no scan at all, so nothing was
                # compared (the checks hold it to that: no held or refunded order is ever shipped)
                day.ledger.add("held_scans", order_id)
            day.ledger.note(f"wrong_scan_answered_{_code(answer)}")
    answer = day.call(client, "POST", "/v1/desk/inspections",
                      {"waybill_no": order["waybill_no"], "scanned": units}, key())
    if answer.status_code == 200 and answer.json().get("stage") == "shipped":
        day.ledger.told_shipped(order_id)
    else:
        day.ledger.note(f"inspection_answered_{_code(answer)}")


def _printed_before(order: dict, seconds: float) -> bool:
    """Printed more than `seconds` ago (not a batch another operator is still working through)."""
    prints = order.get("prints") or []
    if not prints:
        return True
    at = datetime.fromisoformat(prints[-1]["at"].replace("Z", "+00:00"))
    return (datetime.now(timezone.utc) - at).total_seconds() > seconds


def _sweep(day: Day, client, rng) -> int:
    """Orders left printed or inspected a while (a refund hold was lifted, a step was refused):
    ship them. (shipped, how many are printed but too recently to be left over)."""
    shipped = waiting = 0
    for stage in ("printed", "inspected"):
        listed = day.call(client, "GET", f"/v1/desk/orders?stage={stage}&limit=50")
        items = [o for o in (listed.json().get("items", []) if listed.status_code == 200 else [])
                 if not o.get("holds")]
        young = [o for o in items if not _printed_before(o, SWEEP_AFTER_SECONDS)]
        waiting += len(young)
        items = [o for o in items if o not in young]
        direct = [o["order_id"] for o in items if stage == "printed" and o["print_count"] == 1]
        for order in items:
            if order["order_id"] not in direct:
                _inspect(day, client, rng, order["order_id"], wrong_first=False)
                shipped += 1
        if direct:
            for order_id, told in _ship_directly(day, client, direct).items():
                if told == "needs_inspection":
                    _inspect(day, client, rng, order_id, wrong_first=False)
            shipped += len(direct)
    return shipped, waiting


# -- the ERP -----------------------------------------------------------------------------------------
def erp(day: Day, final: bool = False) -> int:
    """Pull and acknowledge until told to stop (or, `final`, until a pass finds nothing)."""
    rng = day.rng("erp" + (":final" if final else ""))
    client = day.world.merchant
    while True:
        try:
            read = _erp_pass(day, client, rng)
        except calls.GaveUp as gave_up:   # the ERP's next run starts over
            day.failed("erp (carried on)", gave_up)
            read = -1
        if final and read == 0:
            return 0
        if not final and day.desk_done.is_set():
            return read
        time.sleep(0.05 if final else (0.5 if read else 1.5))


def _erp_pass(day: Day, client, rng) -> int:
    cursor, read = None, 0
    while True:
        path = "/v1/orders?sync_status=pending&limit=50" + (f"&cursor={cursor}" if cursor else "")
        page = day.call(client, "GET", path)
        if page.status_code != 200:
            day.ledger.note(f"erp_read_answered_{page.status_code}")
            return read
        body = page.json()
        ids = [o["order_id"] for o in body["items"]]
        unpaid = [o["order_id"] for o in body["items"] if o["status"] == "pending_payment"]
        day.ledger.add("erp_read", *ids)
        if unpaid:
            day.ledger.add("erp_unpaid_seen", *unpaid)
        read += len(ids)
        if ids:
            if rng.random() < ERP_CRASH_SHARE:   # stored them, died before acknowledging
                with day.ledger.lock:
                    day.ledger.erp_crashes += 1
                return read
            acked = day.call(client, "POST", "/v1/orders/sync-acks", {"order_ids": ids}, key())
            if acked.status_code == 200:
                day.ledger.add("erp_acked", *[r["key"] for r in acked.json()["results"] if r["status"] == "ok"])
        cursor = body.get("next_cursor")
        if not cursor:
            return read


# -- spreadsheets ------------------------------------------------------------------------------------
def sheets(day: Day) -> None:
    """Mid-day: the stock sheet once 40% of the orders are placed, the order-status sheet once 60%
    are and some have shipped."""
    total = day.world.orders
    _wait_for(day, lambda: day.placed_count >= 0.4 * total)
    _stock_sheet(day)
    _wait_for(day, lambda: day.placed_count >= 0.6 * total and len(day.ledger.shipped) >= 3)
    _status_sheet(day)


def _wait_for(day: Day, condition) -> None:
    while not condition() and not day.channels_done.is_set():
        time.sleep(0.2)


def _stock_sheet(day: Day) -> None:
    rows, expected = [("erp_product_id", "on_hand", "compare_on_hand")], []
    for erp_id in day.world.products:
        answer = day.call(day.world.merchant, "GET", f"/v1/inventory/{erp_id}")
        seen = answer.json()["on_hand"]
        rows.append((erp_id, seen + 20, seen))
        expected.append({"erp_product_id": erp_id, "on_hand": seen + 20, "compare": seen})
    first = next(iter(day.world.products))
    rows += [(first, "很多", None), (first, "1.5", None), ("", 1, None)]
    _drop(day, "inventory", rows, expected, bad_rows=3)


def _status_sheet(day: Day) -> None:
    with day.ledger.lock:
        shipped = sorted(day.ledger.shipped)
    chosen = shipped[:max(3, min(40, len(shipped) // 3))]
    rows = [("order_id", "status", "at")]
    statuses = ("outbound", "delivering", "signed")
    for i, order_id in enumerate(chosen):
        rows.append((order_id, statuses[i % 3], "2026-03-02T09:00:00+08:00"))
    rows += [("o_NOSUCHORDER0000000000", "signed", None), (chosen[0], "lost-in-space", None)]
    _drop(day, "order-status", rows, [{"order_id": o, "status": statuses[i % 3]} for i, o in enumerate(chosen)],
          bad_rows=2)


def _drop(day: Day, kind: str, rows: list, expected: list, bad_rows: int) -> None:
    body = _xlsx(rows)
    filename = f"day-{day.world.seed}-{kind}-{uuid.uuid4().hex[:6]}.xlsx"
    made = day.call(day.world.merchant, "POST", "/v1/uploads", {"kind": kind, "filename": filename}, key())
    if made.status_code != 201:
        raise calls.GaveUp(f"upload url: {made.status_code} {made.text[:200]}")
    made = made.json()
    for attempt in range(8):
        try:
            put = requests.put(made["upload_url"], data=body, timeout=30)
            if put.status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.2 * (attempt + 1))
    else:
        raise calls.GaveUp(f"the {kind} sheet could not be put")
    day.ledger.add("sheets", {"kind": kind, "key": made["key"], "rows": len(rows) - 1,
                              "bad_rows": bad_rows, "expected": expected})


def _xlsx(rows: list) -> bytes:
    import io

    from openpyxl import Workbook
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- progress -------------------------------------------------------------------------------------------
def progress(day: Day, every: float = 30.0) -> None:
    """A line on stderr now and then, for long days."""
    import sys
    started = time.monotonic()
    while not day.stop.wait(every):
        print(f"day: {time.monotonic() - started:.0f} s, placed {day.placed_count}/{day.world.orders}, "
              f"paid {len(day.ledger.paid)}, shipped {len(day.ledger.shipped)}, ERP acknowledged "
              f"{len(day.ledger.erp_acked)}", file=sys.stderr, flush=True)


# -- the schedule --------------------------------------------------------------------------------------
def ticker(day: Day) -> None:
    while not day.stop.wait(TICK_SECONDS):
        try:
            day.world.stack.pump.run_schedule("SchedulerTick")
        except Exception as error:  # noqa: BLE001 - a tick may meet the faults; the next one runs
            day.counter.add(f"tick_failed:{type(error).__name__}")
