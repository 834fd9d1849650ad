"""Health and the OpenAPI document."""
from typing import Literal

from chalicelib.api.handler import handler
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
