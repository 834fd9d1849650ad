"""Health and the OpenAPI document."""
from chalicelib.api.handler import handler


@handler()
def health(ctx):
    return {"status": "ok"}


@handler()
def openapi(ctx):
    from chalicelib.api.openapi import document
    return document()


@handler()
def console(ctx):
    """The operators' desk page: a static page that talks to the desk API with a session token."""
    from pathlib import Path

    from chalice import Response
    page = (Path(__file__).parent / "static" / "console.html").read_text(encoding="utf-8")
    return Response(body=page, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})
