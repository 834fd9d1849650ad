"""Export endpoints (contract section 9): orders to .xlsx, and the export job."""
from typing import Literal, Optional

from pydantic import AwareDatetime

from chalicelib.api.handler import handler
from chalicelib.api.models import Strict
from chalicelib.services import exports


class OrdersExport(Strict):
    """The query names of GET /v1/orders (paging aside)."""
    sync_status: Optional[Literal["pending", "synced"]] = None
    status: Optional[Literal["pending_payment", "paid", "partially_shipped", "shipped", "completed",
                             "cancelled"]] = None
    created_after: Optional[AwareDatetime] = None
    created_before: Optional[AwareDatetime] = None
    updated_after: Optional[AwareDatetime] = None


@handler(body=OrdersExport, status=202, idempotent=True)
def create_orders_export(ctx):
    filters = ctx.body.model_dump(mode="json", exclude_none=True)
    return exports.start_orders_export(ctx.caller.merchant_id, filters)


@handler()
def get_export(ctx):
    return exports.job(ctx.caller.merchant_id, ctx.params["job_id"])
