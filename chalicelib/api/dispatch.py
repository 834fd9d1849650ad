"""Desk endpoints where parcels leave (contract section 8): direct ship, outbound inspection,
and manual exchange orders."""
from typing import List, Optional

from pydantic import Field

from chalicelib.api.desk_models import DeskOrder, DeskResults, OrderIds, each_once
from chalicelib.api.handler import handler
from chalicelib.api.models import Code, Id, Strict
from chalicelib.services import dispatch, exchanges
from chalicelib.services.printing import operator_name


class Inspection(Strict):
    """Each scan is one unit, by the code printed on the label."""
    waybill_no: str = Field(min_length=1, max_length=64)
    scanned: List[str] = Field(max_length=2000)


class ExchangeLine(Strict):
    erp_product_id: Code
    quantity: int = Field(ge=1, le=100_000)


class ManualOrder(Strict):
    from_order_id: Id
    lines: List[ExchangeLine] = Field(min_length=1, max_length=50)
    remark: Optional[str] = Field(None, max_length=1000)


@handler(body=OrderIds, idempotent=True, response=DeskResults, errors=())
def ship(ctx):
    who = operator_name(ctx.caller)
    return each_once(ctx.body.order_ids, lambda ids: dispatch.ship_orders(ctx.caller.merchant_id, who, ids))


@handler(body=Inspection, idempotent=True, response=DeskOrder,
         errors=("not_found", "not_printed", "cancelled", "not_paid", "refund_pending", "already_shipped",
                 "insufficient_stock", "conflict", "order_changed", "inspection_mismatch"))
def inspect(ctx):
    b = ctx.body
    return dispatch.inspect(ctx.caller.merchant_id, operator_name(ctx.caller), b.waybill_no, b.scanned)


@handler(body=ManualOrder, status=201, idempotent=True, response=DeskOrder,
         errors=("not_found", "order_not_paid", "unknown_product", "insufficient_stock", "conflict"))
def manual_order(ctx):
    b = ctx.body
    return exchanges.exchange_order(ctx.caller.merchant_id, operator_name(ctx.caller), b.from_order_id,
                                    [l.model_dump() for l in b.lines], b.remark)
