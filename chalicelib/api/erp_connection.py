"""The ERP connection for scheduled inventory polling (contract section 5)."""
from typing import Optional

from pydantic import Field, StrictInt

from chalicelib.api.handler import handler
from chalicelib.api.models import Strict, View
from chalicelib.services import polling


class ErpConnection(Strict):
    inventory_url: str = Field(min_length=8, max_length=2048,
                               description="GET this, then ?cursor= for the following pages")
    auth_header: Optional[str] = Field(None, max_length=4096,
                                       description='One header line sent with every poll, e.g. '
                                                   '"Authorization: Bearer abc"; never shown again. '
                                                   "Left out: the stored one is kept; null: removed.")
    poll_every_minutes: StrictInt = Field(ge=1, le=1440)
    timeout_seconds: Optional[StrictInt] = Field(None, ge=1, le=30, description="Per request; default 10")


class ConnectionView(View):
    inventory_url: str
    poll_every_minutes: int
    timeout_seconds: int
    auth_header_set: bool
    updated_at: Optional[str]
    next_poll_at: Optional[str]


class PollStatus(View):
    last_poll_at: Optional[str]
    outcome: Optional[str] = Field(description='"ok", "failed" or null before the first poll')
    error: Optional[str]
    items_seen: int
    items_changed: int
    items_skipped: int = Field(description="what the sync switches kept from being written")
    items_invalid: int = Field(description="ERP items left out because a value was not valid")
    pages: int
    consecutive_failures: int
    polling: bool = Field(description="a poll is queued or running")
    next_poll_at: Optional[str]


@handler(body=ErpConnection, response=ConnectionView, errors=("url_not_allowed",))
def put_connection(ctx):
    body = ctx.body
    return polling.configure(ctx.caller.merchant_id, body.inventory_url, body.poll_every_minutes,
                             body.auth_header, "auth_header" in body.model_fields_set, body.timeout_seconds)


@handler(response=ConnectionView, errors=("not_found",))
def get_connection(ctx):
    return polling.connection(ctx.caller.merchant_id)


@handler(status=204, errors=("not_found",))
def delete_connection(ctx):
    from chalice import Response
    polling.disconnect(ctx.caller.merchant_id)
    return Response(body="", status_code=204)


@handler(response=PollStatus, errors=("not_found",))
def get_status(ctx):
    return polling.status(ctx.caller.merchant_id)


@handler(status=202, response=PollStatus, errors=("not_found",))
def post_poll(ctx):
    return polling.poll_soon(ctx.caller.merchant_id)
