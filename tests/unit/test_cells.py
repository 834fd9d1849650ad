"""Hostile cells (contract section 9): whatever a cell holds, reading it ends with its value or a
`CellError`, after bounded work.

The pathological inputs here are the ones that hung or crashed the earlier parsers: a date with a
million spaces before a stray letter made its pattern backtrack quadratically (hours of CPU),
`1e9999999` was converted to a ten-million-digit integer, `inf`, `sNaN` and `1e5000` raised
exceptions that were not the row's error. Each test asserts the outcome only; without the fix it
would not finish (or fail with another exception)."""
import pytest

from chalicelib.domain import cells
from chalicelib.domain.sheet_kinds import KINDS
from chalicelib.domain.sheet_layout import RowInvalid, item, resolve

MILLION = 10 ** 6
NOT_NUMBERS = ["inf", "-inf", "Infinity", "nan", "NaN", "sNaN", "1e5000", "1e9999999", "1E5", "-1e-5",
               "0x10", "1_000", "١٢", "9" * 16, "9" * MILLION, "1,000" * 200_000,
               "true", "12 34", "+-3", ""]


@pytest.mark.parametrize("raw", NOT_NUMBERS + ["12.5", "1.5", "0.30000000000000004"], ids=lambda r: r if len(r) < 20 else f"{r[:8]}..{len(r)}")
def test_what_is_not_a_whole_number_is_a_cell_error(raw):
    with pytest.raises(cells.CellError) as caught:
        cells.integer(raw)
    assert len(str(caught.value)) < 200           # the message quotes the cell cut short


@pytest.mark.parametrize("raw", NOT_NUMBERS + ["12.505", "-1", "¥-1", "1" * 13],
                         ids=lambda r: r if len(r) < 20 else f"{r[:8]}..{len(r)}")
def test_what_is_not_an_amount_is_a_cell_error(raw):
    with pytest.raises(cells.CellError):
        cells.money(raw)


@pytest.mark.parametrize("raw, value", [("１２", "12"), ("－３", "-3"), ("＋７", "7"), ("１，２００", "1200"),
                                        ("12.000", "12"), (" 12 ", "12"), ("−4", "-4"), ("9" * 15, "9" * 15)])
def test_whole_numbers_full_width_and_ascii(raw, value):
    assert cells.integer(raw) == value


@pytest.mark.parametrize("raw, value", [("１２．５０", "12.50"), ("￥１，２３４．５", "1234.50"), ("０.１", "0.10"),
                                        ("¥8", "8.00"), ("90.7500", "90.75"), ("007.5", "7.50")])
def test_amounts_full_width_and_ascii(raw, value):
    assert cells.money(raw) == value


# a date, then a million spaces and a stray letter: the old date patterns backtracked over the
# spaces (about n² steps, hours for this cell)
BACKTRACKING = ["2024-01-05" + " " * MILLION + "x", "2024-01-05 10" + " " * MILLION + "x",
                "2024年1月5日" + "T " * (MILLION // 2) + "x", "2024-01-05 10:30" + " " * MILLION + "x"]


@pytest.mark.parametrize("raw", BACKTRACKING + ["2026-02-30", "2025-02-29", "2024-13-01", "0", "99999999",
                                                "２０２６－０２－３０", "2024-01-05 25:00", "1e5"],
                         ids=lambda r: r if len(r) < 20 else f"{r[:12]}..{len(r)}")
def test_what_is_not_a_date_is_a_cell_error(raw):
    with pytest.raises(cells.CellError):
        cells.day(raw)
    with pytest.raises(cells.CellError):
        cells.moment(raw)


def test_dates_and_times_full_width():
    assert cells.day("２０２４－０１－０５") == "2024-01-05"
    assert cells.day("２０２４年１月５日") == "2024-01-05"
    assert cells.moment("２０２４－０１－０５　１０：３０") == "2024-01-05T10:30:00+08:00"
    assert cells.day("2024-02-29") == "2024-02-29"


@pytest.mark.parametrize("raw", ["2024-01-05 10:30+99:00", "2024-01-05 10:30+23:60", "2024-01-05 10:30-24:00"])
def test_an_offset_that_is_no_offset_is_a_cell_error(raw):
    with pytest.raises(cells.CellError):
        cells.moment(raw)


def test_a_row_of_every_bad_cell_is_that_rows_error_with_every_reason():
    lots = resolve(KINDS["lots"], ["商品编码", "批号", "生产日期", "有效期至", "数量"])
    with pytest.raises(RowInvalid) as caught:
        item(lots, ["P1", "L" * MILLION, "2024-01-05" + " " * MILLION + "x", "2026-02-30", "1e9999999"])
    detail = caught.value.detail
    assert "批号 (lot_no)" in detail and "too long" in detail
    assert "生产日期 (production_date)" in detail and "有效期至 (expiry_date): '2026-02-30' is not a real date" in detail
    assert "数量 (quantity): '1e9999999' is not a whole number" in detail
    assert len(detail) < 1000


def test_optional_numeric_cells_that_are_no_numbers_are_errors_not_blanks():
    """A float cell that is inf or nan (xlsx hands them over as floats) is never read as empty."""
    stock = resolve(KINDS["inventory"], ["erp_product_id", "on_hand", "compare_on_hand"])
    for value in (float("nan"), float("inf"), 1e300, 1.5):
        with pytest.raises(RowInvalid) as caught:
            item(stock, ["P1", "3", cells.text(value)])
        assert "compare_on_hand" in caught.value.detail
    assert item(stock, ["P1", "３", cells.text(2.0)]) == {"erp_product_id": "P1", "on_hand": 3, "compare_on_hand": 2}


def test_text_over_its_length_and_long_choices_are_the_rows_error():
    listings = resolve(KINDS["listings"], ["商品编码", "操作"])
    with pytest.raises(RowInvalid) as caught:
        item(listings, ["P" * MILLION, "上架" * MILLION])
    assert "商品编码 (erp_product_id)" in caught.value.detail and "操作 (action)" in caught.value.detail
    assert len(caught.value.detail) < 1000
    assert item(listings, ["P" * cells.MAX_TEXT, "上架"])["action"] == "list"


def test_a_long_header_names_no_column_and_is_quoted_short():
    from chalicelib.domain.sheet_layout import SheetFatal
    with pytest.raises(SheetFatal) as caught:
        resolve(KINDS["listings"], ["商品编码", "操作", "商品编码" + " " * MILLION + "x"])
    assert "unknown column" in caught.value.detail and len(caught.value.detail) < 2000
