"""Path parameters: read from the path as it was sent, percent-decoded exactly once, and checked.

Codes travel in a path percent-encoded as UTF-8 (`/v1/products/%E7%BA%A2%E8%89%B2-XL%2001`,
`A01%20%232`). Neither chalice.local nor API Gateway's REST proxy hands the handler a value one can
trust to be decoded exactly once, so every parameter is taken from the request's own path
(`requestContext.path`, which keeps the percent-encoding; it may start with a stage or base path,
so the route's segments are matched against its end) and decoded here. An encoded `/` (`%2F`)
therefore stays inside its segment and is answered as an invalid code (422), never taken as a
second segment; a path whose segments no longer line up with the route (a gateway that decoded
`%2F` before routing) is refused the same way. Malformed escapes and bytes that are not UTF-8 are
invalid too.
"""
import re
from typing import Optional
from urllib.parse import unquote

from chalicelib.domain import codes
from chalicelib.domain.errors import ValidationFailed

# Path parameters that are codes ERPs and the platform choose (domain/codes.py).
CODE_PARAMS = frozenset({"erp_product_id", "erp_customer_code", "platform_customer_id", "base_product_id",
                         "region_group_id", "customer_group_id"})
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


def wire_path(request) -> Optional[str]:
    """The path exactly as sent (still percent-encoded), without the query."""
    path = (request.context or {}).get("path")
    return path.split("?", 1)[0] if path else None


def decoded(route_path: str, wire: Optional[str], given: Optional[dict]) -> dict:
    """{name: value} of the route's parameters, decoded once from `wire` and checked: a code
    parameter must be a code, any other must hold no `/`. Raises ValidationFailed (422)."""
    names = [part[1:-1] for part in route_path.split("/") if part.startswith("{")]
    if not names:
        return dict(given or {})
    raw = _raw_segments(route_path, wire, names) if wire else {n: (given or {}).get(n, "") for n in names}
    values = {name: _decode(name, text) for name, text in raw.items()}
    for name, value in values.items():
        reason = codes.problem(value) if name in CODE_PARAMS else ("must not contain '/'" if "/" in value else None)
        if reason is not None:
            raise ValidationFailed(f"{name} {reason}" + (f" ({codes.RULE})" if name in CODE_PARAMS else ""),
                                   [{"field": name, "message": reason}])
    return values


def _raw_segments(route_path: str, wire: str, names: list) -> dict:
    template, sent = route_path.split("/"), wire.split("/")
    if len(sent) > 1 and sent[-1] == "" and template[-1] != "":
        sent = sent[:-1]                    # API Gateway drops a trailing slash before routing
    tail = sent[len(sent) - len(template):] if len(sent) >= len(template) else None
    if tail is None or any(not t.startswith("{") and _unquoted(s) != t for t, s in zip(template, tail)):
        raise ValidationFailed("The path does not match its route (a '/' sent as %2F inside a code? "
                               "codes cannot hold '/')",
                               [{"field": n, "message": "the path does not match the route"} for n in names])
    return {t[1:-1]: s for t, s in zip(template, tail) if t.startswith("{")}


def _unquoted(text: str) -> Optional[str]:
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


def _decode(name: str, text: str) -> str:
    value = _unquoted(text) if not _BAD_ESCAPE.search(text) else None
    if value is None:
        raise ValidationFailed(f"{name} is not percent-encoded UTF-8",
                               [{"field": name, "message": "not percent-encoded UTF-8"}])
    return value


def path_id(ctx, name: str) -> str:
    """A path parameter that is an id Onceship issues (ASCII), checked like ids in bodies."""
    value = ctx.params[name]
    if not _ID.fullmatch(value or ""):
        raise ValidationFailed(f"{name} must be 1-64 characters of A-Z a-z 0-9 _ . : -",
                               [{"field": name, "message": "invalid id"}])
    return value
