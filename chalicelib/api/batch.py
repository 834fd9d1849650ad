"""Batch endpoints: 1-100 items, each validated on its own, one result per item in order.

The envelope is checked as a whole (wrong shape or count → 422 for the request); each item is
then parsed separately, so a bad item becomes an `error` result and never blocks the good ones.
"""
from typing import Any, Callable, List, Optional

from pydantic import Field, ValidationError

from chalicelib.api.models import Strict, field_errors
from chalicelib.domain.errors import DomainError


class BatchBody(Strict):
    items: List[Any] = Field(min_length=1, max_length=100)


def ok(key, **fields) -> dict:
    return dict({"key": key, "status": "ok", "code": None, "detail": None}, **fields)


def skipped(key, code: str, detail: str, **fields) -> dict:
    return dict({"key": key, "status": "skipped", "code": code, "detail": detail}, **fields)


def error(key, code: str, detail: str, **fields) -> dict:
    return dict({"key": key, "status": "error", "code": code, "detail": detail}, **fields)


def parse_items(model, items: list, key_field: str) -> list:
    """[(key, parsed model or None, error result or None)] for each raw item, duplicates refused."""
    out, seen = [], set()
    for index, raw in enumerate(items):
        key = raw.get(key_field) if isinstance(raw, dict) else None
        key = key if isinstance(key, (str, int)) and not isinstance(key, bool) else None  # JSON true is no key
        try:
            parsed = model.model_validate(raw)
        except ValidationError as err:
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in field_errors(err, f"items[{index}]."))
            out.append((key, None, error(key, "validation_error", detail)))
            continue
        if key in seen:
            out.append((key, None, error(key, "duplicate_key", f"{key_field} {key!r} appears twice in this batch")))
            continue
        seen.add(key)
        out.append((key, parsed, None))
    return out


def apply_each(parsed: list, apply: Callable[[Any], dict]) -> list:
    """Results for parsed items, calling `apply(item)` for the good ones; domain errors stay per item."""
    results = []
    for key, item, failed in parsed:
        if failed is not None:
            results.append(failed)
            continue
        try:
            results.append(apply(item))
        except DomainError as err:
            results.append(error(key, err.code, err.detail))
    return results


def answer(results: list) -> dict:
    return {"results": results}


def result_for(key, outcome: Optional[DomainError] = None, **fields) -> dict:
    if outcome is None:
        return ok(key, **fields)
    return error(key, outcome.code, outcome.detail, **fields)


def batch_of(item_model, name: str):
    """A batch body whose OpenAPI schema shows `item_model` for its items while each item is still
    validated on its own by `parse_items` (a bad item never fails the whole request)."""
    from typing import Annotated

    from pydantic import WithJsonSchema, create_model

    schema = {"type": "array", "minItems": 1, "maxItems": 100, "items": _inlined(item_model)}
    items_type = Annotated[List[Any], Field(min_length=1, max_length=100), WithJsonSchema(schema)]
    return create_model(name, __base__=BatchBody, __module__=item_model.__module__, items=(items_type, ...))


def _inlined(model) -> dict:
    """The model's JSON schema with nested models written in place instead of referenced."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def expand(node):
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"].startswith("#/$defs/"):
                return expand(defs[node["$ref"].rsplit("/", 1)[1]])
            return {k: expand(v) for k, v in node.items()}
        if isinstance(node, list):
            return [expand(v) for v in node]
        return node
    return expand(schema)
