"""Desk endpoints of the review screen (contract section 8): order views and filters, remarks,
reviews, carriers and carrier rules, refund checks."""
from typing import List, Optional

from pydantic import Field, model_validator

from chalicelib.api.desk_models import (DeskOrder, DeskOrderPage, DeskQuery, DeskResults, OrderIds,
                                        RefundCheckResults, ReviewResults, each_once)
from chalicelib.api.handler import handler
from chalicelib.api.models import Id, Strict, View
from chalicelib.domain.errors import ValidationFailed
from chalicelib.services import desk


class Remark(Strict):
    merchant_remark: Optional[str] = Field(None, max_length=1000)


class Review(Strict):
    """Either `order_ids` (manual review) or `auto: true` with an optional `filter`."""
    order_ids: Optional[List[Id]] = Field(None, min_length=1, max_length=100)
    auto: Optional[bool] = None
    filter: Optional[DeskQuery] = None

    @model_validator(mode="after")
    def one_mode(self):
        if bool(self.order_ids) == bool(self.auto):
            raise ValueError("send either order_ids or auto: true (with an optional filter)")
        if self.filter is not None and not self.auto:
            raise ValueError("filter goes with auto: true")
        return self


class CarrierChange(OrderIds):
    carrier_code: str = Field(min_length=1, max_length=20)


class CarrierRule(Strict):
    provinces: List[str] = Field(min_length=1, max_length=100)
    carrier_code: str = Field(min_length=1, max_length=20)


class CarrierRules(Strict):
    rules: List[CarrierRule] = Field(max_length=100)


class CarrierRuleView(View):
    provinces: List[str]
    carrier_code: str


class CarrierRulesView(View):
    rules: List[CarrierRuleView]


@handler(query=DeskQuery, response=DeskOrderPage, errors=())
def list_orders(ctx):
    q = ctx.query
    return desk.list_orders(ctx.caller.merchant_id, q.to_filter(), q.limit, q.cursor)


@handler(response=DeskOrder, errors=("not_found",))
def get_order(ctx):
    return desk.get_order(ctx.caller.merchant_id, ctx.params["order_id"])


@handler(body=Remark, response=DeskOrder, errors=("not_found",))
def put_remark(ctx):
    return desk.set_remark(ctx.caller.merchant_id, ctx.params["order_id"], ctx.body.merchant_remark)


@handler(body=Review, idempotent=True, response=ReviewResults, errors=())
def review(ctx):
    b, caller = ctx.body, ctx.caller
    who = caller.username or caller.kind
    if b.order_ids:
        return each_once(b.order_ids, lambda ids: desk.review_orders(caller.merchant_id, who, ids))
    wanted = b.filter or DeskQuery(limit=100)
    if wanted.stage not in (None, "to_review"):
        raise ValidationFailed("auto review takes orders in to_review only",
                               [{"field": "filter.stage", "message": "only to_review"}])
    return desk.auto_review(caller.merchant_id, who, wanted.to_filter("to_review"),
                            wanted.limit if b.filter else 100, wanted.cursor)


@handler(body=CarrierChange, response=DeskResults, errors=("unknown_carrier",))
def change_carrier(ctx):
    b = ctx.body
    return each_once(b.order_ids, lambda ids: desk.change_carrier(ctx.caller.merchant_id, ids, b.carrier_code))


@handler(body=CarrierRules, response=CarrierRulesView, errors=("unknown_carrier",))
def put_carrier_rules(ctx):
    return desk.put_carrier_rules(ctx.caller.merchant_id, [r.model_dump() for r in ctx.body.rules])


@handler(response=CarrierRulesView, errors=())
def get_carrier_rules(ctx):
    return desk.get_carrier_rules(ctx.caller.merchant_id)


@handler(body=OrderIds, idempotent=True, response=RefundCheckResults, errors=())
def refund_checks(ctx):
    return each_once(ctx.body.order_ids, lambda ids: desk.refund_checks(ctx.caller.merchant_id, ids))
