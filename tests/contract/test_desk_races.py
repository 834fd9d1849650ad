"""Guarantee 3 under real concurrency: operators racing for print batches never share an order,
and every reserved order is printed exactly once."""
import threading
import time

from tests.integration.desk_support import Desk
from tests.helpers import operator

OPERATORS = 6
ORDERS = 60


def test_six_operators_racing_for_batches_split_sixty_orders(stack):
    d = Desk(stack)
    ids = d.reserved(ORDERS)
    clients = [operator(stack, d.mid) for _ in range(OPERATORS)]
    started = time.time()
    got = {c.username: [] for c in clients}
    errors = []
    barrier = threading.Barrier(OPERATORS)

    def work(client):
        barrier.wait()
        try:
            while True:
                answer = client.post("/v1/desk/print-batches", {"max_orders": 7})
                if answer.status_code == 200 and not answer.json()["order_ids"]:
                    return
                assert answer.status_code == 201, answer.text
                body = answer.json()
                assert 1 <= len(body["order_ids"]) <= 7 and body["labels_url"]
                got[client.username].append(body)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    print(f"race: {time.time() - started:.1f}s, batches {sum(len(b) for b in got.values())}")
    claimed = [o for batches in got.values() for b in batches for o in b["order_ids"]]
    assert len(claimed) == len(set(claimed)) == ORDERS      # disjoint, and nothing left out
    assert set(claimed) == set(ids)
    assert sum(1 for batches in got.values() if batches) >= 2   # the work really was shared
    printed = {o["order_id"]: o for o in d.operator.get("/v1/desk/orders?stage=printed&limit=100").json()["items"]}
    assert set(printed) == set(ids)
    for username, batches in got.items():
        for batch in batches:
            for order_id in batch["order_ids"]:
                view = printed[order_id]
                assert view["print_count"] == 1 and len(view["prints"]) == 1
                assert view["prints"][0]["operator"] == username
                assert view["prints"][0]["batch_id"] == batch["batch_id"]


def race(*calls):
    """Run the calls at once; answer their results in order."""
    barrier = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        out[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_a_refund_request_racing_a_direct_ship_never_both(stack):
    """Guarantee 4: whichever lands first, the other is refused or becomes what it must be after
    shipping (an after-sale request); an order is never both held and shipped."""
    d = Desk(stack).with_channel()
    d.product("RACE", on_hand=1000)
    outcomes = {"shipped": 0, "held": 0}
    for _ in range(3):
        ids = d.printed(6, lines=[("RACE", 1)])
        calls = []
        for order_id in ids:
            calls.append(lambda o=order_id: d.channel.post(f"/v1/orders/{o}/refund-requests", {"reason": "不要了"}))
            calls.append(lambda o=order_id: d.operator.post("/v1/desk/shipments", {"order_ids": [o]}))
        answers = race(*calls)
        for index, order_id in enumerate(ids):
            refund, ship = answers[2 * index], answers[2 * index + 1]
            assert refund.status_code in (200, 201), refund.text
            assert ship.status_code == 200, ship.text
            shipped = ship.json()["results"][0]["status"] == "ok"
            order = d.merchant.client.get(f"/v1/orders/{order_id}").json()
            desk_view = d.order(order_id)
            if shipped:
                outcomes["shipped"] += 1
                assert order["status"] == "shipped" and order["holds"] == [] and desk_view["stage"] == "shipped"
                assert refund.json()["holds"] == [] and order["refunds"][0]["kind"] == "after_sale"
            else:
                outcomes["held"] += 1
                assert ship.json()["results"][0]["code"] == "refund_pending", ship.text
                assert order["status"] == "paid" and order["holds"] == ["refund_pending"]
                assert desk_view["stage"] == "printed" and order["refunds"][0]["kind"] == "hold"
    stock = d.stock("RACE")
    assert stock["reserved"] == 18 - outcomes["shipped"] and stock["on_hand"] == 1000 - outcomes["shipped"]
    print("refund vs ship outcomes:", outcomes)
