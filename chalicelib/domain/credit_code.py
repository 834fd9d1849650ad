"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from the 31-character set 0-9 and A-Y without I, O, S, V and Z. Each of the
first 17 characters has a value (its position in that set) and a weight 3^i mod 31; the 18th is
the check character, the character whose value is (31 - sum mod 31) mod 31. Positions 3-8 are
the administrative division code and are digits.
"""
from typing import Optional

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]   # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def normalize(code: Optional[str]) -> str:
    """As compared and stored: no surrounding spaces, upper case."""
    return (code or "").strip().upper()


def check_char(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: Optional[str]) -> bool:
    code = normalize(code)
    if len(code) != 18 or any(c not in _VALUE for c in code) or not code[2:8].isdigit():
        return False
    return check_char(code[:17]) == code[17]
