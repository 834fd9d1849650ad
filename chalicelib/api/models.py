"""The API's response shapes (View, BatchResult, results_of) for the OpenAPI document, and the
request-model pieces of chalicelib/models/base.py that the handler modules import from here."""
from typing import List, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.models.base import (Batch, Code, CodeEntry, CodeSchema, Id, Money, NonEmpty, Paging,  # noqa: F401
                                    Strict, field_errors, parse)


class View(BaseModel):
    """A response shape, for the OpenAPI document: handlers return plain dicts of this shape.
    A field without a default is always present (Optional ones may be null)."""
    model_config = ConfigDict(defer_build=True)   # built only when the OpenAPI document is


class BatchResult(View):
    """One result of a batch, in the order of the items (contract section 1)."""
    key: Optional[Union[str, int]] = Field(description="The item's own key; null when the item had none")
    status: Literal["ok", "skipped", "error"]
    code: Optional[str]
    detail: Optional[str]


def results_of(result_model, name: str) -> type:
    """The answer of a batch endpoint: {"results": [result_model, ...]}."""
    from pydantic import create_model
    return create_model(name, __base__=View, __module__=result_model.__module__,
                        results=(List[result_model], ...))
