"""Platform admin: the work queues' dead letters and their redrive (guarantee 7)."""
from typing import List, Literal, Optional

from chalicelib.api.handler import handler
from chalicelib.api.models import View
from chalicelib.services import dead_letters

Queue = Literal["jobs", "uploads", "webhooks"]


class DeadLetterQueue(View):
    queue: Queue
    dead_letters: int


class DeadLetterQueues(View):
    items: List[DeadLetterQueue]
    next_cursor: Optional[str] = None


class Redriven(View):
    queue: Queue
    moved: int
    dead_letters: int


@handler(response=DeadLetterQueues, errors=())
def list_dead_letters(ctx):
    return dead_letters.overview()


@handler(idempotent=True, response=Redriven, errors=("not_found",))
def redrive(ctx):
    return dead_letters.redrive(ctx.params["queue"])
