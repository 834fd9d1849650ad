"""Spreadsheet rules without AWS: cells as text, header layout, rows to API items, keys."""
import datetime

import pytest

from chalicelib.domain import cells
from chalicelib.domain import uploads as rules
from chalicelib.domain.sheet_kinds import KINDS
from chalicelib.domain.sheet_layout import RowInvalid, SheetFatal, item, resolve
from chalicelib.domain.sheet_scan import scan


@pytest.mark.parametrize("value, text", [
    ("0017", "0017"), (17.0, "17"), (90.75, "90.75"), (0.1 + 0.2, "0.30000000000000004"), (None, ""),
    (True, "true"), (datetime.date(2024, 1, 5), "2024-01-05"),
    (datetime.datetime(2024, 1, 5, 0, 0), "2024-01-05"), (datetime.datetime(2024, 1, 5, 10, 30), "2024-01-05 10:30:00"),
    (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf"), (1e300, "1e+300"), (1.5, "1.5"),
    (12, "12"), ("  a b ", "a b"),
])
def test_every_cell_is_text_first(value, text):
    assert cells.text(value) == text


@pytest.mark.parametrize("raw, money", [("90.750", "90.75"), ("12", "12.00"), ("1,234.5", "1234.50"),
                                        ("0.1", "0.10"), ("¥8", "8.00"), ("90.7500", "90.75")])
def test_money_keeps_its_digits(raw, money):
    assert cells.money(raw) == money


@pytest.mark.parametrize("raw", ["90.755", "0.30000000000000004", "-1", "1e3", "12.5.1", "abc", "1,23"])
def test_money_is_never_rounded_or_guessed(raw):
    with pytest.raises(cells.CellError):
        cells.money(raw)


@pytest.mark.parametrize("raw, day", [("2024-01-05", "2024-01-05"), ("2024/1/5", "2024-01-05"),
                                      ("2024.1.5", "2024-01-05"), ("2024年1月5日", "2024-01-05"),
                                      ("20240105", "2024-01-05"), ("45296", "2024-01-05"),
                                      ("2024-01-05 00:00:00", "2024-01-05"), ("60", "1900-02-28")])
def test_dates_in_the_forms_spreadsheets_write_them(raw, day):
    assert cells.day(raw) == day


@pytest.mark.parametrize("raw", ["2024-02-30", "next week", "0", "2024-01-05T10:00:00+08:00"])
def test_bad_dates(raw):
    with pytest.raises(cells.CellError):
        cells.day(raw)


def test_times_default_to_china_time():
    assert cells.moment("2024-01-05 10:30") == "2024-01-05T10:30:00+08:00"
    assert cells.moment("2024-01-05T10:30:00Z") == "2024-01-05T10:30:00+00:00"
    assert cells.moment("45296.5") == "2024-01-05T12:00:00+08:00"
    assert cells.moment("2024年1月5日 10时30分") == "2024-01-05T10:30:00+08:00"


def test_integers():
    assert cells.integer("12") == "12" and cells.integer("12.0") == "12" and cells.integer("1,200") == "1200"
    with pytest.raises(cells.CellError):
        cells.integer("12.5")


def test_headers_in_either_language_any_order():
    layout = resolve(KINDS["prices"], ["默认价格", "erp_product_id", " 区域：south ", "customer_group:VIP",
                                       "Suggested_Retail_Price"])
    row = ["9.9", "0017", "8", "7.5", ""]
    assert item(layout, row) == {
        "erp_product_id": "0017", "default_price": "9.90",
        "region_prices": [{"region_group_id": "south", "price": "8.00"}],
        "customer_level_prices": [{"customer_group_id": "VIP", "price": "7.50"}]}


def test_full_width_and_required_marks_in_headers():
    layout = resolve(KINDS["inventory"], ["商品编码*", "ＯＮ＿ＨＡＮＤ"])
    assert item(layout, ["A1", "５"]) == {"erp_product_id": "A1", "on_hand": 5}


@pytest.mark.parametrize("header, words", [
    (["商品编码", "价格"], "unknown column '价格'"),
    (["默认价格"], "missing required column 商品编码 (erp_product_id)"),
    (["商品编码", "erp_product_id"], "repeats column A"),
    (["商品编码", "region:"], "unknown column 'region:'"),
])
def test_header_problems_are_fatal(header, words):
    with pytest.raises(SheetFatal) as caught:
        resolve(KINDS["prices"], header)
    assert words in caught.value.detail
    assert "Columns of a prices sheet" in caught.value.detail


def test_row_problems_are_the_rows_own():
    layout = resolve(KINDS["lots"], ["商品编码", "批号", "生产日期", "有效期至", "数量", ""])
    with pytest.raises(RowInvalid) as caught:
        item(layout, ["P1", "", "2024-13-01", "45296", "3.5", "stray"])
    detail = caught.value.detail
    assert "批号 (lot_no) is empty" in detail and "生产日期 (production_date)" in detail
    assert "not a whole number" in detail and "column F has a value but no header" in detail


def test_choices_accept_chinese_and_english():
    layout = resolve(KINDS["listings"], ["商品编码", "操作"])
    assert item(layout, ["A", "上架"])["action"] == "list"
    assert item(layout, ["A", "DELIST"])["action"] == "delist"
    with pytest.raises(RowInvalid):
        item(layout, ["A", "maybe"])


def test_defaults_fill_empty_cells():
    layout = resolve(KINDS["order-status"], ["订单号", "状态", "时间"])
    assert item(layout, ["o1", "已签收", ""], {"at": "2024-01-01T00:00:00Z"})["at"] == "2024-01-01T00:00:00Z"


def rows_of(*rows):
    return iter([(n, list(r)) for n, r in enumerate(rows, start=1)])


def test_scan_skips_blank_rows_and_a_merged_title_banner():
    layout, data = scan(KINDS["inventory"], rows_of(["", ""], ["库存导入", ""], ["商品编码", "库存数量"],
                                                    ["", ""], ["A", "1"], ["", ""], ["B", "2"]),
                        merged=[((1, 0), (1, 1))])
    assert [n for n, _ in data] == [5, 7]


def test_scan_two_level_header():
    layout, data = scan(KINDS["prices"], rows_of(["商品编码", "区域价格", ""], ["", "region:a", "region:b"],
                                                 ["X", "1", "2"]),
                        merged=[((0, 0), (1, 0)), ((0, 1), (0, 2))])
    assert [item(layout, r) for _, r in data][0]["region_prices"][1] == {"region_group_id": "b", "price": "2.00"}


def test_a_header_merged_over_two_columns_is_fatal():
    with pytest.raises(SheetFatal) as caught:
        scan(KINDS["inventory"], rows_of(["商品编码", "", "库存数量"], ["A", "x", "1"]), merged=[((0, 0), (0, 1))])
    assert "column B has no header of its own (merged" in caught.value.detail


def test_an_empty_sheet_is_fatal():
    with pytest.raises(SheetFatal):
        scan(KINDS["inventory"], rows_of(["", ""]))


def test_places_of_dropped_files():
    assert rules.place("uploads/m1/prices/a b.xlsx") == rules.Place("m1", "prices", "a b.xlsx", False)
    assert rules.place("uploads/m1/prices/preview/x.csv").preview
    assert rules.place("uploads/m1/nonsense/x.csv").problem.startswith("unknown kind")
    assert rules.place("uploads/m1/prices/").problem == "the file has no name"
    assert rules.place("elsewhere/m1/prices/x.csv") is None
    assert rules.report_key("m1", "prices", "preview/x.csv") == "reports/m1/prices/preview/x.csv.result.xlsx"


def test_notifications_decode_keys_and_ignore_test_events():
    body = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "eventTime": "t",
                         "s3": {"bucket": {"name": "b"}, "object": {"key": "uploads/m/prices/%E4%BB%B7+1.csv",
                                                                    "eTag": "abc", "size": 3}}}]}
    assert [d.key for d in rules.notifications(body)] == ["uploads/m/prices/价 1.csv"]
    assert rules.is_notification(body)
    assert list(rules.notifications({"Service": "Amazon S3", "Event": "s3:TestEvent"})) == []
    assert rules.job_id("b", "k", "e") == rules.job_id("b", "k", "e") != rules.job_id("b", "k", "f")
