"""Listing refusals and the auto-list rule, without AWS."""
from chalicelib.domain import listing

SHA = "ab" * 32
MATCHED = {"erp_product_id": "A", "name": "T恤", "match": "matched", "main_image_sha256": SHA}


def test_available_is_on_hand_minus_reserved_and_never_negative():
    assert listing.available(None) == 0
    assert listing.available({"on_hand": 5, "reserved": 2}) == 3
    assert listing.available({"on_hand": 1, "reserved": 4}) == 0


def test_refusals_in_order():
    pending = dict(MATCHED, match="pending_review")
    assert listing.refusal(pending, {"on_hand": 0}, [])[0] == "not_matched"
    assert listing.refusal(MATCHED, {"on_hand": 2, "reserved": 2}, [])[0] == "no_stock"
    twin = dict(MATCHED, erp_product_id="B")
    assert listing.refusal(MATCHED, {"on_hand": 1}, [twin]) == (
        "duplicate_listing", "the same image, title and attributes as listed product B", "B")
    assert listing.refusal(MATCHED, {"on_hand": 1}, []) is None


def test_auto_action():
    assert listing.auto_action(MATCHED, {"on_hand": 1}) == "list"
    assert listing.auto_action(dict(MATCHED, listing="listed"), {"on_hand": 1}) is None
    assert listing.auto_action(dict(MATCHED, listing="listed"), {"on_hand": 3, "reserved": 3}) == "delist"
    assert listing.auto_action(dict(MATCHED, match="pending_review"), {"on_hand": 9}) is None
    assert listing.auto_action(None, {"on_hand": 9}) is None
