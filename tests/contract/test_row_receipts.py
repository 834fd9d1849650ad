"""Upload row receipts on both engines: a row's effect and its receipt are one transaction, a
receipt already there cancels the effect, and writes after an item's effect carry none."""
import uuid

import pytest

from chalicelib.store import groups, receipts
from chalicelib.store.stock import StockStore
from chalicelib.store.table import ConditionFailed, put_op


def ids():
    return "m_" + uuid.uuid4().hex[:10], "up_" + uuid.uuid4().hex[:10]


def thing(key: str, value: int) -> dict:
    return {"pk": f"T#{key}", "sk": "X", "value": value}


def grouped(key: str, value: int) -> groups.Group:
    return groups.Group(key, [put_op(thing(key, value))])


def test_groups_write_each_transactions_rows_with_it(table):
    merchant, job = ids()
    batch = receipts.Receipts(merchant, job, {"a": [10], "b": [11], "c": [12, 13]})
    with receipts.carrying(batch):
        failed = groups.apply(table, [grouped("a", 1), grouped("b", 2), grouped("c", 3), grouped("free", 4)])
    assert failed == {}
    assert receipts.applied_rows(merchant, job, 10, 13, table) == {10, 11, 12, 13}
    assert receipts.applied_rows(merchant, job, 11, 13, table) == set()   # filed under the first row
    # the same rows again: the receipt's condition cancels the whole write
    with receipts.carrying(receipts.Receipts(merchant, job, {"a": [10], "b": [11]})):
        with pytest.raises(receipts.AlreadyApplied):
            groups.apply(table, [grouped("a", 100), grouped("b", 200)])
    assert table.get("T#a", "X")["value"] == 1 and table.get("T#b", "X")["value"] == 2


def test_a_group_whose_own_condition_fails_gets_no_receipt(table):
    merchant, job = ids()
    table.put(thing("taken", 1))
    refused = groups.Group("taken", [put_op(thing("taken", 2), condition="attribute_not_exists(pk)")])
    with receipts.carrying(receipts.Receipts(merchant, job, {"taken": [0], "fine": [1]})):
        failed = groups.apply(table, [refused, grouped("fine", 5)])
    assert set(failed) == {"taken"}
    assert receipts.applied_rows(merchant, job, 0, 1, table) == {1}


def test_a_lone_update_carries_its_items_receipt_and_still_answers_the_record(table):
    merchant, job = ids()
    stock = StockStore(merchant, table)
    with receipts.carrying(receipts.Receipts(merchant, job, {"P1": [3]})):
        with receipts.for_item("P1"):
            record = stock.set_on_hand("P1", 7, "manual")
            assert (record["on_hand"], record["free"]) == (7, 7)
            stock.set_on_hand("P1", 8, "manual")       # a later write of the item carries nothing
        with receipts.for_item("P1"):
            stock.set_on_hand("P1", 9, "manual")       # the row already landed in this context
    assert receipts.applied_rows(merchant, job, 0, 10, table) == {3}
    assert stock.get("P1")["on_hand"] == 9
    with receipts.carrying(receipts.Receipts(merchant, job, {"P1": [3]})):
        with receipts.for_item("P1"):
            with pytest.raises(receipts.AlreadyApplied):
                stock.set_on_hand("P1", 1, "manual")
    assert stock.get("P1")["on_hand"] == 9


def test_a_lone_write_whose_condition_fails_leaves_the_receipt_waiting(table):
    merchant, job = ids()
    table.put(thing("k", 1))
    with receipts.carrying(receipts.Receipts(merchant, job, {"k": [4]})):
        with receipts.for_item("k"):
            with pytest.raises(ConditionFailed) as failed:
                table.put(thing("k", 2), condition="attribute_not_exists(pk)")
            assert failed.value.old["value"] == 1
            assert receipts.applied_rows(merchant, job, 0, 9, table) == set()
            table.put(thing("k", 3))                    # the retry that succeeds carries it
    assert receipts.applied_rows(merchant, job, 0, 9, table) == {4}
