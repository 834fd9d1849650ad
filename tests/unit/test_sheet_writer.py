"""The streamed .xlsx writer of reports and exports (adapters/sheet_writer.py): whatever text a
client sent comes back as the same text from the readers merchants use, never as a formula."""
import io

import pytest

from chalicelib.adapters.sheet_writer import MAX_CELL, StreamedSheet

HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "<script>alert(1)</script> & <b>", "  spaced  ", "1e9999999",
           "#", "@SUM(A1)", "药品 阿莫西林", "tab\there", "line\nbreak", "'quoted'", "\"dq\""]


def _write(tmp_path, rows, header=("code", "outcome")):
    path = tmp_path / "report.xlsx"
    sheet = StreamedSheet(str(path), "价格/报告:[1]", list(header))
    for row in rows:
        sheet.append(row)
    sheet.close()
    return path


def test_text_comes_back_as_the_same_text_in_openpyxl_and_calamine(tmp_path):
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook
    rows = [[value, f"row {i}"] for i, value in enumerate(HOSTILE)] + [[None, "empty first"], [12, True], [3.5, ""]]
    path = _write(tmp_path, rows)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.title == "价格_报告__1_" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["code", "outcome"] and sheet["A1"].font.b
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[:len(HOSTILE)] == [[v, f"row {i}"] for i, v in enumerate(HOSTILE)]
    assert all(sheet.cell(row=i + 2, column=1).data_type == "s" for i in range(len(HOSTILE)))
    assert values[len(HOSTILE):] == [[None, "empty first"], [12, True], [3.5, None]]
    with CalamineWorkbook.from_path(str(path)) as calamine:
        read = calamine.get_sheet_by_index(0).to_python()
    assert [r[0] for r in read[1:len(HOSTILE) + 1]] == HOSTILE


def test_characters_xml_cannot_carry_are_dropped_and_overlong_text_is_cut(tmp_path):
    from openpyxl import load_workbook
    path = _write(tmp_path, [["a\x00b\x07c\x1f", "x" * 100_000]])
    sheet = load_workbook(path, read_only=True).worksheets[0]
    (row,) = list(sheet.iter_rows(min_row=2, values_only=True))
    assert row[0] == "abc"
    assert len(row[1]) == MAX_CELL and row[1].endswith("…[cut]")


def test_a_large_report_streams(tmp_path):
    from openpyxl import load_workbook
    path = _write(tmp_path, ([f"P{i:06d}", "ok"] for i in range(20_000)))
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 20_001 and rows[-1] == ("P019999", "ok")


def test_libreoffice_opens_the_report(tmp_path):
    """A reader we did not write either: LibreOffice converts the report to CSV."""
    import csv
    import shutil
    import subprocess
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (scripts/ensure-system-deps.sh installs it)")
    path = _write(tmp_path, [[v, "ok"] for v in HOSTILE[:7]])
    done = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "out"),
                           str(path)], capture_output=True, timeout=180)
    converted = tmp_path / "out" / "report.csv"
    assert converted.exists(), done.stderr.decode(errors="replace")
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"))))
    assert rows[0] == ["code", "outcome"]
    assert [r[0] for r in rows[1:]] == HOSTILE[:7]
