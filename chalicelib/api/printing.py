"""Desk endpoints of printing (contract section 8): the sender, waybill ranges and reservations,
print lanes, print batches, reprints."""
from typing import List, Optional

from pydantic import Field

from chalicelib.api.desk_models import DeskResults, OrderIds, each_once
from chalicelib.api.handler import Reply, handler
from chalicelib.api.models import Id, NonEmpty, Strict, View
from chalicelib.services import printing, waybills


class Sender(Strict):
    name: NonEmpty
    phone: str = Field(min_length=3, max_length=40)
    province: NonEmpty
    city: NonEmpty
    district: str = Field("", max_length=200)
    detail: NonEmpty


class WaybillRange(Strict):
    carrier_code: str = Field(min_length=1, max_length=20)
    prefix: str = Field("", max_length=20, pattern=r"^[A-Za-z0-9-]*$")
    first: int = Field(ge=0, le=10 ** 15)
    last: int = Field(ge=0, le=10 ** 15)


class PrintLane(Strict):
    """Who prints what: a province group, a window of payment hours (Beijing time,
    `paid_from_hour` ≤ hour < `paid_to_hour`, across midnight when from > to), a carrier."""
    provinces: Optional[List[str]] = Field(None, max_length=100)
    paid_from_hour: Optional[int] = Field(None, ge=0, le=23)
    paid_to_hour: Optional[int] = Field(None, ge=1, le=24)
    carrier_code: Optional[str] = Field(None, max_length=20)


class PrintBatch(Strict):
    lane: Optional[Id] = None
    max_orders: int = Field(ge=1, le=printing.MAX_BATCH)


class Credentials(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class Reprint(Strict):
    reason: NonEmpty
    supervisor: Optional[Credentials] = None


class SenderView(View):
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str


class SenderSetting(View):
    sender: Optional[SenderView] = Field(description="null until one is set")


class WaybillRangeView(View):
    range_id: str
    carrier_code: str
    prefix: str
    first: int
    last: int
    first_number: str
    last_number: str
    next: int = Field(description="The next integer to give out")
    remaining: int
    created_at: str


class WaybillRangeList(View):
    items: List[WaybillRangeView]
    next_cursor: Optional[str]


class PrintLaneView(View):
    lane: str
    provinces: Optional[List[str]]
    paid_from_hour: Optional[int]
    paid_to_hour: Optional[int]
    carrier_code: Optional[str]


class PrintedBatch(View):
    batch_id: Optional[str] = Field(description="null when no order was free to print (status 200)")
    order_ids: List[str]
    labels_url: Optional[str] = Field(description="A presigned GET of the labels PDF, valid 15 minutes")


class Reprinted(View):
    order_id: str
    print_count: int
    labels_url: str


@handler(body=Sender, response=SenderView, errors=())
def put_sender(ctx):
    return printing.put_sender(ctx.caller.merchant_id, ctx.body.model_dump())


@handler(response=SenderSetting, errors=())
def get_sender(ctx):
    return printing.sender(ctx.caller.merchant_id)


@handler(body=WaybillRange, status=201, idempotent=True, response=WaybillRangeView,
         errors=("unknown_carrier", "waybill_range_overlap", "waybill_ranges_changed"))
def add_waybill_range(ctx):
    b = ctx.body
    return waybills.add_range(ctx.caller.merchant_id, b.carrier_code, b.prefix, b.first, b.last)


@handler(response=WaybillRangeList, errors=())
def list_waybill_ranges(ctx):
    return waybills.list_ranges(ctx.caller.merchant_id)


@handler(body=OrderIds, idempotent=True, response=DeskResults, errors=())
def reserve_waybills(ctx):
    return each_once(ctx.body.order_ids, lambda ids: waybills.reserve(ctx.caller.merchant_id, ids))


@handler(body=PrintLane, response=PrintLaneView, errors=())
def put_print_lane(ctx):
    return printing.put_lane(ctx.caller.merchant_id, ctx.params["lane"], ctx.body.model_dump())


@handler(body=PrintBatch, status=201, idempotent=True, response=PrintedBatch, also={200: PrintedBatch},
         errors=("unknown_lane", "sender_not_set"))
def print_batch(ctx):
    status, body = printing.print_batch(ctx.caller.merchant_id, printing.operator_name(ctx.caller),
                                        ctx.body.lane, ctx.body.max_orders)
    return Reply(body, status)


@handler(body=Reprint, status=201, idempotent=True, response=Reprinted,
         errors=("not_found", "reprint_not_authorized", "cancelled", "already_shipped", "not_paid", "not_printed",
                 "refund_pending", "order_changed", "sender_not_set", "too_many_attempts"))
def reprint(ctx):
    b = ctx.body
    return printing.reprint(ctx.caller.merchant_id, ctx.caller, ctx.params["order_id"], b.reason,
                            b.supervisor.model_dump() if b.supervisor else None)
