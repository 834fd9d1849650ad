"""Customer endpoints (contract section 6) and the platform's buyers (section 7, channel)."""
from typing import Optional

from pydantic import Field

from chalicelib.api.batch import answer, batch_of, parse_items
from chalicelib.api.handler import handler
from chalicelib.api.models import Code, NonEmpty, Strict
from chalicelib.services import customers


class CustomerItem(Strict):
    erp_customer_code: Code
    name: NonEmpty
    credit_code: Optional[str] = Field(None, max_length=32, description="18 characters, GB 32100-2015")


CustomerBatch = batch_of(CustomerItem, "CustomerBatch")


class BuyerCode(Strict):
    erp_customer_code: Code


class Buyer(Strict):
    name: NonEmpty
    credit_code: Optional[str] = Field(None, max_length=32, description="18 characters, GB 32100-2015")


@handler(body=CustomerBatch)
def upsert_customers(ctx):
    parsed = parse_items(CustomerItem, ctx.body.items, "erp_customer_code")
    return answer(customers.upsert(ctx.caller.merchant_id, ctx.caller.manual, parsed))


@handler()
def get_customer(ctx):
    return customers.customer(ctx.caller.merchant_id, ctx.params["erp_customer_code"])


@handler(body=BuyerCode)
def map_buyer(ctx):
    return customers.map_buyer(ctx.caller.merchant_id, ctx.caller.manual, ctx.params["platform_customer_id"],
                               ctx.body.erp_customer_code)


@handler(body=Buyer)
def put_buyer(ctx):
    return customers.put_buyer(ctx.params["platform_customer_id"], ctx.body.name, ctx.body.credit_code)
