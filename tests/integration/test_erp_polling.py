"""Scheduled ERP polling end to end: a real HTTP ERP on loopback (paging, slow, failing and
garbage modes), the schedule and the jobs queue driven through the event pump."""
import threading
import time
import uuid

import pytest

from chalicelib.domain import clock
from tests.fake_erp import FakeErp
from tests.helpers import assert_problem, new_merchant

TICK = "SchedulerTick"


@pytest.fixture
def erp():
    with FakeErp([{"erp_product_id": f"SKU-{i:03d}", "on_hand": i} for i in range(1, 121)], page_size=50) as fake:
        yield fake


@pytest.fixture
def merchant(stack):
    return new_merchant(stack)


def connect(merchant, url, **extra):
    body = dict({"inventory_url": url, "poll_every_minutes": 1}, **extra)
    answer = merchant.client.put("/v1/erp-connection", body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def poll(stack, merchant, now: bool = False):
    """One scheduled round: (optionally ask for a poll now,) tick, wait for the jobs queue."""
    if now:
        assert merchant.client.post("/v1/erp-connection/polls").status_code == 202
    stack.pump.run_schedule(TICK)
    stack.pump.drain()
    answer = merchant.client.get("/v1/erp-connection/status")
    assert answer.status_code == 200, answer.text
    return answer.json()


def on_hand(merchant, erp_id):
    answer = merchant.client.get(f"/v1/inventory/{erp_id}")
    return answer.json()["on_hand"] if answer.status_code == 200 else None


def test_a_poll_reads_every_page_and_writes_only_what_changed(stack, merchant, erp):
    connected = connect(merchant, erp.url)
    assert connected["auth_header_set"] is False
    before = merchant.client.get("/v1/erp-connection/status").json()
    assert before["outcome"] is None and before["last_poll_at"] is None
    status = poll(stack, merchant)
    assert (status["outcome"], status["items_seen"], status["items_changed"], status["pages"]) == ("ok", 120, 120, 3)
    assert on_hand(merchant, "SKU-007") == 7 and on_hand(merchant, "SKU-120") == 120
    assert clock.parse(status["next_poll_at"]) - clock.parse(status["last_poll_at"]) == pytest.approx(60, abs=1)

    erp.put({"erp_product_id": "SKU-007", "on_hand": 70})
    erp.put({"erp_product_id": "SKU-100", "on_hand": 0})
    erp.put({"erp_product_id": "NEW-1", "on_hand": 5})
    status = poll(stack, merchant, now=True)
    assert (status["items_seen"], status["items_changed"], status["items_skipped"]) == (121, 3, 0)
    assert (on_hand(merchant, "SKU-007"), on_hand(merchant, "SKU-100"), on_hand(merchant, "NEW-1")) == (70, 0, 5)
    assert on_hand(merchant, "SKU-001") == 1  # untouched
    stock = merchant.client.get("/v1/inventory/SKU-007").json()
    assert stock["source"] == "erp"

    status = poll(stack, merchant, now=True)
    assert status["items_changed"] == 0


def test_lots_in_the_feed_replace_the_lots_and_set_on_hand(stack, merchant):
    lots = [{"lot_no": "A1", "production_date": "2026-01-01", "expiry_date": "2027-01-01", "quantity": 2},
            {"lot_no": "A2", "production_date": "2026-03-01", "expiry_date": "2027-03-01", "quantity": 3}]
    with FakeErp([{"erp_product_id": "LOTTED", "on_hand": 5, "lots": lots},
                  {"erp_product_id": "BAD", "on_hand": -3}]) as erp:
        connect(merchant, erp.url)
        status = poll(stack, merchant)
    assert (status["items_changed"], status["items_invalid"]) == (1, 1) and "BAD" in status["error"]
    stock = merchant.client.get("/v1/inventory/LOTTED").json()
    assert stock["on_hand"] == 5 and [lot["lot_no"] for lot in stock["lots"]] == ["A1", "A2"]


def test_a_half_read_erp_writes_nothing_and_backs_off(stack, merchant, erp):
    connect(merchant, erp.url)
    poll(stack, merchant)
    erp.put({"erp_product_id": "SKU-001", "on_hand": 1000})         # page 1 changes ...
    erp.fail_pages = {3: 500}                                          # ... page 3 fails
    started = time.time()
    status = poll(stack, merchant, now=True)
    assert status["outcome"] == "failed" and "page 3" in status["error"] and "500" in status["error"]
    assert status["items_changed"] == 0 and status["consecutive_failures"] == 1
    assert on_hand(merchant, "SKU-001") == 1                           # nothing of that poll written
    first_wait = clock.parse(status["next_poll_at"]) - started
    assert 110 <= first_wait <= 140                                    # 2 x the interval (+ jitter)

    erp.fail_pages, erp.garbage_pages = {}, {2}
    status = poll(stack, merchant, now=True)
    assert status["outcome"] == "failed" and "not UTF-8 JSON" in status["error"]
    assert 230 <= clock.parse(status["next_poll_at"]) - time.time() <= 270
    assert poll(stack, merchant)["consecutive_failures"] == 2          # backing off: not due yet

    erp.garbage_pages = set()
    status = poll(stack, merchant, now=True)
    assert (status["outcome"], status["error"], status["consecutive_failures"]) == ("ok", None, 0)
    assert on_hand(merchant, "SKU-001") == 1000


def test_a_slow_erp_times_out(stack, merchant):
    with FakeErp([{"erp_product_id": "S", "on_hand": 1}]) as erp:
        erp.delay = 2
        connect(merchant, erp.url, timeout_seconds=1)
        status = poll(stack, merchant)
    assert status["outcome"] == "failed" and "timed out" in status["error"]
    assert on_hand(merchant, "S") is None


def test_the_auth_header_is_sent_and_never_shown(stack, merchant):
    with FakeErp([{"erp_product_id": "AUTH", "on_hand": 3}]) as erp:
        erp.required_header = ("Authorization", "Bearer s3cret-token")
        shown = connect(merchant, erp.url, auth_header="Authorization: Bearer s3cret-token")
        assert shown["auth_header_set"] is True and "s3cret" not in str(shown)
        assert poll(stack, merchant)["outcome"] == "ok"
        assert "s3cret" not in merchant.client.get("/v1/erp-connection").text
        connect(merchant, erp.url, poll_every_minutes=5)               # left out: kept
        assert poll(stack, merchant)["outcome"] == "ok"
        connect(merchant, erp.url, auth_header=None)                   # null: removed
        status = poll(stack, merchant)
        assert status["outcome"] == "failed" and "401" in status["error"]
    from chalicelib.store.erp import ErpConnectionStore
    record = ErpConnectionStore(merchant.merchant_id).get()
    assert "s3cret" not in str(record)


@pytest.mark.parametrize("url", ["http://10.0.0.8/inventory", "http://169.254.169.254/latest/meta-data/",
                                 "http://192.168.1.10:8080/x", "ftp://127.0.0.1/x", "http://user:pw@127.0.0.1/x"])
def test_internal_urls_are_refused(merchant, url):
    answer = merchant.client.put("/v1/erp-connection", {"inventory_url": url, "poll_every_minutes": 5})
    assert_problem(answer, 422, "url_not_allowed")


def test_bad_settings_are_refused(merchant, erp):
    for body in ({"inventory_url": erp.url, "poll_every_minutes": 0},
                 {"inventory_url": erp.url, "poll_every_minutes": 5, "auth_header": "no colon here"},
                 {"inventory_url": erp.url, "poll_every_minutes": 5, "extra": 1}):
        assert_problem(merchant.client.put("/v1/erp-connection", body), 422, "validation_error")
    assert_problem(merchant.client.get("/v1/erp-connection/status"), 404, "not_found")


def test_a_poll_message_delivered_twice_takes_effect_once(stack, merchant, erp):
    from chalicelib.services import polling
    from chalicelib.store.erp import ErpConnectionStore

    connect(merchant, erp.url)
    store = ErpConnectionStore(merchant.merchant_id)
    record = store.get()
    poll_id = "poll_" + uuid.uuid4().hex
    assert store.claim(record["next_poll_at"], poll_id, time.time() + 900)   # claimed, not sent
    outcomes, barrier = [], threading.Barrier(3)

    def deliver():
        barrier.wait()
        outcomes.append(polling.run_poll(merchant.merchant_id, poll_id))

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(o is not None for o in outcomes) == 1
    first_requests = len(erp.requests)
    assert first_requests == 3

    sqs = stack.client("sqs")
    for _ in range(2):                                        # the same message, late, twice more
        sqs.send_message(QueueUrl=stack.queue_urls["JobsQueue"],
                         MessageBody=f'{{"type": "erp_poll", "merchant_id": "{merchant.merchant_id}", "poll_id": "{poll_id}"}}')
    stack.pump.drain()
    assert len(erp.requests) == first_requests
    assert store.get()["last_poll_id"] == poll_id


def test_a_disconnected_erp_is_not_polled(stack, merchant, erp):
    connect(merchant, erp.url)
    assert merchant.client.request("DELETE", "/v1/erp-connection").status_code == 204
    stack.pump.run_schedule(TICK)
    stack.pump.drain()
    assert erp.requests == []
    assert_problem(merchant.client.get("/v1/erp-connection/status"), 404, "not_found")


def test_an_auth_header_that_no_longer_opens_fails_the_poll_with_a_reason(stack, merchant, erp):
    from chalicelib.store.erp import ErpConnectionStore
    connect(merchant, erp.url, auth_header="Authorization: Bearer abc")
    ErpConnectionStore(merchant.merchant_id)._update({"auth_sealed": "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    status = poll(stack, merchant)
    assert status["outcome"] == "failed" and "auth_header again" in status["error"]
    assert erp.requests == []
