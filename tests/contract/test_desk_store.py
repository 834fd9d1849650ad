"""The desk store's named writes on both engines: the conditions behind guarantees 3 and 4
(a claim, a reservation, a reprint land only on the state they were decided on)."""
import pytest

from chalicelib.domain import clock
from chalicelib.store.desk import DeskStore, StageConflict, entry_fields
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import TransactionCanceled
from chalicelib.store.waybills import RangesChanged, WaybillStore, counter_op

MID = "m_desk_contract"
ENTRY = {"operator": "op", "at": "2026-01-01T00:00:00.000Z", "reason": "print batch", "batch_id": "pb_1"}


def put_order(table, order_id, stage="to_review", held=False, **extra) -> dict:
    pk, sk = MerchantScope(MID).order(order_id)
    paid = clock.now_iso()
    item = dict({"pk": pk, "sk": sk, "order_id": order_id, "status": "paid", "paid_at": paid,
                 "holds": {"refund_pending"} if held else None}, **entry_fields(MID, order_id, paid))
    item.update(stage=stage, **extra)
    table.put(item)
    return table.get(pk, sk)


def label(no):
    return {"carrier_code": "SF", "waybill_no": no, "lines": [], "recipient": {}, "sender": {}}


LABELS = {"o1": label("SF1"), "o2": label("SF2")}


def test_a_claim_of_several_lands_whole_or_not_at_all(table):
    store = DeskStore(MID, table)
    free = put_order(table, "o1", "waybill_reserved", desk_carrier="SF", desk_waybill="SF1")
    held = put_order(table, "o2", "waybill_reserved", held=True, desk_carrier="SF", desk_waybill="SF2")
    with pytest.raises(TransactionCanceled) as caught:
        store.claim_together([free, held], "pb_1", ENTRY, LABELS)
    assert caught.value.failed_indexes() == [1]
    assert store.order("o1")["stage"] == "waybill_reserved"
    assert store.claim_one(free, "pb_1", ENTRY, LABELS["o1"]) is True
    assert store.claim_one(free, "pb_2", ENTRY, LABELS["o1"]) is False          # printed once
    claimed = store.order("o1")
    assert (claimed["stage"], claimed["desk_print_count"], claimed["desk_batch"]) == ("printed", 1, "pb_1")
    assert claimed["desk_label"] == LABELS["o1"]                   # the label printed is kept with the print
    assert claimed["gsi4sk"].startswith("4#")


def test_reprint_counts_from_what_it_read(table):
    store = DeskStore(MID, table)
    item = put_order(table, "o3", "printed", desk_print_count=1, desk_prints=[ENTRY])
    store.reprint(item, dict(ENTRY, reason="jam"), label("SF3"))
    with pytest.raises(StageConflict):
        store.reprint(item, dict(ENTRY, reason="again, from a stale read"), label("SF3"))
    assert store.order("o3")["desk_print_count"] == 2
    assert store.order("o3")["desk_label"] == label("SF3")


def test_review_refuses_held_orders_and_keeps_a_chosen_carrier(table):
    store = DeskStore(MID, table)
    held = put_order(table, "o4", held=True)
    with pytest.raises(StageConflict):
        store.review(held, "op", "SF")
    chosen = put_order(table, "o5", desk_carrier="JD")
    assert store.review(chosen, "op", "SF")["desk_carrier"] == "JD"


def test_a_reservation_moves_the_counter_it_read_or_nothing(table):
    store, ranges = DeskStore(MID, table), WaybillStore(MID, table)
    version, _ = ranges.ranges()
    ranges.add_range("wr_1", "SF", "SF", 1, 9, version)
    with pytest.raises(RangesChanged):
        ranges.add_range("wr_2", "SF", "SF", 10, 99, version)     # someone added one meanwhile
    _, (r,) = ranges.ranges("SF")
    a = put_order(table, "o6", "reviewed", desk_carrier="SF")
    b = put_order(table, "o7", "reviewed", desk_carrier="SF")
    with pytest.raises(TransactionCanceled) as caught:       # a stale counter: nothing lands
        store.reserve([(a, "SF1")], [counter_op(r, 5, 6)])
    assert caught.value.failed_indexes() == [0]
    assert "desk_waybill" not in store.order("o6")
    store.reserve([(a, "SF1"), (b, "SF2")], [counter_op(r, 1, 3)])
    assert store.waybill_owner("SF1") == "o6" and store.order("o7")["desk_waybill"] == "SF2"
    with pytest.raises(TransactionCanceled) as caught:       # a reserved number stays with its order
        store.reserve([(a, "SF3")], [counter_op(r, 3, 4)])
    assert caught.value.failed_indexes() == [1]
    c = put_order(table, "o8", "reviewed", desk_carrier="SF")
    with pytest.raises(TransactionCanceled) as caught:       # a number is never given twice
        store.reserve([(c, "SF2")], [counter_op(r, 3, 4)])
    assert caught.value.failed_indexes() == [2]
    assert store.waybill_owner("SF2") == "o7"
