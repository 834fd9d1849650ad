"""Platform admin: the work queues' dead letters and their redrive (guarantee 7)."""
from chalicelib.api.handler import handler
from chalicelib.services import dead_letters


@handler()
def list_dead_letters(ctx):
    return dead_letters.overview()


@handler(idempotent=True)
def redrive(ctx):
    return dead_letters.redrive(ctx.params["queue"])
