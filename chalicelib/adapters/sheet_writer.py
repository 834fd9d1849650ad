"""Writing .xlsx reports and exports as a stream (XlsxWriter's constant-memory mode).

Rows go to a temporary file as they come, so a 100k-row report holds one row in memory; the
writer was chosen on measurements (bench/uploads.py): about twice as fast as openpyxl's
write-only mode for the same file. Text is always written as text — a cell starting with `=` is
a string, never a formula, and nothing is guessed into a number, a date or a link. Characters
XML cannot carry are dropped, and text longer than a cell can hold (32,767 characters) is cut
there and ends with "…" (the source file keeps the whole text). Numbers and booleans stay what
they are.
"""
import os
import re
from decimal import Decimal
from typing import Iterable, Optional, Sequence

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL = 32_767
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]|[\ud800-\udfff\ufffe\uffff]")


class StreamedSheet:
    """rows in, an .xlsx file at `path` out (call close, or discard)."""

    def __init__(self, path: str, title: str, header: Sequence[str]):
        import xlsxwriter

        self.path = path
        self.book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False,
                                               "tmpdir": os.path.dirname(os.path.abspath(path))})
        self.sheet = self.book.add_worksheet(_title(title))
        bold = self.book.add_format({"bold": True})
        for column, name in enumerate(header):
            self.sheet.write_string(0, column, _text(name), bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def append(self, values: Iterable[Optional[str]]) -> None:
        self.row += 1
        write_string, write_number, row = self.sheet.write_string, self.sheet.write_number, self.row
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                write_string(row, column, _text(value))
            elif isinstance(value, bool):
                self.sheet.write_boolean(row, column, value)
            elif isinstance(value, (int, float, Decimal)):
                write_number(row, column, value)
            else:
                write_string(row, column, _text(str(value)))

    def close(self) -> None:
        self.book.close()

    def discard(self) -> None:
        """Give the file up: the rows streamed so far are written out and removed."""
        try:
            self.book.close()
        finally:
            try:
                os.remove(self.path)
            except OSError:
                pass


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > MAX_CELL:
        value = value[:MAX_CELL - 1] + "…"
    return value


def _title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", title or "")[:31].strip("'")
    return cleaned or "Sheet1"
