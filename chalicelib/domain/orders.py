"""Order rules as plain Python: lines and amounts, statuses, shipments, ERP statuses, refunds,
and the order's public body. No AWS here; the store applies these decisions with conditions.

Statuses: pending_payment → paid → partially_shipped → shipped → completed, or cancelled
(`payment_timeout` before payment, `refunded` when a refund is approved before shipping).
Holds are separate from the status (`refund_pending`): a held order is neither printed nor shipped.
"""
from decimal import Decimal
from typing import Dict, Iterable, List, Optional, Tuple

from chalicelib.domain.errors import Conflict, UnprocessableRequest

PENDING_PAYMENT, PAID, PARTIALLY_SHIPPED, SHIPPED, COMPLETED, CANCELLED = (
    "pending_payment", "paid", "partially_shipped", "shipped", "completed", "cancelled")
STATUSES = (PENDING_PAYMENT, PAID, PARTIALLY_SHIPPED, SHIPPED, COMPLETED, CANCELLED)
SHIPPABLE = (PAID, PARTIALLY_SHIPPED)
AFTER_SHIPPING = (PARTIALLY_SHIPPED, SHIPPED, COMPLETED)
REFUND_PENDING = "refund_pending"
PAYMENT_TIMEOUT, REFUNDED = "payment_timeout", "refunded"
PAYMENT_TIMEOUT_SECONDS = 30 * 60
MAX_LINES = 50

ERP_STATUSES = ("submitted", "picking", "outbound", "delivering", "signed")
TRACKING_TEXTS = {
    "submitted": "订单已提交,等待商家处理",
    "picking": "订单已处理,商家拣货中",
    "outbound": "商品已出库,等待快递揽收",
    "delivering": "快递正在派送中,请保持电话畅通",
    "signed": "您的订单已签收,感谢您的购买",
}

CENT = Decimal("0.01")


# errors ---------------------------------------------------------------------------------------
class InsufficientStock(Conflict):
    code = "insufficient_stock"
    title = "Not enough stock"


class OrderStateConflict(Conflict):
    """The order is not in a state that allows this (code names the state)."""


def not_paid() -> OrderStateConflict:
    return OrderStateConflict("The order is not paid", code="order_not_paid")


def cancelled() -> OrderStateConflict:
    return OrderStateConflict("The order is cancelled", code="order_cancelled")


def held() -> OrderStateConflict:
    return OrderStateConflict("The order has a refund hold", code=REFUND_PENDING)


def over_shipment(detail: str) -> UnprocessableRequest:
    return UnprocessableRequest("over_shipment", detail)


# money and lines ------------------------------------------------------------------------------
def money(value) -> str:
    return str(Decimal(value).quantize(CENT))


def combine(lines: Iterable[Tuple[str, int]]) -> Dict[str, int]:
    """Quantities per product, in order of first appearance (the same SKU twice is one line)."""
    out: Dict[str, int] = {}
    for erp_product_id, quantity in lines:
        out[erp_product_id] = out.get(erp_product_id, 0) + int(quantity)
    return out


def priced_lines(quantities: Dict[str, int], prices: dict, lots: dict) -> List[dict]:
    """Order lines from quantities and `prices` {erp_id: (price, source, product)}."""
    lines = []
    for erp_product_id, quantity in quantities.items():
        price, source, product = prices[erp_product_id]
        lines.append({"erp_product_id": erp_product_id, "name": product.get("name") or erp_product_id,
                      "quantity": quantity, "unit_price": money(price), "price_source": source,
                      "amount": money(Decimal(price) * quantity), "lot": lots.get(erp_product_id),
                      "shipped_quantity": 0, "shipped_lots": []})
    return lines


def amounts(lines: List[dict], freight: str = "0.00", discount: str = "0.00") -> dict:
    goods = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    total = goods + Decimal(freight) - Decimal(discount)
    return {"goods": money(goods), "freight": money(freight), "discount": money(discount),
            "total": money(max(total, Decimal(0)))}


def shown_lot(lots: Optional[list]) -> Optional[dict]:
    """The lot a buyer is shown: first to expire among those with stock (what ships first)."""
    live = [lot for lot in lots or [] if int(lot.get("quantity", 0)) > 0]
    if not live:
        return None
    lot = min(live, key=lambda x: (x.get("expiry_date") or "9999", x.get("lot_no") or ""))
    return {k: lot.get(k) for k in ("lot_no", "production_date", "expiry_date")}


# shipping -------------------------------------------------------------------------------------
def ensure_shippable(order: dict) -> None:
    status = order["status"]
    if status == CANCELLED:
        raise cancelled()
    if status == PENDING_PAYMENT:
        raise not_paid()
    if order.get("holds"):
        raise held()


def ship_remaining(lines: List[dict]) -> Tuple[List[dict], Dict[str, int]]:
    """Every line fully shipped: (new lines, quantities still to consume per product)."""
    new, consume = [], {}
    for line in lines:
        rest = line["quantity"] - line.get("shipped_quantity", 0)
        if rest > 0:
            consume[line["erp_product_id"]] = rest
        new.append(dict(line, shipped_quantity=line["quantity"]))
    return new, consume


def apply_shipment(lines: List[dict], shipped: List[dict]) -> Tuple[List[dict], Dict[str, int], str]:
    """Add a shipment's lines (each `erp_product_id`, `quantity`, lot fields) to the order lines.

    Returns (new lines, quantities to consume per product, new status); shipping more than
    ordered, or a product not in the order, is `over_shipment` and changes nothing.
    """
    by_id = {line["erp_product_id"]: dict(line, shipped_lots=list(line.get("shipped_lots") or []))
             for line in lines}
    consume: Dict[str, int] = {}
    for item in shipped:
        line = by_id.get(item["erp_product_id"])
        if line is None:
            raise over_shipment(f"{item['erp_product_id']} is not in this order")
        line["shipped_quantity"] = line.get("shipped_quantity", 0) + item["quantity"]
        if line["shipped_quantity"] > line["quantity"]:
            raise over_shipment(f"{item['erp_product_id']}: ordered {line['quantity']}, "
                                f"shipped {line['shipped_quantity']}")
        consume[item["erp_product_id"]] = consume.get(item["erp_product_id"], 0) + item["quantity"]
        if item.get("lot_no") or item.get("production_date") or item.get("expiry_date"):
            line["shipped_lots"].append({"lot_no": item.get("lot_no"), "quantity": item["quantity"],
                                         "production_date": item.get("production_date"),
                                         "expiry_date": item.get("expiry_date")})
    new = [by_id[line["erp_product_id"]] for line in lines]
    complete = all(line["shipped_quantity"] >= line["quantity"] for line in new)
    return new, consume, SHIPPED if complete else PARTIALLY_SHIPPED


# ERP statuses and tracking --------------------------------------------------------------------
def erp_rank(status: Optional[str]) -> int:
    return ERP_STATUSES.index(status) if status in ERP_STATUSES else -1


def erp_status_effect(order: dict, new_status: str) -> Tuple[bool, Optional[str]]:
    """(does it move the order's latest ERP status, the order status after it or None)."""
    status = order["status"]
    if status == CANCELLED:
        raise cancelled()
    if status == PENDING_PAYMENT:
        raise not_paid()
    if erp_rank(new_status) <= erp_rank(order.get("erp_status")):
        return False, None
    if new_status == "signed":
        if status in (PAID, PARTIALLY_SHIPPED):
            raise OrderStateConflict("A signed order must be shipped first", code="order_not_shipped")
        return True, COMPLETED if status == SHIPPED else None
    return True, None


# refunds --------------------------------------------------------------------------------------
def refund_kind(order: dict) -> str:
    """`hold` before shipping, `after_sale` once anything shipped."""
    status = order["status"]
    if status == CANCELLED:
        raise cancelled()
    if status == PENDING_PAYMENT:
        raise not_paid()
    if order.get("open_refund_id"):
        raise OrderStateConflict("A refund request is already open", code="refund_already_requested")
    return "hold" if status == PAID else "after_sale"


def open_refund(order: dict) -> Tuple[int, dict]:
    rid = order.get("open_refund_id")
    for index, refund in enumerate(order.get("refunds") or []):
        if refund["refund_id"] == rid:
            return index, refund
    raise OrderStateConflict("No refund request is waiting for a decision", code="no_refund_pending")


# the public body ------------------------------------------------------------------------------
BASIC = ("order_id", "merchant_id", "status", "cancel_reason", "holds", "sync_status", "created_at",
         "paid_at", "updated_at", "buyer", "erp_customer_code", "remark", "merchant_remark")
REFUND = ("refund_id", "kind", "reason", "lines", "status", "requested_at", "decided_at")
LOT = ("lot_no", "production_date", "expiry_date")
SHIPPED_LOT = ("lot_no", "quantity", "production_date", "expiry_date")
LINE = ("erp_product_id", "name", "quantity", "unit_price", "amount", "lot", "shipped_quantity",
        "shipped_lots")


def body(order: dict, erp_customer_code: Optional[str] = None) -> dict:
    """The contract's order body: basic fields, then amounts, delivery, invoice and lines."""
    out = {name: order.get(name) for name in BASIC}
    out["holds"] = sorted(order.get("holds") or [])
    out["erp_customer_code"] = erp_customer_code
    out.update({"carrier_code": order.get("carrier_code"), "waybill_no": order.get("waybill_no"),
                "erp_status": order.get("erp_status"),
                "refunds": [{name: r.get(name) for name in REFUND} for r in order.get("refunds") or []],
                "amounts": order["amounts"], "delivery": order["delivery"],
                "invoice": order.get("invoice"),
                "lines": [_line(line) for line in order["lines"]]})
    return out


def _line(line: dict) -> dict:
    """A line with every field of its shape, whatever the stored item left out."""
    out = {name: line.get(name) for name in LINE}
    if out["lot"] is not None:
        out["lot"] = {name: out["lot"].get(name) for name in LOT}
    out["shipped_lots"] = [{name: lot.get(name) for name in SHIPPED_LOT} for lot in out["shipped_lots"] or []]
    return out
