"""Spreadsheet cells as text, and text to the exact value a column means.

Every cell is turned into text first, whatever the file stored (a number, a date, a boolean), so
that `0017` stays `0017` and `90.750` is not rounded by a float on the way. Each column then reads
its text exactly: money keeps its digits (trailing zeros beyond two places are dropped, any other
third decimal is an error, never rounded), dates accept what Chinese spreadsheets write, including
Excel serial numbers.

Whatever a cell holds, reading it is bounded work and fails only with `CellError`: a cell's length
is checked before any pattern sees it, patterns are ASCII-only with bounded repeats and no
exponents (`1e9999999` is refused by its shape, never converted), and full-width digits, signs
and points typed with a Chinese input method (`１２`, `１２．５０`, `－３`) read as ASCII first.
"""
import re
from datetime import date, datetime, time, timedelta, timezone

CHINA = timezone(timedelta(hours=8))
EXCEL_EPOCH = datetime(1899, 12, 30)
MAX_SERIAL = 2958465  # 9999-12-31

MAX_TEXT = 2000      # the longest text any column holds (an image URL); the API model is stricter
MAX_NUMBER = 32      # characters of a whole number or an amount, grouping and currency sign included
MAX_DATE = 40        # characters of a date or a time
MAX_DIGITS = 15      # whole numbers stay exact in a float (spreadsheets store numbers as floats)
SHOWN = 40           # characters of a cell quoted back in a message

_WIDE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}   # full-width ASCII forms
_WIDE.update({0x3000: " ", 0x2212: "-", 0xFE63: "-", 0x2012: "-", 0x2013: "-"})

# an amount or a whole number already in its plain ASCII form (most cells): read without the
# full-width translation, the currency sign or the grouping (the same value the long way gives)
_PLAIN_MONEY = re.compile(r"([0-9]{1,12})(?:\.([0-9]{1,2}))?", re.ASCII)
_PLAIN_INT = re.compile(r"[0-9]{1,%d}" % MAX_DIGITS, re.ASCII)
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3}){1,5}(?:\.[0-9]{0,12})?", re.ASCII)
_MONEY = re.compile(r"([0-9]{1,12})(?:\.([0-9]{1,12}))?", re.ASCII)
_INT = re.compile(r"([+-]?)([0-9]{1,%d})(?:\.0{0,12})?" % MAX_DIGITS, re.ASCII)
_SERIAL = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,12})?", re.ASCII)
_YMD_TEXT = r"([0-9]{4})\s?[-/.年]\s?([0-9]{1,2})\s?[-/.月]\s?([0-9]{1,2})\s?日?"
_YMD = re.compile(_YMD_TEXT, re.ASCII)
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})", re.ASCII)
_DATETIME = re.compile(_YMD_TEXT + r"(?:[ T]{0,2}([0-9]{1,2})[:：时]([0-9]{1,2})分?"
                       r"(?:[:：]?([0-9]{1,2})(?:\.[0-9]{1,9})?秒?)?)?"
                       r"\s?(Z|[+-][0-9]{2}:?[0-9]{2})?", re.ASCII)


class CellError(ValueError):
    """The cell's text cannot mean what its column needs; the message says why."""


def text(value) -> str:
    """A cell as the reader gave it (str, int, float, bool, date, datetime, time, None) → text.
    A float that is no number (inf, nan) stays visible as such, so that its column refuses it."""
    if type(value) is str:            # most cells: checked first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
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


def shown(raw: str) -> str:
    """The cell quoted for a message, cut short when long."""
    return repr(raw) if len(raw) <= SHOWN else repr(raw[:SHOWN]) + f"… ({len(raw)} characters)"


def capped(raw: str, limit: int, what: str) -> str:
    """`raw` stripped, or CellError when it is longer than a `what` can be."""
    value = raw.strip()
    if len(value) > limit:
        raise CellError(f"{shown(value)} is too long for {what} (at most {limit} characters)")
    return value


def ascii_form(raw: str) -> str:
    """Full-width digits, signs, points and spaces as their ASCII forms."""
    return raw.translate(_WIDE)


def _number(raw: str, what: str, currency: str = "") -> str:
    value = ascii_form(capped(raw, MAX_NUMBER, what)).strip()
    if currency:
        value = value.lstrip(currency).strip()
    if _GROUPED.fullmatch(value):
        value = value.replace(",", "")
    return value


def money(raw: str) -> str:
    """'90.750' → '90.75', '12' → '12.00'; '90.755', '-1', '1e3' → CellError (never rounded)."""
    if len(raw) <= MAX_NUMBER:        # the length first, as on the long way
        plain = _PLAIN_MONEY.fullmatch(raw)
        if plain:
            whole, places = plain.groups()
            if whole[0] != "0" or len(whole) == 1:
                return f"{whole}.{(places or '').ljust(2, '0')}"
            return f"{int(whole)}.{(places or '').ljust(2, '0')}"
    value = _number(raw, "an amount", currency="¥￥")
    match = _MONEY.fullmatch(value)
    if not match:
        raise CellError(f"{shown(raw)} is not an amount like 12.50")
    whole, places = match.group(1), (match.group(2) or "")
    if len(places) > 2 and set(places[2:]) == {"0"}:
        places = places[:2]
    if len(places) > 2:
        raise CellError(f"{shown(raw)} has more than two decimal places; it is not rounded")
    return f"{int(whole)}.{places.ljust(2, '0')}"


def integer(raw: str) -> str:
    """'12' → '12', '12.0' (a float cell written as text) → '12', '－３' → '-3';
    '12.5', '1e3', 'inf', more than 15 digits → CellError."""
    if len(raw) <= MAX_DIGITS and _PLAIN_INT.fullmatch(raw):     # the length first, as on the long way
        return raw if raw[0] != "0" or len(raw) == 1 else str(int(raw))
    match = _INT.fullmatch(_number(raw, "a whole number"))
    if not match:
        raise CellError(f"{shown(raw)} is not a whole number (at most {MAX_DIGITS} digits, no exponent)")
    sign, digits = match.groups()
    return str(-int(digits) if sign == "-" else int(digits))


def from_serial(serial: float) -> datetime:
    """Excel's day count (1900 date system, with its 1900-02-29 that never was)."""
    if not 1 <= serial <= MAX_SERIAL:
        raise CellError(f"{serial!r} is not an Excel date")
    return EXCEL_EPOCH + timedelta(days=serial)


def day(raw: str) -> str:
    """A date as YYYY-MM-DD from '2024-01-05', '2024/1/5', '2024年1月5日', '20240105',
    '2024-01-05 00:00:00' or an Excel serial like '45296'."""
    value = ascii_form(capped(raw, MAX_DATE, "a date")).strip()
    match = _YMD.fullmatch(value) or _COMPACT.fullmatch(value)
    if match:
        return _date(raw, *match.groups()).isoformat()
    match = _DATETIME.fullmatch(value)
    if match and not match.group(7):
        return _datetime(raw, match).date().isoformat()
    if _SERIAL.fullmatch(value):
        return from_serial(float(value)).date().isoformat()
    raise CellError(f"{shown(raw)} is not a date like 2024-01-05")


def moment(raw: str) -> str:
    """An RFC 3339 time; a time written without an offset is China time (+08:00)."""
    value = ascii_form(capped(raw, MAX_DATE, "a time")).strip()
    match = _DATETIME.fullmatch(value)
    if match:
        return _datetime(raw, match).replace(tzinfo=_zone(raw, match.group(7))).isoformat()
    if _SERIAL.fullmatch(value):
        at = from_serial(float(value))
        return at.replace(microsecond=0, tzinfo=CHINA).isoformat()
    raise CellError(f"{shown(raw)} is not a time like 2024-01-05 10:30")


def _datetime(raw: str, match) -> datetime:
    y, mo, d, h, mi, s = match.groups()[:6]
    base = _date(raw, y, mo, d)
    try:
        return datetime(base.year, base.month, base.day, int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        raise CellError(f"{shown(raw)} is not a time like 2024-01-05 10:30")


def _zone(raw: str, text_zone):
    if not text_zone:
        return CHINA
    if text_zone == "Z":
        return timezone.utc
    sign = 1 if text_zone[0] == "+" else -1
    digits = text_zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise CellError(f"{shown(raw)} has no real UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _date(raw: str, year, month, dd) -> date:
    try:
        return date(int(year), int(month), int(dd))
    except ValueError:
        raise CellError(f"{shown(raw)} is not a real date")
