"""Inventory endpoints (contract section 5) and a product's lots (section 4)."""
from datetime import date
from typing import List, Optional

from pydantic import Field

from chalicelib.api.batch import BatchBody, answer, parse_items
from chalicelib.api.handler import handler
from chalicelib.api.models import Id, NonEmpty, Strict
from chalicelib.services import inventory

Count = Field(ge=0, le=10 ** 9)


class InventorySet(Strict):
    erp_product_id: Id
    on_hand: int = Count
    compare_on_hand: Optional[int] = Field(None, ge=0, le=10 ** 9)


class InventoryAdjustment(Strict):
    erp_product_id: Id
    delta: int = Field(ge=-10 ** 9, le=10 ** 9)
    reason: NonEmpty


class Lot(Strict):
    lot_no: NonEmpty
    production_date: date
    expiry_date: date
    quantity: int = Count


class LotsBody(Strict):
    lots: List[Lot] = Field(max_length=1000)


@handler(body=BatchBody)
def put_inventory(ctx):
    parsed = parse_items(InventorySet, ctx.body.items, "erp_product_id")
    return answer(inventory.set_many(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler(body=BatchBody, idempotent=True)
def post_adjustments(ctx):
    parsed = parse_items(InventoryAdjustment, ctx.body.items, "erp_product_id")
    return answer(inventory.adjust_many(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler()
def get_inventory(ctx):
    return inventory.get(ctx.caller.merchant_id, ctx.params["erp_product_id"])


@handler(body=LotsBody)
def put_lots(ctx):
    lots = [lot.model_dump() for lot in ctx.body.lots]
    return inventory.put_lots(ctx.caller.merchant_id, ctx.caller.manual, ctx.params["erp_product_id"], lots)
