"""Export endpoints (contract section 9): orders to .xlsx, and the export job."""
from chalicelib.api.handler import handler
from chalicelib.api.order_feed import OrderFilters
from chalicelib.services import exports


class OrdersExport(OrderFilters):
    """The query names of GET /v1/orders (paging aside)."""


@handler(body=OrdersExport, status=202, idempotent=True)
def create_orders_export(ctx):
    filters = ctx.body.model_dump(mode="json", exclude_none=True)
    return exports.start_orders_export(ctx.caller.merchant_id, filters)


@handler()
def get_export(ctx):
    return exports.job(ctx.caller.merchant_id, ctx.params["job_id"])
