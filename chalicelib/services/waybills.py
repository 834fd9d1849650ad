"""Waybill ranges and reservations: one number per order, never one number for two orders.

A reservation takes the orders of one carrier in chunks; each chunk is one transaction that
moves the range counters from the values read, gives each order its number and writes each
number's guard item. If anything in it no longer holds, none of it happens: the counters do not
move, so no number is lost, and the chunk is tried again without the orders that can no longer
be reserved. Reserving needs a carrier and a range, nothing else: the label is drawn when it is
printed (services/labels.py).
"""
from typing import Dict, List

from chalicelib.domain import desk as rules
from chalicelib.domain import secrets
from chalicelib.domain import waybills as numbers
from chalicelib.domain.desk import Refusal
from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.services import batch
from chalicelib.services.desk import explain, known_carrier
from chalicelib.store.desk import DeskStore, desk_order
from chalicelib.store.table import TransactionCanceled
from chalicelib.store.waybills import RangesChanged, WaybillStore, counter_op

CHUNK = 45      # orders per transaction: 2 operations each, plus the counters
ATTEMPTS = 12


# ranges ---------------------------------------------------------------------------------
def range_body(item: dict) -> dict:
    r = numbers.NumberRange(item["prefix"], item["first"], item["last"])
    return {"range_id": item["range_id"], "carrier_code": item["carrier_code"], "prefix": item["prefix"],
            "first": item["first"], "last": item["last"], "first_number": r.number(r.first),
            "last_number": r.number(r.last), "next": item["next_no"],
            "remaining": max(0, item["last"] - item["next_no"] + 1), "created_at": item["created_at"]}


def add_range(merchant_id: str, carrier_code: str, prefix: str, first: int, last: int) -> dict:
    carrier_code = known_carrier(carrier_code)
    new = numbers.NumberRange(prefix, first, last)
    problem = numbers.problems(new)
    if problem:
        raise ValidationFailed(problem, [{"field": "last", "message": problem}])
    store = WaybillStore(merchant_id)
    for _ in range(ATTEMPTS):
        version, existing = store.ranges()
        for item in existing:
            if numbers.overlaps(new, numbers.NumberRange(item["prefix"], item["first"], item["last"])):
                raise Conflict(f"numbers {new.number(first)}..{new.number(last)} overlap range {item['range_id']}",
                               code="waybill_range_overlap", overlaps_with=item["range_id"])
        try:
            return range_body(store.add_range(secrets.new_id("wr_"), carrier_code, prefix, first, last, version))
        except RangesChanged:
            continue
    raise RangesChanged()


def list_ranges(merchant_id: str) -> dict:
    _, found = WaybillStore(merchant_id).ranges()
    return {"items": [range_body(i) for i in found], "next_cursor": None}


# reservations ---------------------------------------------------------------------------
def reserve(merchant_id: str, order_ids: List[str]) -> dict:
    store = DeskStore(merchant_id)
    items = store.orders(order_ids)
    results: Dict[str, dict] = {}
    by_carrier: Dict[str, list] = {}
    for order_id in order_ids:
        item = items.get(order_id)
        if item is None or not item.get("stage"):
            results[order_id] = batch.error(order_id, "not_found", f"no order {order_id} at the desk")
            continue
        try:
            rules.check_reservation(desk_order(item))
        except Refusal as refusal:
            results[order_id] = batch.error(order_id, refusal.code, refusal.detail)
            continue
        if item.get("desk_waybill"):
            results[order_id] = batch.ok(order_id, waybill_no=item["desk_waybill"], carrier_code=item["desk_carrier"])
        else:
            by_carrier.setdefault(item["desk_carrier"], []).append(item)
    for carrier_code, group in by_carrier.items():
        results.update(_reserve_carrier(store, WaybillStore(merchant_id), carrier_code, group))
    return batch.answer([results[o] for o in order_ids])


def _reserve_carrier(store: DeskStore, waybills: WaybillStore, carrier_code: str,
                     group: list) -> Dict[str, dict]:
    results: Dict[str, dict] = {}
    pending = list(group)
    taken: set = set()
    attempts = 0
    while pending and attempts < ATTEMPTS:
        attempts += 1
        chunk = pending[:CHUNK]
        _, ranges = waybills.ranges(carrier_code)
        plan = numbers.allocate([(numbers.NumberRange(r["prefix"], r["first"], r["last"]), r["next_no"])
                                 for r in ranges], len(chunk), frozenset(taken))
        given = [n for a in plan for n in a.numbers]
        for item in chunk[len(given):]:
            results[item["order_id"]] = batch.error(item["order_id"], "no_waybill_numbers",
                                                    f"the {carrier_code} waybill ranges are used up")
        pending = [i for i in pending if i["order_id"] not in results]
        chunk = chunk[:len(given)]
        if not chunk:
            continue
        counters = [counter_op(ranges[a.index], a.seen, a.new_next) for a in plan]
        assignments = list(zip(chunk, given))
        try:
            store.reserve(assignments, counters)
        except TransactionCanceled as cancelled:
            _sort_out(store, cancelled, len(counters), assignments, results, taken)
            pending = [i for i in pending if i["order_id"] not in results]
            continue
        for item, no in assignments:
            results[item["order_id"]] = batch.ok(item["order_id"], waybill_no=no, carrier_code=carrier_code)
        pending = pending[len(chunk):]
    for item in pending:
        results[item["order_id"]] = batch.error(item["order_id"], "order_changed",
                                                "too many concurrent changes; try again")
    return results


def _sort_out(store: DeskStore, cancelled: TransactionCanceled, counter_ops: int, assignments: list,
              results: dict, taken: set) -> None:
    """After a cancelled reservation: orders that can no longer be reserved get their answer,
    numbers found already used are remembered; moved counters are simply read again."""
    for index in cancelled.failed_indexes():
        if index < counter_ops:
            continue
        item, no = assignments[(index - counter_ops) // 2]
        if (index - counter_ops) % 2 == 1:
            taken.add(no)
            continue
        old = cancelled.olds[index] if index < len(cancelled.olds) else None
        old = old or store.order(item["order_id"])
        if old is not None and old.get("desk_waybill"):
            results[item["order_id"]] = batch.ok(item["order_id"], waybill_no=old["desk_waybill"],
                                                 carrier_code=old.get("desk_carrier"))
            continue
        refusal = explain(old, _still_reservable(item))
        if refusal.code != "order_changed":
            results[item["order_id"]] = batch.error(item["order_id"], refusal.code, refusal.detail)


def _still_reservable(item: dict):
    def check(order):
        rules.check_reservation(order)
        if order.carrier_code != item.get("desk_carrier"):
            raise Refusal("carrier_changed", "the order's carrier changed meanwhile; try again")
    return check
