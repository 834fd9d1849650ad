"""Platform admin: the work queues' dead letters and their redrive (guarantee 7)."""
from typing import List, Optional

from chalicelib.api.handler import handler
from chalicelib.api.models import View
from chalicelib.services import dead_letters


class DeadLetterQueue(View):
    queue: str
    dead_letters: int


class DeadLetterList(View):
    items: List[DeadLetterQueue]
    next_cursor: Optional[str]


class Redriven(View):
    queue: str
    moved: int
    dead_letters: int


@handler(response=DeadLetterList, errors=())
def list_dead_letters(ctx):
    return dead_letters.overview()


@handler(idempotent=True, response=Redriven, errors=("not_found",))
def redrive(ctx):
    return dead_letters.redrive(ctx.params["queue"])
