"""Which price a buyer pays (contract section 4): customer-level price, else region price, else the
default price. Money is `Decimal` here and a two-place string outside.

A buyer may belong to several of the merchant's customer groups and a province to several region
groups; when more than one of them has a price for the product, the lowest applies (a deterministic
choice that never charges a buyer more than one of their own group prices).
"""
from decimal import Decimal
from typing import Dict, Iterable, Optional, Tuple

from chalicelib.domain import regions

CUSTOMER_LEVEL = "customer_level"
REGION = "region"
DEFAULT = "default"
CENT = Decimal("0.01")


def money(value) -> str:
    return str(Decimal(str(value)).quantize(CENT))


def _lowest(prices: dict, group_ids: Iterable[str]) -> Optional[Decimal]:
    found = [Decimal(prices[g]) for g in set(group_ids) if g in (prices or {})]
    return min(found) if found else None


def resolve(product: dict, customer_group_ids: Iterable[str] = (),
            region_group_ids: Iterable[str] = ()) -> Tuple[Optional[str], Optional[str]]:
    """(price, source) for a product item carrying `default_price`, `region_prices`
    ({region_group_id: price}) and `customer_level_prices` ({customer_group_id: price});
    (None, None) when it has no price at all."""
    price = _lowest(product.get("customer_level_prices") or {}, customer_group_ids)
    if price is not None:
        return money(price), CUSTOMER_LEVEL
    price = _lowest(product.get("region_prices") or {}, region_group_ids)
    if price is not None:
        return money(price), REGION
    if product.get("default_price") is None:
        return None, None
    return money(product["default_price"]), DEFAULT


def resolve_all(products: Dict[str, dict], customer_group_ids: Iterable[str], region_groups,
                province: Optional[str]) -> Tuple[Dict[str, tuple], bool]:
    """({erp_id: (price, source, product)} for the products that have a price, whether the
    province mattered). `region_groups()` answers the merchant's region groups
    (`{"region_group_id", "provinces"}`); it is called only when a province and some region
    price are involved."""
    province_used = bool(province) and any(p.get("region_prices") for p in products.values())
    in_regions = regions.groups_of_province(province, region_groups()) if province_used else []
    resolved = {}
    for erp_id, product in products.items():
        price, source = resolve(product, customer_group_ids, in_regions)
        if price is not None:
            resolved[erp_id] = (price, source, product)
    return resolved, province_used
