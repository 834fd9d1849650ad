"""Shipping labels as PDF: one 100 × 180 mm page per order (a thermal label), drawn with reportlab.

reportlab is imported inside the functions (cold start). Chinese text uses the built-in
`STSong-Light` CID font, which needs no font file; codes and numbers use Helvetica. The waybill
number is a Code 128 barcode. Each product line is drawn once: name, code, quantity.
"""
from io import BytesIO
from typing import List

from chalicelib.domain.labels import Label, address_text

PAGE_W_MM, PAGE_H_MM = 100, 180
MARGIN_MM = 4
CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"


def render(labels: List[Label]) -> bytes:
    """One PDF with a page per label, in the given order."""
    from reportlab import rl_config
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    _register_fonts()
    rl_config.useA85 = 0  # binary streams: smaller files, and no ASCII85 pass (a third of the time)
    out = BytesIO()
    pdf = canvas.Canvas(out, pagesize=(PAGE_W_MM * mm, PAGE_H_MM * mm), pageCompression=1)
    pdf.setTitle("Onceship labels")
    pdf.setCreator("Onceship")
    for label in labels:
        _page(pdf, label)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _page(pdf, label: Label) -> None:
    from reportlab.lib.units import mm

    left, right, width = MARGIN_MM * mm, (PAGE_W_MM - MARGIN_MM) * mm, (PAGE_W_MM - 2 * MARGIN_MM) * mm
    top = (PAGE_H_MM - MARGIN_MM) * mm

    # carrier -------------------------------------------------------------------------
    pdf.setFont(CJK, 16)
    pdf.drawString(left, top - 7 * mm, label.carrier_name)
    pdf.setFont(LATIN_BOLD, 12)
    pdf.drawRightString(right, top - 7 * mm, label.carrier_code)
    _rule(pdf, left, right, top - 10 * mm)

    # waybill barcode -----------------------------------------------------------------
    _barcode(pdf, label.waybill_no, left, top - 36 * mm, width, 22 * mm)
    pdf.setFont(LATIN_BOLD, 13)
    pdf.drawCentredString(left + width / 2, top - 42 * mm, label.waybill_no)
    _rule(pdf, left, right, top - 45 * mm)

    # recipient and sender ------------------------------------------------------------
    y = _party(pdf, "收件人", label.recipient, left, top - 51 * mm, width, 12, 10)
    _rule(pdf, left, right, y - 1 * mm)
    y = _party(pdf, "寄件人", label.sender, left, y - 6 * mm, width, 9, 8)
    _rule(pdf, left, right, y - 1 * mm)

    # goods ---------------------------------------------------------------------------
    _lines(pdf, label, left, right, y - 6 * mm, MARGIN_MM * mm + 6 * mm)
    pdf.setFont(LATIN, 6)
    pdf.drawString(left, MARGIN_MM * mm, f"order {label.order_id}")


def _rule(pdf, x1: float, x2: float, y: float) -> None:
    pdf.setLineWidth(0.6)
    pdf.line(x1, y, x2, y)


def _barcode(pdf, value: str, x: float, y: float, width: float, height: float) -> None:
    """Code 128 with quiet zones, bars as wide as fit in `width` (between 0.2 and 0.5 mm)."""
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.units import inch, mm

    code = Code128(value, barWidth=1, barHeight=height, humanReadable=False, quiet=True)
    quiet = 0.25 * inch  # each side; larger than ten bars at these widths
    modules = code.width - code.lquiet - code.rquiet
    code.barWidth = max(0.2 * mm, min(0.5 * mm, (width - 2 * quiet) / modules))
    code.lquiet = code.rquiet = max(quiet, 10 * code.barWidth)
    code.computeSize()
    code.drawOn(pdf, x + max(0.0, (width - code.width) / 2), y)


def _party(pdf, title: str, party: dict, x: float, y: float, width: float, size: int, small: int) -> float:
    """Draws a recipient or sender block from its top line at `y`; answers the last baseline."""
    from reportlab.lib.units import mm

    pdf.setFont(CJK, small)
    pdf.drawString(x, y, title)
    indent = 13 * mm
    pdf.setFont(CJK, size)
    pdf.drawString(x + indent, y, str(party.get("name") or ""))
    pdf.setFont(LATIN, size)
    pdf.drawRightString(x + width, y, str(party.get("phone") or ""))
    for row in _wrap(address_text(party), CJK, small, width - indent):
        y -= small * 1.35
        pdf.setFont(CJK, small)
        pdf.drawString(x + indent, y, row)
    return y


def _lines(pdf, label: Label, left: float, right: float, top: float, bottom: float) -> None:
    from reportlab.lib.units import mm

    qty_x, code_x = right, right - 12 * mm
    name_w = (code_x - left) - 30 * mm
    pdf.setFont(CJK, 7)
    pdf.drawString(left, top, "商品")
    pdf.drawRightString(code_x, top, "编码")
    pdf.drawRightString(qty_x, top, "数量")
    rows = max(1, len(label.lines))
    step = min(7 * mm, (top - 3 * mm - bottom) / rows)
    size = max(4.5, min(9.0, step / mm * 2.2))
    y = top - 3 * mm - step * 0.75
    for line in label.lines:
        _clipped(pdf, line.name, _fit(line.name, CJK, size, name_w), left, y, name_w, step)
        pdf.setFont(LATIN, _fit(line.code, LATIN, size, 30 * mm))
        pdf.drawRightString(code_x, y, line.code)
        pdf.setFont(LATIN_BOLD, size)
        pdf.drawRightString(qty_x, y, f"x{line.quantity}")
        y -= step


def _clipped(pdf, text: str, size: float, x: float, y: float, width: float, height: float) -> None:
    """Draws `text` once; what does not fit its column even at the smallest size is cut off
    at the column's edge instead of running into the code."""
    pdf.saveState()
    box = pdf.beginPath()
    box.rect(x, y - height / 2, width, height)
    pdf.clipPath(box, stroke=0, fill=0)
    pdf.setFont(CJK, size)
    pdf.drawString(x, y, text)
    pdf.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` (and down to 4 pt) at which `text` fits `width`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    natural = stringWidth(text, font, 1)
    if natural <= 0:
        return size
    return max(4.0, min(size, int(width / natural * 2) / 2))


def _wrap(text: str, font: str, size: float, width: float) -> list:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rows, current, used = [], "", 0.0
    for char in text:
        char_width = stringWidth(char, font, size)
        if current and used + char_width > width:
            rows.append(current)
            current, used = "", 0.0
        current += char
        used += char_width
    if current:
        rows.append(current)
    return rows or [""]
