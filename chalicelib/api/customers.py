"""Customer endpoints (contract section 6) and the platform's buyers (section 7, channel)."""
from typing import Literal, Optional

from pydantic import Field

from chalicelib.api.batch import batch_of
from chalicelib.api.handler import handler
from chalicelib.api.models import BatchResult, NonEmpty, Strict, View, results_of
from chalicelib.models.customers import BuyerCode, CustomerItem
from chalicelib.services import customers
from chalicelib.services.batch import answer, parse_items

CustomerBatch = batch_of(CustomerItem, "CustomerBatch")


class Buyer(Strict):
    name: NonEmpty
    credit_code: Optional[str] = Field(None, max_length=32, description="18 characters, GB 32100-2015")


class CustomerResult(BatchResult):
    match: Optional[Literal["matched", "unmatched"]] = Field(description="null when the item was not written")
    platform_customer_id: Optional[str]


class CustomerView(View):
    erp_customer_code: str
    name: str
    credit_code: Optional[str]
    match: Literal["matched", "unmatched"]
    platform_customer_id: Optional[str]
    created_at: str
    updated_at: str


class BuyerMapped(View):
    platform_customer_id: str
    erp_customer_code: str
    status: Literal["ok", "skipped"] = Field(description='"skipped" with code "sync_off" when automatic customer sync is off')
    code: Optional[str]
    detail: Optional[str]


class BuyerView(View):
    platform_customer_id: str
    name: str
    credit_code: Optional[str]
    created_at: str
    updated_at: str


CustomerResults = results_of(CustomerResult, "CustomerResults")


@handler(body=CustomerBatch, response=CustomerResults, errors=())
def upsert_customers(ctx):
    parsed = parse_items(CustomerItem, ctx.body.items, "erp_customer_code")
    return answer(customers.upsert(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler(response=CustomerView, errors=("not_found",))
def get_customer(ctx):
    return customers.customer(ctx.caller.merchant_id, ctx.params["erp_customer_code"])


@handler(body=BuyerCode, response=BuyerMapped, errors=("not_found",))
def map_buyer(ctx):
    return customers.map_buyer(ctx.caller.merchant_id, ctx.caller.manual, ctx.params["platform_customer_id"],
                               ctx.body.erp_customer_code)


@handler(body=Buyer, response=BuyerView, errors=("invalid_credit_code",))
def put_buyer(ctx):
    return customers.put_buyer(ctx.params["platform_customer_id"], ctx.body.name, ctx.body.credit_code)
