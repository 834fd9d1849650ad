"""Sending work to SQS: one message or up to ten at a time; moving dead letters back."""
import json
import time
from typing import Iterable, Optional

from chalicelib import aws
from chalicelib.config import settings


def send(queue_url: str, message: dict, delay_seconds: int = 0) -> None:
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(message, default=str),
                                   DelaySeconds=max(0, min(900, int(delay_seconds))))


def send_many(queue_url: str, messages: Iterable[dict]) -> None:
    batch = []
    for message in messages:
        batch.append({"Id": str(len(batch)), "MessageBody": json.dumps(message, default=str)})
        if len(batch) == 10:
            _flush(queue_url, batch)
            batch = []
    if batch:
        _flush(queue_url, batch)


def _flush(queue_url: str, batch: list) -> None:
    answer = aws.client("sqs").send_message_batch(QueueUrl=queue_url, Entries=batch)
    if answer.get("Failed"):
        raise RuntimeError(f"SQS refused {len(answer['Failed'])} messages: {answer['Failed'][0]}")


def jobs_url() -> str:
    return settings().jobs_queue_url


def webhooks_url() -> str:
    return settings().webhooks_queue_url


def count(queue_url: str) -> int:
    """Messages in a queue, visible or not (SQS's approximate counts)."""
    attributes = aws.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return sum(int(v) for v in attributes.values())


def move_all(from_url: str, to_url: str, budget_seconds: float = 20.0,
             deadline: Optional[float] = None) -> int:
    """Move the messages of `from_url` (a dead-letter queue) to `to_url`, ten at a time: each is
    sent (same body and attributes) before it is deleted, so a crash in between moves it twice,
    never zero times (a redriven message is handled like any other duplicate). Stops when a
    receive finds nothing or the time is up; how many were moved."""
    sqs = aws.client("sqs")
    stop = min(deadline or float("inf"), time.monotonic() + budget_seconds)
    moved = 0
    while time.monotonic() < stop:
        messages = sqs.receive_message(QueueUrl=from_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       VisibilityTimeout=60, MessageAttributeNames=["All"]
                                       ).get("Messages", [])
        if not messages:
            return moved
        entries = [dict({"Id": str(i), "MessageBody": m["Body"]},
                        **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {}))
                   for i, m in enumerate(messages)]
        sent = sqs.send_message_batch(QueueUrl=to_url, Entries=entries)
        done = {int(entry["Id"]) for entry in sent.get("Successful", [])}
        sqs.delete_message_batch(QueueUrl=from_url, Entries=[
            {"Id": str(i), "ReceiptHandle": messages[i]["ReceiptHandle"]} for i in sorted(done)])
        moved += len(done)
        if len(done) < len(messages):
            raise RuntimeError(f"SQS refused {len(messages) - len(done)} messages: {sent.get('Failed')}")
    return moved
