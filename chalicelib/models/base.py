"""The pieces of every request model: strict models, money, codes and ids, paging, and the
translation of a validation error into one entry per field (the API's 422 and a spreadsheet
row's error both use it)."""
import re
from decimal import Decimal
from typing import Annotated, Generic, List, Optional, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, ValidationError

from chalicelib.domain import codes
from chalicelib.domain.errors import ValidationFailed

_MONEY = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
_CANONICAL_MONEY = re.compile(r"(?:0|[1-9][0-9]{0,11})\.[0-9]{2}", re.ASCII)
_CENT = Decimal("0.01")


class Strict(BaseModel):
    """Unknown fields are an error, so a typo never silently does nothing. A model's validator is
    built when it first validates (defer_build), not at import: a cold start builds only the
    models its one request uses."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


def _money(value: str) -> str:
    if type(value) is str and _CANONICAL_MONEY.fullmatch(value):
        return value            # already what the quantize below would make of it
    if not isinstance(value, str) or not _MONEY.match(value):
        raise ValueError("money is a decimal string with at most two places, e.g. \"12.50\"")
    return str(Decimal(value).quantize(_CENT))


Money = Annotated[str, AfterValidator(_money)]
NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class CodeSchema:
    """The OpenAPI schema of a code, its pattern built when the document is."""

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict:
        return {"type": "string", "minLength": 1, "maxLength": codes.MAX_LENGTH, "pattern": codes.json_pattern(),
                "description": "A code the ERP or the platform chose: " + codes.RULE}


def _code(value):
    """Checked before the model strips whitespace: a code with spaces at its ends is refused."""
    return codes.check(value) if isinstance(value, str) else value


def _as_sent(value):
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


# Codes ERPs and the platform choose (domain/codes.py); Onceship's own ids stay `Id`.
Code = Annotated[str, BeforeValidator(_code), CodeSchema()]
# A code in a list whose every entry is answered on its own (a bad one is that entry's error):
# only a string here, unstripped, checked by the service.
CodeEntry = Annotated[str, PlainValidator(_as_sent), CodeSchema()]

T = TypeVar("T")


class Batch(Strict, Generic[T]):
    items: List[T] = Field(min_length=1, max_length=100)


class Paging(Strict):
    limit: int = Field(50, ge=1, le=100)
    cursor: Optional[str] = None


def field_errors(error: ValidationError, prefix: str = "") -> list:
    out = []
    for item in error.errors():
        out.append({"field": prefix + _path(item["loc"]), "message": item["msg"]})
    return out


def _path(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def parse(model, data, prefix: str = ""):
    """Validate `data` into `model`, or raise ValidationFailed with one error per field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed("The request is not valid", field_errors(error, prefix))
