"""Stock rules without AWS: the view, lots, and what an incoming value changes."""
import pytest

from chalicelib.domain import inventory as rules


def lot(no, quantity, produced="2026-01-01", expires="2028-01-01"):
    return {"lot_no": no, "production_date": produced, "expiry_date": expires, "quantity": quantity}


def test_view_shows_available_and_oversold():
    assert rules.view("p", {"on_hand": 5, "reserved": 2})["available"] == 3
    oversold = rules.view("p", {"on_hand": 2, "reserved": 5})
    assert (oversold["available"], oversold["oversold"]) == (0, 3)
    assert rules.view("p", None) == {"erp_product_id": "p", "on_hand": 0, "reserved": 0, "available": 0,
                                     "oversold": 0, "lots": [], "source": None, "updated_at": None}


def test_lots_drop_zero_quantities_and_sort_by_expiry():
    kept = rules.normalize_lots([lot("B", 3, expires="2029-01-01"), lot("Z", 0), lot("A", 2)])
    assert [x["lot_no"] for x in kept] == ["A", "B"]
    assert rules.lots_total(kept) == 5


@pytest.mark.parametrize("bad, field", [
    (lot("A", 1, produced="2026-01-01", expires="2026-01-01"), "lots[0].expiry_date"),
    (lot("A", 1, produced="2027-01-01", expires="2026-01-01"), "lots[0].expiry_date"),
    (lot("A", 1, produced="not a date"), "lots[0].production_date"),
    (lot("A", -1), "lots[0].quantity"),
])
def test_bad_lots_name_their_field(bad, field):
    with pytest.raises(rules.LotsInvalid) as caught:
        rules.normalize_lots([bad])
    assert caught.value.errors[0]["field"] == field


def test_a_lot_number_twice_is_refused():
    with pytest.raises(rules.LotsInvalid) as caught:
        rules.normalize_lots([lot("A", 1), lot("A", 2)])
    assert caught.value.errors == [{"field": "lots[1].lot_no", "message": "lot 'A' appears twice"}]


def test_plan_writes_only_what_differs_and_what_switches_allow():
    stored = rules.known({"on_hand": 5, "lots": [], "rev": 3})
    assert not rules.plan(stored, 5, None, True, True).writes
    assert rules.plan(stored, 6, None, True, True).on_hand == 6
    refused = rules.plan(stored, 6, None, False, True)
    assert refused.refused and not refused.writes
    assert not rules.plan(stored, 5, None, False, True).refused  # nothing differs: nothing refused


def test_plan_with_lots_sets_on_hand_to_their_sum():
    lots = rules.normalize_lots([lot("A", 2), lot("B", 4)])
    change = rules.plan(rules.known({"on_hand": 1}), 999, lots, True, True)
    assert (change.on_hand, change.lots) == (6, lots)
    only_lots = rules.plan(rules.known({"on_hand": 1}), None, lots, False, True)
    assert (only_lots.on_hand, only_lots.lots, only_lots.refused) == (None, lots, True)
    same = rules.plan(rules.known({"on_hand": 6, "lots": lots}), None, [dict(x) for x in lots], True, True)
    assert not same.writes


def test_a_missing_record_is_zero_so_an_erp_zero_writes_nothing():
    assert rules.known(None) == rules.NOTHING
    assert not rules.plan(rules.NOTHING, 0, None, True, True).writes
    assert rules.plan(rules.NOTHING, 3, None, True, True).on_hand == 3
