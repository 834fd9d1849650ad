"""The OpenAPI 3.1 document, built from the route table and the handlers' declarations (their
pydantic models, success statuses and problem codes), so it cannot drift from the code.

Each operation lists every status it can answer: its success status(es) with their body, and per
error status the problem codes that status can carry. The codes come from three places: the
caller kinds of the route (api/auth.py: 401, 403), the pipeline (api/pipeline.py: 422 for the
body, query and Idempotency-Key, 409 and 422 of idempotency), and the handler's own `errors=`;
API Gateway's answers (413, 429, 504) and 500 belong to every operation. A handler that does not
declare its `response` and `errors` stops the document from being built (UndeclaredResponses).
"""
from functools import lru_cache

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api.handler import Media
from chalicelib.api.pipeline import load
from chalicelib.api.problems import CODES
from chalicelib.api.router import ROUTES

SIGNED = {"onceshipKey": [], "onceshipTimestamp": [], "onceshipNonce": [], "onceshipSignature": []}
SECURITY = {
    "admin": {"adminToken": []}, "merchant": SIGNED, "channel": SIGNED,
    "operator": {"sessionToken": []}, "supervisor": {"sessionToken": []}, "manager": {"sessionToken": []},
}
SIGNED_KINDS = ("merchant", "channel")
UNAUTHENTICATED = ("unauthenticated", "signature_invalid", "signature_expired", "nonce_reused")
ANY_OPERATION = ("request_too_large", "rate_limited", "internal_error", "timeout")
# Problem answers many operations share, written once under components/responses.
SHARED_RESPONSES = {
    (401, UNAUTHENTICATED): "Unauthenticated", (403, ("forbidden",)): "Forbidden", (404, ("not_found",)): "NotFound",
    (422, ("validation_error",)): "ValidationError", (413, ("request_too_large",)): "RequestTooLarge",
    (429, ("rate_limited",)): "RateLimited", (500, ("internal_error",)): "InternalError",
    (504, ("timeout",)): "Timeout",
}
# Members a problem may carry besides RFC 9457's, by the codes that set them.
PROBLEM_MEMBERS = {
    "errors": {"type": "array", "description": "validation_error and its kin: one entry per field",
               "items": {"type": "object", "required": ["field", "message"],
                         "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    "erp_product_ids": {"type": "array", "items": {"type": "string"},
                        "description": "insufficient_stock, unknown_product, product_not_listed"},
    "order_id": {"type": "string", "description": "inspection_mismatch: the order of the waybill"},
    "missing": {"type": "array", "description": "inspection_mismatch: ordered but not scanned",
                "items": {"$ref": "#/components/schemas/ScanCount"}},
    "extra": {"type": "array", "description": "inspection_mismatch: scanned but not ordered",
              "items": {"$ref": "#/components/schemas/ScanCount"}},
    "overlaps_with": {"type": "string", "description": "waybill_range_overlap: the range it overlaps"},
}


class UndeclaredResponses(Exception):
    """A route's handler does not say what it answers."""


@lru_cache(maxsize=1)
def document() -> dict:
    return build(ROUTES)


def build(routes) -> dict:
    handlers = [(route, load(route.target)) for route in routes]
    _check_declared(handlers)
    models = sorted({m for _, fn in handlers for m in _models(fn.meta)}, key=lambda m: m.__module__ + m.__qualname__)
    refs, defs = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}")
    schemas = dict(defs.get("$defs", {}))
    schemas["Problem"] = _problem_schema()
    schemas["ScanCount"] = {"type": "object", "required": ["code", "quantity"],
                            "properties": {"code": {"type": "string"}, "quantity": {"type": "integer"}}}
    paths: dict = {}
    for route, fn in handlers:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, fn, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Onceship API", "version": "1.0.0",
                 "description": "The order hub between a sales platform and its merchants' ERPs. Every "
                                "response carries X-Request-Id; errors are application/problem+json "
                                "(RFC 9457) with a stable `code`, listed per status of each operation."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": _security_schemes(), "headers": _headers(),
                       "responses": {name: _problem_response(status, list(codes))
                                     for (status, codes), name in SHARED_RESPONSES.items()}},
    }


def _check_declared(handlers) -> None:
    missing = []
    for route, fn in handlers:
        meta = getattr(fn, "meta", None)
        where = f"{route.method} {route.path} ({route.target})"
        if meta is None:
            missing.append(f"{where}: not a @handler")
            continue
        if meta.response is None and meta.status != 204:
            missing.append(f"{where}: declares no response= (a pydantic model, or HTML / XLSX)")
        if meta.errors is None:
            missing.append(f"{where}: declares no errors= (the problem codes it answers; () for none)")
        unknown = [code for code in meta.errors or () if code not in CODES]
        if unknown:
            missing.append(f"{where}: errors= names codes that api/problems.py CODES does not have: {unknown}")
        unknown_kinds = [kind for kind in route.auth if kind not in SECURITY]
        if unknown_kinds:
            missing.append(f"{where}: caller kinds without a security scheme in api/openapi.py: {unknown_kinds}")
    if missing:
        raise UndeclaredResponses("Routes whose answers are not declared:\n  " + "\n  ".join(missing))


def _models(meta) -> list:
    candidates = [meta.body, meta.query, meta.response, *meta.also.values()]
    return [m for m in candidates if isinstance(m, type) and issubclass(m, BaseModel)]


def _operation(route, fn, refs) -> dict:
    meta = fn.meta
    module, _, function = route.target.rpartition(".")[2].partition(":")
    op = {"operationId": f"{module}_{function}", "summary": route.summary, "tags": [module]}
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
              for name in _path_params(route.path)]
    if meta.query is not None:
        params.extend(_query_params(meta.query))
    required_key = getattr(fn, "idempotency_key", None)  # e.g. the checkout token of POST /v1/orders
    if meta.idempotent or required_key:
        params.append({"name": "Idempotency-Key", "in": "header", "required": bool(required_key),
                       "description": required_key or "Replays the first answer to the same request "
                                                      "for 24 hours (contract section 1)",
                       "schema": {"type": "string", "minLength": 1, "maxLength": 255}})
    if params:
        op["parameters"] = params
    if meta.body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": _ref(meta.body, refs)}}}
    replayable = bool(meta.idempotent or required_key)
    responses = {str(meta.status): _success(meta.status, meta.response, refs, replayable)}
    for status, model in meta.also.items():
        responses[str(status)] = _success(status, model, refs, replayable)
    for status, codes in sorted(_error_codes(route, fn).items()):
        shared = SHARED_RESPONSES.get((status, tuple(codes)))
        responses[str(status)] = ({"$ref": "#/components/responses/" + shared} if shared
                                  else _problem_response(status, codes))
    op["responses"] = responses
    op["security"] = list({str(SECURITY[k]): SECURITY[k] for k in route.auth}.values()) if route.auth else []
    return op


def _error_codes(route, fn) -> dict:
    """Every problem code the operation can answer, by status."""
    meta = fn.meta
    codes = ["validation_error"]  # a body, query or path parameter that is not valid
    if route.auth:
        codes += UNAUTHENTICATED
        if _someone_refused(route.auth):
            codes.append("forbidden")
    if meta.idempotent:
        codes += ["idempotency_key_mismatch", "idempotency_in_progress"]
    codes += [*meta.errors, *ANY_OPERATION]
    by_status: dict = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(CODES[code][0], []).append(code)
    return by_status


def _someone_refused(auth) -> bool:
    """Whether some kind of caller (or console role) is refused (403) by the route."""
    return bool(set(SECURITY) - set(auth))


def _success(status: int, model, refs, replayable: bool) -> dict:
    headers = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
    if replayable:
        headers["Idempotent-Replayed"] = {"$ref": "#/components/headers/Idempotent-Replayed"}
    answer = {"description": "No content" if status == 204 else "Success", "headers": headers}
    media = [model] if isinstance(model, Media) else list(model) if isinstance(model, (list, tuple)) else []
    if media:
        answer["content"] = {m.content_type: {"schema": {"type": "string", "contentMediaType": m.content_type}
                                              if m.binary else {"type": "string"}} for m in media}
        if any(m.binary for m in media):
            headers["Content-Disposition"] = {"$ref": "#/components/headers/Content-Disposition"}
    elif model is not None:
        answer["content"] = {"application/json": {"schema": _ref(model, refs)}}
    return answer


def _problem_response(status: int, codes: list) -> dict:
    headers = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
    if status == 429:
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    schema = {"allOf": [{"$ref": "#/components/schemas/Problem"},
                        {"properties": {"status": {"const": status}, "code": {"enum": codes}}}]}
    description = "Problem codes: " + ", ".join(f"`{code}`" for code in codes) + " (see Problem.code)"
    return {"description": description, "headers": headers,
            "content": {"application/problem+json": {"schema": schema}}}


def _query_params(model) -> list:
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = _not_null(_inline(prop, defs))
        description = prop.pop("description", "")
        prop.pop("title", None)
        params.append({"name": name, "in": "query", "required": name in required,
                       "description": description, "schema": prop})
    return params


def _not_null(prop: dict) -> dict:
    """A query parameter is never null: `Optional[X]` is X that may be left out."""
    options = [p for p in prop.get("anyOf", ()) if p.get("type") != "null"]
    if "anyOf" in prop and len(options) == 1:
        prop = {**options[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
    return {k: v for k, v in prop.items() if not (k == "default" and v is None)}


def _inline(node, defs):
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[1]], defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _ref(model, refs) -> dict:
    return refs[(model, "validation")]


def _path_params(path: str) -> list:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _problem_schema() -> dict:
    return {"type": "object", "required": ["type", "title", "status", "code", "detail"],
            "properties": {"type": {"type": "string", "description": "urn:onceship:problem:<code>"},
                           "title": {"type": "string"}, "status": {"type": "integer"},
                           "code": {"type": "string", "enum": list(CODES), "description": "A stable "
                                    "machine-readable code: " + "; ".join(f"`{c}` ({status}) {text}" for c, (status, text) in CODES.items())},
                           "detail": {"type": "string"}, **PROBLEM_MEMBERS}}


def _headers() -> dict:
    return {
        "X-Request-Id": {"required": True, "description": "This request's id, for support",
                         "schema": {"type": "string"}},
        "Idempotent-Replayed": {"description": "true when the answer is the replay of an earlier request "
                                               "with the same Idempotency-Key", "schema": {"const": "true"}},
        "Retry-After": {"required": True, "description": "Seconds to wait before retrying",
                        "schema": {"type": "string", "pattern": "^[0-9]+$"}},
        "Content-Disposition": {"required": True, "description": "attachment; filename=\"<kind>.xlsx\"",
                                "schema": {"type": "string"}},
    }


def _security_schemes() -> dict:
    signed = ("A signed request (merchants and channels, contract section 2): string_to_sign = METHOD, "
              "PATH (as sent on the wire), CANONICAL_QUERY, TIMESTAMP, NONCE and hex(sha256(body)) joined "
              "by newlines; X-Onceship-Signature = hex(hmac_sha256(secret, string_to_sign)). All four "
              "headers go together. X-Onceship-Source: manual marks the change as manual (sync switches "
              "do not apply).")
    return {
        "adminToken": {"type": "http", "scheme": "bearer", "description": "The platform admin: ONCESHIP_ADMIN_TOKEN"},
        "sessionToken": {"type": "http", "scheme": "bearer",
                         "description": "A console user's session token from POST /v1/console/sessions"},
        "onceshipKey": {"type": "apiKey", "in": "header", "name": "X-Onceship-Key",
                        "description": "The merchant id or channel id. " + signed},
        "onceshipTimestamp": {"type": "apiKey", "in": "header", "name": "X-Onceship-Timestamp",
                              "description": "Unix seconds, ASCII digits; within 300 s of the server's clock"},
        "onceshipNonce": {"type": "apiKey", "in": "header", "name": "X-Onceship-Nonce",
                          "description": "16-64 characters of [A-Za-z0-9_-], never reused within 15 minutes"},
        "onceshipSignature": {"type": "apiKey", "in": "header", "name": "X-Onceship-Signature",
                              "description": "64 lowercase hex digits: hex(hmac_sha256(secret, string_to_sign))"},
    }
