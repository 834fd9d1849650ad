"""Inventory use cases (contract section 5, and the lots of section 4).

A batch asks the sync switches once (one query), then writes each item with its own conditional
update, a few at a time in parallel: every item succeeds or fails on its own, as the batch
contract wants, without a read first (conditions and arithmetic run in DynamoDB). After the
writes, the listing rule is told about every product whose on-hand stock moved.
"""
from typing import Callable

from chalicelib.domain import inventory as rules
from chalicelib.domain.errors import DomainError, NotFound, ValidationFailed
from chalicelib.services import batch, listing
from chalicelib.services.sync import SYNC_OFF, SyncGate
from chalicelib.store import receipts
from chalicelib.store.parallel import each
from chalicelib.store.stock import StockStore

INVENTORY, LOTS = "inventory", "lots"


def source_of(manual: bool) -> str:
    return rules.MANUAL if manual else rules.ERP


def set_many(merchant_id: str, manual: bool, parsed: list) -> list:
    """PUT /v1/inventory: `parsed` from services.batch.parse_items; one result per item, in order."""
    store = StockStore(merchant_id)

    def write(item) -> dict:
        return store.set_on_hand(item.erp_product_id, item.on_hand, source_of(manual), item.compare_on_hand)

    return _batch(merchant_id, manual, parsed, write)


def adjust_many(merchant_id: str, manual: bool, parsed: list) -> list:
    """POST /v1/inventory/adjustments: deltas, each refused alone when it would go below 0."""
    store = StockStore(merchant_id)

    def write(item) -> dict:
        return store.adjust(item.erp_product_id, item.delta, source_of(manual), item.reason)

    return _batch(merchant_id, manual, parsed, write)


def _batch(merchant_id: str, manual: bool, parsed: list, write: Callable) -> list:
    gate = SyncGate.load(merchant_id, manual)
    todo = [(key, item) for key, item, failed in parsed if failed is None and gate.allows(INVENTORY, key)]
    records = dict(zip([key for key, _ in todo], each([lambda k=k, i=i: _own(k, write, i) for k, i in todo])))
    results, moved = [], []
    for key, item, failed in parsed:
        if failed is not None:
            results.append(dict(failed, **_numbers({})))
        elif key not in records:
            results.append(batch.skipped(key, SYNC_OFF, "automatic inventory sync is switched off for this product",
                                         **_numbers({})))
        elif isinstance(records[key], DomainError):
            err = records[key]
            results.append(batch.error(key, err.code, err.detail, **_numbers(err.extra)))
        else:
            record = records[key]
            results.append(batch.ok(key, **_numbers(record)))
            if record.get("prev_on_hand") != record.get("on_hand"):
                moved.append(key)
    stock_changed(merchant_id, moved)
    return results


def _own(key: str, write: Callable, item) -> dict:
    """The item's write (an upload's row receipt for it, if any, rides on it)."""
    with receipts.for_item(key):
        return write(item)


NUMBERS = ("on_hand", "reserved", "available", "oversold")


def _numbers(record: dict) -> dict:
    """The stock figures every result carries: all four after a write, else what is known
    (an error names the stored on_hand), else null."""
    if "reserved" not in record:
        return {k: record.get(k) for k in NUMBERS}
    view = rules.view(record.get("erp_product_id", ""), record)
    return {k: view[k] for k in NUMBERS}


def get(merchant_id: str, erp_product_id: str) -> dict:
    product, stock = StockStore(merchant_id).with_product(erp_product_id)
    if product is None and stock is None:
        raise NotFound(f"no product or stock {erp_product_id!r}")
    return rules.view(erp_product_id, stock)


def put_lots(merchant_id: str, manual: bool, erp_product_id: str, lots: list) -> dict:
    """Full replace of a product's lots; on_hand becomes their sum. An automatic write needs the
    `lots` switch; its on_hand part also needs `inventory` (else the lots land, on_hand stays).
    A product the merchant does not have is NotFound, and nothing is written (the product's
    existence is a condition of the write's own transaction)."""
    try:
        kept = rules.normalize_lots(lots)
    except rules.LotsInvalid as bad:
        raise ValidationFailed("The lots are not valid", bad.errors)
    gate = SyncGate.load(merchant_id, manual)
    store = StockStore(merchant_id)
    if not gate.allows(LOTS, erp_product_id):
        product, stock = store.with_product(erp_product_id)
        if product is None:
            raise NotFound(f"no product {erp_product_id!r}")
        return dict(rules.view(erp_product_id, stock), status="skipped", code=SYNC_OFF,
                    detail="automatic lots sync is switched off for this product")
    on_hand_allowed = gate.allows(INVENTORY, erp_product_id)
    record = store.replace(erp_product_id, source_of(manual), lots=kept,
                           on_hand=rules.lots_total(kept) if on_hand_allowed else None, of_product=True)
    if record.get("prev_on_hand") != record.get("on_hand"):
        stock_changed(merchant_id, [erp_product_id])
    detail = None if on_hand_allowed else "lots stored; on_hand kept because automatic inventory sync is off"
    return dict(rules.view(erp_product_id, record), status="ok", code=None, detail=detail)


def stock_changed(merchant_id: str, erp_product_ids: list) -> None:
    """The catalog's listing rule (auto list when stocked) for every product whose stock moved."""
    if erp_product_ids:
        listing.on_stocks_changed(merchant_id, erp_product_ids)
