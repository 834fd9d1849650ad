"""Reading real files (no AWS): xlsx written by openpyxl, CSV in UTF-8 (BOM or not) and GB18030."""
import datetime

import pytest

from chalicelib.adapters.sheet_files import (CSV, GB18030, UTF8, UTF8_BOM, XLSX, SheetFile, csv_text,
                                             detect_encoding, sniff_format)
from chalicelib.domain.sheet_kinds import KINDS
from chalicelib.domain.sheet_layout import SheetFatal, item
from chalicelib.domain.sheet_scan import scan

ROWS = [["商品编码", "默认价格", "建议零售价"], ["0017", "90.750", "99"], ["", "", ""], ["鹿茸-01", "12.5", ""]]


def read(path, kind="prices"):
    fmt = sniff_format(str(path))
    with SheetFile(str(path), fmt) as sheet:
        layout, data = scan(KINDS[kind], sheet.rows(), sheet.merged())
        return layout, [(n, item(layout, r)) for n, r in data]


@pytest.mark.parametrize("encoding, detected", [("utf-8-sig", UTF8_BOM), ("utf-8", UTF8), ("gb18030", GB18030),
                                                ("gbk", GB18030)])
def test_csv_encodings_are_detected_and_read(tmp_path, encoding, detected):
    path = tmp_path / "prices.csv"
    path.write_bytes(csv_text(ROWS, encoding))
    assert sniff_format(str(path)) == CSV
    assert detect_encoding(str(path)) == detected
    _, rows = read(path)
    assert rows == [(2, {"erp_product_id": "0017", "default_price": "90.75", "suggested_retail_price": "99.00"}),
                    (4, {"erp_product_id": "鹿茸-01", "default_price": "12.50"})]


def test_a_gbk_file_is_never_read_as_utf8_mojibake(tmp_path):
    path = tmp_path / "gbk.csv"
    text = "商品编码,默认价格\n阿胶,1\n"
    path.write_bytes(text.encode("gbk"))
    assert detect_encoding(str(path)) == GB18030
    with SheetFile(str(path), CSV) as sheet:
        assert list(sheet.rows())[1] == (2, ["阿胶", "1"])


def test_text_in_neither_encoding_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("商品编码,默认价格\n".encode("utf-8") + b"\xff\xfe\xfa,1\n")
    with pytest.raises(SheetFatal):
        detect_encoding(str(path))
    path.write_bytes("商品编码,默认价格\n".encode("utf-16"))
    with pytest.raises(SheetFatal) as caught:
        detect_encoding(str(path))
    assert "UTF-16" in caught.value.detail


def test_xlsx_by_openpyxl_numbers_as_text_dates_formulas_and_empty_rows(tmp_path):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["商品编码", "批号", "生产日期", "有效期至", "数量"])
    sheet.append(["0017", "L1", datetime.date(2024, 1, 5), 45658, 10])
    sheet.append([])
    sheet.append([17, "L2", "2024/2/1", "2026年2月1日", "5"])
    sheet.cell(row=2, column=4).number_format = "General"
    path = tmp_path / "lots.xlsx"
    book.save(path)
    assert sniff_format(str(path)) == XLSX
    _, rows = read(path, "lots")
    assert rows[0] == (2, {"erp_product_id": "0017", "lot_no": "L1", "production_date": "2024-01-05",
                           "expiry_date": "2025-01-01", "quantity": 10})
    assert rows[1] == (4, {"erp_product_id": "17", "lot_no": "L2", "production_date": "2024-02-01",
                           "expiry_date": "2026-02-01", "quantity": 5})


def test_a_formula_openpyxl_wrote_has_no_value_so_its_row_is_an_error(tmp_path):
    from openpyxl import Workbook
    from chalicelib.domain.sheet_layout import RowInvalid
    book = Workbook()
    book.active.append(["商品编码", "库存数量"])
    book.active.append(["A", "=1+1"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    with SheetFile(str(path), XLSX) as sheet:
        layout, data = scan(KINDS["inventory"], sheet.rows(), sheet.merged())
        (_, row), = list(data)
        with pytest.raises(RowInvalid) as caught:
            item(layout, row)
    assert "库存数量 (on_hand) is empty" in caught.value.detail


def test_xlsx_with_data_away_from_a1_and_a_merged_banner(tmp_path):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet["C3"] = "2024 库存"
    sheet.merge_cells("C3:D3")
    sheet["C4"], sheet["D4"] = "商品编码", "库存数量"
    sheet["C5"], sheet["D5"] = "0009", 4
    path = tmp_path / "away.xlsx"
    book.save(path)
    _, rows = read(path, "inventory")
    assert rows == [(5, {"erp_product_id": "0009", "on_hand": 4})]


def test_a_broken_xlsx_is_fatal(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(SheetFatal):
        read(path)


def test_a_two_level_header_with_merged_cells_in_a_real_xlsx(tmp_path):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet["B2"], sheet["C2"], sheet["E2"] = "商品编码", "价格", "建议零售价"
    sheet["C3"], sheet["D3"] = "默认价格", "区域:south"
    sheet.merge_cells("B2:B3")          # the code's name spans both header rows
    sheet.merge_cells("C2:D2")          # a group title over two columns
    sheet.merge_cells("E2:E3")
    sheet.append([None, "X1", "9.9", 8, 100])
    path = tmp_path / "two-level.xlsx"
    book.save(path)
    _, rows = read(path)
    assert rows == [(4, {"erp_product_id": "X1", "default_price": "9.90", "suggested_retail_price": "100.00",
                         "region_prices": [{"region_group_id": "south", "price": "8.00"}]})]
