"""Sync switch endpoints (contract section 5)."""
from datetime import datetime
from typing import Optional

from pydantic import AwareDatetime

from chalicelib.api.handler import handler
from chalicelib.api.models import Strict
from chalicelib.services import sync


class ModuleSwitches(Strict):
    products: Optional[bool] = None
    prices: Optional[bool] = None
    lots: Optional[bool] = None
    inventory: Optional[bool] = None
    listings: Optional[bool] = None
    customers: Optional[bool] = None


class ProductSwitches(ModuleSwitches):
    until: Optional[AwareDatetime] = None


def _changes(body: ModuleSwitches) -> dict:
    return {k: v for k, v in body.model_dump(exclude={"until"}).items() if v is not None}


@handler()
def get_switches(ctx):
    return sync.module_switches(ctx.caller.merchant_id)


@handler(body=ModuleSwitches)
def put_switches(ctx):
    return sync.set_module_switches(ctx.caller.merchant_id, _changes(ctx.body))


@handler()
def get_product_switches(ctx):
    return sync.product_switches(ctx.caller.merchant_id, ctx.params["erp_product_id"])


@handler(body=ProductSwitches)
def put_product_switches(ctx):
    until: Optional[datetime] = ctx.body.until
    return sync.set_product_switches(ctx.caller.merchant_id, ctx.params["erp_product_id"],
                                     _changes(ctx.body), until.timestamp() if until else None)
