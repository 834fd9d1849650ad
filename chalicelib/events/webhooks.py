"""SQS worker for the webhooks queue: each message is a hint to attempt one delivery.

The records of a batch are attempted concurrently (each waits on a merchant's server for up to
10 s, and a batch of 10 in a row would outlast the function's 30 s). A failed delivery is not a
failed record — the attempt is recorded and retried by the outbox's own schedule
(services/webhooks.py); a record fails only when the attempt could not run at all (a poison
message, the table unreachable), and then SQS retries it and finally keeps it in the DLQ.
"""
import json
from concurrent.futures import ThreadPoolExecutor

from chalicelib import observability as obs


def _one(record: dict, endpoints) -> bool:
    from chalicelib.services import webhooks
    try:
        body = json.loads(record["body"])
        if not isinstance(body, dict) or body.get("type") != webhooks.MESSAGE_TYPE:
            raise ValueError(f"not a webhook hint: {record['body'][:200]!r}")
        outcome = webhooks.attempt(str(body["merchant_id"]), str(body["event_id"]), endpoints)
        obs.logger().info("webhook hint", extra={"event_id": body["event_id"], "outcome": outcome})
        return True
    except Exception:
        obs.logger().exception("webhook hint failed", extra={"message_id": record.get("messageId")})
        return False


def handle(event, context):
    records = event.get("Records") or []
    if not records:
        return {"batchItemFailures": []}
    from chalicelib.services.webhooks import Endpoints
    endpoints = Endpoints()     # each merchant's endpoint read once for the batch
    with ThreadPoolExecutor(max_workers=min(10, len(records))) as pool:
        results = list(pool.map(lambda record: _one(record, endpoints), records))
    failures = [{"itemIdentifier": r["messageId"]} for r, ok in zip(records, results) if not ok]
    if failures:
        obs.count("FailedMessages", len(failures))
    return {"batchItemFailures": failures}
