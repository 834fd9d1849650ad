"""The fulfillment desk's rules, as plain Python over a read-only view of an order.

Stages of a paid order: to_review → reviewed → waybill_reserved → printed (→ inspected) → shipped.
What may happen to an order at each step is decided here; the store then makes the same
decision again as a condition on the write, so a decision taken on a stale read never lands.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from chalicelib.domain.regions import province_key

STAGES = ("to_review", "reviewed", "waybill_reserved", "printed", "inspected", "shipped")
REFUND_PENDING = "refund_pending"
PAID = "paid"
CHINA = timezone(timedelta(hours=8))  # lanes' paid hours are Beijing time (no daylight saving)


@dataclass(frozen=True)
class DeskOrder:
    order_id: str
    status: str
    stage: Optional[str]
    paid_at: Optional[float]
    province: str = ""
    carrier_code: Optional[str] = None
    waybill_no: Optional[str] = None
    print_count: int = 0
    holds: tuple = ()
    remark: str = ""
    merchant_remark: str = ""
    lines: tuple = ()          # ({"erp_product_id", "name", "quantity"}, ...)

    @property
    def held(self) -> bool:
        return REFUND_PENDING in self.holds

    @property
    def has_remark(self) -> bool:
        return bool((self.remark or "").strip() or (self.merchant_remark or "").strip())

    @property
    def quantity(self) -> int:
        return sum(int(l["quantity"]) for l in self.lines)

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def product_ids(self) -> set:
        return {l["erp_product_id"] for l in self.lines}


class Refusal(Exception):
    """Why an order may not take a step: a stable code and a sentence."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def stage_rank(stage: str) -> int:
    return STAGES.index(stage) + 1


def _live(order: DeskOrder) -> None:
    if order.status == "cancelled":
        raise Refusal("cancelled", "the order is cancelled")
    if order.stage == "shipped" or order.status in ("shipped", "partially_shipped", "completed"):
        raise Refusal("already_shipped", "the order has already shipped")
    if order.status != PAID or order.stage is None:
        raise Refusal("not_paid", "only paid orders are at the desk")


def _not_held(order: DeskOrder) -> None:
    if order.held:
        raise Refusal(REFUND_PENDING, "the order carries a refund hold")


# review ---------------------------------------------------------------------------------
def check_review(order: DeskOrder) -> None:
    _live(order)
    if order.stage != "to_review":
        raise Refusal("already_reviewed", f"the order is at stage {order.stage}")
    _not_held(order)


def auto_review_refusal(order: DeskOrder, oversold: set) -> Optional[Refusal]:
    """Why auto review leaves this order in to_review (None: it passes). `oversold` holds the
    erp_product_ids whose reserved quantity exceeds what is on hand."""
    try:
        check_review(order)
    except Refusal as refusal:
        return refusal
    if order.has_remark:
        return Refusal("has_remark", "the order has a buyer or merchant remark; review it by hand")
    short = sorted(order.product_ids & oversold)
    if short:
        return Refusal("insufficient_stock", "not enough stock for " + ", ".join(short))
    return None


def carrier_for(province: str, rules: List[dict]) -> Optional[str]:
    """The first rule whose provinces contain `province` decides the default carrier."""
    key = province_key(province)
    for rule in rules:
        if key and key in {province_key(p) for p in rule.get("provinces", [])}:
            return rule["carrier_code"]
    return None


# carrier, waybill ------------------------------------------------------------------------
def check_carrier_change(order: DeskOrder) -> None:
    _live(order)
    if order.waybill_no:
        raise Refusal("waybill_reserved", "the order already has a waybill number of its carrier")


def check_reservation(order: DeskOrder) -> None:
    """Raises unless a number may be reserved; an order that has one keeps it (no refusal)."""
    _live(order)
    if order.waybill_no:
        return
    if order.stage == "to_review":
        raise Refusal("not_reviewed", "review the order first")
    _not_held(order)
    if not order.carrier_code:
        raise Refusal("no_carrier", "the order has no carrier; set one or add a carrier rule")


# printing and shipping -----------------------------------------------------------------
def printable(order: DeskOrder) -> bool:
    """May a print batch claim it? (reserved, never printed, no hold)."""
    return (order.status == PAID and order.stage == "waybill_reserved" and order.print_count == 0
            and not order.held)


def check_reprint(order: DeskOrder) -> None:
    _live(order)
    if order.stage not in ("printed", "inspected"):
        raise Refusal("not_printed", "only a printed order can be printed again")
    _not_held(order)


def check_direct_ship(order: DeskOrder) -> None:
    _live(order)
    if order.stage not in ("printed", "inspected"):
        raise Refusal("not_printed", "print the label first")
    _not_held(order)
    if order.stage == "printed" and order.print_count > 1:
        raise Refusal("needs_inspection", "the label was printed more than once; inspect the parcel")


def check_inspection(order: DeskOrder) -> None:
    _live(order)
    if order.stage not in ("printed", "inspected"):
        raise Refusal("not_printed", "print the label first")
    _not_held(order)


# print lanes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Lane:
    provinces: tuple = ()
    paid_from_hour: Optional[int] = None
    paid_to_hour: Optional[int] = None
    carrier_code: Optional[str] = None

    def matches(self, order: DeskOrder) -> bool:
        if self.carrier_code and order.carrier_code != self.carrier_code:
            return False
        if self.provinces and province_key(order.province) not in {province_key(p) for p in self.provinces}:
            return False
        return self._hour_fits(order.paid_at)

    def _hour_fits(self, paid_at: Optional[float]) -> bool:
        if self.paid_from_hour is None and self.paid_to_hour is None:
            return True
        if paid_at is None:
            return False
        hour = datetime.fromtimestamp(paid_at, CHINA).hour
        start = self.paid_from_hour or 0
        end = 24 if self.paid_to_hour is None else self.paid_to_hour
        if start < end:
            return start <= hour < end
        return hour >= start or hour < end  # a window across midnight, e.g. 22 → 6


def lane_problem(lane: Lane) -> Optional[str]:
    if lane.paid_from_hour is not None and lane.paid_to_hour is not None and lane.paid_from_hour == lane.paid_to_hour:
        return "paid_from_hour and paid_to_hour must differ (leave both out for the whole day)"
    return None


# the review screen's filters -----------------------------------------------------------
@dataclass(frozen=True)
class DeskFilter:
    stage: Optional[str] = None
    province: Optional[str] = None
    paid_after: Optional[float] = None
    paid_before: Optional[float] = None
    carrier_code: Optional[str] = None
    has_remark: Optional[bool] = None
    erp_product_id: Optional[str] = None
    line_count: Optional[int] = None
    quantity: Optional[int] = None

    def matches(self, order: DeskOrder) -> bool:
        checks = [
            self.stage is None or order.stage == self.stage,
            self.province is None or province_key(order.province) == province_key(self.province),
            self.paid_after is None or (order.paid_at is not None and order.paid_at >= self.paid_after),
            self.paid_before is None or (order.paid_at is not None and order.paid_at < self.paid_before),
            self.carrier_code is None or order.carrier_code == self.carrier_code,
            self.has_remark is None or order.has_remark == self.has_remark,
            self.erp_product_id is None or self.erp_product_id in order.product_ids,
            self.line_count is None or order.line_count == self.line_count,
            self.quantity is None or order.quantity == self.quantity,
        ]
        return all(checks)


# outbound inspection -------------------------------------------------------------------
@dataclass
class Comparison:
    missing: List[dict] = field(default_factory=list)
    extra: List[dict] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.missing and not self.extra


def compare_scans(expected: dict, scanned: List[str]) -> Comparison:
    """`expected` maps each printed code to its quantity; each scan is one unit. Codes are
    compared as a scanner may send them (full-width digits, case, spaces do not matter) and
    reported as printed."""
    from chalicelib.domain.normalize import ident

    printed = {ident(code): code for code in expected}
    want = {ident(code): int(q) for code, q in expected.items()}
    got: dict = {}
    shown: dict = {}
    for scan in scanned:
        key = ident(scan)
        got[key] = got.get(key, 0) + 1
        shown.setdefault(key, printed.get(key, scan.strip()))
    result = Comparison()
    for key, quantity in want.items():
        if got.get(key, 0) < quantity:
            result.missing.append({"code": printed[key], "quantity": quantity - got.get(key, 0)})
    for key, quantity in got.items():
        if quantity > want.get(key, 0):
            result.extra.append({"code": shown[key], "quantity": quantity - want.get(key, 0)})
    return result
