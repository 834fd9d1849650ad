"""Webhooks to the merchant through the live stack: endpoint safety, signed deliveries from the
outbox, retries with backoff, the deliveries listing and replay (contract section 10)."""
import json
import time

import pytest

from tests.helpers import assert_problem
from tests.orders_support import paid_order, place, seed_product, shop
from tests.webhook_receiver import WebhookReceiver


@pytest.fixture
def receiver():
    made = []

    def make(failures=0):
        made.append(WebhookReceiver(failures, path="/hooks/onceship"))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _deliveries(s, status=""):
    answer = s.merchant.get("/v1/webhook-deliveries" + (f"?status={status}" if status else ""))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _wait(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_outbound_urls_must_be_public_but_loopback_is_allowed_locally(stack, receiver):
    s = shop(stack)
    for url in ("http://10.0.0.7/hook", "http://169.254.169.254/latest/meta-data", "http://192.168.1.2/x",
                "ftp://example.com/hook", "http://user:pw@127.0.0.1/x", "http://no-such-host.invalid/x"):
        assert_problem(s.merchant.put("/v1/webhook-endpoint", {"url": url, "events": ["order.paid"]}), 422,
                       "url_not_allowed")
    assert_problem(s.merchant.put("/v1/webhook-endpoint", {"url": receiver().url, "events": ["order.nope"]}),
                   422, "validation_error")
    first = s.merchant.put("/v1/webhook-endpoint", {"url": receiver().url, "events": ["order.paid"]})
    assert first.status_code == 200, first.text
    again = s.merchant.put("/v1/webhook-endpoint", {"url": receiver().url, "events": ["order.paid", "order.shipped"]})
    assert again.json()["signing_secret"] == first.json()["signing_secret"]
    assert s.merchant.get("/v1/webhook-endpoint").json()["events"] == ["order.paid", "order.shipped"]


def test_a_receiver_failing_twice_gets_one_event_three_times_and_it_succeeds(stack, receiver):
    s = shop(stack)
    seed_product(s, "A")
    hook = receiver(failures=2)
    secret = s.merchant.put("/v1/webhook-endpoint", {"url": hook.url, "events": ["order.paid"]}).json()["signing_secret"]
    order = paid_order(s, [("A", 1)])
    done = _wait(lambda: _deliveries(s, "succeeded"))
    assert len(done) == 1
    delivery = done[0]
    assert (delivery["type"], delivery["attempts"], delivery["last_status_code"], delivery["gave_up"],
            delivery["next_attempt_at"]) == ("order.paid", 3, 200, False, None)
    assert len(hook.calls) == 3
    ids = {headers["X-Onceship-Event-Id"] for headers, _ in hook.calls}
    assert ids == {delivery["event_id"]}
    for headers, body in hook.calls:
        assert hook.signed_by(secret, headers, body) and headers["X-Onceship-Event"] == "order.paid"
    event = json.loads(hook.calls[-1][1])
    assert (event["id"], event["type"]) == (delivery["event_id"], "order.paid")
    assert event["data"]["order_id"] == order["order_id"] and event["data"]["status"] == "paid"
    assert _deliveries(s, "failed") == []
    stack.pump.run_schedule("SchedulerTick")
    stack.pump.drain()
    assert len(hook.calls) == 3  # nothing due: the schedule sends nothing again


def test_failed_deliveries_are_listed_and_can_be_sent_again(stack, receiver):
    s = shop(stack)
    seed_product(s, "A")
    hook = receiver(failures=1000)
    s.merchant.put("/v1/webhook-endpoint", {"url": hook.url, "events": ["order.shipped"]})
    paid_order(s, [("A", 1)])  # not subscribed: no event
    oid = paid_order(s, [("A", 1)])["order_id"]
    s.merchant.post(f"/v1/orders/{oid}/logistics", {"carrier_code": "SF", "waybill_no": "SF5005"})
    failed = _wait(lambda: _deliveries(s, "failed"))
    assert [d["type"] for d in failed] == ["order.shipped"]
    assert failed[0]["last_status_code"] == 500 and failed[0]["gave_up"] is False
    event_id = failed[0]["event_id"]
    hook.failures = 0
    retried = s.merchant.post(f"/v1/webhook-deliveries/{event_id}/retry")
    assert retried.status_code == 202, retried.text
    _wait(lambda: _deliveries(s, "succeeded"))
    assert {h["X-Onceship-Event-Id"] for h, _ in hook.calls} == {event_id}
    assert [d["event_id"] for d in _deliveries(s)] == [event_id]
    assert_problem(s.merchant.post("/v1/webhook-deliveries/evt_nope/retry"), 404, "not_found")


def test_no_endpoint_no_outbox(stack):
    s = shop(stack)
    seed_product(s, "A")
    paid_order(s, [("A", 1)])
    place(s, [("A", 1)])
    assert _deliveries(s) == []
