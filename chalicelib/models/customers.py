"""A customer as the ERP sends it (PUT /v1/customers, a `customers` sheet) and the customer code
a platform buyer maps to (PUT /v1/customers/by-platform-id/{id}, a `customers` row naming a
buyer): contract section 6."""
from typing import Optional

from pydantic import Field

from chalicelib.models.base import Code, NonEmpty, Strict


class CustomerItem(Strict):
    erp_customer_code: Code
    name: NonEmpty
    credit_code: Optional[str] = Field(None, max_length=32, description="18 characters, GB 32100-2015")


class BuyerCode(Strict):
    erp_customer_code: Code
