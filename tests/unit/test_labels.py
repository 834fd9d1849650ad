"""Labels as printed: a real PDF page per order, the waybill barcode decoded by a real scanner
library (zbar, after poppler renders the page), each product line's text present exactly once."""
import re
import shutil
import subprocess
from io import BytesIO

import pytest

from chalicelib.adapters.labels import render
from chalicelib.domain.labels import Label, LabelLine

TOOLS = shutil.which("pdftoppm") and shutil.which("zbarimg")
needs_tools = pytest.mark.skipif(not TOOLS, reason="poppler-utils (pdftoppm) and zbar-tools (zbarimg) "
                                                   "are not installed; `make test` installs them")

SENDER = {"name": "仁心大药房", "phone": "020-88886666", "province": "广东省", "city": "广州市",
          "district": "天河区", "detail": "体育西路 1 号"}


def label(waybill_no: str, lines: list, order_id: str = "o_1") -> Label:
    return Label(order_id=order_id, carrier_code="SF", carrier_name="顺丰", waybill_no=waybill_no,
                 recipient={"name": "张三", "phone": "13800000000", "province": "浙江省", "city": "杭州市",
                            "district": "西湖区", "detail": "文三路 90 号"},
                 sender=SENDER, lines=lines)


LINES = [LabelLine("阿莫西林胶囊", "6901234567892", 2), LabelLine("布洛芬缓释胶囊", "ERP-IBU-300", 1),
         LabelLine("维生素C泡腾片", "6920000011117", 5)]


def decode(pdf: bytes, page: int, tmp_path) -> list:
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(path), str(tmp_path / "page")], check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True)
    return out.stdout.split()


def page_text(pdf: bytes, page: int) -> str:
    from pypdf import PdfReader
    return PdfReader(BytesIO(pdf)).pages[page].extract_text()


def test_one_page_per_label_sized_100_by_180_mm():
    from pypdf import PdfReader
    pdf = render([label("SF0000000001", LINES), label("SF0000000002", LINES[:1], "o_2")])
    pages = PdfReader(BytesIO(pdf)).pages
    assert len(pages) == 2
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert round(width / 72 * 25.4) == 100 and round(height / 72 * 25.4) == 180


@needs_tools
@pytest.mark.parametrize("waybill_no", ["SF0000012345", "YT88001234567", "ZTO-7"])
def test_the_barcode_scans_as_the_waybill_number(waybill_no, tmp_path):
    pdf = render([label("SF0000000001", LINES), label(waybill_no, LINES, "o_2")])
    assert decode(pdf, 2, tmp_path) == [waybill_no]


def test_each_line_is_printed_exactly_once_with_its_quantity():
    text = page_text(render([label("SF0000000009", LINES)]), 0)
    for line in LINES:
        assert text.count(line.name) == 1, line
        assert text.count(line.code) == 1, line
        rows = [row for row in text.splitlines() if line.code in row] + \
            text.split(line.code, 1)[1].splitlines()[:2]
        assert any(re.search(rf"\bx{line.quantity}\b", row) for row in rows), line
    for part in ("顺丰", "SF0000000009", "张三", "13800000000", "仁心大药房", "020-88886666", "文三路 90 号"):
        assert part in text


def test_many_lines_still_fit_one_page():
    from pypdf import PdfReader
    lines = [LabelLine(f"商品{i:02d}号", f"CODE{i:03d}", i + 1) for i in range(40)]
    pdf = render([label("SF0000000010", lines)])
    assert len(PdfReader(BytesIO(pdf)).pages) == 1
    text = page_text(pdf, 0)
    assert all(text.count(l.code) == 1 for l in lines)
