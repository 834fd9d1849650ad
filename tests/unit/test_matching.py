"""Matching a merchant product to the base catalog, without AWS."""
from chalicelib.domain import matching
from chalicelib.domain.matching import MATCHED, PENDING


def test_criteria_in_order_and_normalised():
    product = {"barcode": " ６９０１２３４ ", "approval_number": "国药准字H2000 1234",
               "spec": "0.25g*24粒", "manufacturer": "ABC 制药"}
    assert matching.criteria(product) == [("barcode", "6901234"), ("approval", "国药准字h20001234"),
                                          ("specmaker", "0.25g*24粒|abc制药")]


def test_spec_without_manufacturer_is_no_criterion():
    assert matching.criteria({"spec": "10ml"}) == []


def test_exactly_one_base_product_matches():
    product = {"barcode": "690"}
    found = matching.decide(product, {("barcode", "690"): ["B1"]})
    assert (found.state, found.base_product_id, found.source) == (MATCHED, "B1", "barcode")


def test_several_under_the_first_criterion_that_finds_any_is_pending():
    product = {"barcode": "690", "approval_number": "H1"}
    found = matching.decide(product, {("barcode", "690"): ["B1", "B2"], ("approval", "h1"): ["B3"]})
    assert found.state == PENDING and found.base_product_id is None
    assert "B1" in found.detail


def test_a_criterion_finding_nothing_falls_through_to_the_next():
    product = {"barcode": "690", "approval_number": "H1", "spec": "s", "manufacturer": "m"}
    found = matching.decide(product, {("approval", "h1"): [], ("specmaker", "s|m"): ["B9"]})
    assert (found.state, found.base_product_id, found.source) == (MATCHED, "B9", "specmaker")


def test_nothing_found_is_pending():
    assert matching.decide({"barcode": "690"}, {}).state == PENDING
    assert matching.decide({}, {}).state == PENDING


def test_unchanged_identifiers_keep_the_stored_match():
    stored = {"match": MATCHED, "base_product_id": "B7", "match_source": "review", "barcode": "690",
              "requested_base_product_id": None}
    kept = matching.kept(stored, {"barcode": " 690", "name": "renamed"})
    assert kept.base_product_id == "B7" and kept.source == "review"


def test_changed_identifiers_match_again():
    stored = {"match": MATCHED, "base_product_id": "B7", "barcode": "690"}
    assert matching.kept(stored, {"barcode": "691"}) is None
    assert matching.kept(stored, {"barcode": "690", "spec": "new"}) is None
    assert matching.kept(stored, {"barcode": "690", "base_product_id": "B8"}) is None


def test_a_pending_product_is_matched_again():
    assert matching.kept({"match": PENDING, "barcode": "690"}, {"barcode": "690"}) is None


def test_spec_and_manufacturer_pairs_never_join_alike():
    pairs = [("a|b", "c"), ("a", "b|c"), ("a\\", "|c"), ("a\\|", "c"), ("a", "\\|c"), ("10mg", "Acme")]
    joined = {matching.criteria({"spec": s, "manufacturer": m})[0] for s, m in pairs}
    assert len(joined) == len(pairs)
    assert ("specmaker", "10mg|acme") in joined            # values without | or \ keep their stored form
