"""Export endpoints (contract section 9): orders to .xlsx, and the export job."""
from typing import Literal, Optional

from pydantic import Field

from chalicelib.api.handler import handler
from chalicelib.api.models import View
from chalicelib.models.orders import OrderFilters
from chalicelib.services import exports


class OrdersExport(OrderFilters):
    """The query names of GET /v1/orders (paging aside)."""


class ExportStarted(View):
    job_id: str
    status: Literal["in_queue"]


class ExportJob(View):
    job_id: str
    kind: Optional[str]
    status: Literal["in_queue", "in_progress", "done", "fatal"]
    detail: Optional[str]
    rows: int
    key: Optional[str] = Field(description="exports/<merchant_id>/...xlsx, once done")
    download_url: Optional[str] = Field(description="A presigned GET of the file, once done")
    created_at: Optional[str]
    finished_at: Optional[str]


@handler(body=OrdersExport, status=202, idempotent=True, response=ExportStarted, errors=())
def create_orders_export(ctx):
    filters = ctx.body.model_dump(mode="json", exclude_none=True)
    return exports.start_orders_export(ctx.caller.merchant_id, filters)


@handler(response=ExportJob, errors=("not_found",))
def get_export(ctx):
    return exports.job(ctx.caller.merchant_id, ctx.params["job_id"])
