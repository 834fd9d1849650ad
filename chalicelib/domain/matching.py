"""Matching a merchant's product to the platform's base catalog (contract section 4).

- A `base_product_id` given with the product and known to the platform → `matched` (source
  `explicit`).
- Otherwise the criteria are tried in order: barcode, approval number (批准文号), spec and
  manufacturer together, each compared after `normalize.ident` (full-width → half-width, case,
  spaces). The first criterion the product carries that finds any base product decides: exactly
  one → `matched`, several → `pending_review`. When none finds any → `pending_review`.
- A re-upsert keeps the stored match when the identifiers are unchanged (a person's review stays);
  changed identifiers match again.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from chalicelib.domain.normalize import ident

MATCHED = "matched"
PENDING = "pending_review"
CRITERIA = ("barcode", "approval", "specmaker")
IDENTIFIER_FIELDS = ("base_product_id", "barcode", "approval_number", "spec", "manufacturer")


@dataclass(frozen=True)
class Match:
    state: str                      # matched | pending_review
    base_product_id: Optional[str]
    source: Optional[str]           # explicit | barcode | approval | specmaker | review | None
    detail: Optional[str] = None


def criteria(product: dict) -> List[Tuple[str, str]]:
    """(criterion, normalised value) for each criterion the product carries, in matching order."""
    found = []
    if ident(product.get("barcode")):
        found.append(("barcode", ident(product["barcode"])))
    if ident(product.get("approval_number")):
        found.append(("approval", ident(product["approval_number"])))
    if ident(product.get("spec")) and ident(product.get("manufacturer")):
        found.append(("specmaker", f"{_part(ident(product['spec']))}|{_part(ident(product['manufacturer']))}"))
    return found


def _part(text: str) -> str:
    """One side of `spec|manufacturer`, its own `|` escaped so that two pairs never join alike."""
    return text.replace("\\", "\\\\").replace("|", "\\|")


def identifiers(product: dict, explicit_field: str = "base_product_id") -> tuple:
    """What decides the match; equal identifiers keep a stored match. A stored product keeps the
    base product its ERP named under `requested_base_product_id` (its own `base_product_id` is the
    match)."""
    return (ident(product.get(explicit_field)),) + tuple(ident(product.get(n)) for n in IDENTIFIER_FIELDS[1:])


def decide(product: dict, candidates: Dict[Tuple[str, str], List[str]]) -> Match:
    """The match of a product with no explicit base product, given the base products found under
    each of its criteria (`candidates[(criterion, value)]`, missing = none)."""
    for criterion in criteria(product):
        found = sorted(set(candidates.get(criterion, [])))
        if len(found) == 1:
            return Match(MATCHED, found[0], criterion[0])
        if found:
            return Match(PENDING, None, None,
                         f"{len(found)} base products share this {criterion[0]}: {', '.join(found[:5])}")
    return Match(PENDING, None, None, "no base product matches this product's identifiers")


def kept(stored: Optional[dict], incoming: dict) -> Optional[Match]:
    """The stored match, when a re-upsert leaves the identifiers unchanged and it was matched."""
    if not stored or stored.get("match") != MATCHED or identifiers(stored, "requested_base_product_id") != identifiers(incoming):
        return None
    return Match(MATCHED, stored.get("base_product_id"), stored.get("match_source"))
