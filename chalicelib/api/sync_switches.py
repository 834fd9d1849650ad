"""Sync switch endpoints (contract section 5)."""
from datetime import datetime
from typing import Optional

from pydantic import AwareDatetime, Field, StrictBool

from chalicelib.api.handler import handler
from chalicelib.api.models import Strict, View
from chalicelib.services import sync


class ModuleSwitches(Strict):
    products: Optional[StrictBool] = None
    prices: Optional[StrictBool] = None
    lots: Optional[StrictBool] = None
    inventory: Optional[StrictBool] = None
    listings: Optional[StrictBool] = None
    customers: Optional[StrictBool] = None


class ProductSwitches(ModuleSwitches):
    until: Optional[AwareDatetime] = None


class ModuleSwitchesView(View):
    """Whether automatic syncs may write each module."""
    products: bool
    prices: bool
    lots: bool
    inventory: bool
    listings: bool
    customers: bool


class Switch(View):
    on: bool
    until: Optional[str] = Field(description="When an off switch turns itself back on")


class ProductSwitchSet(View):
    products: Switch
    prices: Switch
    lots: Switch
    inventory: Switch
    listings: Switch
    customers: Switch


class ProductSwitchesView(View):
    erp_product_id: str
    switches: ProductSwitchSet


def _changes(body: ModuleSwitches) -> dict:
    return {k: v for k, v in body.model_dump(exclude={"until"}).items() if v is not None}


@handler(response=ModuleSwitchesView, errors=())
def get_switches(ctx):
    return sync.module_switches(ctx.caller.merchant_id)


@handler(body=ModuleSwitches, response=ModuleSwitchesView, errors=())
def put_switches(ctx):
    return sync.set_module_switches(ctx.caller.merchant_id, _changes(ctx.body))


@handler(response=ProductSwitchesView, errors=("not_found",))
def get_product_switches(ctx):
    return sync.product_switches(ctx.caller.merchant_id, ctx.params["erp_product_id"])


@handler(body=ProductSwitches, response=ProductSwitchesView, errors=("not_found",))
def put_product_switches(ctx):
    until: Optional[datetime] = ctx.body.until
    return sync.set_product_switches(ctx.caller.merchant_id, ctx.params["erp_product_id"],
                                     _changes(ctx.body), until.timestamp() if until else None)
