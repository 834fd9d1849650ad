"""A product's stock as the ERP sends it (PUT /v1/inventory, an `inventory` sheet) and its lots
(PUT /v1/products/{id}/lots, a `lots` sheet): contract sections 4 and 5."""
from datetime import date
from typing import List, Optional

from pydantic import Field, StrictInt

from chalicelib.models.base import Code, Strict

Count = Field(ge=0, le=10 ** 9)


class InventorySet(Strict):
    erp_product_id: Code
    on_hand: StrictInt = Count
    compare_on_hand: Optional[StrictInt] = Field(None, ge=0, le=10 ** 9)


class Lot(Strict):
    lot_no: Code
    production_date: date
    expiry_date: date
    quantity: StrictInt = Count


class LotsBody(Strict):
    lots: List[Lot] = Field(max_length=1000)
