"""Batch endpoints' envelope: 1-100 items, checked as a whole (wrong shape or count → 422 for the
request), each item then parsed on its own by services/batch.py `parse_items`, so a bad item
becomes an `error` result and never blocks the good ones. `batch_of` documents the item's schema
in the OpenAPI document."""
from typing import Any, List

from pydantic import Field

from chalicelib.api.models import Strict


class BatchBody(Strict):
    items: List[Any] = Field(min_length=1, max_length=100)


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
