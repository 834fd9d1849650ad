"""The listing state machine: `unlisted` ↔ `listed`.

Listing is refused for a product that is not matched to the base catalog (`not_matched`), has no
available stock (`no_stock`; available = on_hand − reserved, a missing stock record is 0) or
duplicates a listed product (`duplicate_listing`, see `domain.duplicates`). Delisting is always
allowed. With `auto_list_when_stocked`, stock turning positive lists a matched product and stock
reaching 0 delists it.
"""
from typing import Iterable, Optional

from chalicelib.domain import duplicates
from chalicelib.domain.matching import MATCHED

LISTED = "listed"
UNLISTED = "unlisted"
NOT_MATCHED = "not_matched"
NO_STOCK = "no_stock"
DUPLICATE = "duplicate_listing"


def available(stock: Optional[dict]) -> int:
    stock = stock or {}
    return max(int(stock.get("on_hand") or 0) - int(stock.get("reserved") or 0), 0)


def refusal(product: dict, stock: Optional[dict], listed: Iterable[dict]) -> Optional[tuple]:
    """(code, detail, duplicate_of) when `product` may not be listed, else None."""
    if product.get("match") != MATCHED:
        return NOT_MATCHED, "the product is pending review against the base catalog", None
    if available(stock) <= 0:
        return NO_STOCK, "the product has no available stock", None
    other = duplicates.duplicate_of(product, listed)
    if other is not None:
        return DUPLICATE, f"the same image, title and attributes as listed product {other}", other
    return None


def auto_action(product: Optional[dict], stock: Optional[dict]) -> Optional[str]:
    """What `auto_list_when_stocked` does after a stock change: "list", "delist" or nothing."""
    if product is None:
        return None
    if product.get("listing") == LISTED and available(stock) <= 0:
        return "delist"
    if product.get("listing") != LISTED and product.get("match") == MATCHED and available(stock) > 0:
        return "list"
    return None
