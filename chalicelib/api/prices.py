"""Price endpoints (contract section 4): the price batch, region and customer groups, and the price
a buyer pays."""
from typing import Annotated, List, Literal, Optional, Union

from pydantic import Field, RootModel

from chalicelib.api.batch import batch_of
from chalicelib.api.handler import handler
from chalicelib.api.models import BatchResult, Code, NonEmpty, Strict, View, results_of
from chalicelib.models.prices import PriceItem
from chalicelib.services import pricing
from chalicelib.services.batch import answer, parse_items

PriceBatch = batch_of(PriceItem, "PriceBatch")


class PriceQuery(Strict):
    province: Optional[str] = Field(None, max_length=50)
    platform_customer_id: Optional[Code] = None


class RegionGroup(Strict):
    name: NonEmpty
    provinces: List[Annotated[str, Field(min_length=1, max_length=50)]] = Field(min_length=1, max_length=100)


class CustomerGroup(Strict):
    name: NonEmpty
    platform_customer_ids: List[Code] = Field(max_length=1000)


class BuyerPrice(View):
    erp_product_id: str
    price: str
    source: Literal["customer_level", "region", "default"]


class GroupSkipped(View):
    """Automatic price sync is off: nothing was written."""
    status: Literal["skipped"]
    code: Literal["sync_off"]
    detail: str


class RegionGroupSaved(View):
    status: Literal["ok"]
    code: None
    region_group_id: str
    name: str
    provinces: List[str]
    updated_at: str


class RegionGroupSkipped(GroupSkipped):
    region_group_id: str


class CustomerGroupSaved(View):
    status: Literal["ok"]
    code: None
    customer_group_id: str
    name: str
    platform_customer_ids: List[str]
    updated_at: str


class CustomerGroupSkipped(GroupSkipped):
    customer_group_id: str


class RegionGroupAnswer(RootModel[Union[RegionGroupSaved, RegionGroupSkipped]]):
    pass


class CustomerGroupAnswer(RootModel[Union[CustomerGroupSaved, CustomerGroupSkipped]]):
    pass


PriceResults = results_of(BatchResult, "PriceResults")


@handler(body=PriceBatch, response=PriceResults, errors=())
def put_prices(ctx):
    parsed = parse_items(PriceItem, ctx.body.items, "erp_product_id")
    return answer(pricing.update(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler(query=PriceQuery, response=BuyerPrice, errors=("not_found",))
def get_price(ctx):
    return pricing.price_for(ctx.caller.merchant_id, ctx.params["erp_product_id"], ctx.query.province,
                             ctx.query.platform_customer_id)


@handler(body=RegionGroup, response=RegionGroupAnswer, errors=())
def put_region_group(ctx):
    return pricing.put_region_group(ctx.caller.merchant_id, ctx.caller.manual, ctx.params["region_group_id"],
                                    ctx.body.name, ctx.body.provinces)


@handler(body=CustomerGroup, response=CustomerGroupAnswer, errors=())
def put_customer_group(ctx):
    return pricing.put_customer_group(ctx.caller.merchant_id, ctx.caller.manual, ctx.params["customer_group_id"],
                                      ctx.body.name, ctx.body.platform_customer_ids)
