"""Writing .xlsx files with openpyxl: streamed reports and exports, and the kind templates.

Reports and exports use openpyxl's write-only mode, which writes rows to disk as they come, so a
100k-row report needs little memory. Every value is written as text, as the source had it.
"""
from typing import Iterable, Optional, Sequence

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StreamedSheet:
    """rows in, an .xlsx file at `path` out (call close)."""

    def __init__(self, path: str, title: str, header: Sequence[str]):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self.path = path
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title[:31] or "Sheet1")
        bold = Font(bold=True)
        cells = []
        for name in header:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = bold
            cells.append(cell)
        self.sheet.append(cells)
        self.sheet.freeze_panes = "A2"

    def append(self, values: Iterable[Optional[str]]) -> None:
        row = [_safe(v) for v in values]
        for i, value in enumerate(row):
            if isinstance(value, _TextCell):
                from openpyxl.cell import WriteOnlyCell
                cell = WriteOnlyCell(self.sheet, value=value.value)
                cell.data_type = "s"
                row[i] = cell
        self.sheet.append(row)

    def close(self) -> None:
        self.book.save(self.path)

    def discard(self) -> None:
        """Give the file up: the rows streamed so far (a temporary file) are removed."""
        self.sheet.close()
        writer = getattr(self.sheet, "_writer", None)
        if writer is not None:
            writer.cleanup()


EXCEL_CELL_CHARS = 32767       # the most an Excel cell holds; a longer one makes the file unopenable
_CUT = "…[cut]"


def _safe(value):
    """Illegal XML characters dropped; text starting with '=' stays text, never a formula; text
    longer than Excel can hold cut, saying so."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    if len(value) > EXCEL_CELL_CHARS:
        value = value[:EXCEL_CELL_CHARS - len(_CUT)] + _CUT
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return _TextCell(value) if value.startswith("=") else value


class _TextCell:
    """Placeholder turned into a string cell by StreamedSheet.append."""
    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value
