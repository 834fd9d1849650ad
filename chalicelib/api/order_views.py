"""Response shapes of the order and webhook endpoints, for the OpenAPI document only (handlers
return plain dicts built by domain/orders.py `body` and services/webhooks.py `view`)."""
from typing import List, Literal, Optional

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    model_config = ConfigDict(defer_build=True)   # built only when the OpenAPI document is


class Lot(View):
    lot_no: Optional[str] = None
    production_date: Optional[str] = None
    expiry_date: Optional[str] = None


class ShippedLot(Lot):
    quantity: int


class OrderLine(View):
    erp_product_id: str
    name: str
    quantity: int
    unit_price: str
    amount: str
    lot: Optional[Lot] = None
    shipped_quantity: int
    shipped_lots: List[ShippedLot] = []


class Amounts(View):
    goods: str
    freight: str
    discount: str
    total: str


class Refund(View):
    refund_id: str
    kind: Literal["hold", "after_sale"]
    reason: str
    lines: Optional[List[dict]] = None
    status: Literal["pending", "approved", "rejected"]
    requested_at: str
    decided_at: Optional[str] = None


class Order(View):
    order_id: str
    merchant_id: str
    status: Literal["pending_payment", "paid", "partially_shipped", "shipped", "completed", "cancelled"]
    cancel_reason: Optional[Literal["payment_timeout", "refunded"]] = None
    holds: List[Literal["refund_pending"]]
    sync_status: Optional[Literal["pending", "synced"]] = None
    created_at: str
    paid_at: Optional[str] = None
    updated_at: str
    buyer: dict
    erp_customer_code: Optional[str] = None
    remark: Optional[str] = None
    merchant_remark: Optional[str] = None
    carrier_code: Optional[str] = None
    waybill_no: Optional[str] = None
    erp_status: Optional[str] = None
    refunds: List[Refund] = []
    amounts: Amounts
    delivery: dict
    invoice: Optional[dict] = None
    lines: List[OrderLine]


class OrderPage(View):
    items: List[Order]
    next_cursor: Optional[str] = None


class Token(View):
    token: str


class RefundAnswer(Refund):
    order_id: str
    order_status: str
    holds: List[str]


class TrackingEvent(View):
    status: str
    text: str
    at: str


class Tracking(View):
    items: List[TrackingEvent]
    next_cursor: Optional[str] = None


class ErpStatusAnswer(View):
    status: str
    text: str
    at: str
    moved: bool
    order_status: str


class EndpointAnswer(View):
    url: str
    events: List[str]
    signing_secret: str


class Delivery(View):
    event_id: str
    type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    last_status_code: Optional[int] = None
    next_attempt_at: Optional[str] = None
    gave_up: bool
    created_at: str
    last_attempt_at: Optional[str] = None
    last_error: Optional[str] = None


class DeliveryPage(View):
    items: List[Delivery]
    next_cursor: Optional[str] = None
