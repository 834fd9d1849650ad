"""Inventory endpoints (contract section 5) and a product's lots (section 4)."""
from typing import Any, List, Optional

from pydantic import Field, StrictInt, create_model

from chalicelib.api.batch import BatchBody
from chalicelib.api.handler import handler
from chalicelib.api.models import BatchResult, Code, NonEmpty, Strict, View, results_of
from chalicelib.models.inventory import InventorySet, Lot, LotsBody
from chalicelib.services import inventory
from chalicelib.services.batch import answer, parse_items


class InventoryAdjustment(Strict):
    erp_product_id: Code
    delta: StrictInt = Field(ge=-10 ** 9, le=10 ** 9)
    reason: NonEmpty


class InventoryView(View):
    erp_product_id: str
    on_hand: int
    reserved: int
    available: int = Field(description="max(on_hand - reserved, 0)")
    oversold: int = Field(description="max(reserved - on_hand, 0)")
    lots: List[Lot]
    source: Optional[str] = Field(description='"erp" or "manual": who wrote on_hand last')
    updated_at: Optional[str]


class LotsResult(InventoryView):
    status: str = Field(description='"ok", or "skipped" with code "sync_off"')
    code: Optional[str]
    detail: Optional[str]


class StockResult(BatchResult):
    on_hand: Optional[int] = Field(description="The stock after the item (null when there is none)")
    reserved: Optional[int]
    available: Optional[int]
    oversold: Optional[int]


StockResults = results_of(StockResult, "StockResults")


def batch_of(model) -> type:
    """A batch envelope that validates only the envelope (each item is parsed on its own, so a
    bad item fails alone) but documents the item's schema in OpenAPI."""
    schema = model.model_json_schema()
    return create_model(f"{model.__name__}Batch", __base__=BatchBody,
                        items=(List[Any], Field(min_length=1, max_length=100, json_schema_extra={"items": schema})))


InventorySetBatch = batch_of(InventorySet)
InventoryAdjustmentBatch = batch_of(InventoryAdjustment)


@handler(body=InventorySetBatch, response=StockResults, errors=())
def put_inventory(ctx):
    parsed = parse_items(InventorySet, ctx.body.items, "erp_product_id")
    return answer(inventory.set_many(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler(body=InventoryAdjustmentBatch, idempotent=True, response=StockResults, errors=())
def post_adjustments(ctx):
    parsed = parse_items(InventoryAdjustment, ctx.body.items, "erp_product_id")
    return answer(inventory.adjust_many(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler(response=InventoryView, errors=("not_found",))
def get_inventory(ctx):
    return inventory.get(ctx.caller.merchant_id, ctx.params["erp_product_id"])


@handler(body=LotsBody, response=LotsResult, errors=("not_found", "conflict"))
def put_lots(ctx):
    erp_product_id = ctx.params["erp_product_id"]
    lots = [lot.model_dump() for lot in ctx.body.lots]
    return inventory.put_lots(ctx.caller.merchant_id, ctx.caller.manual, erp_product_id, lots)
