"""A workbook's true extent, streamed before the reader loads it (adapters/xlsx_extent.py): real
.xlsx files, some written by openpyxl, some part by part as no spreadsheet program writes them."""
import pytest

from chalicelib.adapters import xlsx_extent
from chalicelib.domain.sheet_layout import SheetFatal
from tests.sheets import raw_row, raw_xlsx, xlsx

HEADER = raw_row(1, ("A1", "商品编码"), ("B1", "库存数量"))


def extent(tmp_path, body: bytes) -> xlsx_extent.Extent:
    path = tmp_path / "book.xlsx"
    path.write_bytes(body)
    return xlsx_extent.check(str(path))


def refused(tmp_path, body: bytes) -> str:
    with pytest.raises(SheetFatal) as caught:
        extent(tmp_path, body)
    return caught.value.detail


def test_an_openpyxl_workbook_with_shared_strings_is_measured(tmp_path):
    found = extent(tmp_path, xlsx([["商品编码", "库存数量"]] + [[f"P{i}", i] for i in range(300)]))
    assert (found.rows, found.columns, found.cells) == (301, 2, 602)
    assert 0 < found.memory < 100_000


def test_the_last_allowed_row_and_column_pass(tmp_path):
    body = raw_xlsx(HEADER + raw_row(1_000_000, ("GR1000000", 1)))
    with pytest.raises(SheetFatal) as caught:        # the used range itself is too big to hold…
        extent(tmp_path, body)
    assert "MB" in caught.value.detail and "rows" not in caught.value.detail
    found = extent(tmp_path, raw_xlsx(raw_row(1_000_000, ("A1000000", "x"), ("GR1000000", 1))))
    assert (found.rows, found.columns, found.cells) == (1_000_000, 200, 2)   # …one row of it is not


def test_a_value_past_row_1000000_is_fatal_whatever_the_dimension_says(tmp_path):
    body = raw_xlsx(HEADER + raw_row(2, ("A2", "P1"), ("B2", 1)) + raw_row(1_000_001, ("A1000001", "P2")),
                    dimension="A1:B2")
    assert "more than 1,000,000 rows" in refused(tmp_path, body)


def test_a_value_past_column_200_is_fatal(tmp_path):
    assert "more than 200 columns" in refused(tmp_path, raw_xlsx(HEADER + raw_row(2, ("GS2", 1)), dimension="A1:B2"))
    cells = [(None, i) for i in range(201)]          # cells without a reference follow each other
    assert "more than 200 columns" in refused(tmp_path, raw_xlsx(raw_row(1, *cells)))


def test_a_dimension_claiming_the_whole_grid_does_not_matter(tmp_path):
    found = extent(tmp_path, raw_xlsx(HEADER, dimension="A1:XFD1048576"))
    assert (found.rows, found.columns) == (1, 2)


def test_empty_styled_cells_far_away_hold_no_value_and_do_not_count(tmp_path):
    found = extent(tmp_path, raw_xlsx(HEADER + '<row r="5000"><c r="XFD5000" s="1"/></row>'))
    assert (found.rows, found.columns) == (1, 2)


def test_two_cells_far_apart_would_need_gigabytes_and_are_fatal(tmp_path):
    detail = refused(tmp_path, raw_xlsx(HEADER + raw_row(900_000, ("GR900000", 1))))
    assert f"at most {xlsx_extent.memory_budget() // 1_000_000:,} MB" in detail


def test_the_budget_is_a_share_of_the_workers_memory(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
    assert xlsx_extent.memory_budget() == 716_800_000
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    assert xlsx_extent.memory_budget() == 1_433_600_000


def test_a_shared_string_used_by_every_cell_counts_once_per_use(tmp_path):
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, 50_001))
    assert "MB" in refused(tmp_path, raw_xlsx(rows, shared=["长" * 10_000]))
    assert extent(tmp_path, raw_xlsx(rows, shared=["短"])).cells == 50_000


def test_a_cell_naming_a_missing_shared_string_is_fatal(tmp_path):
    assert "shared string" in refused(tmp_path, raw_xlsx('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', shared=["a"]))


def test_a_zip_bomb_is_stopped_while_unpacking(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_extent, "MAX_UNPACKED", 5_000_000)
    padding = {"xl/media/padding.xml": b" " * 6_000_000}
    assert "unpacks to more than" in refused(tmp_path, raw_xlsx(HEADER, extra_parts=padding))
    monkeypatch.setattr(xlsx_extent, "MAX_ENTRIES", 20)
    many = {f"xl/media/{i}.bin": b"" for i in range(30)}
    assert "parts" in refused(tmp_path, raw_xlsx(HEADER, extra_parts=many))


def test_a_dtd_is_refused_before_any_entity_is_expanded(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>')
    assert "DTD" in refused(tmp_path, raw_xlsx(HEADER, extra_parts={"xl/sharedStrings.xml": laughs}))


def test_not_a_workbook_is_fatal(tmp_path):
    assert "cannot be read" in refused(tmp_path, b"PK\x03\x04 not really a zip")
    assert "not well-formed" in refused(tmp_path, raw_xlsx("<row><c><v>1</v></row>"))


def _both_ways(tmp_path, monkeypatch, body: bytes) -> tuple:
    """(the plain-form measure or refusal, whether the plain form was taken, the streamed scan's)."""
    taken = []
    measure = xlsx_extent._Plain._measure

    def spy(self, data):
        found = measure(self, data)
        taken.append(True)
        return found

    def outcome():
        try:
            found = extent(tmp_path, body)
            return found.rows, found.columns, found.cells, found.memory
        except SheetFatal as fatal:
            return fatal.detail
    monkeypatch.setattr(xlsx_extent._Plain, "_measure", spy)
    plain = outcome()
    monkeypatch.setattr(xlsx_extent, "PLAIN_LIMIT", 0)          # every part the streamed way
    streamed = outcome()
    monkeypatch.setattr(xlsx_extent, "PLAIN_LIMIT", 64_000_000)
    return plain, bool(taken), streamed


def _report(tmp_path) -> bytes:
    from chalicelib.adapters.sheet_writer import StreamedSheet
    path = tmp_path / "report.xlsx"
    sheet = StreamedSheet(str(path), "报告", ["商品编码", "outcome", "message"])
    for i in range(500):
        sheet.append([f"P{i}", "ok" if i % 3 else "error", "价格: 12.50" if i % 3 else "<b> & 'x'"])
    sheet.close()
    return path.read_bytes()


PLAIN = {
    "openpyxl shared strings": lambda tmp: xlsx([["商品编码", "库存数量"]] + [[f"P{i}", i] for i in range(300)]),
    "openpyxl numbers, booleans, styles": lambda tmp: xlsx([["a", "b", "c"], [1.5, True, None], [None, None, 3]],
                                                          formats={"A2": "0.00"}),
    "the app's own report": _report,
    "shared, str and boolean cells": lambda tmp: raw_xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="str">'
                                                          '<v>abc</v></c><c r="C1" t="b"><v>1</v></c></row>',
                                                          shared=["长长"]),
    "empty styled cells far away": lambda tmp: raw_xlsx(HEADER + '<row r="5000"><c r="XFD5000" s="1"/></row>'),
    "escaped text": lambda tmp: raw_xlsx(HEADER + raw_row(2, ("A2", "A&B <x> \"q\" 'a'"), ("B2", 3))
                                         + '<row r="3"><c r="A3" t="str"><v>&amp;&apos;&quot;</v></c></row>'),
}
NOT_PLAIN = {
    "a character reference": lambda tmp: raw_xlsx(HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>&#20215;</t>'
                                                          '</is></c></row>'),
    "a line break as CR LF": lambda tmp: raw_xlsx(HEADER + raw_row(2, ("A2", "a\r\nb"))),
    "cells in a comment": lambda tmp: raw_xlsx(HEADER + '<!-- <row r="9"><c r="Z9"><v>1</v></c></row> -->'),
    "a reference in CDATA": lambda tmp: raw_xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="Z99">'
                                                 ']]></t></is></c></row>'),
    "cells without references": lambda tmp: raw_xlsx(raw_row(1, *[(None, i) for i in range(20)])),
    "a cell far away": lambda tmp: raw_xlsx(HEADER + raw_row(900_000, ("GR900000", 1))),
    "a row past the last": lambda tmp: raw_xlsx(HEADER + raw_row(1_000_001, ("A1000001", "P2"))),
    "a missing shared string": lambda tmp: raw_xlsx('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', shared=["a"]),
    "a row of 3 MB": lambda tmp: raw_xlsx('<row r="1">' + '<c r="A1"><v>1</v></c>' * 150_000 + "</row>"),
}


@pytest.mark.parametrize("case", list(PLAIN))
def test_the_plain_form_is_measured_by_patterns_as_the_streamed_scan_measures_it(tmp_path, monkeypatch, case):
    plain, taken, streamed = _both_ways(tmp_path, monkeypatch, PLAIN[case](tmp_path))
    assert taken and plain == streamed


@pytest.mark.parametrize("case", list(NOT_PLAIN))
def test_anything_else_and_every_refusal_is_left_to_the_streamed_scan(tmp_path, monkeypatch, case):
    plain, taken, streamed = _both_ways(tmp_path, monkeypatch, NOT_PLAIN[case](tmp_path))
    assert not taken and plain == streamed
