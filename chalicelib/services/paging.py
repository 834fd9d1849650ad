"""Opaque list cursors: DynamoDB's LastEvaluatedKey, tied to the query that produced it.

No HTTP here: the use cases that page (services/) and the handlers that read a list's cursor
both use it; a cursor of another query is a ValidationFailed like any bad field."""
import base64
import hashlib
import json
from typing import Optional

from chalicelib.domain.errors import ValidationFailed


def encode(last_key: Optional[dict], query_id: str) -> Optional[str]:
    if not last_key:
        return None
    text = json.dumps({"k": last_key, "q": _digest(query_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: Optional[str], query_id: str) -> Optional[dict]:
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if data["q"] != _digest(query_id):
            raise ValueError
        return data["k"]
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed("The cursor is not valid for this query",
                               [{"field": "cursor", "message": "invalid cursor"}])


def position(cursor: Optional[str], query_id: str, name: str = "after") -> Optional[str]:
    """The sort key a cursor made by `encode({name: key}, query_id)` carries (None without one);
    anything else is refused like a cursor of another query."""
    key = decode(cursor, query_id)
    if key is None:
        return None
    if not isinstance(key, dict) or not isinstance(key.get(name), str) or not 0 < len(key[name]) <= 2048:
        raise ValidationFailed("The cursor is not valid for this query",
                               [{"field": "cursor", "message": "invalid cursor"}])
    return key[name]


def _digest(query_id: str) -> str:
    return hashlib.sha256(query_id.encode()).hexdigest()[:16]
