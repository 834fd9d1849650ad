"""Spreadsheet endpoints (contract section 9): upload URLs, upload jobs, templates."""
import re
from typing import Annotated, Literal

from chalice import Response
from pydantic import AfterValidator, Field

from chalicelib.api import paging
from chalicelib.api.handler import handler
from chalicelib.api.models import Paging, Strict
from chalicelib.domain.errors import NotFound
from chalicelib.services import uploads

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


@handler(body=NewUpload, status=201, idempotent=True)
def create_upload(ctx):
    b = ctx.body
    return uploads.upload_url(ctx.caller.merchant_id, b.kind, b.filename, b.preview)


@handler(query=Paging)
def list_uploads(ctx):
    query_id = f"uploads|{ctx.caller.merchant_id}"
    items, last = uploads.jobs(ctx.caller.merchant_id, ctx.query.limit, paging.decode(ctx.query.cursor, query_id))
    return {"items": items, "next_cursor": paging.encode(last, query_id)}


@handler()
def get_upload(ctx):
    return uploads.job(ctx.caller.merchant_id, ctx.params["job_id"])


class ReportLink(Strict):
    job_id: str
    report_key: str
    download_url: str
    expires_at: str


@handler(response=ReportLink)
def get_report(ctx):
    return uploads.report_url(ctx.caller.merchant_id, ctx.params["job_id"])


@handler()
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
