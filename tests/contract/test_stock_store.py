"""The stock record's named writes on the local AWS server: conditions, arithmetic inside
DynamoDB, and races from real threads (stock is never negative and never sold twice)."""
import threading
import uuid

import pytest

from chalicelib.domain.errors import ChangedMeanwhile, CompareFailed, InsufficientStock
from chalicelib.store.stock import ABSENT, StockStore, reserve_op


@pytest.fixture
def store(stack):
    return StockStore("m_" + uuid.uuid4().hex[:12])


def test_absolute_set_keeps_free_equal_to_on_hand_minus_reserved(store):
    store.set_on_hand("A", 5, "erp")
    store.reserve([("A", 3)])
    record = store.set_on_hand("A", 1, "erp")        # below what is reserved: applied, oversold
    assert (record["on_hand"], record["reserved"], record["free"], record["prev_on_hand"]) == (1, 3, -2, 5)
    with pytest.raises(InsufficientStock):
        store.reserve([("A", 1)])
    store.release([("A", 3)])
    assert store.get("A")["free"] == 1


def test_compare_and_set(store):
    store.set_on_hand("A", 0, "erp", compare_on_hand=0)  # a missing record compares as 0
    store.set_on_hand("A", 4, "erp", compare_on_hand=0)
    with pytest.raises(CompareFailed) as caught:
        store.set_on_hand("A", 9, "erp", compare_on_hand=3)
    assert caught.value.extra == {"on_hand": 4} and store.get("A")["on_hand"] == 4


def test_adjustments_never_go_below_zero(store):
    with pytest.raises(InsufficientStock):
        store.adjust("A", -1, "manual", "count")
    assert store.adjust("A", 3, "manual", "delivery")["on_hand"] == 3
    with pytest.raises(InsufficientStock):
        store.adjust("A", -4, "manual", "breakage")
    record = store.adjust("A", -3, "manual", "breakage")
    assert (record["on_hand"], record["free"], record["last_reason"]) == (0, 0, "breakage")


def test_consume_takes_reserved_units_off_the_shelf(store):
    store.set_on_hand("A", 5, "erp")
    store.reserve([("A", 2)])
    store.consume([("A", 2)])
    record = store.get("A")
    assert (record["on_hand"], record["reserved"], record["free"]) == (3, 0, 3)
    with pytest.raises(InsufficientStock):
        store.consume([("A", 1)])                    # nothing reserved


def test_a_reservation_of_several_products_is_all_or_nothing(store):
    store.set_on_hand("A", 5, "erp")
    store.set_on_hand("B", 1, "erp")
    with pytest.raises(InsufficientStock) as caught:
        store.reserve([("A", 2), ("B", 2), ("C", 1)])
    assert caught.value.extra["erp_product_ids"] == ["B", "C"]
    assert store.get("A")["reserved"] == 0


def test_replace_insists_on_the_revision_it_read(store):
    record = store.replace("A", "erp", on_hand=5, expected_rev=ABSENT)
    with pytest.raises(ChangedMeanwhile):
        store.replace("A", "erp", on_hand=6, expected_rev=ABSENT)
    store.adjust("A", 1, "manual", "found one")
    with pytest.raises(ChangedMeanwhile):
        store.replace("A", "erp", on_hand=7, expected_rev=record["rev"])
    store.reserve([("A", 1)])                          # reservations do not move the revision
    current = store.get("A")
    assert store.replace("A", "erp", on_hand=2, lots=[], expected_rev=current["rev"])["free"] == 1


def test_replace_of_a_product_needs_the_product_in_the_same_transaction(store):
    from chalicelib.domain.errors import NotFound
    lots = [{"lot_no": "L 1", "production_date": "2026-01-01", "expiry_date": "2027-01-01", "quantity": 2}]
    store.table.put(dict(zip(("pk", "sk"), store.scope.product("A")), erp_product_id="A"))
    with pytest.raises(NotFound):
        store.replace("A#2", "manual", on_hand=2, lots=lots, of_product=True)
    assert store.get("A#2") is None and store.get("A") is None
    record = store.replace("A", "manual", on_hand=2, lots=lots, of_product=True)
    assert (record["on_hand"], record["lots"], record["prev_on_hand"]) == (2, lots, 0)
    with pytest.raises(ChangedMeanwhile):
        store.replace("A", "manual", on_hand=3, expected_rev=ABSENT, of_product=True)
    assert store.get("A")["on_hand"] == 2


def test_reserve_op_refuses_non_positive_quantities():
    with pytest.raises(ValueError):
        reserve_op("m", "A", 0)


def race(threads: int, attempt) -> list:
    barrier = threading.Barrier(threads)
    outcomes, errors = [], []

    def run(i):
        barrier.wait()
        try:
            outcomes.append(attempt(i))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors[:3]
    return outcomes


def test_twenty_threads_reserving_the_last_five_units(store):
    store.set_on_hand("LAST", 5, "erp")

    def reserve(_):
        try:
            store.reserve([("LAST", 1)])
            return True
        except InsufficientStock:
            return False

    assert race(20, reserve).count(True) == 5
    record = store.get("LAST")
    assert (record["on_hand"], record["reserved"], record["free"]) == (5, 5, 0)


def test_concurrent_adjustments_and_sets_never_go_negative(store):
    store.set_on_hand("HOT", 10, "erp")

    def adjust(i):
        if i % 5 == 0:
            store.set_on_hand("HOT", 3, "erp")
            return "set"
        try:
            store.adjust("HOT", -2, "manual", "sold")
            return True
        except InsufficientStock:
            return False

    race(20, adjust)
    record = store.get("HOT")
    assert record["on_hand"] >= 0 and record["free"] == record["on_hand"] - record["reserved"]


def test_concurrent_decrements_stop_exactly_at_zero(store):
    store.set_on_hand("TEN", 10, "erp")

    def take(_):
        try:
            store.adjust("TEN", -1, "manual", "sold")
            return True
        except InsufficientStock:
            return False

    assert race(20, take).count(True) == 10
    assert store.get("TEN")["on_hand"] == 0
