"""Webhook rules as plain Python: event types, the delivery envelope, signatures, retry backoff.

A delivery is retried after 1 s, 2 s, 5 s, 15 s, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, 4 h and
then every 6 h, until 24 hours after the event; then it gives up (and can be replayed by hand).
"""
import hashlib
import hmac
import json
from typing import Optional

EVENT_TYPES = ("order.paid", "order.refund_requested", "order.cancelled", "order.shipped",
               "upload.finished")
RETRY_WINDOW_SECONDS = 24 * 3600
BACKOFF_SECONDS = (1, 2, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400)
LATER_BACKOFF_SECONDS = 6 * 3600


def envelope(event_id: str, event_type: str, created_at: str, data: dict) -> str:
    """The exact body sent on every attempt: the same bytes, so the same event every time."""
    return json.dumps({"id": event_id, "type": event_type, "created_at": created_at, "data": data},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def signature(secret: str, timestamp: str, raw_body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()


def headers(secret: str, event_id: str, event_type: str, timestamp: str, raw_body: bytes) -> dict:
    return {"Content-Type": "application/json", "User-Agent": "Onceship-Webhooks/1",
            "X-Onceship-Event-Id": event_id, "X-Onceship-Event": event_type,
            "X-Onceship-Timestamp": timestamp,
            "X-Onceship-Signature": signature(secret, timestamp, raw_body)}


def succeeded(status_code: Optional[int]) -> bool:
    return status_code is not None and 200 <= status_code < 300


def next_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt."""
    if attempts <= len(BACKOFF_SECONDS):
        return BACKOFF_SECONDS[max(attempts, 1) - 1]
    return LATER_BACKOFF_SECONDS


def next_attempt(attempts: int, now: float, deadline: float) -> Optional[float]:
    """When to try again after a failure, or None once the retry window is over."""
    at = now + next_delay(attempts)
    return at if at <= deadline else None
