"""Health and the OpenAPI document."""
from chalicelib.api.handler import handler


@handler()
def health(ctx):
    return {"status": "ok"}


@handler()
def openapi(ctx):
    from chalicelib.api.openapi import document
    return document()
