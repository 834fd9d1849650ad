"""Spreadsheet cells as text, and text to the exact value a column means.

Every cell is turned into text first, whatever the file stored (a number, a date, a boolean), so
that `0017` stays `0017` and `90.750` is not rounded by a float on the way. Each column then reads
its text exactly: money keeps its digits (trailing zeros beyond two places are dropped, any other
third decimal is an error, never rounded), dates accept what Chinese spreadsheets write, including
Excel serial numbers.
"""
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

CHINA = timezone(timedelta(hours=8))
EXCEL_EPOCH = datetime(1899, 12, 30)
MAX_SERIAL = 2958465  # 9999-12-31

_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_MONEY = re.compile(r"^(\d{1,12})(?:\.(\d+))?$")
_INT = re.compile(r"^[+-]?\d+$")
_SERIAL = re.compile(r"^\d{1,7}(\.\d+)?$")
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATETIME = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                       r"(?:[ T]*(\d{1,2})[:：时](\d{1,2})分?(?:[:：]?(\d{1,2})(?:\.\d+)?秒?)?)?"
                       r"\s*(Z|[+-]\d{2}:?\d{2})?$")


class CellError(ValueError):
    """The cell's text cannot mean what its column needs; the message says why."""


def text(value) -> str:
    """A cell as the reader gave it (str, int, float, bool, date, datetime, time, None) → text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def _ungroup(raw: str) -> str:
    raw = raw.strip()
    return raw.replace(",", "") if _GROUPED.match(raw) else raw


def money(raw: str) -> str:
    """'90.750' → '90.75', '12' → '12.00'; '90.755', '-1', '1e3' → CellError (never rounded)."""
    value = _ungroup(raw).lstrip("¥￥").strip()
    match = _MONEY.match(value)
    if not match:
        raise CellError(f"{raw!r} is not an amount like 12.50")
    whole, places = match.group(1), (match.group(2) or "")
    if len(places) > 2 and set(places[2:]) == {"0"}:
        places = places[:2]
    if len(places) > 2:
        raise CellError(f"{raw!r} has more than two decimal places; it is not rounded")
    return str(Decimal(f"{whole}.{places or '0'}").quantize(Decimal("0.01")))


def integer(raw: str) -> str:
    """'12' → '12', '12.0' (a float cell written as text) → '12'; '12.5' → CellError."""
    value = _ungroup(raw)
    if _INT.match(value):
        return str(int(value))
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(f"{raw!r} is not a whole number")
    if number != number.to_integral_value():
        raise CellError(f"{raw!r} is not a whole number")
    return str(int(number))


def from_serial(serial: float) -> datetime:
    """Excel's day count (1900 date system, with its 1900-02-29 that never was)."""
    if not 1 <= serial <= MAX_SERIAL:
        raise CellError(f"{serial!r} is not an Excel date")
    return EXCEL_EPOCH + timedelta(days=serial)


def day(raw: str) -> str:
    """A date as YYYY-MM-DD from '2024-01-05', '2024/1/5', '2024年1月5日', '20240105',
    '2024-01-05 00:00:00' or an Excel serial like '45296'."""
    value = raw.strip()
    match = _YMD.match(value) or _COMPACT.match(value)
    if match:
        return _date(raw, *match.groups()).isoformat()
    match = _DATETIME.match(value)
    if match and not match.group(7):
        return _date(raw, *match.groups()[:3]).isoformat()
    if _SERIAL.match(value):
        return from_serial(float(value)).date().isoformat()
    raise CellError(f"{raw!r} is not a date like 2024-01-05")


def moment(raw: str) -> str:
    """An RFC 3339 time; a time written without an offset is China time (+08:00)."""
    value = raw.strip()
    match = _DATETIME.match(value)
    if match:
        y, mo, d, h, mi, s, zone = match.groups()
        base = _date(raw, y, mo, d)
        try:
            at = datetime(base.year, base.month, base.day, int(h or 0), int(mi or 0), int(s or 0))
        except ValueError:
            raise CellError(f"{raw!r} is not a time like 2024-01-05 10:30")
        return at.replace(tzinfo=_zone(zone)).isoformat()
    if _SERIAL.match(value):
        at = from_serial(float(value))
        return at.replace(microsecond=0, tzinfo=CHINA).isoformat()
    raise CellError(f"{raw!r} is not a time like 2024-01-05 10:30")


def _zone(text_zone):
    if not text_zone:
        return CHINA
    if text_zone == "Z":
        return timezone.utc
    sign = 1 if text_zone[0] == "+" else -1
    digits = text_zone[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _date(raw: str, year, month, dd) -> date:
    try:
        return date(int(year), int(month), int(dd))
    except ValueError:
        raise CellError(f"{raw!r} is not a real date")
