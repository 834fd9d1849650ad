"""Request-model conventions: strict fields, money strings, error paths, batch items."""
import pytest
from pydantic import ValidationError

from chalicelib.services import batch
from chalicelib.api.models import Money, Strict, field_errors, parse
from chalicelib.domain.errors import ValidationFailed


class Line(Strict):
    sku: str
    price: Money
    quantity: int


class Order(Strict):
    lines: list[Line]


@pytest.mark.parametrize("text, stored", [("12.5", "12.50"), ("0", "0.00"), ("12.50", "12.50"), ("007.1", "7.10")])
def test_money_is_normalised_to_two_places(text, stored):
    assert Line(sku="a", price=text, quantity=1).price == stored


@pytest.mark.parametrize("bad", ["-1.00", "1.005", "1e3", 12.5, "", "abc"])
def test_money_refuses_negative_three_places_and_floats(bad):
    with pytest.raises(ValidationError):
        Line(sku="a", price=bad, quantity=1)


def test_unknown_field_is_an_error_with_its_path():
    with pytest.raises(ValidationFailed) as caught:
        parse(Order, {"lines": [{"sku": "a", "price": "1", "quantity": 1},
                                {"sku": "b", "price": "1", "quantity": "x", "colour": "red"}]})
    fields = {e["field"] for e in caught.value.extra["errors"]}
    assert fields == {"lines[1].quantity", "lines[1].colour"}


def test_batch_items_fail_one_by_one_and_duplicates_are_refused():
    parsed = batch.parse_items(Line, [{"sku": "a", "price": "1", "quantity": 1},
                                      {"sku": "b", "price": "-1", "quantity": 1},
                                      {"sku": "a", "price": "2", "quantity": 1},
                                      "not an object"], "sku")
    results = batch.apply_each(parsed, lambda item: batch.ok(item.sku))
    assert [r["status"] for r in results] == ["ok", "error", "error", "error"]
    assert results[1]["code"] == "validation_error" and "items[1].price" in results[1]["detail"]
    assert results[2]["code"] == "duplicate_key"


def test_field_errors_format():
    with pytest.raises(ValidationError) as caught:
        Order.model_validate({"lines": [{"sku": 1}]})
    assert {"field": "lines[0].sku", "message": "Input should be a valid string"} in field_errors(caught.value)
