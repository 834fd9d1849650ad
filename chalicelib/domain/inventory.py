"""Stock rules: what a stock record shows, lots and their sum, and what an ERP item changes.

A stock record holds `on_hand` (what is on the shelf, set by the ERP or by hand), `reserved`
(promised to placed orders) and `free = on_hand - reserved`, which goes negative when an absolute
set lands below what is reserved: the ERP knows the shelf, so the set applies and shows as
`oversold` instead of being refused.
"""
from dataclasses import dataclass
from datetime import date
from typing import Optional

from chalicelib.domain import codes

MANUAL, ERP = "manual", "erp"


def available(item: Optional[dict]) -> int:
    item = item or {}
    return max(int(item.get("on_hand") or 0) - int(item.get("reserved") or 0), 0)


def oversold(item: Optional[dict]) -> int:
    item = item or {}
    return max(int(item.get("reserved") or 0) - int(item.get("on_hand") or 0), 0)


def view(erp_product_id: str, item: Optional[dict]) -> dict:
    """A stock record as the API shows it; a product without one has nothing on hand."""
    item = item or {}
    return {"erp_product_id": erp_product_id, "on_hand": int(item.get("on_hand") or 0),
            "reserved": int(item.get("reserved") or 0), "available": available(item),
            "oversold": oversold(item), "lots": list(item.get("lots") or []),
            "source": item.get("source"), "updated_at": item.get("updated_at")}


class LotsInvalid(ValueError):
    """`errors` are [{"field": "lots[1].expiry_date", "message": ...}]."""

    def __init__(self, errors: list):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def normalize_lots(lots: list) -> list:
    """Lots as stored: zero quantities dropped, each expiring after it was produced, lot numbers
    unique, ordered by expiry (the first to expire first). Raises LotsInvalid."""
    errors, seen, kept = [], set(), []
    for index, lot in enumerate(lots):
        lot_no = lot["lot_no"]
        lot_no = str(lot_no) if isinstance(lot_no, int) and not isinstance(lot_no, bool) else lot_no
        produced, expires = _date(lot["production_date"]), _date(lot["expiry_date"])
        quantity = lot["quantity"]
        if produced is None:
            errors.append(_error(index, "production_date", "a date, e.g. 2026-01-31"))
        if expires is None:
            errors.append(_error(index, "expiry_date", "a date, e.g. 2028-01-31"))
        if produced and expires and expires <= produced:
            errors.append(_error(index, "expiry_date", "must be after production_date"))
        bad_lot_no = codes.problem(lot_no)
        if bad_lot_no is not None:
            errors.append(_error(index, "lot_no", f"{bad_lot_no} ({codes.RULE})"))
        elif lot_no in seen:
            errors.append(_error(index, "lot_no", f"lot {lot_no!r} appears twice"))
        else:
            seen.add(lot_no)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            errors.append(_error(index, "quantity", "a whole number, 0 or more"))
        if quantity:
            kept.append({"lot_no": lot_no, "production_date": str(lot["production_date"]),
                         "expiry_date": str(lot["expiry_date"]), "quantity": quantity})
    if errors:
        raise LotsInvalid(errors)
    return sorted(kept, key=lambda lot: (lot["expiry_date"], lot["lot_no"]))


def lots_total(lots: list) -> int:
    return sum(int(lot["quantity"]) for lot in lots)


def _date(value) -> Optional[date]:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _error(index: int, field: str, message: str) -> dict:
    return {"field": f"lots[{index}].{field}", "message": message}


def lots_digest(lots: Optional[list]) -> str:
    """A short fingerprint of a lot list, so a poll compares lots without keeping them all."""
    import hashlib
    import json
    text = json.dumps(list(lots or []), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Known:
    """What a poll knows of a stored record: its revision, on_hand and lots fingerprint."""
    rev: Optional[int]
    on_hand: int
    lots: str


NOTHING = Known(None, 0, lots_digest([]))


def known(record: Optional[dict]) -> Known:
    if not record:
        return NOTHING
    rev = record.get("rev")
    return Known(int(rev) if rev is not None else None, int(record.get("on_hand") or 0),
                 lots_digest(record.get("lots")))


@dataclass(frozen=True)
class Change:
    """What an automatic write may change in one record after the switches had their say."""
    on_hand: Optional[int]       # None: leave on_hand as it is
    lots: Optional[list]         # None: leave the lots as they are
    refused: bool                # something differed but a switch kept it from being written

    @property
    def writes(self) -> bool:
        return self.on_hand is not None or self.lots is not None


def plan(stored: Known, on_hand: Optional[int], lots: Optional[list],
         inventory_allowed: bool, lots_allowed: bool) -> Change:
    """Compare an incoming value (`lots` already normalized; with lots, on_hand is their sum)
    against what is stored and keep only what differs and what the switches allow. A product
    without a record has 0 on hand and no lots, so an ERP's zero creates nothing."""
    if lots is not None:
        on_hand = lots_total(lots)
    on_hand_differs = on_hand is not None and stored.on_hand != on_hand
    lots_differ = lots is not None and stored.lots != lots_digest(lots)
    return Change(on_hand=on_hand if on_hand_differs and inventory_allowed else None,
                  lots=lots if lots_differ and lots_allowed else None,
                  refused=(on_hand_differs and not inventory_allowed) or (lots_differ and not lots_allowed))
