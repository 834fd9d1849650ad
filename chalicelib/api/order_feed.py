"""The merchant ERP's pull (contract section 7): paid orders, one order, acknowledgements."""
from typing import List

from pydantic import Field

from chalicelib.api import order_views as views
from chalicelib.api.handler import handler
from chalicelib.api.models import Id, Strict
from chalicelib.models.orders import OrderQuery
from chalicelib.services import order_feed


class Acks(Strict):
    order_ids: List[Id] = Field(min_length=1, max_length=100)


@handler(query=OrderQuery, response=views.OrderPage, errors=())
def list_orders(ctx):
    return order_feed.list_orders(ctx.caller.merchant_id, ctx.query)


@handler(response=views.Order, errors=("not_found",))
def get_order(ctx):
    return order_feed.get_order(ctx.caller.merchant_id, ctx.params["order_id"])


@handler(body=Acks, idempotent=True, response=views.AckResults, errors=())
def acknowledge(ctx):
    return order_feed.acknowledge(ctx.caller.merchant_id, ctx.body.order_ids)
