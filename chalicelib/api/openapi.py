"""The OpenAPI 3.1 document, built from the route table and the handlers' pydantic models, so it
cannot drift from the code."""
from functools import lru_cache

from pydantic.json_schema import models_json_schema

from chalicelib.api.pipeline import load
from chalicelib.api.router import ROUTES

SECURITY = {
    "admin": {"adminToken": []}, "operator": {"sessionToken": []}, "supervisor": {"sessionToken": []},
    "manager": {"sessionToken": []},
    "merchant": {"signedRequest": []}, "channel": {"signedRequest": []},
}
ERROR_CODES = ["validation_error", "unauthenticated", "signature_invalid", "signature_expired",
               "nonce_reused", "forbidden", "not_found", "idempotency_key_mismatch",
               "idempotency_in_progress", "idempotency_key_required", "rate_limited", "too_many_attempts",
               "internal_error"]


@lru_cache(maxsize=1)
def document() -> dict:
    handlers = [(route, load(route.target)) for route in ROUTES]
    models = sorted({m for _, fn in handlers for m in (fn.meta.body, fn.meta.response) if m is not None},
                    key=lambda m: m.__module__ + m.__qualname__)
    refs, defs = models_json_schema([(m, "validation") for m in models],
                                    ref_template="#/components/schemas/{model}")
    schemas = dict(defs.get("$defs", {}))
    schemas["Problem"] = _problem_schema()
    paths: dict = {}
    for route, fn in handlers:
        paths.setdefault(_path(route.path), {})[route.method.lower()] = _operation(route, fn, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Onceship API", "version": "1.0.0",
                 "description": "The order hub between a sales platform and its merchants' ERPs."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": _security_schemes()},
    }


def _path(path: str) -> str:
    return path


def _operation(route, fn, refs) -> dict:
    meta = fn.meta
    module, _, function = route.target.rpartition(".")[2].partition(":")
    success = {"description": "Success"}
    if meta.status != 204:
        success["content"] = {"application/json": {"schema": _ref(meta.response, refs)}}
    op = {"operationId": f"{module}_{function}", "summary": route.summary,
          "tags": [route.target.split(".")[-1].split(":")[0]],
          "responses": {str(meta.status): success,
                        "default": {"description": "Error",
                                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in _path_params(route.path)]
    if meta.query is not None:
        for name, field in meta.query.model_fields.items():
            params.append({"name": name, "in": "query", "required": field.is_required(),
                           "description": field.description or "", "schema": {}})
    required_key = getattr(fn, "idempotency_key", None)  # e.g. the checkout token of POST /v1/orders
    if meta.idempotent or required_key:
        params.append({"name": "Idempotency-Key", "in": "header", "required": bool(required_key),
                       "description": required_key or "", "schema": {"type": "string", "minLength": 1,
                                                                    "maxLength": 255}})
    if params:
        op["parameters"] = params
    if meta.body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": _ref(meta.body, refs)}}}
    schemes = dict.fromkeys(next(iter(SECURITY[kind])) for kind in route.auth)  # each scheme once
    op["security"] = [{scheme: []} for scheme in schemes]
    return op


def _ref(model, refs) -> dict:
    if model is None:
        return {"type": "object"}
    return refs[(model, "validation")]


def _path_params(path: str) -> list:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _problem_schema() -> dict:
    return {"type": "object", "required": ["type", "title", "status", "code"],
            "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                           "status": {"type": "integer"}, "code": {"type": "string", "examples": ERROR_CODES},
                           "detail": {"type": "string"},
                           "errors": {"type": "array", "items": {"type": "object", "properties": {
                               "field": {"type": "string"}, "message": {"type": "string"}}}}}}


def _security_schemes() -> dict:
    return {
        "adminToken": {"type": "http", "scheme": "bearer", "description": "ONCESHIP_ADMIN_TOKEN"},
        "sessionToken": {"type": "http", "scheme": "bearer", "description": "POST /v1/console/sessions"},
        "signedRequest": {"type": "apiKey", "in": "header", "name": "X-Onceship-Signature",
                          "description": "HMAC-SHA256 over METHOD, PATH, CANONICAL_QUERY, TIMESTAMP, NONCE and "
                                         "hex(sha256(body)) joined by newlines; with X-Onceship-Key, "
                                         "X-Onceship-Timestamp and X-Onceship-Nonce."},
    }
