"""Python values to DynamoDB attribute values and back (the low-level client's wire format).

The store talks to botocore's DynamoDB client directly: boto3 itself (its session, resources and
s3transfer, about a tenth of a cold start) is never imported by a request. The mapping is the
one boto3's TypeSerializer/TypeDeserializer make, with the store's own conventions folded in:
- None -> NULL; bool -> BOOL; str -> S; bytes -> B; dict -> M; list or tuple -> L;
- int, Decimal -> N, checked in DynamoDB's number context (38 digits, exponent -130..125):
  a number DynamoDB would round or refuse raises TypeError here, before anything is sent;
  a float is first taken by its shortest text (0.1 -> "0.1"), never by its binary value;
- a set of numbers -> NS, of strings -> SS, of bytes -> BS (a mixed set is a TypeError);
- back: N -> int when whole, else Decimal; sets come back as Python sets; B as bytes.
Mapping attributes whose value is None are left out (the store's "absent" convention).
"""
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

NUMBER_CONTEXT = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])
_NUMBERS = (int, Decimal, float)
_BYTES = (bytes, bytearray)


def _number(value) -> str:
    if isinstance(value, float):
        value = Decimal(str(value))
    text = str(NUMBER_CONTEXT.create_decimal(value))
    if text in ("Infinity", "-Infinity", "NaN", "sNaN", "-NaN"):
        raise TypeError(f"{text} is not a number DynamoDB stores")
    return text


def to_wire(value: Any) -> dict:
    """One Python value as an attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, _NUMBERS):
        return {"N": _number(value)}
    if isinstance(value, _BYTES):
        return {"B": bytes(value)}
    if isinstance(value, dict):
        return {"M": {k: to_wire(v) for k, v in value.items() if v is not None}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_wire(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        if all(isinstance(v, _NUMBERS) and not isinstance(v, bool) for v in value):
            return {"NS": [_number(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, _BYTES) for v in value):
            return {"BS": [bytes(v) for v in value]}
        raise TypeError("a set must hold only numbers, only strings or only bytes")
    raise TypeError(f"{type(value).__name__} is not a type DynamoDB stores")


def _read_number(text: str):
    number = NUMBER_CONTEXT.create_decimal(text)
    return int(number) if number == number.to_integral_value() else number


def from_wire(raw: dict) -> Any:
    """One attribute value as a Python value."""
    (kind, value), = raw.items()
    if kind == "S":
        return value
    if kind == "N":
        return _read_number(value)
    if kind == "M":
        return {k: from_wire(v) for k, v in value.items()}
    if kind == "L":
        return [from_wire(v) for v in value]
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(value)
    if kind == "NS":
        return {_read_number(v) for v in value}
    if kind == "B":
        return bytes(value)
    if kind == "BS":
        return {bytes(v) for v in value}
    raise TypeError(f"unknown attribute value type {kind!r}")
