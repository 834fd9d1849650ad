"""Sending work to SQS: one message or up to ten at a time."""
import json
from typing import Iterable

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
