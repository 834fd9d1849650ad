"""Catalog reads for the console (an extension to contract section 4, in the OpenAPI document)."""
from typing import List, Optional

from pydantic import BaseModel

from chalicelib.api.handler import handler
from chalicelib.services import candidates as found


class Candidate(BaseModel):
    base_product_id: str
    name: Optional[str] = None
    barcode: Optional[str] = None
    approval_number: Optional[str] = None
    spec: Optional[str] = None
    manufacturer: Optional[str] = None
    matched_by: List[str]


class Candidates(BaseModel):
    erp_product_id: str
    match: Optional[str] = None
    base_product_id: Optional[str] = None
    items: List[Candidate]


@handler(response=Candidates, errors=("not_found",))
def candidates(ctx):
    return found.candidates(ctx.caller.merchant_id, ctx.params["erp_product_id"])
