"""Placement and the channel's order calls (contract section 7): checkout tokens, orders, payment,
refund requests.

`POST /v1/orders` is deliberately NOT `idempotent=True`: the generic Idempotency-Key path stores
its record in a write of its own, before and after the work. Here the key is required, is the
checkout token, and its record is written inside the order's own transaction (services/checkout.py),
so the order, its reservations and the token's use exist together or not at all, and the token can
never be freed again — the exactly-once guarantee does not depend on a second write succeeding.
"""
from typing import List, Literal, Optional

from chalice import Response
from pydantic import AwareDatetime, Field

from chalicelib.api.handler import handler
from chalicelib.api.models import Code, Id, NonEmpty, Strict
from chalicelib.domain import clock
from chalicelib.domain.errors import IdempotencyKeyRequired, ValidationFailed
from chalicelib.services import checkout

VIEWS = "chalicelib.api.order_views:"   # response models, for the OpenAPI document only
Text = lambda n: Field(min_length=1, max_length=n)  # noqa: E731


class NewToken(Strict):
    merchant_id: Id


class Buyer(Strict):
    platform_customer_id: Code
    name: NonEmpty


class Address(Strict):
    name: NonEmpty
    phone: str = Field(pattern=r"^\+?[0-9][0-9 \-]{4,19}$")
    province: str = Text(40)
    city: str = Text(40)
    district: str = Text(40)
    detail: str = Text(300)


class Line(Strict):
    erp_product_id: Code
    quantity: int = Field(ge=1, le=100000)


class Invoice(Strict):
    kind: Literal["normal", "special"] = "normal"
    title: NonEmpty
    tax_id: Optional[str] = Field(None, max_length=30)
    email: Optional[str] = Field(None, max_length=200)
    address: Optional[str] = Field(None, max_length=300)
    phone: Optional[str] = Field(None, max_length=40)
    bank: Optional[str] = Field(None, max_length=100)
    bank_account: Optional[str] = Field(None, max_length=40)


class NewOrder(Strict):
    merchant_id: Id
    buyer: Buyer
    lines: List[Line] = Field(min_length=1, max_length=100)
    address: Address
    remark: Optional[str] = Field(None, max_length=500)
    invoice: Optional[Invoice] = None


class Payment(Strict):
    paid_at: AwareDatetime


class RefundLine(Strict):
    erp_product_id: Code
    quantity: int = Field(ge=1, le=100000)


class RefundRequest(Strict):
    reason: str = Text(500)
    lines: Optional[List[RefundLine]] = Field(None, min_length=1, max_length=100)


@handler(body=NewToken, status=201, idempotent=True, response=VIEWS + "Token", errors=("not_found",))
def issue_token(ctx):
    return checkout.issue_token(ctx.caller.channel_id, ctx.caller.merchant_ids, ctx.body.merchant_id)


@handler(body=NewOrder, status=201, response=VIEWS + "Order", defers_nonce=True,
         errors=("not_found", "idempotency_key_required", "invalid_checkout_token", "idempotency_key_mismatch",
                 "idempotency_in_progress", "too_many_lines", "unknown_product", "product_not_listed",
                 "insufficient_stock", "conflict"))
def place_order(ctx):
    token = ctx.headers.get("idempotency-key")
    if token is None:
        raise IdempotencyKeyRequired("Send the checkout token as Idempotency-Key",
                                     [{"field": "Idempotency-Key", "message": "required"}])
    if not 1 <= len(token) <= 255:
        raise ValidationFailed("Idempotency-Key must be 1-255 characters",
                               [{"field": "Idempotency-Key", "message": "1-255 characters"}])
    text, replayed = checkout.place_order(ctx.caller.channel_id, ctx.caller.merchant_ids, token,
                                          ctx.body.model_dump(mode="json"), nonce=ctx.caller.nonce)
    headers = {"Content-Type": "application/json"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(body=text, status_code=201, headers=headers)


place_order.idempotency_key = "Required: the checkout token from POST /v1/checkout-tokens"


@handler(body=Payment, idempotent=True, response=VIEWS + "Order", defers_nonce=True,
         errors=("not_found", "order_cancelled", "conflict"))
def pay(ctx):
    from chalicelib.services import orders
    return orders.pay(ctx.caller.channel_id, ctx.caller.merchant_ids, ctx.params["order_id"],
                      clock.iso(ctx.body.paid_at.timestamp()), nonce=ctx.caller.nonce)


@handler(body=RefundRequest, status=201, idempotent=True, response=VIEWS + "RefundAnswer",
         errors=("not_found", "order_cancelled", "order_not_paid", "refund_already_requested", "conflict"))
def request_refund(ctx):
    lines = [line.model_dump() for line in ctx.body.lines] if ctx.body.lines else None
    from chalicelib.services import orders
    return orders.request_refund(ctx.caller.channel_id, ctx.caller.merchant_ids, ctx.params["order_id"],
                                 ctx.body.reason, lines)
