"""Webhooks to the merchant: the endpoint, events into the outbox, delivery attempts, listing, replay.

How an event travels (never "write, then hope to publish"):
1. `event_ops` gives the outbox items (one per event the endpoint subscribes to) that the caller
   puts in the very transaction that makes the change; no endpoint or no subscription → none.
2. After the commit the caller calls `hint`: a message per event on the webhooks queue, best
   effort (if SQS fails, step 4 still finds the event).
3. The webhooks worker (`events/webhooks.py`) runs `attempt`: claims the due attempt, POSTs the
   event with the contract's headers and HMAC, records the outcome; after a failure it sets the
   next attempt (domain/webhooks.py backoff, up to 24 hours) and, when that is at most 15
   minutes away (SQS's longest delay), sends itself a delayed hint.
4. The one-minute schedule runs `enqueue_due`: it hints every delivery whose attempt is overdue
   by more than a grace period — lost hints, crashed workers (the claim's lease ran out), and
   retries further away than SQS can delay.
Duplicated hints are harmless: only one claim per due attempt succeeds.

Other features (uploads: `upload.finished`) use `event_ops` + `hint` the same way.
"""
import time
from typing import List, Optional, Tuple

from chalicelib import observability as obs
from chalicelib.adapters import queues
from chalicelib.config import settings
from chalicelib.domain import clock, secrets
from chalicelib.domain import webhooks as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import sortable_id
from chalicelib.services import paging
from chalicelib.store.webhooks import WebhookStore, due

MAX_SQS_DELAY = 900
OVERDUE_GRACE_SECONDS = 30
MESSAGE_TYPE = "webhook"


def signing_secret(merchant_id: str, salt: str) -> str:
    return secrets.derive_secret(settings().secret_key, "webhook", merchant_id, salt).with_prefix("whsec_", 3)


# endpoint -------------------------------------------------------------------------------------
def put_endpoint(merchant_id: str, url: str, events: List[str]) -> dict:
    from chalicelib.adapters.webhook_http import check_url
    check_url(url)
    item = WebhookStore(merchant_id).put_endpoint(url, list(dict.fromkeys(events)), secrets.new_salt())
    return {"url": item["url"], "events": item["events"],
            "signing_secret": signing_secret(merchant_id, item["salt"])}


def get_endpoint(merchant_id: str) -> dict:
    item = WebhookStore(merchant_id).endpoint()
    if item is None:
        raise NotFound("No webhook endpoint is set")
    return {"url": item["url"], "events": item["events"], "updated_at": item.get("updated_at")}


# events into the outbox -----------------------------------------------------------------------
def event_ops(merchant_id: str, events: List[Tuple[str, dict]], endpoint: Optional[dict] = "read") -> Tuple[list, list]:
    """(outbox put operations, their event ids) for the events the merchant subscribes to."""
    store = WebhookStore(merchant_id)
    endpoint = store.endpoint() if endpoint == "read" else endpoint
    if not endpoint or not events:
        return [], []
    ops, ids = [], []
    now = clock.now()
    for event_type, data in events:
        if event_type not in endpoint.get("events", []):
            continue
        event_id = sortable_id("evt_", now)
        body = rules.envelope(event_id, event_type, clock.iso(now), data)
        ops.append(store.outbox_op(event_id, event_type, body, now))
        ids.append(event_id)
    return ops, ids


def hint(merchant_id: str, event_ids: List[str], delay: int = 0) -> None:
    """Ask the worker to attempt these deliveries (best effort: the schedule is the safety net)."""
    if not event_ids:
        return
    try:
        messages = [{"type": MESSAGE_TYPE, "merchant_id": merchant_id, "event_id": e} for e in event_ids]
        if delay:
            for message in messages:
                queues.send(queues.webhooks_url(), message, delay_seconds=delay)
        else:
            queues.send_many(queues.webhooks_url(), messages)
    except Exception:  # the outbox item is written; the schedule will find it
        obs.logger().exception("webhook hint not sent", extra={"event_ids": event_ids})


# attempts ----------------------------------------------------------------------------------------
def prefetch(hints: List[Tuple[str, str]]) -> dict:
    """{(merchant_id, event_id): (delivery item or None, endpoint or None)} for a batch of hints,
    in one batch read (the worker's batch: reading them one by one is two reads an event)."""
    from chalicelib.store.webhooks import read_many
    return read_many(hints)


def attempt(merchant_id: str, event_id: str, prefetched: Optional[tuple] = None) -> str:
    """Deliver one event if an attempt is due; what happened, for logs and tests. `prefetched`:
    (the delivery item, the endpoint) as `prefetch` read them just before."""
    store = WebhookStore(merchant_id)
    item = prefetched[0] if prefetched else store.get(event_id)
    if item is None or not item.get("next_attempt_at"):
        return "nothing_due"
    now = clock.now()
    due_at = clock.parse(item["next_attempt_at"])
    if due_at > now:
        wait = due_at - now
        if wait <= MAX_SQS_DELAY:
            hint(merchant_id, [event_id], delay=int(wait + 0.999))
        return "not_yet"
    claimed = store.claim(item, now)
    if claimed is None:
        return "claimed_elsewhere"
    endpoint = prefetched[1] if prefetched else store.endpoint()
    if not endpoint:
        store.finish(claimed, None, "no webhook endpoint is set", False, None)
        return "gave_up"
    status_code, error = _send(merchant_id, endpoint, claimed)
    ok = rules.succeeded(status_code)
    later = clock.now()
    next_at = None if ok else rules.next_attempt(claimed["attempts"], later, claimed["deadline"])
    store.finish(claimed, status_code, error, ok, next_at)
    obs.count("WebhookDeliveries" if ok else "WebhookFailures")
    if not ok and next_at is not None and next_at - later <= MAX_SQS_DELAY:
        hint(merchant_id, [event_id], delay=int(next_at - later + 0.999))
    return "succeeded" if ok else ("failed" if next_at else "gave_up")


def _send(merchant_id: str, endpoint: dict, claimed: dict) -> Tuple[Optional[int], Optional[str]]:
    from chalicelib.adapters.webhook_http import post
    raw = claimed["body"].encode("utf-8")
    timestamp = str(int(time.time()))
    headers = rules.headers(signing_secret(merchant_id, endpoint["salt"]), claimed["event_id"],
                            claimed["type"], timestamp, raw)
    answer = post(endpoint["url"], raw, headers)
    return answer.status_code, answer.error


def enqueue_due(limit: int = 500) -> int:
    """Hint every delivery overdue by more than the grace period; how many were hinted."""
    found = due(clock.iso(clock.now() - OVERDUE_GRACE_SECONDS), limit)
    by_merchant: dict = {}
    for item in found:
        by_merchant.setdefault(item["merchant_id"], []).append(item["event_id"])
    for merchant_id, event_ids in by_merchant.items():
        hint(merchant_id, event_ids)
    return len(found)


# listing and replay ---------------------------------------------------------------------------
FIELDS = ("event_id", "type", "status", "attempts", "last_status_code", "next_attempt_at", "gave_up",
          "created_at", "last_attempt_at", "last_error")


def view(item: dict) -> dict:
    return {name: item.get(name) for name in FIELDS}


def deliveries(merchant_id: str, status: Optional[str], limit: int, cursor: Optional[str]) -> dict:
    query_id = f"deliveries|{merchant_id}|{status or ''}"
    before = paging.position(cursor, query_id, "before")
    items, last = WebhookStore(merchant_id).page(status, limit, before)
    return {"items": [view(i) for i in items],
            "next_cursor": paging.encode({"before": last}, query_id) if last else None}


def retry(merchant_id: str, event_id: str) -> dict:
    """Send one again now. A delivery still being retried keeps its window; one that succeeded or
    gave up gets this one attempt."""
    store = WebhookStore(merchant_id)
    item = store.get(event_id)
    if item is None:
        raise NotFound("No such webhook event")
    now = clock.now()
    still_retrying = item.get("next_attempt_at") and not item.get("gave_up")
    deadline = int(item["deadline"]) if still_retrying else int(now)
    reopened = store.reopen(event_id, now, max(deadline, int(now)))
    hint(merchant_id, [event_id])
    return view(reopened)
