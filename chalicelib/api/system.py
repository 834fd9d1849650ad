"""Health, the OpenAPI document and the console page."""
from typing import Literal

from chalicelib.api.handler import HTML, handler
from chalicelib.api.models import View


class Health(View):
    status: Literal["ok"]


class OpenApiDocument(View):
    """The OpenAPI 3.1 document of this API."""
    openapi: str
    info: dict
    paths: dict
    components: dict


@handler(response=Health, errors=())
def health(ctx):
    return {"status": "ok"}


@handler(response=OpenApiDocument, errors=())
def openapi(ctx):
    from chalicelib.api.openapi import document
    return document()


@handler(response=HTML, errors=())
def console(ctx):
    """The operators' desk page: a static page that talks to the desk API with a session token."""
    from pathlib import Path

    from chalice import Response
    page = (Path(__file__).parent / "static" / "console.html").read_text(encoding="utf-8")
    return Response(body=page, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})
