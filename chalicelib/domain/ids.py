"""Identifiers that sort by creation time: prefix + 12 hex digits of milliseconds + 10 random."""
import secrets
import time
from typing import Optional


def sortable_id(prefix: str, at: Optional[float] = None) -> str:
    millis = int((time.time() if at is None else at) * 1000)
    return f"{prefix}{millis:012x}{secrets.token_hex(5)}"
