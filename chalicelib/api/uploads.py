"""Spreadsheet endpoints (contract section 9): upload URLs, upload jobs, templates."""
import re
from typing import Annotated, List, Literal, Optional

from chalice import Response
from pydantic import AfterValidator, Field

from chalicelib.api.handler import XLSX, handler
from chalicelib.api.models import Paging, Strict, View
from chalicelib.domain.errors import NotFound
from chalicelib.services import paging, uploads

Kind = Literal["products", "prices", "lots", "inventory", "listings", "customers", "order-status", "logistics"]
_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}\.(xlsx|csv)$", re.IGNORECASE)


def _filename(value: str) -> str:
    if not _NAME.match(value) or value.startswith(".") or value.strip() != value:
        raise ValueError("a file name ending in .xlsx or .csv, without / or \\")
    return value


class NewUpload(Strict):
    kind: Kind
    filename: Annotated[str, Field(min_length=5, max_length=205), AfterValidator(_filename)]
    preview: bool = False


class UploadUrl(View):
    upload_url: str = Field(description="A presigned PUT of the file")
    key: str = Field(description="Where the file lands in the bucket")
    expires_at: str
    preview: bool


class UploadJob(View):
    job_id: str
    kind: str
    key: str
    preview: bool
    status: Literal["in_queue", "in_progress", "done", "fatal"]
    detail: Optional[str]
    rows: int
    ok: int
    skipped: int
    errors: int
    report_key: Optional[str] = Field(description="reports/<merchant_id>/<kind>/<file name>.result.xlsx, once done")
    filename: Optional[str]
    created_at: Optional[str]
    updated_at: Optional[str]
    finished_at: Optional[str]


class UploadJobPage(View):
    items: List[UploadJob]
    next_cursor: Optional[str]


@handler(body=NewUpload, status=201, idempotent=True, response=UploadUrl, errors=())
def create_upload(ctx):
    b = ctx.body
    return uploads.upload_url(ctx.caller.merchant_id, b.kind, b.filename, b.preview)


@handler(query=Paging, response=UploadJobPage, errors=())
def list_uploads(ctx):
    query_id = f"uploads|{ctx.caller.merchant_id}"
    items, last = uploads.jobs(ctx.caller.merchant_id, ctx.query.limit, paging.decode(ctx.query.cursor, query_id))
    return {"items": items, "next_cursor": paging.encode(last, query_id)}


@handler(response=UploadJob, errors=("not_found",))
def get_upload(ctx):
    return uploads.job(ctx.caller.merchant_id, ctx.params["job_id"])


class ReportLink(View):
    job_id: str
    report_key: str
    download_url: str = Field(description="A presigned GET of the report")
    expires_at: str


@handler(response=ReportLink, errors=("not_found",))
def get_report(ctx):
    return uploads.report_url(ctx.caller.merchant_id, ctx.params["job_id"])


@handler(response=XLSX, errors=("not_found",))
def get_template(ctx):
    from chalicelib.adapters import sheet_templates
    from chalicelib.adapters.sheet_writer import XLSX_TYPE
    from chalicelib.domain.sheet_kinds import kind

    name = ctx.params["template"]
    found = kind(name[:-len(".xlsx")]) if name.endswith(".xlsx") else None
    if found is None:
        raise NotFound(f"no template {name!r}; templates are <kind>.xlsx")
    return Response(body=sheet_templates.build(found), status_code=200,
                    headers={"Content-Type": XLSX_TYPE,
                             "Content-Disposition": f'attachment; filename="{name}"'})
