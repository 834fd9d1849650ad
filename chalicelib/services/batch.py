"""Per-item batch results (contract section 1): one result per item, in order, each `ok`,
`skipped` or `error` with its own code, so a bad item never blocks the good ones.

No HTTP here: the use cases build these results and the HTTP handlers and the spreadsheet
worker (services/sheet_targets.py) hand them on; the API's batch envelope and its OpenAPI
schema stay in api/batch.py.
"""
from typing import Any, Callable, Optional

from pydantic import ValidationError

from chalicelib.domain.errors import DomainError
from chalicelib.models.base import field_errors


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
