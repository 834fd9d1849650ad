"""What the merchant writes to an order (contract section 7): logistics, shipments, ERP statuses,
refund decisions; and the tracking the buyer sees."""
from datetime import date
from typing import List, Literal, Optional

from pydantic import Field

from chalicelib.api import order_views as views
from chalicelib.api.handler import handler
from chalicelib.api.models import Code, Strict
from chalicelib.domain import clock
from chalicelib.models.orders import ErpStatus, Logistics
from chalicelib.services import orders, shipping


class ShipmentLine(Strict):
    erp_product_id: Code
    quantity: int = Field(ge=1, le=100000)
    lot_no: Optional[Code] = None
    production_date: Optional[date] = None
    expiry_date: Optional[date] = None


class Shipment(Strict):
    lines: List[ShipmentLine] = Field(min_length=1, max_length=100)


class RefundDecision(Strict):
    decision: Literal["approve", "reject"]


@handler(body=Logistics, idempotent=True, response=views.Order,
         errors=("not_found", "unknown_carrier", "order_cancelled", "order_not_paid", "refund_pending", "already_shipped",
                 "insufficient_stock", "conflict"))
def logistics(ctx):
    b = ctx.body
    return shipping.logistics(ctx.caller.merchant_id, ctx.params["order_id"], b.carrier_code, b.waybill_no)


@handler(body=Shipment, status=201, idempotent=True, response=views.Order,
         errors=("not_found", "order_cancelled", "order_not_paid", "refund_pending", "over_shipment", "insufficient_stock", "conflict"))
def shipments(ctx):
    lines = [line.model_dump(mode="json") for line in ctx.body.lines]
    return shipping.shipments(ctx.caller.merchant_id, ctx.params["order_id"], lines)


@handler(body=ErpStatus, status=201, idempotent=True, response=views.ErpStatusAnswer,
         errors=("not_found", "order_cancelled", "order_not_paid", "order_not_shipped", "conflict"))
def erp_status(ctx):
    return shipping.erp_status(ctx.caller.merchant_id, ctx.params["order_id"], ctx.body.status,
                               clock.iso(ctx.body.at.timestamp()))


@handler(response=views.Tracking, errors=("not_found",))
def tracking(ctx):
    caller = ctx.caller
    if caller.kind == "channel":
        return shipping.tracking(ctx.params["order_id"], channel=(caller.channel_id, caller.merchant_ids))
    return shipping.tracking(ctx.params["order_id"], merchant_id=caller.merchant_id)


@handler(body=RefundDecision, idempotent=True, response=views.Order,
         errors=("not_found", "no_refund_pending", "conflict"))
def decide_refund(ctx):
    return orders.decide_refund(ctx.caller.merchant_id, ctx.params["order_id"], ctx.body.decision)
