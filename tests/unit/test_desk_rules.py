"""The desk's rules without AWS: stages, review, lanes, filters, inspection, waybill numbers, labels."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import desk
from chalicelib.domain import waybills as wb
from chalicelib.domain.desk import DeskFilter, DeskOrder, Lane, Refusal
from chalicelib.domain.labels import label_lines

CN = timezone(timedelta(hours=8))


def order(**kw) -> DeskOrder:
    base = dict(order_id="o1", status="paid", stage="to_review",
                paid_at=datetime(2026, 11, 22, 9, 30, tzinfo=CN).timestamp(), province="广东省",
                lines=({"erp_product_id": "A", "name": "甲", "quantity": 2},
                       {"erp_product_id": "B", "name": "乙", "quantity": 1}))
    base.update(kw)
    return DeskOrder(**base)


def code_of(check, o) -> str:
    with pytest.raises(Refusal) as caught:
        check(o)
    return caught.value.code


# review ---------------------------------------------------------------------------------
def test_auto_review_passes_only_clean_stocked_unheld_orders():
    assert desk.auto_review_refusal(order(), set()) is None
    assert desk.auto_review_refusal(order(holds=("refund_pending",)), set()).code == "refund_pending"
    assert desk.auto_review_refusal(order(remark="请发顺丰"), set()).code == "has_remark"
    assert desk.auto_review_refusal(order(merchant_remark="换货"), set()).code == "has_remark"
    assert desk.auto_review_refusal(order(remark="  "), set()) is None
    assert desk.auto_review_refusal(order(), {"B"}).code == "insufficient_stock"
    assert desk.auto_review_refusal(order(stage="reviewed"), set()).code == "already_reviewed"


def test_carrier_rules_match_provinces_in_either_spelling():
    rules = [{"provinces": ["北京", "天津市"], "carrier_code": "SF"}, {"provinces": ["广东"], "carrier_code": "ZTO"}]
    assert desk.carrier_for("北京市", rules) == "SF"
    assert desk.carrier_for("广东省", rules) == "ZTO"
    assert desk.carrier_for("西藏自治区", rules) is None


def test_a_reserved_number_blocks_carrier_change_and_stays():
    assert code_of(desk.check_carrier_change, order(stage="waybill_reserved", waybill_no="SF1")) == "waybill_reserved"
    desk.check_reservation(order(stage="waybill_reserved", waybill_no="SF1", carrier_code="SF"))  # keeps it
    assert code_of(desk.check_reservation, order(carrier_code="SF")) == "not_reviewed"
    assert code_of(desk.check_reservation, order(stage="reviewed")) == "no_carrier"
    assert code_of(desk.check_reservation, order(stage="reviewed", carrier_code="SF",
                                                 holds=("refund_pending",))) == "refund_pending"


# printing and shipping -----------------------------------------------------------------
def test_only_reserved_unprinted_unheld_orders_are_printable():
    assert desk.printable(order(stage="waybill_reserved"))
    assert not desk.printable(order(stage="waybill_reserved", print_count=1))
    assert not desk.printable(order(stage="waybill_reserved", holds=("refund_pending",)))
    assert not desk.printable(order(stage="waybill_reserved", status="cancelled"))
    assert not desk.printable(order(stage="reviewed"))


def test_direct_ship_needs_one_print_or_an_inspection():
    desk.check_direct_ship(order(stage="printed", print_count=1))
    desk.check_direct_ship(order(stage="inspected", print_count=3))
    assert code_of(desk.check_direct_ship, order(stage="printed", print_count=2)) == "needs_inspection"
    assert code_of(desk.check_direct_ship, order(stage="waybill_reserved")) == "not_printed"
    assert code_of(desk.check_direct_ship, order(stage="printed", print_count=1,
                                                 holds=("refund_pending",))) == "refund_pending"
    assert code_of(desk.check_direct_ship, order(stage="shipped", status="shipped")) == "already_shipped"
    assert code_of(desk.check_direct_ship, order(stage="printed", status="cancelled")) == "cancelled"


def test_reprint_and_inspection_need_a_printed_unheld_order():
    desk.check_reprint(order(stage="printed", print_count=1))
    assert code_of(desk.check_reprint, order(stage="waybill_reserved")) == "not_printed"
    assert code_of(desk.check_inspection, order(stage="printed", holds=("refund_pending",))) == "refund_pending"


# lanes ----------------------------------------------------------------------------------
def at(hour: int) -> float:
    return datetime(2026, 11, 22, hour, 15, tzinfo=CN).timestamp()


def test_lanes_split_by_province_hour_and_carrier():
    north = Lane(provinces=("黑龙江省", "吉林", "辽宁省"))
    assert north.matches(order(province="吉林省"))
    assert not north.matches(order(province="浙江省"))
    morning = Lane(paid_from_hour=0, paid_to_hour=12)
    afternoon = Lane(paid_from_hour=12)
    assert morning.matches(order(paid_at=at(11))) and not morning.matches(order(paid_at=at(12)))
    assert afternoon.matches(order(paid_at=at(23))) and not afternoon.matches(order(paid_at=at(0)))
    night = Lane(paid_from_hour=22, paid_to_hour=6)
    assert night.matches(order(paid_at=at(23))) and night.matches(order(paid_at=at(5)))
    assert not night.matches(order(paid_at=at(6)))
    assert Lane(carrier_code="STO").matches(order(carrier_code="STO"))
    assert not Lane(carrier_code="STO").matches(order(carrier_code="ZTO"))
    assert Lane().matches(order())
    assert desk.lane_problem(Lane(paid_from_hour=3, paid_to_hour=3))


def test_every_hour_falls_in_exactly_one_of_two_complementary_lanes():
    a, b = Lane(paid_from_hour=0, paid_to_hour=12), Lane(paid_from_hour=12, paid_to_hour=24)
    for hour in range(24):
        assert a.matches(order(paid_at=at(hour))) != b.matches(order(paid_at=at(hour)))


# filters --------------------------------------------------------------------------------
def test_review_screen_filters():
    o = order(carrier_code="SF", remark="快")
    assert DeskFilter(stage="to_review", province="广东", carrier_code="SF", has_remark=True,
                      erp_product_id="B", line_count=2, quantity=3).matches(o)
    assert not DeskFilter(quantity=2).matches(o)
    assert not DeskFilter(line_count=1).matches(o)
    assert not DeskFilter(erp_product_id="C").matches(o)
    assert not DeskFilter(has_remark=False).matches(o)
    assert DeskFilter(paid_after=o.paid_at, paid_before=o.paid_at + 1).matches(o)
    assert not DeskFilter(paid_before=o.paid_at).matches(o)


# inspection -----------------------------------------------------------------------------
def test_scans_are_compared_unit_by_unit():
    expected = {"6901234567890": 2, "ERP-B": 1}
    assert desk.compare_scans(expected, ["6901234567890", "erp-b", "６９０１２３４５６７８９０"]).matches
    short = desk.compare_scans(expected, ["6901234567890", "X9"])
    assert short.missing == [{"code": "6901234567890", "quantity": 1}, {"code": "ERP-B", "quantity": 1}]
    assert short.extra == [{"code": "X9", "quantity": 1}]
    over = desk.compare_scans(expected, ["6901234567890"] * 3 + ["ERP-B"])
    assert over.missing == [] and over.extra == [{"code": "6901234567890", "quantity": 1}]


# waybill numbers ------------------------------------------------------------------------
def test_numbers_are_padded_to_the_width_of_last():
    r = wb.NumberRange("SF", 7, 1000)
    assert r.number(7) == "SF0007" and r.number(1000) == "SF1000"


def test_overlap_is_decided_on_spelled_numbers():
    a = wb.NumberRange("SF", 0, 9999)
    assert wb.overlaps(a, wb.NumberRange("SF", 5000, 6000))
    assert not wb.overlaps(a, wb.NumberRange("SF", 10000, 20000))        # longer numbers
    assert not wb.overlaps(a, wb.NumberRange("ZT", 0, 9999))
    assert wb.overlaps(wb.NumberRange("SF0", 0, 999), wb.NumberRange("SF", 12, 1000))   # SF0012 both
    assert wb.overlaps(wb.NumberRange("SF1", 0, 999), wb.NumberRange("SF", 12, 1000))   # SF1000 both
    assert not wb.overlaps(wb.NumberRange("SF2", 0, 999), wb.NumberRange("SF", 12, 1000))
    assert not wb.overlaps(wb.NumberRange("SF0", 0, 999), wb.NumberRange("SF", 12, 12))  # SF12 is shorter
    assert not wb.overlaps(wb.NumberRange("SFA", 0, 999), wb.NumberRange("SF", 0, 9999))
    assert wb.overlaps(wb.NumberRange("SF", 12, 1000), wb.NumberRange("SF0", 0, 999))
    assert wb.problems(wb.NumberRange("X", 5, 4))


def test_allocation_spans_ranges_skips_taken_numbers_and_stops_when_used_up():
    ranges = [(wb.NumberRange("A", 1, 3), 2), (wb.NumberRange("B", 1, 9), 1)]
    plan = wb.allocate(ranges, 4)
    assert [a.numbers for a in plan] == [["A2", "A3"], ["B1", "B2"]]
    assert [(a.seen, a.new_next) for a in plan] == [(2, 4), (1, 3)]
    plan = wb.allocate(ranges, 2, frozenset({"A2"}))
    assert [a.numbers for a in plan] == [["A3"], ["B1"]] and plan[0].new_next == 4
    assert sum(len(a.numbers) for a in wb.allocate(ranges, 50)) == 11
    assert wb.allocate([(wb.NumberRange("A", 1, 3), 4)], 1) == []


# labels ---------------------------------------------------------------------------------
def test_label_lines_print_each_code_once():
    lines = [{"erp_product_id": "A", "name": "甲", "quantity": 1},
             {"erp_product_id": "B", "name": "乙", "quantity": 2},
             {"erp_product_id": "A", "name": "甲", "quantity": 3}]
    got = label_lines(lines, {"A": "690", "B": None})
    assert [(l.code, l.quantity) for l in got] == [("690", 4), ("B", 2)]


def test_overlap_agrees_with_spelling_every_number():
    import random
    rng = random.Random(6)
    prefixes = ["", "S", "S0", "S1", "S01", "T"]
    for _ in range(400):
        made = []
        for _ in range(2):
            first = rng.randrange(0, 1200)
            made.append(wb.NumberRange(rng.choice(prefixes), first, first + rng.randrange(0, 300)))
        a, b = made
        spelled = {a.number(v) for v in range(a.first, a.last + 1)}
        assert wb.overlaps(a, b) == any(b.number(v) in spelled for v in range(b.first, b.last + 1)), (a, b)
