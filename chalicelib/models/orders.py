"""What the merchant writes to an order and how it filters its orders: logistics
(PUT .../logistics, a `logistics` sheet), ERP statuses (POST .../erp-status, an `order-status`
sheet) and the order filters (GET /v1/orders, an order export): contract sections 7 and 9."""
from typing import Literal, Optional

from pydantic import AwareDatetime, Field

from chalicelib.domain.orders import ERP_STATUSES
from chalicelib.models.base import Paging, Strict


class Logistics(Strict):
    carrier_code: str = Field(min_length=1, max_length=20)
    waybill_no: str = Field(pattern=r"^[A-Za-z0-9\-]{4,40}$")


class ErpStatus(Strict):
    status: Literal[ERP_STATUSES]
    at: AwareDatetime


class OrderFilters(Strict):
    """The filters of GET /v1/orders (also the body of POST /v1/exports/orders)."""
    sync_status: Optional[Literal["pending", "synced"]] = None
    status: Optional[Literal["pending_payment", "paid", "partially_shipped", "shipped", "completed",
                             "cancelled"]] = None
    created_after: Optional[AwareDatetime] = None
    created_before: Optional[AwareDatetime] = None
    updated_after: Optional[AwareDatetime] = None


class OrderQuery(Paging, OrderFilters):
    pass
