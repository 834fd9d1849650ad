"""The ERP's pull through HTTP (guarantee 5): paid orders only, reading never marks, stable paging."""
import threading
import time
from urllib.parse import quote

from chalicelib.sdk import Client
from tests.helpers import assert_problem
from tests.orders_support import paid_order, place, seed_product, shop


def _ids(answer):
    assert answer.status_code == 200, answer.text
    return [o["order_id"] for o in answer.json()["items"]]


def _all(client, query="", limit=2):
    ids, cursor, pages = [], None, 0
    while True:
        url = f"/v1/orders?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else "")
        answer = client.get(url)
        ids += _ids(answer)
        cursor, pages = answer.json()["next_cursor"], pages + 1
        if not cursor:
            return ids


def test_reading_never_marks_and_acknowledged_orders_leave_pending(stack):
    s = shop(stack)
    seed_product(s, "A", on_hand=100)
    paid = [paid_order(s, [("A", 1)])["order_id"] for _ in range(3)]
    place(s, [("A", 1)])  # unpaid: never offered
    for _ in range(2):  # an ERP that crashed before acknowledging reads them all again
        assert _ids(s.merchant.get("/v1/orders?sync_status=pending")) == paid
    acked = s.merchant.post("/v1/orders/sync-acks", {"order_ids": paid[:2] + ["o_unknown"]})
    assert acked.status_code == 200, acked.text
    assert [(r["key"], r["status"]) for r in acked.json()["results"]] == \
        [(paid[0], "ok"), (paid[1], "ok"), ("o_unknown", "error")]
    assert s.merchant.post("/v1/orders/sync-acks", {"order_ids": paid[:1]}).json()["results"][0]["status"] == "ok"
    assert _ids(s.merchant.get("/v1/orders?sync_status=pending")) == paid[2:]
    assert _ids(s.merchant.get("/v1/orders?sync_status=synced")) == paid[:2]
    assert _all(s.merchant, limit=1) == paid
    body = s.merchant.get(f"/v1/orders/{paid[0]}").json()
    assert body["sync_status"] == "synced"
    for part in ("amounts", "delivery", "invoice", "lines"):
        assert part in body


def test_filters_and_cursors_belong_to_their_query(stack):
    s = shop(stack)
    seed_product(s, "A", on_hand=100)
    first = paid_order(s, [("A", 1)])
    time.sleep(0.01)
    middle = paid_order(s, [("A", 1)])
    s.merchant.post(f"/v1/orders/{middle['order_id']}/logistics", {"carrier_code": "SF", "waybill_no": "SF9999"})
    assert _ids(s.merchant.get("/v1/orders?status=shipped")) == [middle["order_id"]]
    after = quote(first["created_at"])
    assert _ids(s.merchant.get(f"/v1/orders?created_after={after}")) == [middle["order_id"]]
    assert _ids(s.merchant.get(f"/v1/orders?created_before={quote(middle['created_at'])}")) == [first["order_id"]]
    assert _ids(s.merchant.get(f"/v1/orders?updated_after={quote(first['updated_at'])}")) == [middle["order_id"]]
    page = s.merchant.get("/v1/orders?limit=1").json()
    assert_problem(s.merchant.get(f"/v1/orders?limit=1&status=paid&cursor={page['next_cursor']}"), 422,
                   "validation_error")
    assert_problem(s.merchant.get("/v1/orders?limit=0"), 422, "validation_error")
    assert_problem(s.merchant.get("/v1/orders?sync_status=maybe"), 422, "validation_error")
    assert_problem(shop(stack).merchant.get(f"/v1/orders/{first['order_id']}"), 404, "not_found")


def test_paging_is_stable_while_orders_arrive_and_are_acknowledged(stack):
    s = shop(stack)
    seed_product(s, "A", on_hand=1000)
    before = [paid_order(s, [("A", 1)])["order_id"] for _ in range(10)]
    stop = threading.Event()
    arrived = []

    def keep_ordering():
        writer = Client(stack.api_url, s.channel.auth)
        from tests.orders_support import Shop
        other = Shop(s.merchant_id, s.merchant, writer, s.channel_id)
        while not stop.is_set():
            arrived.append(paid_order(other, [("A", 1)])["order_id"])

    def keep_acknowledging():
        acker = Client(stack.api_url, s.merchant.auth)
        for order_id in before[::2]:
            acker.post("/v1/orders/sync-acks", {"order_ids": [order_id]})
            time.sleep(0.02)

    threads = [threading.Thread(target=keep_ordering), threading.Thread(target=keep_acknowledging)]
    for thread in threads:
        thread.start()
    try:
        seen = _all(s.merchant, limit=3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert len(seen) == len(set(seen)), "an order appeared twice across the pages"
    assert set(before) <= set(seen)
    assert arrived, "no order arrived while paging"
    # every order is there once a paging run starts after the inserts
    assert sorted(_all(s.merchant, limit=7)) == sorted(before + arrived)
