"""Response shapes of the order and webhook endpoints, for the OpenAPI document only (handlers
return plain dicts built by domain/orders.py `body` and services/webhooks.py `view`)."""
from typing import List, Literal, Optional

from pydantic import Field

from chalicelib.api.models import BatchResult, View, results_of


class Lot(View):
    """The lot shown to the buyer."""
    lot_no: Optional[str]
    production_date: Optional[str]
    expiry_date: Optional[str]


class ShippedLot(View):
    lot_no: Optional[str]
    quantity: int
    production_date: Optional[str]
    expiry_date: Optional[str]


class OrderLine(View):
    erp_product_id: str
    name: str
    quantity: int
    unit_price: str
    amount: str
    lot: Optional[Lot]
    shipped_quantity: int
    shipped_lots: List[ShippedLot]


class Buyer(View):
    platform_customer_id: str
    name: str


class Address(View):
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str


class Invoice(View):
    kind: Literal["normal", "special"]
    title: str
    tax_id: Optional[str]
    email: Optional[str]
    address: Optional[str]
    phone: Optional[str]
    bank: Optional[str]
    bank_account: Optional[str]


class RefundLine(View):
    erp_product_id: str
    quantity: int


class Amounts(View):
    goods: str
    freight: str
    discount: str
    total: str


class RefundRequested(View):
    refund_id: str
    kind: Literal["hold", "after_sale"]
    reason: str
    lines: Optional[List[RefundLine]] = Field(description="null: the whole order")
    status: Literal["pending", "approved", "rejected"]
    requested_at: str


class Refund(RefundRequested):
    decided_at: Optional[str]


class Order(View):
    order_id: str
    merchant_id: str
    status: Literal["pending_payment", "paid", "partially_shipped", "shipped", "completed", "cancelled"]
    cancel_reason: Optional[Literal["payment_timeout", "refunded"]]
    holds: List[Literal["refund_pending"]]
    sync_status: Optional[Literal["pending", "synced"]]
    created_at: str
    paid_at: Optional[str]
    updated_at: str
    buyer: Buyer
    erp_customer_code: Optional[str] = Field(description="The merchant's code for the buyer (null for channels, or when none)")
    remark: Optional[str]
    merchant_remark: Optional[str]
    carrier_code: Optional[str]
    waybill_no: Optional[str]
    erp_status: Optional[str]
    refunds: List[Refund]
    amounts: Amounts
    delivery: Address
    invoice: Optional[Invoice]
    lines: List[OrderLine]


class OrderPage(View):
    items: List[Order]
    next_cursor: Optional[str]


class Token(View):
    token: str


class RefundAnswer(RefundRequested):
    order_id: str
    order_status: str
    holds: List[str]


class TrackingEvent(View):
    status: str
    text: str
    at: str


class Tracking(View):
    items: List[TrackingEvent]
    next_cursor: Optional[str]


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


class EndpointView(View):
    url: str
    events: List[str]
    updated_at: Optional[str]


class Delivery(View):
    event_id: str
    type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    last_status_code: Optional[int]
    next_attempt_at: Optional[str]
    gave_up: bool
    created_at: str
    last_attempt_at: Optional[str]
    last_error: Optional[str]


class DeliveryPage(View):
    items: List[Delivery]
    next_cursor: Optional[str]


class AckResult(BatchResult):
    sync_status: Optional[Literal["synced"]] = Field(None, description="There unless the order is unknown")


AckResults = results_of(AckResult, "AckResults")
