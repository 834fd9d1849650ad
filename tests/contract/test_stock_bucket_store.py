"""The moves between a bucketed product's record and its buckets, on the local AWS server: a write
that takes the pool below what the buckets hold drains them in the same transaction; refills and
gathers only move units; a frozen bucket refuses reservations until the drain lifts it."""
import uuid

import pytest

from chalicelib.domain.errors import CompareFailed, InsufficientStock
from chalicelib.store.stock import StockStore
from chalicelib.store.stock_buckets import BUCKETS, Buckets, Reservations, reserve_op
from chalicelib.store.table import TransactionCanceled


@pytest.fixture
def hot(stack):
    store = StockStore("m_" + uuid.uuid4().hex[:12])
    store.set_on_hand("H", 100, "erp")
    moves = Buckets(store.merchant_id, "H")
    assert moves.split() and not moves.split()           # once only; 100 // 32 = 3 units to each
    record, buckets = moves.read()
    assert (record["free"], record["reserved"]) == (52, 48) and {b["free"] for b in buckets.values()} == {3}
    assert moves.gather(buckets)                         # back to the pool: the tests hand out their own
    for n in range(4):
        assert moves.refill(n, 10)                       # 40 units handed to four buckets
    return store, moves


def holdings(moves) -> tuple:
    record, buckets = moves.read()
    return record, {n: (b["free"], b["reserved"]) for n, b in buckets.items() if b["free"] or b["reserved"]}


def test_refills_and_gathers_only_move_units(hot):
    store, moves = hot
    record, held = holdings(moves)
    assert (record["on_hand"], record["reserved"], record["free"]) == (100, 40, 60)
    assert held == {n: (10, 0) for n in range(4)}
    assert store.get("H")["free"] == 100 and store.get("H")["reserved"] == 0     # the product's real figures
    assert not moves.refill(5, 61)                       # the pool has 60
    _, buckets = moves.read()
    assert moves.gather({n: buckets[n] for n in (0, 1)})
    record, held = holdings(moves)
    assert (record["reserved"], record["free"]) == (20, 80) and held == {2: (10, 0), 3: (10, 0)}
    assert not moves.gather({n: dict(buckets[n], free=11) for n in (2,)})        # it holds 10: nothing moves
    assert holdings(moves)[1] == {2: (10, 0), 3: (10, 0)}


def test_a_set_below_what_the_buckets_hold_drains_them(hot):
    store, moves = hot
    store.table.transact([reserve_op(store.merchant_id, "H", 4, 0)])            # an order holds 4 from bucket 0
    view = store.set_on_hand("H", 10, "erp")                                    # buckets hold 36 free
    assert (view["on_hand"], view["reserved"], view["free"]) == (10, 4, 6)
    record, held = holdings(moves)
    assert held == {0: (0, 4)}                          # every bucket drained; the reservation stays
    assert (record["reserved"], record["free"], record["prev_on_hand"]) == (4, 6, 100)
    _, buckets = moves.read()
    assert not any("frozen" in b for b in buckets.values())
    oversold = store.set_on_hand("H", 2, "erp")                                 # below what is reserved
    assert (oversold["reserved"], oversold["free"]) == (4, -2)


def test_a_compare_that_fails_on_the_draining_path_changes_nothing(hot):
    store, moves = hot
    with pytest.raises(CompareFailed):
        store.set_on_hand("H", 5, "erp", compare_on_hand=99)
    record, held = holdings(moves)
    assert record["on_hand"] == 100 and held == {n: (10, 0) for n in range(4)}
    _, buckets = moves.read()
    assert not any("frozen" in b for b in buckets.values())
    assert store.adjust("H", -70, "manual", "breakage")["on_hand"] == 30        # drains: the pool had 60
    assert holdings(moves)[1] == {}
    with pytest.raises(InsufficientStock):
        store.adjust("H", -31, "manual", "breakage")


def test_a_frozen_bucket_refuses_reservations(hot):
    store, moves = hot
    store.table.update(*store.scope.stock_bucket("H", 1), "SET frozen = :t", values={":t": __import__("time").time()})
    with pytest.raises(TransactionCanceled):
        store.table.transact([reserve_op(store.merchant_id, "H", 1, 1)])
    store.table.update(*store.scope.stock_bucket("H", 1), "SET frozen = :t", values={":t": 1.0})   # lapsed
    store.table.transact([reserve_op(store.merchant_id, "H", 1, 1)])


def test_a_placement_finds_the_units_wherever_they_are(hot):
    store, moves = hot
    plan = Reservations(store.merchant_id, {"H": 15}, {"H": moves.read()[0]})
    assert plan.bucket["H"] is not None and plan.bucket["H"] < BUCKETS
    plan.bucket["H"] = 7                                  # an empty bucket: the pool refills it
    assert plan.refused({"H": None}) == ([], False) and plan.bucket["H"] == 7
    assert holdings(moves)[1][7][0] >= 15
    _, buckets = moves.read()
    moves.gather(buckets)                                  # everything back in the pool
    for n in range(3):
        assert moves.refill(n, 30)                        # 90 in three buckets, 10 in the pool
    plan = Reservations(store.merchant_id, {"H": 50}, {"H": moves.read()[0]})
    plan.bucket["H"] = 9
    assert plan.refused({"H": None}) == ([], False) and plan.bucket["H"] is None   # gathered: reserve in the pool
    assert moves.read()[0]["free"] == 100
    assert Reservations(store.merchant_id, {"H": 101}, {}).refused({"H": moves.read()[0]}) == (["H"], False)
    shown = Reservations(store.merchant_id, {"H": 1}, {}, lots={"H": [{"lot_no": "L9"}]})
    assert shown.refused({"H": moves.read()[0]}) == ([], True)                 # the lots it shows changed
