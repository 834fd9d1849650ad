"""Request models shared by the desk's endpoints: order ids, the review screen's filters."""
from typing import List, Literal, Optional

from pydantic import AwareDatetime, Field

from chalicelib.api.models import Code, Id, Paging, Strict
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
    from chalicelib.api import batch
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
