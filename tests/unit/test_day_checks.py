"""The warehouse day's own checks (bench/warehouse/invariants.py), on ledgers made by hand: a check
that passed what it should refuse would hide a broken guarantee on every seed."""
from bench.warehouse.invariants import Stored, wrong_items_caught
from bench.warehouse.ledger import Ledger

NOTHING_STORED = Stored(orders={}, stock={}, outbox=[], tracking={}, jobs=[])


def ledger_with(caught: int = 0, held: int = 0, sent: int = 1, note: str = "") -> Ledger:
    ledger = Ledger()
    ledger.add("wrong_scans", "o_1", sent)
    if caught:
        ledger.add("caught", "o_1", caught)
    if held:
        ledger.add("held_scans", "o_1", held)
    if note:
        ledger.note(note)
    return ledger


def test_a_wrong_scan_answered_inspection_mismatch_is_caught():
    check = wrong_items_caught(NOTHING_STORED, ledger_with(caught=1), None)
    assert check.checked == 1 and check.violations == []


def test_a_wrong_scan_refused_for_a_refund_hold_that_came_first_is_no_violation():
    # seed 21 of 10,000 orders: a refund request reached two orders between their print and their
    # inspection, and the wrong scan was answered 409 refund_pending before any comparison
    check = wrong_items_caught(NOTHING_STORED, ledger_with(held=1), None)
    assert check.checked == 1 and check.violations == []


def test_a_wrong_scan_answered_otherwise_is_a_violation():
    check = wrong_items_caught(NOTHING_STORED, ledger_with(sent=2, caught=1), None)
    assert check.violations == ["o_1: 2 wrong scans, 1 caught, 0 refused for a hold"]


def test_a_wrong_scan_that_shipped_is_a_violation():
    check = wrong_items_caught(NOTHING_STORED, ledger_with(caught=0, note="wrong_item_shipped"), None)
    assert len(check.violations) == 2 and check.violations[-1] == "1 orders shipped on a wrong scan"
