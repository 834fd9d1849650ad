"""Scheduled polling of a merchant's ERP: when to poll next, and what an ERP page must look like.

A page is `{"items": [{"erp_product_id", "on_hand", "lots"?}], "next_cursor": str | null}`.
A page that is not that shape is garbage and fails the whole poll; a single item with a bad value
is left out (counted as invalid) so that one typo in the ERP does not stop every other SKU.

Backoff: after the n-th failure in a row the next poll waits `interval * 2**n`, capped at an hour
(or at the interval itself when that is longer), plus up to 10% jitter so that merchants whose
ERPs share an outage do not all come back in the same minute.
"""
import random
from dataclasses import dataclass, field
from typing import Optional

from chalicelib.domain import codes
from chalicelib.domain.inventory import LotsInvalid, normalize_lots

BACKOFF_CAP_SECONDS = 3600


class ErpGarbage(ValueError):
    """The ERP answered something that is not an inventory page."""


@dataclass(frozen=True)
class ErpItem:
    erp_product_id: str
    on_hand: Optional[int]
    lots: Optional[list]


@dataclass
class Page:
    items: list = field(default_factory=list)
    invalid: list = field(default_factory=list)   # short reasons, one per bad item
    next_cursor: Optional[str] = None


def backoff_seconds(failures: int, interval_seconds: float, jitter: Optional[float] = None) -> float:
    """How long to wait after `failures` failed polls in a row (failures >= 1)."""
    cap = max(interval_seconds, BACKOFF_CAP_SECONDS)
    delay = min(interval_seconds * (2 ** min(failures, 20)), cap)
    share = random.random() if jitter is None else jitter
    return delay * (1 + 0.1 * share)


def parse_page(data, page_number: int) -> Page:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ErpGarbage(f"page {page_number} is not an object with an \"items\" list")
    cursor = data.get("next_cursor")
    if cursor is not None and (not isinstance(cursor, str) or cursor == ""):
        raise ErpGarbage(f"page {page_number}: next_cursor must be a non-empty string or null")
    page = Page(next_cursor=cursor)
    for index, raw in enumerate(data["items"]):
        try:
            page.items.append(_item(raw))
        except ValueError as bad:
            page.invalid.append(f"page {page_number} items[{index}]: {bad}")
    return page


def _item(raw) -> ErpItem:
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    erp_id = raw.get("erp_product_id")
    if isinstance(erp_id, int) and not isinstance(erp_id, bool):
        erp_id = str(erp_id)
    reason = codes.problem(erp_id)
    if reason is not None:
        raise ValueError(f"erp_product_id {repr(erp_id)[:80]} {reason} ({codes.RULE})")
    on_hand = raw.get("on_hand")
    lots = raw.get("lots")
    if on_hand is None and lots is None:
        raise ValueError(f"{erp_id}: on_hand is required")
    if on_hand is not None and not _count(on_hand):
        raise ValueError(f"{erp_id}: on_hand must be a whole number, 0 or more")
    if lots is not None:
        lots = _lots(erp_id, lots)
    return ErpItem(erp_id, on_hand, lots)


def _lots(erp_id: str, lots) -> list:
    if not isinstance(lots, list):
        raise ValueError(f"{erp_id}: lots must be a list")
    out = []
    for lot in lots:
        if not isinstance(lot, dict) or not {"lot_no", "production_date", "expiry_date", "quantity"} <= set(lot):
            raise ValueError(f"{erp_id}: each lot needs lot_no, production_date, expiry_date, quantity")
        if not _count(lot["quantity"]):
            raise ValueError(f"{erp_id}: lot quantity must be a whole number, 0 or more")
        out.append({k: lot[k] for k in ("lot_no", "production_date", "expiry_date", "quantity")})
    try:
        return normalize_lots(out)
    except LotsInvalid as bad:
        raise ValueError(f"{erp_id}: {bad}")


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_FORBIDDEN_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "upgrade", "te",
                      "keep-alive", "proxy-connection", "expect"}


def header_line(line: str) -> tuple:
    """("Authorization", "Bearer abc") from "Authorization: Bearer abc", else ValueError."""
    name, colon, value = line.partition(":")
    name, value = name.strip(), value.strip()
    if not colon or not name or not set(name) <= _TOKEN:
        raise ValueError("a header line looks like \"Authorization: Bearer abc\"")
    if name.lower() in _FORBIDDEN_HEADERS:
        raise ValueError(f"the {name} header is set by the platform")
    if not value or any(ch in value for ch in "\r\n\0"):
        raise ValueError("the header value must be one line and not empty")
    return name, value


def page_url(url: str, cursor: Optional[str]) -> str:
    """The inventory URL, with `cursor=` set for every page after the first."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
    if cursor is None:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "cursor"]
    query.append(("cursor", cursor))
    return urlunsplit(parts._replace(query=urlencode(query)))
