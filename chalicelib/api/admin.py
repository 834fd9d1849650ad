"""Platform admin endpoints (contract section 3) and the carrier list."""
from typing import List, Literal, Optional

from pydantic import Field

from chalicelib.api.handler import Reply, handler
from chalicelib.api.models import Id, NonEmpty, Strict, View
from chalicelib.services import accounts, platform


class NewMerchant(Strict):
    name: NonEmpty


class NewChannel(Strict):
    name: NonEmpty
    merchant_ids: List[Id] = Field(min_length=1, max_length=1000)


class NewOperator(Strict):
    username: Id
    password: str = Field(min_length=8, max_length=200)
    role: Literal["operator", "supervisor", "manager"]


class BaseProduct(Strict):
    name: NonEmpty
    barcode: Optional[str] = Field(None, max_length=64)
    approval_number: Optional[str] = Field(None, max_length=64)
    spec: Optional[str] = Field(None, max_length=200)
    manufacturer: Optional[str] = Field(None, max_length=200)


class Carrier(Strict):
    name: NonEmpty


class MerchantCreated(View):
    merchant_id: str
    secret: str = Field(description="Shown once; the merchant signs its requests with it")


class SecretRotated(View):
    secret: str = Field(description="The new secret; the previous one keeps working for 24 hours")


class ChannelCreated(View):
    channel_id: str
    secret: str = Field(description="Shown once; the channel signs its requests with it")


class OperatorCreated(View):
    merchant_id: str
    username: str
    role: str


class BaseProductView(View):
    base_product_id: str
    name: str
    barcode: Optional[str]
    approval_number: Optional[str]
    spec: Optional[str]
    manufacturer: Optional[str]
    updated_at: str


class CarrierView(View):
    carrier_code: str
    name: str


class CarrierList(View):
    items: List[CarrierView]
    next_cursor: Optional[str]


@handler(body=NewMerchant, status=201, idempotent=True, response=MerchantCreated, errors=())
def create_merchant(ctx):
    return accounts.create_merchant(ctx.body.name)


@handler(status=201, idempotent=True, response=SecretRotated, errors=("not_found",))
def rotate_merchant_secret(ctx):
    return accounts.rotate_merchant_secret(ctx.params["merchant_id"])


@handler(body=NewChannel, status=201, idempotent=True, response=ChannelCreated, errors=())
def create_channel(ctx):
    return accounts.create_channel(ctx.body.name, ctx.body.merchant_ids)


@handler(body=NewOperator, status=201, idempotent=True, response=OperatorCreated,
         errors=("not_found", "already_exists"))
def create_operator(ctx):
    b = ctx.body
    return accounts.create_operator(ctx.params["merchant_id"], b.username, b.password, b.role)


@handler(body=BaseProduct, response=BaseProductView, errors=())
def put_base_product(ctx):
    return platform.put_base_product(ctx.params["base_product_id"], ctx.body.model_dump())


@handler(body=Carrier, response=CarrierView, errors=())
def put_carrier(ctx):
    return platform.put_carrier(ctx.params["carrier_code"], ctx.body.name)


@handler(response=CarrierList, errors=())
def list_carriers(ctx):
    return Reply(platform.carriers())
