"""Models shared by the desk's endpoints: order ids, the review screen's filters, and the shapes
of the desk's answers (the desk's order view, its batch results)."""
from typing import List, Literal, Optional

from pydantic import AwareDatetime, Field

from chalicelib.api.models import BatchResult, Code, Id, Paging, Strict, View, results_of
from chalicelib.api.order_views import Order
from chalicelib.domain.desk import STAGES, DeskFilter

Stage = Literal[STAGES]  # type: ignore[valid-type]
CarrierCode = str


class OrderIds(Strict):
    order_ids: List[Id] = Field(min_length=1, max_length=100)


class DeskFilters(Strict):
    """The filters of a review screen; `quantity` is the order's total units, `line_count` its lines."""
    stage: Optional[Stage] = None
    province: Optional[str] = Field(None, max_length=50)
    paid_after: Optional[AwareDatetime] = None
    paid_before: Optional[AwareDatetime] = None
    carrier_code: Optional[str] = Field(None, max_length=20)
    has_remark: Optional[bool] = None
    erp_product_id: Optional[Code] = None
    line_count: Optional[int] = Field(None, ge=1, le=1000)
    quantity: Optional[int] = Field(None, ge=1, le=1_000_000)

    def to_filter(self, stage: Optional[str] = None) -> DeskFilter:
        return DeskFilter(
            stage=stage or self.stage, province=self.province,
            paid_after=self.paid_after.timestamp() if self.paid_after else None,
            paid_before=self.paid_before.timestamp() if self.paid_before else None,
            carrier_code=self.carrier_code.upper() if self.carrier_code else None, has_remark=self.has_remark,
            erp_product_id=self.erp_product_id,
            line_count=self.line_count, quantity=self.quantity)


class DeskQuery(DeskFilters, Paging):
    pass


def each_once(order_ids: list, run) -> dict:
    """Runs `run(unique ids)` (a batch answer) and answers one result per id given, in order; an
    id given twice is an error the second time."""
    from chalicelib.services import batch
    unique = list(dict.fromkeys(order_ids))
    answered = {r["key"]: r for r in run(unique)["results"]}
    seen, results = set(), []
    for order_id in order_ids:
        if order_id in seen:
            results.append(batch.error(order_id, "duplicate_key", f"order {order_id} appears twice in this request"))
        else:
            seen.add(order_id)
            results.append(answered[order_id])
    return batch.answer(results)


# response shapes ---------------------------------------------------------------------------

class PrintEntry(View):
    operator: str
    at: str
    reason: str
    authorized_by: Optional[str]
    batch_id: Optional[str]


class DeskOrder(Order):
    """The order (contract section 7) with its stage, carrier, waybill and print log."""
    stage: Optional[Stage]
    print_count: int
    prints: List[PrintEntry]
    exchange_of: Optional[str] = Field(description="A manual exchange order: the order it replaces")
    reviewed_at: Optional[str]
    reviewed_by: Optional[str]
    inspected_at: Optional[str]
    shipped_at: Optional[str]
    shipped_by: Optional[str]


class DeskOrderPage(View):
    items: List[DeskOrder]
    next_cursor: Optional[str]


class DeskResult(BatchResult):
    """One order's result; the fields below are there when the order took the step."""
    stage: Optional[Stage] = None
    carrier_code: Optional[str] = None
    waybill_no: Optional[str] = None


class ReviewResults(View):
    results: List[DeskResult]
    next_cursor: Optional[str] = Field(None, description="Auto review: where the next page of matching orders starts")


class RefundCheck(BatchResult):
    """Present unless the order is unknown (code not_found)."""
    refund_pending: Optional[bool] = None
    holds: Optional[List[str]] = None
    order_status: Optional[str] = None
    stage: Optional[Stage] = None


DeskResults = results_of(DeskResult, "DeskResults")
RefundCheckResults = results_of(RefundCheck, "RefundCheckResults")
