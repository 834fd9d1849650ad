"""Desk use cases around the review screen: the order views and filters, remarks, reviews
(manual and automatic), carriers and carrier rules, refund checks."""
from typing import Callable, List, Optional

from chalicelib.domain import clock
from chalicelib.domain import desk as rules
from chalicelib.domain import orders as order_rules
from chalicelib.domain.desk import DeskFilter, Refusal
from chalicelib.domain.errors import Conflict, NotFound, UnprocessableRequest
from chalicelib.services import batch, paging
from chalicelib.store.desk import DeskStore, StageConflict, desk_order
from chalicelib.store.desk_settings import DeskSettingsStore
from chalicelib.store.platform import PlatformStore

MAX_SCAN = 2000  # index items read for one page of a filtered list before answering with a cursor


# views ----------------------------------------------------------------------------------
def view(item: dict) -> dict:
    """The order as the desk shows it: the order's own body (contract section 7) plus its stage,
    carrier, waybill and print log."""
    out = order_rules.body(item)
    out.update({
        "stage": item.get("stage"),
        "carrier_code": item.get("desk_carrier") or item.get("carrier_code"),
        "waybill_no": item.get("desk_waybill") or item.get("waybill_no"),
        "print_count": int(item.get("desk_print_count") or 0),
        "prints": [print_entry(p) for p in item.get("desk_prints") or []],
        "exchange_of": item.get("exchange_of"),
        "reviewed_at": item.get("desk_reviewed_at"),
        "reviewed_by": item.get("desk_reviewed_by"),
        "inspected_at": item.get("desk_inspected_at"),
        "shipped_at": item.get("shipped_at"),
        "shipped_by": item.get("desk_shipped_by"),
    })
    return out


def print_entry(entry: dict) -> dict:
    return {k: entry.get(k) for k in ("operator", "at", "reason", "authorized_by", "batch_id")}


def get_order(merchant_id: str, order_id: str) -> dict:
    item = DeskStore(merchant_id).order(order_id)
    if item is None or not item.get("stage"):
        raise NotFound(f"no order {order_id} at the desk")
    return view(item)


def list_orders(merchant_id: str, wanted: DeskFilter, limit: int, cursor: Optional[str]) -> dict:
    items, next_cursor = find(DeskStore(merchant_id), wanted, limit, cursor)
    return {"items": [view(i) for i in items], "next_cursor": next_cursor}


def find(store: DeskStore, wanted: DeskFilter, limit: int, cursor: Optional[str]) -> tuple:
    """Up to `limit` desk orders matching `wanted`, oldest payment first within a stage, and the
    cursor after the last one. The stage and paid window narrow the index reads; the other
    filters are applied to the orders read."""
    query_id = "desk:" + repr(wanted)
    after = paging.position(cursor, query_id)
    paid_range = (clock.iso(wanted.paid_after) if wanted.paid_after is not None else "",
                  clock.iso(wanted.paid_before) if wanted.paid_before is not None else "~")
    found: list = []
    scanned = 0
    while True:
        page, boundary = store.page(wanted.stage, paid_range, after, min(200, max(limit * 2, 50)))
        for index, item in enumerate(page):
            scanned += 1
            if item.get("status") == "cancelled" or not wanted.matches(desk_order(item)):
                continue
            found.append(item)
            if len(found) == limit:
                more = index < len(page) - 1 or boundary is not None
                return found, _cursor(item["gsi4sk"], query_id) if more else None
        if boundary is None or scanned >= MAX_SCAN:
            return found, _cursor(boundary, query_id)
        after = boundary


def _cursor(after: Optional[str], query_id: str) -> Optional[str]:
    return paging.encode({"after": after}, query_id) if after else None


# remark ---------------------------------------------------------------------------------
def set_remark(merchant_id: str, order_id: str, remark: Optional[str]) -> dict:
    store = DeskStore(merchant_id)
    store.set_remark(order_id, remark)
    return view(store.existing(order_id))


# reviews --------------------------------------------------------------------------------
def review_orders(merchant_id: str, operator: str, order_ids: List[str]) -> dict:
    store = DeskStore(merchant_id)
    items = store.orders(order_ids)
    carrier_rules = DeskSettingsStore(merchant_id).carrier_rules()
    results = []
    for order_id in order_ids:
        item = items.get(order_id)
        if item is None:
            results.append(batch.error(order_id, "not_found", f"no order {order_id}"))
            continue
        try:
            rules.check_review(desk_order(item))
            results.append(_review(store, item, operator, carrier_rules))
        except Refusal as refusal:
            kind = batch.skipped if refusal.code == "already_reviewed" else batch.error
            results.append(kind(order_id, refusal.code, refusal.detail))
    return batch.answer(results)


def auto_review(merchant_id: str, operator: str, wanted: DeskFilter, limit: int, cursor: Optional[str]) -> dict:
    """Reviews the to_review orders matching `wanted` that have enough stock, no remark and no
    refund hold; the others stay and are answered `skipped` with the reason."""
    store = DeskStore(merchant_id)
    candidates, next_cursor = find(store, wanted, limit, cursor)
    product_ids = {l["erp_product_id"] for item in candidates for l in item.get("lines") or []}
    stock = store.stock(product_ids) if product_ids else {}
    oversold = {p for p in product_ids if _oversold(stock.get(p))}
    carrier_rules = DeskSettingsStore(merchant_id).carrier_rules()
    results = []
    for item in candidates:
        refusal = rules.auto_review_refusal(desk_order(item), oversold)
        if refusal is not None:
            results.append(batch.skipped(item["order_id"], refusal.code, refusal.detail))
            continue
        try:
            results.append(_review(store, item, operator, carrier_rules))
        except Refusal as refusal:
            results.append(batch.skipped(item["order_id"], refusal.code, refusal.detail))
    return dict(batch.answer(results), next_cursor=next_cursor)


def _oversold(stock: Optional[dict]) -> bool:
    if stock is None:
        return True
    return int(stock.get("reserved") or 0) > int(stock.get("on_hand") or 0)


def _review(store: DeskStore, item: dict, operator: str, carrier_rules: list) -> dict:
    """Reviews one order; one that arrived without a carrier (no rule for its province then)
    takes the rule in force now, one that has a carrier keeps it."""
    order = desk_order(item)
    carrier = order.carrier_code or rules.carrier_for(order.province, carrier_rules)
    updated = attempt(lambda: store.review(item, operator, carrier), rules.check_review)
    return batch.ok(item["order_id"], stage=updated["stage"], carrier_code=updated.get("desk_carrier"))


def attempt(write: Callable[[], dict], check: Callable) -> dict:
    """Runs a conditional desk write; when its condition fails, says why from the order as it
    was (as a Refusal)."""
    try:
        return write()
    except StageConflict as conflict:
        raise explain(conflict.old, check)


def explain(old: Optional[dict], check: Callable) -> Refusal:
    if old is None:
        return Refusal("not_found", "no such order")
    try:
        check(desk_order(old))
    except Refusal as refusal:
        return refusal
    return Refusal("order_changed", "the order changed meanwhile; try again")


def refused(refusal: Refusal) -> Conflict:
    """A refusal as the error of a single-order endpoint (409 with the refusal's code)."""
    if refusal.code == "not_found":
        return NotFound(refusal.detail)
    return Conflict(refusal.detail, code=refusal.code)


# carriers -------------------------------------------------------------------------------
def known_carrier(carrier_code: str) -> str:
    """The carrier code as the platform spells it (upper case), or 422 `unknown_carrier`."""
    code = carrier_code.strip().upper()
    if code not in PlatformStore().carriers():
        raise UnprocessableRequest("unknown_carrier", f"{carrier_code} is not on the platform's carrier list")
    return code


def change_carrier(merchant_id: str, order_ids: List[str], carrier_code: str) -> dict:
    carrier_code = known_carrier(carrier_code)
    store = DeskStore(merchant_id)

    def change(order_id: str, item: dict) -> dict:
        rules.check_carrier_change(desk_order(item))
        attempt(lambda: store.set_carrier(order_id, carrier_code), rules.check_carrier_change)
        return batch.ok(order_id, carrier_code=carrier_code)

    return each_desk_order(store, order_ids, change)


def each_desk_order(store: DeskStore, order_ids: List[str], act: Callable[[str, dict], dict],
                    skip_codes: tuple = ()) -> dict:
    """A batch answer: `act(order_id, item)` for each order at the desk (one batch read), unknown
    orders `not_found`, a Refusal as the item's error (or `skipped` for `skip_codes`)."""
    items = store.orders(order_ids)
    results = []
    for order_id in order_ids:
        item = items.get(order_id)
        if item is None or not item.get("stage"):
            results.append(batch.error(order_id, "not_found", f"no order {order_id} at the desk"))
            continue
        try:
            results.append(act(order_id, item))
        except Refusal as refusal:
            kind = batch.skipped if refusal.code in skip_codes else batch.error
            results.append(kind(order_id, refusal.code, refusal.detail))
    return batch.answer(results)


def arrival_carrier(merchant_id: str, delivery: Optional[dict]) -> Optional[str]:
    """The carrier a paid order takes as it arrives at the desk (payment, exchange orders): its
    province's rule as the rules are now, None when no rule names the province. The order keeps
    it when the rules change later; a batch change overrides it."""
    province = (delivery or {}).get("province") or ""
    return rules.carrier_for(province, DeskSettingsStore(merchant_id).carrier_rules())


def arrival_carrier_checked(merchant_id: str, delivery: Optional[dict], use_cache: bool = True) -> tuple:
    """`arrival_carrier` and the ConditionChecks that the rules it used are still the stored
    ones, for the caller's transaction (a warm process then reads no rules: store/checked.py)."""
    province = (delivery or {}).get("province") or ""
    carrier_rules, checks = DeskSettingsStore(merchant_id).carrier_rules_checked(use_cache)
    return rules.carrier_for(province, carrier_rules), checks


def put_carrier_rules(merchant_id: str, carrier_rules: List[dict]) -> dict:
    carrier_rules = [dict(rule, carrier_code=known_carrier(rule["carrier_code"])) for rule in carrier_rules]
    DeskSettingsStore(merchant_id).put_carrier_rules(carrier_rules)
    return {"rules": carrier_rules}


def get_carrier_rules(merchant_id: str) -> dict:
    return {"rules": DeskSettingsStore(merchant_id).carrier_rules()}


# refund checks --------------------------------------------------------------------------
def refund_checks(merchant_id: str, order_ids: List[str]) -> dict:
    items = DeskStore(merchant_id).orders(order_ids)
    results = []
    for order_id in order_ids:
        item = items.get(order_id)
        if item is None:
            results.append(batch.error(order_id, "not_found", f"no order {order_id}"))
            continue
        holds = sorted(item.get("holds") or [])
        results.append(batch.ok(order_id, refund_pending=rules.REFUND_PENDING in holds, holds=holds,
                                order_status=item.get("status"), stage=item.get("stage")))
    return batch.answer(results)
