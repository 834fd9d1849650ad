"""Desk reads for the console (extensions to contract section 8, in the OpenAPI document):
stage counts, print lanes, a parcel by waybill number."""
from typing import Dict, List, Optional

from pydantic import BaseModel, Field

from chalicelib.api.handler import handler
from chalicelib.services import desk_views


class StageCounts(BaseModel):
    counts: Dict[str, int] = Field(description="live (not cancelled) orders per stage")
    capped: List[str] = Field(description=f"stages with more than {desk_views.COUNT_CAP} orders: at least that many")


class Lane(BaseModel):
    lane: str
    provinces: Optional[List[str]] = None
    paid_from_hour: Optional[int] = None
    paid_to_hour: Optional[int] = None
    carrier_code: Optional[str] = None


class Lanes(BaseModel):
    items: List[Lane]
    next_cursor: Optional[str] = None


class ParcelLine(BaseModel):
    code: str = Field(description="as printed on the label: the barcode, else the erp_product_id")
    name: Optional[str] = None
    quantity: int


class Parcel(BaseModel):
    waybill_no: str
    order_id: str
    stage: Optional[str] = None
    carrier_code: Optional[str] = None
    holds: List[str]
    print_count: int
    recipient: Optional[str] = None
    lines: List[ParcelLine]


@handler(response=StageCounts, errors=())
def stage_counts(ctx):
    return desk_views.stage_counts(ctx.caller.merchant_id)


@handler(response=Lanes, errors=())
def print_lanes(ctx):
    return desk_views.print_lanes(ctx.caller.merchant_id)


@handler(response=Parcel, errors=("not_found", "not_printed"))
def parcel(ctx):
    return desk_views.parcel(ctx.caller.merchant_id, ctx.params["waybill_no"])
