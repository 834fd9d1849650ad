"""What the ERP writes back: logistics (whole order shipped), shipments (partial, with lots),
ERP statuses as tracking events, and the tracking a buyer sees.

Every shipment is one transaction: the order (lines' shipped quantities, status — requiring no
hold, a shippable status and the version read), the stock it consumes, and the `order.shipped`
outbox item when the order becomes shipped. `ship_order` is the same step for the desk's direct
ship and inspections, with the desk's own extra guard.
"""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import Conflict, UnprocessableRequest
from chalicelib.domain.ids import sortable_id
from chalicelib.services.orders import commit, load, locate, merchant_view
from chalicelib.store.orders import OrderChanged, OrderStore
from chalicelib.store.platform import PlatformStore

RETRIES = 4


def _known_carrier(carrier_code: str) -> str:
    code = carrier_code.strip().upper()
    if code not in PlatformStore().carriers():
        raise UnprocessableRequest("unknown_carrier", f"{carrier_code} is not on the platform's carrier list")
    return code


def ship_order(merchant_id: str, order_id: str, carrier_code: Optional[str], waybill_no: Optional[str],
               guard: Optional[str] = None, guard_values: Optional[dict] = None,
               extra: Optional[dict] = None, loaded: Optional[dict] = None) -> dict:
    """Ship every remaining unit of a paid, unheld order in one step (logistics, stock, webhook).

    `guard` / `guard_values` / `extra` let the desk add its own condition and fields (store/expr
    `#name` / `:name` convention). Raises the order's state errors, `insufficient_stock`, or
    OrderChanged when the desk's guard does not hold. `loaded` is the order as the caller just
    read it (saves reading it again; a stale one only costs a retry).
    """
    store = OrderStore(merchant_id)
    for _ in range(RETRIES):
        order, loaded = loaded or load(store, order_id), None
        rules.ensure_shippable(order)
        if order["status"] not in rules.SHIPPABLE:
            raise Conflict("The order is already shipped", code="already_shipped")
        now_iso = clock.now_iso()
        update, consume = store.ship_ops(order, carrier_code, waybill_no, now_iso, guard, guard_values, extra)
        lines, _ = rules.ship_remaining(order["lines"])
        after = dict(order, status=rules.SHIPPED, lines=lines, carrier_code=carrier_code,
                     waybill_no=waybill_no, updated_at=now_iso, shipped_at=now_iso, stage="shipped",
                     **(extra or {}))
        try:
            commit(store, [update], consume, ["order.shipped"], after)
            return after
        except OrderChanged:
            if guard:
                fresh = load(store, order_id)
                if fresh.get("version") == order.get("version"):
                    raise  # the caller's own guard failed
            continue
    raise Conflict("The order keeps changing; retry", code="conflict")


def logistics(merchant_id: str, order_id: str, carrier_code: str, waybill_no: str) -> dict:
    carrier = _known_carrier(carrier_code)
    store = OrderStore(merchant_id)
    order = load(store, order_id)
    if order["status"] in (rules.SHIPPED, rules.COMPLETED):
        now_iso = clock.now_iso()
        try:
            store.write([store.correct_logistics_op(order, carrier, waybill_no, now_iso)])
        except OrderChanged:
            raise Conflict("The order changed; retry", code="conflict")
        return merchant_view(merchant_id, dict(order, carrier_code=carrier, waybill_no=waybill_no,
                                               updated_at=now_iso))
    return merchant_view(merchant_id, ship_order(merchant_id, order_id, carrier, waybill_no))


def shipments(merchant_id: str, order_id: str, lines: list) -> dict:
    store = OrderStore(merchant_id)
    for _ in range(RETRIES):
        order = load(store, order_id)
        rules.ensure_shippable(order)
        if order["status"] not in rules.SHIPPABLE:
            raise rules.over_shipment("The order is already shipped in full")
        now_iso = clock.now_iso()
        shipment = {"shipment_id": sortable_id("sh_"), "lines": lines}
        ops, consume, status = store.shipment_ops(order, shipment, now_iso)
        new_lines, _, _ = rules.apply_shipment(order["lines"], lines)
        after = dict(order, lines=new_lines, status=status, updated_at=now_iso)
        if status == rules.SHIPPED:
            after.update(shipped_at=now_iso, stage="shipped")
        try:
            commit(store, ops[:1], consume, ["order.shipped"] if status == rules.SHIPPED else [], after,
                   more_ops=ops[1:])
            return merchant_view(merchant_id, after)
        except OrderChanged:
            continue
    raise Conflict("The order keeps changing; retry", code="conflict")


def erp_status(merchant_id: str, order_id: str, status: str, at: str) -> dict:
    store = OrderStore(merchant_id)
    event = {"event_id": sortable_id("tr_"), "status": status, "text": rules.TRACKING_TEXTS[status],
             "at": at, "recorded_at": clock.now_iso()}
    for _ in range(RETRIES):
        order = load(store, order_id)
        moves, new_status = rules.erp_status_effect(order, status)
        ops = [store.erp_status_op(order, status, new_status, event["recorded_at"])] if moves else []
        try:
            if ops:
                store.write(ops, (), [store.tracking_op(order_id, event)])
            else:
                store.write([store.tracking_op(order_id, event)])
        except OrderChanged:
            continue
        return {"status": status, "text": event["text"], "at": at, "moved": moves,
                "order_status": new_status or order["status"]}
    raise Conflict("The order keeps changing; retry", code="conflict")


def tracking(order_id: str, merchant_id: Optional[str] = None, channel=None) -> dict:
    """Tracking events, oldest first (by `at`); a channel sees only the orders it placed."""
    if channel is not None:
        merchant_id = locate(channel[0], channel[1], order_id)
    store = OrderStore(merchant_id)
    load(store, order_id)
    events = store.tracking(order_id)
    return {"items": [{"status": e["status"], "text": e["text"], "at": e["at"]} for e in events],
            "next_cursor": None}

