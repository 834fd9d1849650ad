"""A product as the ERP sends it (PUT /v1/products, a `products` sheet) and a listing action
(POST /v1/products/listing, a `listings` sheet): contract section 4."""
from typing import Annotated, Dict, List, Literal, Optional

from pydantic import Field

from chalicelib.models.base import Code, CodeEntry, Money, NonEmpty, Strict

AttributeName = Annotated[str, Field(min_length=1, max_length=64)]
AttributeValue = Annotated[str, Field(max_length=200)]


class ProductItem(Strict):
    erp_product_id: Code
    name: NonEmpty
    barcode: Optional[str] = Field(None, max_length=64)
    approval_number: Optional[str] = Field(None, max_length=64)
    spec: Optional[str] = Field(None, max_length=200)
    manufacturer: Optional[str] = Field(None, max_length=200)
    base_product_id: Optional[Code] = None
    default_price: Money
    main_image_url: Optional[str] = Field(None, max_length=2000, pattern=r"^https?://\S+$")
    main_image_sha256: Optional[str] = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    attributes: Optional[Dict[AttributeName, AttributeValue]] = Field(None, max_length=50)


class ListingAction(Strict):
    action: Literal["list", "delist"]
    erp_product_ids: List[CodeEntry] = Field(
        min_length=1, max_length=100, description="Each is a code; one that is not is that id's error result")
