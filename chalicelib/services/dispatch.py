"""Parcels leaving the desk: direct ship and outbound inspection.

Shipping is the orders feature's one step (services/shipping.py: ship_order): the order's
status, lines and logistics, the stock it consumes and the `order.shipped` webhook event in one
transaction that requires no hold and a shippable status. The desk adds its own condition to
that same write: a direct ship needs the label printed exactly once (or an inspection passed),
an inspection needs the printed waybill to still be the order's.
"""
from typing import List

from chalicelib.domain import clock
from chalicelib.domain import desk as rules
from chalicelib.domain.desk import Refusal
from chalicelib.domain.errors import Conflict, DomainError, NotFound, UnprocessableRequest
from chalicelib.domain.labels import expected_units
from chalicelib.services import batch
from chalicelib.services.desk import each_desk_order, explain, refused, view
from chalicelib.store.desk import DeskStore, desk_order

DIRECT = ("#stage = :g_inspected OR (#stage = :g_printed AND #desk_print_count = :g_one)",
          {"g_inspected": "inspected", "g_printed": "printed", "g_one": 1})
THEIR_CODES = {"order_cancelled": "cancelled", "order_not_paid": "not_paid"}


def ship_orders(merchant_id: str, operator: str, order_ids: List[str]) -> dict:
    store = DeskStore(merchant_id)

    def ship(order_id: str, item: dict) -> dict:
        rules.check_direct_ship(desk_order(item))
        shipped = _ship(store, item, operator, DIRECT, rules.check_direct_ship)
        return batch.ok(order_id, stage=shipped["stage"], carrier_code=shipped["carrier_code"],
                        waybill_no=shipped["waybill_no"])

    return each_desk_order(store, order_ids, ship, skip_codes=("already_shipped",))


def inspect(merchant_id: str, operator: str, waybill_no: str, scanned: List[str]) -> dict:
    """Compares the scanned units with the label's lines; a match ships the order."""
    store = DeskStore(merchant_id)
    order_id = store.waybill_owner(waybill_no)
    if order_id is None:
        raise NotFound(f"no order has waybill {waybill_no}")
    item = store.existing(order_id)
    try:
        rules.check_inspection(desk_order(item))
    except Refusal as refusal:
        raise refused(refusal)
    comparison = rules.compare_scans(expected_units(item["desk_label"]["lines"]), scanned)
    if not comparison.matches:
        raise UnprocessableRequest("inspection_mismatch", "The scanned goods differ from the order's lines",
                                   order_id=order_id, missing=comparison.missing, extra=comparison.extra)
    guard = ("#stage IN (:g_printed, :g_inspected) AND #desk_waybill = :g_waybill",
             {"g_printed": "printed", "g_inspected": "inspected", "g_waybill": waybill_no})
    try:
        _ship(store, item, operator, guard, rules.check_inspection, inspected=True)
    except Refusal as refusal:
        if refusal.code == "insufficient_stock":
            store.mark_inspected(item)  # the parcel is right; it may ship directly once stock is there
        raise refused(refusal)
    return view(store.existing(order_id))


def _ship(store: DeskStore, item: dict, operator: str, guard: tuple, check, inspected: bool = False) -> dict:
    from chalicelib.services.shipping import ship_order
    from chalicelib.store.orders import OrderChanged

    now = clock.now_iso()
    extra = {"desk_shipped_at": now, "desk_shipped_by": operator}
    if inspected:
        extra["desk_inspected_at"] = now
    try:
        return ship_order(store.merchant_id, item["order_id"], item["desk_carrier"], item["desk_waybill"],
                          guard=guard[0], guard_values=guard[1], extra=extra, loaded=item)
    except OrderChanged:
        raise explain(store.order(item["order_id"]), check)
    except NotFound:
        raise Refusal("not_found", f"no order {item['order_id']}")
    except (Conflict, DomainError) as error:
        raise Refusal(THEIR_CODES.get(error.code, error.code), error.detail)
