"""The console's static files (contract section 8): the page at `/v1/console` and its modules,
style sheet and icon at `/v1/console/assets/{name}`, read from `static/console/` as they are
(the same files can be put in S3 behind the API's domain; see docs/console.md).

Every answer carries a Content-Security-Policy that allows no inline script and no script or
style from another origin, forbids framing, and lets the page talk to this API and to the
bucket's origin (the browser PUTs spreadsheets to the presigned URL itself)."""
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from chalice import Response

from chalicelib.api.handler import HTML, Media, handler
from chalicelib.domain.errors import NotFound

FILES = Path(__file__).parent / "static" / "console"
PAGE = "index.html"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8"}
_ASSET = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.(js|css|svg)$")


def policy(upload_origin: str) -> str:
    connect = "'self'" + (f" {upload_origin}" if upload_origin else "")
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src {connect}; font-src 'self'; manifest-src 'self'; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def headers(content_type: str) -> dict:
    return {"Content-Type": content_type, "Content-Security-Policy": policy(_upload_origin()),
            "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin",
            "Cache-Control": "no-cache"}


@lru_cache(maxsize=1)
def _upload_origin() -> str:
    """scheme://host[:port] of the bucket's presigned URLs (computed locally, no request)."""
    from chalicelib.adapters import bucket
    try:
        parts = urlsplit(bucket.presign_put("uploads/origin-probe", 60))
    except Exception:  # noqa: BLE001 - no bucket configured: the page still works, uploads do not
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _file(name: str) -> Response:
    path = FILES / name
    if not path.is_file():
        raise NotFound(f"no console file {name!r}")
    return Response(body=path.read_text(encoding="utf-8"), status_code=200,
                    headers=headers(TYPES[path.suffix]))


ASSETS = (Media("text/javascript"), Media("text/css"), Media("image/svg+xml"))


@handler(response=HTML, errors=())
def page(ctx):
    return _file(PAGE)


@handler(response=ASSETS, errors=("not_found",))
def asset(ctx):
    name = ctx.params["name"]
    if not _ASSET.match(name):
        raise NotFound(f"no console file {name!r}")
    return _file(name)
