"""Guarantee 7 under the pump's faults, on the live stack: every queued message takes effect once
however often it is delivered (twice, at the same time, again after its handler died past its
writes); one that keeps failing rests in its dead-letter queue; the admin's redrive (and
`make redrive`) moves dead letters back, and a redriven message is still applied once."""
import collections
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests import orders_support, sheets
from tests.helpers import admin, assert_problem, new_merchant
from tests.integration.desk_support import Desk
from tests.webhook_receiver import WebhookReceiver

PROJECT_DIR = Path(__file__).resolve().parents[2]
DUPLICATES_AND_CRASHES = "seed=13,sqs_duplicate=0.6,handler_crash_after=0.3,aws_lost_reply=0.02"


def dead_letters(stack, queue):
    return int(stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.queue_urls[queue], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"])


def settle(stack, timeout=90):
    """Until the work queues are empty; dead letters land when a message is received once more
    than maxReceiveCount, so wait for the last of those too."""
    stack.pump.drain(timeout=timeout)
    time.sleep(2.5)
    stack.pump.drain(timeout=timeout)


def tracking(desk, order_id):
    answer = desk.merchant.client.get(f"/v1/orders/{order_id}/tracking")
    assert answer.status_code == 200, answer.text
    return [event["status"] for event in answer.json()["items"]]


def order_status_sheet(order_ids):
    return sheets.xlsx([("order_id", "status", "at")] + [
        (order_id, "picking", "2026-03-02T09:00:00+08:00") for order_id in order_ids])


def test_upload_rows_apply_once_when_messages_come_twice_and_handlers_die(faults):
    desk = Desk(faults)
    order_ids = [desk.paid_order() for _ in range(12)]
    faults.set_faults(DUPLICATES_AND_CRASHES)
    key = f"uploads/{desk.mid}/order-status/" + sheets.unique("status", "xlsx")
    faults.client("s3").put_object(Bucket=faults.bucket, Key=key, Body=order_status_sheet(order_ids))
    settle(faults)
    counts = faults.fault_counts()
    faults.set_faults(None)
    job = sheets.job_for(faults, desk.mid, key)
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", 12, 12, 0), job
    for order_id in order_ids:
        assert tracking(desk, order_id) == ["picking"]  # one event per row, never two
    assert counts.get("sqs:duplicate") and counts.get("pump:handler_crash_after"), counts
    assert dead_letters(faults, "UploadsDLQ") == dead_letters(faults, "JobsDLQ") == 0


def test_webhook_events_arrive_once_when_hints_come_twice_and_workers_die(faults):
    shop = orders_support.shop(faults)
    orders_support.seed_product(shop, "W1", on_hand=100)
    with WebhookReceiver() as receiver:
        answer = shop.merchant.put("/v1/webhook-endpoint", {"url": receiver.url, "events": ["order.paid"]})
        assert answer.status_code == 200, answer.text
        faults.set_faults(DUPLICATES_AND_CRASHES)
        order_ids = [orders_support.paid_order(shop, [("W1", 1)])["order_id"] for _ in range(10)]
        settle(faults)
        faults.set_faults(None)
        events = collections.Counter(event["data"]["order_id"] for event in receiver.events)
    assert events == {order_id: 1 for order_id in order_ids}
    assert dead_letters(faults, "WebhooksDLQ") == 0


def test_a_message_dying_until_it_rests_in_the_dlq_is_redriven_and_applied_once(faults):
    desk = Desk(faults)
    order_ids = [desk.paid_order() for _ in range(3)]
    faults.set_faults("seed=2,handler_crash_after=1")  # every handler dies after its writes
    key = f"uploads/{desk.mid}/order-status/" + sheets.unique("status", "xlsx")
    faults.client("s3").put_object(Bucket=faults.bucket, Key=key, Body=order_status_sheet(order_ids))
    settle(faults)
    assert dead_letters(faults, "UploadsDLQ") == 1  # the notification, after 5 deliveries
    assert dead_letters(faults, "JobsDLQ") >= 1     # and the job's chunk messages
    faults.set_faults("seed=2,sqs_duplicate=1")       # redriven messages come twice, too
    listed = admin(faults).get("/v1/admin/dead-letters").json()["items"]
    assert {i["queue"]: i["dead_letters"] > 0 for i in listed} == {"jobs": True, "uploads": True, "webhooks": False}
    for queue in ("uploads", "jobs"):
        answer = admin(faults).post(f"/v1/admin/dead-letters/{queue}/redrive")
        assert answer.status_code == 200, answer.text
        assert answer.json()["moved"] >= 1 and answer.json()["dead_letters"] == 0, answer.text
    settle(faults)
    faults.set_faults(None)
    assert sheets.job_for(faults, desk.mid, key)["status"] == "done"
    for order_id in order_ids:
        assert tracking(desk, order_id) == ["picking"]
    assert dead_letters(faults, "UploadsDLQ") == dead_letters(faults, "JobsDLQ") == 0


def test_poison_rests_in_the_dlq_and_make_redrive_moves_it_back(faults):
    faults.client("sqs").send_message(QueueUrl=faults.queue_urls["JobsQueue"],
                                      MessageBody='{"type": "no.such.type", "id": "%s"}' % uuid.uuid4().hex)
    settle(faults)
    assert dead_letters(faults, "JobsDLQ") == 1
    env = dict(os.environ, ONCESHIP_ADMIN_TOKEN=faults.admin_token, PYTHONPATH=str(PROJECT_DIR))
    ran = subprocess.run([sys.executable, "-m", "chalicelib.local.redrive", "jobs", "--api", faults.api_url],
                         cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "jobs: moved 1 dead letters back, 0 left" in ran.stdout
    settle(faults)
    assert dead_letters(faults, "JobsDLQ") == 1  # still poison: back in the DLQ, not in a loop
    faults.client("sqs").purge_queue(QueueUrl=faults.queue_urls["JobsDLQ"])  # leave no dead letters behind


def test_dead_letters_are_the_admins_only(stack):
    merchant = new_merchant(stack)
    assert_problem(merchant.client.post("/v1/admin/dead-letters/jobs/redrive"), 403, "forbidden")
    assert_problem(merchant.client.get("/v1/admin/dead-letters"), 403, "forbidden")
    assert_problem(admin(stack).post("/v1/admin/dead-letters/nope/redrive"), 404, "not_found")
