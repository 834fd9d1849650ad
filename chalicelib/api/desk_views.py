"""Desk reads for the console (extensions to contract section 8, in the OpenAPI document):
stage counts, print lanes, a parcel by waybill number."""
from chalicelib.api.handler import handler
from chalicelib.services import desk_views


@handler()
def stage_counts(ctx):
    return desk_views.stage_counts(ctx.caller.merchant_id)


@handler()
def print_lanes(ctx):
    return desk_views.print_lanes(ctx.caller.merchant_id)


@handler()
def parcel(ctx):
    return desk_views.parcel(ctx.caller.merchant_id, ctx.params["waybill_no"])
