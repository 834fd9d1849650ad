"""Order rules without AWS: lines, amounts, shipments, ERP statuses, refunds, the body."""
import pytest

from chalicelib.domain import orders as rules
from chalicelib.domain.errors import Conflict, UnprocessableRequest


def _order(**fields):
    lines = [{"erp_product_id": "A", "name": "a", "quantity": 3, "unit_price": "2.50", "amount": "7.50",
              "lot": None, "shipped_quantity": 0, "shipped_lots": []},
             {"erp_product_id": "B", "name": "b", "quantity": 1, "unit_price": "1.00", "amount": "1.00",
              "lot": None, "shipped_quantity": 0, "shipped_lots": []}]
    return dict({"order_id": "o1", "merchant_id": "m1", "status": rules.PAID, "lines": lines,
                 "amounts": rules.amounts(lines), "delivery": {}, "buyer": {}}, **fields)


def test_lines_of_the_same_product_are_combined_in_order_of_first_appearance():
    assert list(rules.combine([("B", 1), ("A", 2), ("B", 3)]).items()) == [("B", 4), ("A", 2)]


def test_amounts_are_money_strings_and_total_is_goods_plus_freight_minus_discount():
    prices = {"A": ("2.5", "default", {"name": "Aspirin"}), "B": ("0.10", "region", {})}
    lines = rules.priced_lines({"A": 3, "B": 7}, prices, {"A": {"lot_no": "L1"}})
    assert [(l["unit_price"], l["amount"], l["name"]) for l in lines] == [("2.50", "7.50", "Aspirin"),
                                                                         ("0.10", "0.70", "B")]
    assert lines[0]["lot"] == {"lot_no": "L1"} and lines[1]["lot"] is None
    assert rules.amounts(lines, "5", "1.2") == {"goods": "8.20", "freight": "5.00", "discount": "1.20",
                                                 "total": "12.00"}


def test_the_lot_shown_is_the_first_to_expire_with_stock():
    lots = [{"lot_no": "L2", "expiry_date": "2027-01-01", "quantity": 5},
            {"lot_no": "L1", "expiry_date": "2026-06-01", "quantity": 0},
            {"lot_no": "L3", "expiry_date": "2026-12-01", "quantity": 1, "production_date": "2025-12-01"}]
    assert rules.shown_lot(lots) == {"lot_no": "L3", "production_date": "2025-12-01", "expiry_date": "2026-12-01"}
    assert rules.shown_lot([]) is None


def test_partial_shipments_add_up_and_over_shipment_is_refused():
    order = _order()
    lines, consume, status = rules.apply_shipment(order["lines"], [{"erp_product_id": "A", "quantity": 2,
                                                                    "lot_no": "L1"}])
    assert (status, consume, lines[0]["shipped_quantity"]) == (rules.PARTIALLY_SHIPPED, {"A": 2}, 2)
    assert lines[0]["shipped_lots"] == [{"lot_no": "L1", "quantity": 2, "production_date": None,
                                         "expiry_date": None}]
    lines, consume, status = rules.apply_shipment(lines, [{"erp_product_id": "A", "quantity": 1},
                                                          {"erp_product_id": "B", "quantity": 1}])
    assert status == rules.SHIPPED and consume == {"A": 1, "B": 1}
    with pytest.raises(UnprocessableRequest) as refused:
        rules.apply_shipment(order["lines"], [{"erp_product_id": "A", "quantity": 4}])
    assert refused.value.code == "over_shipment"
    with pytest.raises(UnprocessableRequest):
        rules.apply_shipment(order["lines"], [{"erp_product_id": "Z", "quantity": 1}])
    assert order["lines"][0]["shipped_quantity"] == 0  # nothing changed in place


def test_ship_remaining_consumes_only_what_is_left():
    order = _order()
    order["lines"][0]["shipped_quantity"] = 2
    lines, consume = rules.ship_remaining(order["lines"])
    assert consume == {"A": 1, "B": 1} and all(l["shipped_quantity"] == l["quantity"] for l in lines)


def test_held_cancelled_and_unpaid_orders_are_not_shippable():
    for fields, code in (({"holds": {"refund_pending"}}, "refund_pending"),
                         ({"status": rules.CANCELLED}, "order_cancelled"),
                         ({"status": rules.PENDING_PAYMENT}, "order_not_paid")):
        with pytest.raises(Conflict) as refused:
            rules.ensure_shippable(_order(**fields))
        assert refused.value.code == code


def test_erp_statuses_never_move_back_and_signed_completes_a_shipped_order():
    assert rules.erp_status_effect(_order(status=rules.SHIPPED, erp_status="picking"), "outbound") == (True, None)
    assert rules.erp_status_effect(_order(status=rules.SHIPPED, erp_status="delivering"), "picking") == (False, None)
    assert rules.erp_status_effect(_order(status=rules.SHIPPED), "signed") == (True, rules.COMPLETED)
    assert rules.erp_status_effect(_order(status=rules.COMPLETED, erp_status="signed"), "signed") == (False, None)
    with pytest.raises(Conflict):
        rules.erp_status_effect(_order(status=rules.PAID), "signed")
    assert rules.erp_status_effect(_order(status=rules.PAID), "picking") == (True, None)
    assert rules.TRACKING_TEXTS["picking"] == "订单已处理,商家拣货中"


def test_refund_is_a_hold_before_shipping_and_an_after_sale_after():
    assert rules.refund_kind(_order()) == "hold"
    assert rules.refund_kind(_order(status=rules.PARTIALLY_SHIPPED)) == "after_sale"
    assert rules.refund_kind(_order(status=rules.COMPLETED)) == "after_sale"
    for fields, code in (({"open_refund_id": "r1"}, "refund_already_requested"),
                         ({"status": rules.PENDING_PAYMENT}, "order_not_paid")):
        with pytest.raises(Conflict) as refused:
            rules.refund_kind(_order(**fields))
        assert refused.value.code == code
    order = _order(open_refund_id="r2", refunds=[{"refund_id": "r1"}, {"refund_id": "r2", "kind": "hold"}])
    assert rules.open_refund(order)[0] == 1
    with pytest.raises(Conflict):
        rules.open_refund(_order())


def test_body_has_the_contract_parts_and_holds_as_a_sorted_list():
    body = rules.body(_order(holds={"refund_pending"}), "C-001")
    for name in rules.BASIC + ("amounts", "delivery", "invoice", "lines"):
        assert name in body
    assert body["holds"] == ["refund_pending"] and body["erp_customer_code"] == "C-001"
    assert set(body["lines"][0]) == set(rules.LINE)
    assert rules.body(_order())["holds"] == []
