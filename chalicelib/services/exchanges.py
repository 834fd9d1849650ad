"""Manual exchange orders (换货手工单): the same buyer and address as an earlier order, the goods
the merchant sends in exchange, paid at zero. The new order reserves its stock in the same
transaction that writes it, appears in the ERP feed, and enters the desk in `to_review` with the
carrier its province's rule gives it, like any paid order arriving at the desk."""
from typing import List, Optional

from chalicelib.domain import clock
from chalicelib.domain import orders as order_rules
from chalicelib.domain.errors import Conflict, NotFound, UnprocessableRequest
from chalicelib.domain.ids import sortable_id
from chalicelib.services.desk import arrival_carrier, view
from chalicelib.store import stock
from chalicelib.store.desk import DeskStore, exchange_ops
from chalicelib.store.stock_buckets import into_pools


def exchange_order(merchant_id: str, operator: str, from_order_id: str, lines: List[dict],
                   remark: Optional[str]) -> dict:
    from chalicelib.services.orders import commit, stock_changed
    from chalicelib.store.orders import OrderChanged, OrderStore

    store = DeskStore(merchant_id)
    source = store.order(from_order_id)
    if source is None:
        raise NotFound(f"no order {from_order_id}")
    if source["status"] == order_rules.PENDING_PAYMENT:
        raise Conflict("The original order is not paid", code="order_not_paid")
    quantities = order_rules.combine((l["erp_product_id"], l["quantity"]) for l in lines)
    products = store.products(quantities)
    unknown = [p for p in quantities if p not in products]
    if unknown:
        raise UnprocessableRequest("unknown_product", f"No product {', '.join(unknown)}", erp_product_ids=unknown)
    prices = {p: ("0.00", "manual", products[p]) for p in quantities}
    order_lines = order_rules.priced_lines(quantities, prices, {})
    now = clock.now()
    now_iso = clock.iso(now)
    order = {"order_id": sortable_id("o_", now), "merchant_id": merchant_id,
             "channel_id": source.get("channel_id"), "status": order_rules.PAID, "created_at": now_iso,
             "paid_at": now_iso, "updated_at": now_iso, "buyer": source["buyer"], "remark": None,
             "merchant_remark": remark, "delivery": source["delivery"], "invoice": None,
             "amounts": order_rules.amounts(order_lines), "lines": order_lines, "refunds": [],
             "exchange_of": from_order_id, "created_by": operator}
    carrier = arrival_carrier(merchant_id, order["delivery"])
    ops = exchange_ops(merchant_id, order, carrier)
    orders = OrderStore(merchant_id)
    into_pools(merchant_id, quantities)      # a bucketed product's units back where this order reserves
    try:
        commit(orders, ops[:1], [stock.reserve_op(merchant_id, p, q) for p, q in quantities.items()],
               ["order.paid"], dict(order, sync_status="pending", stage="to_review", desk_carrier=carrier),
               more_ops=ops[1:])
    except OrderChanged:
        raise Conflict("The order could not be written; retry", code="conflict")
    stock_changed(merchant_id, list(quantities))
    return view(store.existing(order["order_id"]))
