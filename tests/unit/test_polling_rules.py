"""ERP polling rules without AWS or network: backoff, pages, header lines, cursors."""
import pytest

from chalicelib.domain import polling


def test_backoff_doubles_and_is_capped():
    minute = 60
    assert polling.backoff_seconds(1, minute, jitter=0) == 120
    assert polling.backoff_seconds(2, minute, jitter=0) == 240
    assert polling.backoff_seconds(10, minute, jitter=0) == polling.BACKOFF_CAP_SECONDS
    assert polling.backoff_seconds(10, minute, jitter=1) == polling.BACKOFF_CAP_SECONDS * 1.1
    daily = 86400
    assert polling.backoff_seconds(3, daily, jitter=0) == daily  # never sooner than the interval


def test_a_page_keeps_good_items_and_counts_bad_ones():
    page = polling.parse_page({"items": [{"erp_product_id": "A", "on_hand": 3},
                                         {"erp_product_id": 42, "on_hand": 0},
                                         {"erp_product_id": "B", "on_hand": -1},
                                         {"erp_product_id": "C", "on_hand": 1.5},
                                         {"erp_product_id": "", "on_hand": 1},
                                         {"erp_product_id": "has/slash", "on_hand": 1},
                                         {"erp_product_id": " padded", "on_hand": 1},
                                         {"erp_product_id": "红色-XL 01", "on_hand": 2},
                                         {"erp_product_id": "A01 #2", "lots": [
                                             {"lot_no": "批次 #1", "production_date": "2026-01-01",
                                              "expiry_date": "2027-01-01", "quantity": 5}]},
                                         {"erp_product_id": "L", "lots": [
                                             {"lot_no": "a/b", "production_date": "2026-01-01",
                                              "expiry_date": "2027-01-01", "quantity": 5}]},
                                         "junk"],
                               "next_cursor": "c2"}, 1)
    assert [(i.erp_product_id, i.on_hand) for i in page.items] == [("A", 3), ("42", 0), ("红色-XL 01", 2),
                                                                  ("A01 #2", None)]
    assert page.items[-1].lots[0]["lot_no"] == "批次 #1"
    assert len(page.invalid) == 7 and page.next_cursor == "c2"
    assert any("'/'" in reason for reason in page.invalid)


def test_item_lots_are_normalized_and_bad_lots_leave_the_item_out():
    page = polling.parse_page({"items": [
        {"erp_product_id": "A", "lots": [{"lot_no": "L1", "production_date": "2026-01-01",
                                          "expiry_date": "2027-01-01", "quantity": 0},
                                         {"lot_no": "L2", "production_date": "2026-01-01",
                                          "expiry_date": "2027-06-01", "quantity": 4}]},
        {"erp_product_id": "B", "on_hand": 1, "lots": [{"lot_no": "L", "production_date": "2026-01-01",
                                                        "expiry_date": "2025-01-01", "quantity": 1}]},
    ], "next_cursor": None}, 1)
    assert [i.erp_product_id for i in page.items] == ["A"]
    assert [lot["lot_no"] for lot in page.items[0].lots] == ["L2"]
    assert "expiry_date" in page.invalid[0]


@pytest.mark.parametrize("garbage", [[], "x", {"items": "no"}, {"items": [], "next_cursor": 5},
                                     {"items": [], "next_cursor": ""}])
def test_a_page_of_the_wrong_shape_is_garbage(garbage):
    with pytest.raises(polling.ErpGarbage):
        polling.parse_page(garbage, 1)


def test_header_lines():
    assert polling.header_line("Authorization: Bearer abc") == ("Authorization", "Bearer abc")
    assert polling.header_line("X-Api-Key:k:with:colons") == ("X-Api-Key", "k:with:colons")
    for bad in ["no colon", ": empty name", "Bad Name: x", "X-Key:", "Host: evil", "X: a\r\nB: c"]:
        with pytest.raises(ValueError):
            polling.header_line(bad)


def test_page_urls_carry_the_cursor():
    assert polling.page_url("https://erp/x?store=1", None) == "https://erp/x?store=1"
    assert polling.page_url("https://erp/x?store=1", "a b&c") == "https://erp/x?store=1&cursor=a+b%26c"
    assert polling.page_url("https://erp/x?cursor=old", "new") == "https://erp/x?cursor=new"
