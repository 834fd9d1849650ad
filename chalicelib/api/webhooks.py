"""The merchant's webhook endpoint and its deliveries (contract section 10)."""
from typing import List, Literal, Optional

from pydantic import Field

from chalicelib.api import order_views as views
from chalicelib.api.handler import handler
from chalicelib.api.models import Paging, Strict
from chalicelib.domain.webhooks import EVENT_TYPES
from chalicelib.services import webhooks


class Endpoint(Strict):
    url: str = Field(min_length=8, max_length=2048)
    events: List[Literal[EVENT_TYPES]] = Field(min_length=1, max_length=len(EVENT_TYPES))


class DeliveryQuery(Paging):
    status: Optional[Literal["succeeded", "failed", "pending"]] = None


@handler(body=Endpoint, response=views.EndpointAnswer, errors=("url_not_allowed",))
def put_endpoint(ctx):
    return webhooks.put_endpoint(ctx.caller.merchant_id, ctx.body.url, ctx.body.events)


@handler(response=views.EndpointView, errors=("not_found",))
def get_endpoint(ctx):
    return webhooks.get_endpoint(ctx.caller.merchant_id)


@handler(query=DeliveryQuery, response=views.DeliveryPage, errors=())
def list_deliveries(ctx):
    q = ctx.query
    return webhooks.deliveries(ctx.caller.merchant_id, q.status, q.limit, q.cursor)


@handler(status=202, idempotent=True, response=views.Delivery, errors=("not_found",))
def retry_delivery(ctx):
    return webhooks.retry(ctx.caller.merchant_id, ctx.params["event_id"])
