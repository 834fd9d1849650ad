"""Duplicate listings (重复铺货), after the AliExpress rule in the seed: the same main image with a
near-identical title and the same attributes is one product listed twice and is refused.

The rule, exactly:
- Images: both products carry `main_image_sha256` and the digests are equal (case-insensitive).
  A product with only `main_image_url` has an unknown image (it is never fetched) and is never a
  duplicate by this rule.
- Attributes: equal as sets of (name, value) pairs after `normalize.ident` of names and values.
  A variant that differs in any attribute (size, colour, spec...) is allowed.
- Titles: normalised (NFKC so full-width = half-width, case-folded, spaces, punctuation and
  symbols removed). Near-identical means the normalised titles are equal, or they carry the same
  numbers (a different number is a different size or pack) and their `difflib.SequenceMatcher`
  ratio is at least 0.9.
"""
import difflib
import re
import unicodedata
from typing import Iterable, Optional

from chalicelib.domain.normalize import ident

TITLE_SIMILARITY = 0.9
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def title_key(title: Optional[str]) -> str:
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PSZC")


def numbers(title: Optional[str]) -> list:
    text = unicodedata.normalize("NFKC", title or "")
    return sorted(str(float(n)) for n in _NUMBER.findall(text))


def near_identical_titles(a: Optional[str], b: Optional[str]) -> bool:
    ka, kb = title_key(a), title_key(b)
    if ka == kb:
        return True
    if numbers(a) != numbers(b):
        return False
    return difflib.SequenceMatcher(None, ka, kb, autojunk=False).ratio() >= TITLE_SIMILARITY


def attribute_set(attributes: Optional[dict]) -> frozenset:
    return frozenset((ident(k), ident(v)) for k, v in (attributes or {}).items())


def image_key(product: dict) -> Optional[str]:
    digest = (product.get("main_image_sha256") or "").strip().lower()
    return digest or None


def is_duplicate(product: dict, other: dict) -> bool:
    """Would listing `product` duplicate the listed `other`?"""
    image = image_key(product)
    return (image is not None and image == image_key(other)
            and attribute_set(product.get("attributes")) == attribute_set(other.get("attributes"))
            and near_identical_titles(product.get("name"), other.get("name")))


def duplicate_of(product: dict, listed: Iterable[dict]) -> Optional[str]:
    """The `erp_product_id` of the first listed product that `product` duplicates, else None."""
    for other in sorted(listed, key=lambda p: p["erp_product_id"]):
        if other["erp_product_id"] != product["erp_product_id"] and is_duplicate(product, other):
            return other["erp_product_id"]
    return None
