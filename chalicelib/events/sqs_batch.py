"""Running an SQS batch the Lambda way: each record on its own, failures reported per record.

Workers register a function per message `type`; a record whose body is not JSON or names no
known type is a poison message: it is reported failed so that, after maxReceiveCount, it rests in
the dead-letter queue where it can be inspected and replayed, and it never blocks its batch.
"""
import json
import time
from typing import Callable, Dict, Optional

from chalicelib import observability as obs


class PoisonMessage(Exception):
    pass


def run_batch(event: dict, handlers: Dict[str, Callable[[dict, dict], None]], context=None,
              type_of: Optional[Callable[[dict], Optional[str]]] = None) -> dict:
    """`type_of(body)` names a body's handler (default: its `type`), for queues whose messages
    are not ours (S3 notifications). A handler's `meta` has `message_id`, `receive_count` and
    `deadline` (time.monotonic() by which the invocation must be over, None when unknown)."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    deadline = _deadline(context)

    def record_handler(record):
        body = _body(record.body)
        name = type_of(body) if type_of else body.get("type")
        handler = handlers.get(name)
        if handler is None:
            raise PoisonMessage(f"unknown message type {name!r}")
        handler(body, {"message_id": record.message_id,
                       "receive_count": int(record.attributes.approximate_receive_count or 1),
                       "deadline": deadline})

    if not event.get("Records"):
        return {"batchItemFailures": []}
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    result = process_partial_response(event=event, record_handler=record_handler, processor=processor)
    if result.get("batchItemFailures"):
        obs.count("FailedMessages", len(result["batchItemFailures"]))
        obs.logger().warning("batch had failures", extra={"failures": result["batchItemFailures"]})
    return result


def _deadline(context) -> Optional[float]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return time.monotonic() + remaining() / 1000.0


def _body(text: str) -> dict:
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        raise PoisonMessage("message body is not JSON")
    if not isinstance(body, dict):
        raise PoisonMessage("message body is not a JSON object")
    return body
