"""Dead letters: what rests in each work queue's dead-letter queue, and moving it back.

A message lands in a DLQ after `maxReceiveCount` (5) failed deliveries (contract guarantee 7).
Once the cause is fixed, the platform admin (`POST /v1/admin/dead-letters/{queue}/redrive`, or
`make redrive` locally) moves the queue's dead letters back to it. Every handler takes a message
any number of times with one effect, so a redriven message is applied once however often it was
tried before (and however often a crash mid-move sends it again).
"""
from chalicelib.adapters import queues
from chalicelib.config import settings
from chalicelib.domain.errors import NotFound

QUEUES = ("jobs", "uploads", "webhooks")


def _urls(queue: str) -> tuple:
    if queue not in QUEUES:
        raise NotFound(f"no queue {queue!r}; the work queues are {', '.join(QUEUES)}")
    config = settings()
    work = {"jobs": config.jobs_queue_url, "uploads": config.uploads_queue_url,
            "webhooks": config.webhooks_queue_url}[queue]
    return work, config.dead_letter_queue_urls[queue]


def overview() -> dict:
    return {"items": [{"queue": queue, "dead_letters": queues.count(_urls(queue)[1])} for queue in QUEUES],
            "next_cursor": None}


def redrive(queue: str) -> dict:
    """Move the queue's dead letters back; how many moved and how many are still there (a
    redrive stops after about 20 s, within the API's time; call it again for the rest)."""
    work, dead = _urls(queue)
    moved = queues.move_all(dead, work)
    return {"queue": queue, "moved": moved, "dead_letters": queues.count(dead)}
