"""The codes ERPs and the platform choose (contract section 1): `erp_product_id`,
`erp_customer_code`, `platform_customer_id`, `base_product_id`, `lot_no`, region and customer
group ids.

A code is 1-64 characters of printable Unicode (letters, marks, digits, punctuation, symbols and
spaces of any script) except `/` and `\\`, with no whitespace at either end: `红色-XL 01`, `A01 #2`
and `SKU+1` are codes. Control, format (zero-width, bidi), private-use and surrogate characters,
line and paragraph separators are not: they cannot be seen, so two codes that look the same
could differ. Code points this Python's Unicode tables do not know yet are allowed (an ERP on a
newer Unicode may send a newly assigned character). A code is kept exactly as sent, without case
folding or normalisation: it is the ERP's own key.

The store spells codes into its keys through `store.keys`, never raw.
"""
import unicodedata
from functools import lru_cache
from typing import Optional

MAX_LENGTH = 64
FORBIDDEN = "/\\"
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
RULE = "1-64 printable characters except / and \\, with no leading or trailing whitespace"


class CodeInvalid(ValueError):
    """Why a value is not a code."""


def problem(value) -> Optional[str]:
    """None when `value` is a code, else why it is not (one short sentence)."""
    if not isinstance(value, str):
        return "must be a string"
    if not 1 <= len(value) <= MAX_LENGTH:
        return f"must be 1-{MAX_LENGTH} characters (this one has {len(value)})"
    if (value.isascii() and value.isprintable() and value[0] != " " and value[-1] != " "
            and "/" not in value and "\\" not in value):
        return None     # most codes: printable ASCII has no invisible character and no other space
    if value[0].isspace() or value[-1].isspace():
        return "must not begin or end with whitespace"
    for ch in value:
        if ch in FORBIDDEN:
            return f"must not contain {ch!r}"
        if unicodedata.category(ch) in _INVISIBLE:
            return f"must not contain the invisible or control character U+{ord(ch):04X}"
    return None


def check(value) -> str:
    """`value` when it is a code, else CodeInvalid."""
    reason = problem(value)
    if reason is not None:
        raise CodeInvalid(f"a code {reason}: {RULE}")
    return value


def is_code(value) -> bool:
    return problem(value) is None


@lru_cache(maxsize=1)
def json_pattern() -> str:
    """A JSON Schema (ECMA-262 and Python `re`) pattern of the rule, for the OpenAPI document.
    It names every refused character of the Basic Multilingual Plane but the surrogates (a regex
    engine that works on code points, Rust's or Go's, cannot name them, and UTF-8 text never holds
    one); the server's check (above) also refuses those and the refused characters of the other
    planes."""
    refused = [cp for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF
               and (chr(cp) in FORBIDDEN or unicodedata.category(chr(cp)) in _INVISIBLE)]
    ranges = _ranges(refused)
    inner = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    edge, middle = f"[^\\s{inner}]", f"[^{inner}]"
    return f"^{edge}(?:{middle}{{0,{MAX_LENGTH - 2}}}{edge})?$"


def _ranges(points: list) -> list:
    out: list = []
    for cp in points:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return [tuple(r) for r in out]
