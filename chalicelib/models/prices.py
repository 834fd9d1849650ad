"""A product's prices as the ERP sends them (PUT /v1/prices, a `prices` sheet): contract section 4."""
from typing import List, Optional

from pydantic import Field, field_validator

from chalicelib.models.base import Code, Money, Strict


class RegionPrice(Strict):
    region_group_id: Code
    price: Money


class CustomerLevelPrice(Strict):
    customer_group_id: Code
    price: Money


class PriceItem(Strict):
    erp_product_id: Code
    default_price: Optional[Money] = None
    suggested_retail_price: Optional[Money] = None
    region_prices: Optional[List[RegionPrice]] = Field(None, max_length=100)
    customer_level_prices: Optional[List[CustomerLevelPrice]] = Field(None, max_length=100)

    @field_validator("region_prices")
    @classmethod
    def _region_once(cls, prices):
        return _once(prices, "region_group_id")

    @field_validator("customer_level_prices")
    @classmethod
    def _customer_group_once(cls, prices):
        return _once(prices, "customer_group_id")


def _once(prices, field: str):
    ids = [getattr(p, field) for p in prices or ()]
    if len(ids) != len(set(ids)):
        raise ValueError(f"each {field} may appear once")
    return prices
