"""The warehouse day's own checks (bench/warehouse/invariants.py), on ledgers made by hand: a check
that passed what it should refuse would hide a broken guarantee on every seed."""
from bench.warehouse.invariants import Stored, reprints_inspected, wrong_items_caught
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


def shipped_order(prints: int, inspected_at=None) -> dict:
    log = [{"operator": "op", "at": f"2026-12-03T10:0{n}:00.000Z", "authorized_by": n and "sup"} for n in range(prints)]
    order = {"order_id": "o_1", "status": "shipped", "desk_prints": log, "desk_print_count": prints,
             "desk_shipped_at": "2026-12-03T10:09:00.000Z"}
    if inspected_at:
        order["desk_inspected_at"] = inspected_at
    return order


def stored_with(order: dict) -> Stored:
    return Stored(orders={order["order_id"]: order}, stock={}, outbox=[], tracking={}, jobs=[])


def test_a_reprinted_order_inspected_after_its_last_print_is_no_violation():
    check = reprints_inspected(stored_with(shipped_order(2, "2026-12-03T10:08:00.000Z")), Ledger(), None)
    assert check.checked == 1 and check.violations == []


def test_an_order_printed_once_and_shipped_directly_is_not_a_reprint():
    check = reprints_inspected(stored_with(shipped_order(1)), Ledger(), None)
    assert check.checked == 0 and check.violations == []


def test_a_reprinted_order_shipped_with_no_inspection_is_a_violation():
    check = reprints_inspected(stored_with(shipped_order(2)), Ledger(), None)
    assert check.violations == ["o_1: printed 2 times, last at 2026-12-03T10:01:00.000Z, shipped at "
                                "2026-12-03T10:09:00.000Z with no inspection"]


def test_an_inspection_of_the_label_before_the_reprint_does_not_count():
    # inspected (the stock was short, so it did not ship), then reprinted, then shipped directly
    check = reprints_inspected(stored_with(shipped_order(3, "2026-12-03T10:01:30.000Z")), Ledger(), None)
    assert len(check.violations) == 1 and "its inspection at 2026-12-03T10:01:30.000Z" in check.violations[0]


def test_a_direct_ship_after_a_reprint_answered_ok_is_a_violation():
    ledger = Ledger()
    ledger.add("direct_shipped_after_reprint", "o_2")
    check = reprints_inspected(NOTHING_STORED, ledger, None)
    assert check.violations == ["o_2: a direct ship after its authorized reprint was answered ok"]
