"""store/wire.py: the DynamoDB value mapping the store uses instead of boto3's, checked against
boto3's own TypeSerializer/TypeDeserializer (a dev dependency) and the store's conventions."""
from decimal import Decimal, Inexact, Rounded

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from chalicelib.store import table
from chalicelib.store.wire import from_wire, to_wire

SAMPLES = [None, True, False, "", "药品 P001", 0, -7, 10 ** 37, Decimal("9.90"), Decimal("-0.001"),
           Decimal("1E+100"), b"\x00\xff", {"a": 1, "b": [1, "x", {"c": None}]}, [], {}, ["a", ["b"]],
           {"x", "y"}, {1, 2, Decimal("3.5")}, {b"a", b"b"}]


@pytest.mark.parametrize("value", SAMPLES, ids=repr)
def test_values_go_out_as_boto3_would_send_them(value):
    expected = TypeSerializer().serialize(value if not isinstance(value, dict) else
                                          {k: v for k, v in value.items() if v is not None})
    ours = to_wire(value)
    if "NS" in ours or "SS" in ours or "BS" in ours:          # sets: any order
        (kind, items), = ours.items()
        assert kind in expected and sorted(items) == sorted(expected[kind])
    elif isinstance(value, dict):
        assert ours == TypeSerializer().serialize(_dropped_none(value))
    else:
        assert ours == expected


def _dropped_none(value):
    if isinstance(value, dict):
        return {k: _dropped_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_dropped_none(v) for v in value]
    return value


@pytest.mark.parametrize("value", SAMPLES, ids=repr)
def test_values_come_back_as_they_went_whole_numbers_as_int(value):
    back = from_wire(to_wire(value))
    assert back == _dropped_none(value)
    boto3_back = TypeDeserializer().deserialize(to_wire(value))
    assert back == boto3_back or (isinstance(back, bytes) and back == boto3_back.value)
    if isinstance(value, int) and not isinstance(value, bool):
        assert type(back) is int
    if isinstance(value, Decimal) and value != value.to_integral_value():
        assert isinstance(back, Decimal)


def test_floats_are_taken_by_their_text_and_tuples_as_lists():
    assert to_wire(0.1) == {"N": "0.1"}
    assert to_wire({"a": (1, 2.5)}) == {"M": {"a": {"L": [{"N": "1"}, {"N": "2.5"}]}}}


@pytest.mark.parametrize("value, error", [
    (Decimal("1." + "1" * 40), (Inexact, Rounded)), (10 ** 40 + 1, (Inexact, Rounded)),
    (Decimal("NaN"), TypeError), (Decimal("Infinity"), TypeError), (float("inf"), TypeError),
    ({1, "a"}, TypeError), (object(), TypeError)])
def test_what_dynamodb_would_round_or_refuse_is_refused_before_sending(value, error):
    with pytest.raises(error):
        to_wire(value)


def test_items_leave_out_none_and_never_show_write_ids():
    assert table.serialize({"pk": "a", "sk": "b", "gone": None}) == {"pk": {"S": "a"}, "sk": {"S": "b"}}
    raw = {"pk": {"S": "a"}, "n": {"N": "3"}, "_wid0": {"S": "w"}}
    assert table.deserialize(raw) == {"pk": "a", "n": 3}
