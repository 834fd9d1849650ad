"""SQS worker for the webhooks queue: each message is a hint to attempt one delivery.

The batch's delivery records and endpoints are read together first (one batch read), then the
records of a batch are attempted concurrently (each waits on a merchant's server for up to
10 s, and a batch of 10 in a row would outlast the function's 30 s). A failed delivery is not a
failed record — the attempt is recorded and retried by the outbox's own schedule
(services/webhooks.py); a record fails only when the attempt could not run at all (a poison
message, the table unreachable), and then SQS retries it and finally keeps it in the DLQ.
"""
import json
from concurrent.futures import ThreadPoolExecutor

from chalicelib import observability as obs


def _hint(record: dict):
    """(merchant_id, event_id) of a webhook hint, or None for anything else."""
    from chalicelib.services import webhooks
    try:
        body = json.loads(record["body"])
    except (TypeError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("type") != webhooks.MESSAGE_TYPE:
        return None
    return str(body.get("merchant_id")), str(body.get("event_id"))


def _one(record: dict, prefetched: dict) -> bool:
    from chalicelib.services import webhooks
    try:
        hint = _hint(record)
        if hint is None:
            raise ValueError(f"not a webhook hint: {record['body'][:200]!r}")
        outcome = webhooks.attempt(hint[0], hint[1], prefetched.get(hint))
        body = {"event_id": hint[1]}
        obs.logger().info("webhook hint", extra={"event_id": body["event_id"], "outcome": outcome})
        return True
    except Exception:
        obs.logger().exception("webhook hint failed", extra={"message_id": record.get("messageId")})
        return False


def _prefetch(records: list) -> dict:
    """The batch's deliveries and endpoints in one read; if that fails, each attempt reads its own."""
    from chalicelib.services import webhooks
    hints = list(dict.fromkeys(h for h in map(_hint, records) if h is not None))
    if not hints:
        return {}
    try:
        return webhooks.prefetch(hints)
    except Exception:
        obs.logger().exception("webhook batch read failed; reading per record")
        return {}


def handle(event, context):
    records = event.get("Records") or []
    if not records:
        return {"batchItemFailures": []}
    prefetched = _prefetch(records)
    with ThreadPoolExecutor(max_workers=min(10, len(records))) as pool:
        results = list(pool.map(lambda r: _one(r, prefetched), records))
    failures = [{"itemIdentifier": r["messageId"]} for r, ok in zip(records, results) if not ok]
    if failures:
        obs.count("FailedMessages", len(failures))
    return {"batchItemFailures": failures}
