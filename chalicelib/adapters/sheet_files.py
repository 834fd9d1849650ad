"""Reading spreadsheet files row by row, every cell as text.

`.xlsx` goes through python-calamine, which loads a sheet's used range when it opens it (checked
first: adapters/xlsx_extent.py) and makes Python objects one row at a time (`.xls` is refused by
the upload runner: its extent cannot be checked before it is loaded); `.csv` is streamed in UTF-8 (with or without BOM) or GB18030. The format
comes from the file's first bytes, not its name. A CSV row past row 1,000,000 or with a value past
column 200 is `SheetFatal` as soon as it is read (a workbook's extent is checked before it is
loaded: adapters/xlsx_extent.py). The encoding of a CSV is decided by decoding the
whole file strictly, before any row is used: a file that is not valid UTF-8 is read as GB18030
only if it is valid GB18030 too, so a GBK file is never taken for mojibake UTF-8 or the reverse;
anything else is refused.
"""
import codecs
import csv
import io
from typing import Iterator, List, Optional, Tuple

from chalicelib.domain import cells
from chalicelib.domain.sheet_layout import SheetFatal
from chalicelib.domain.uploads import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, sheet_too_large

XLSX, XLS, CSV = "xlsx", "xls", "csv"
UTF8, UTF8_BOM, GB18030 = "utf-8", "utf-8-sig", "gb18030"
_BLOCK = 1 << 20

Row = Tuple[int, List[str]]       # (row number in the file, 1-based; cells as text)


def sniff_format(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return XLS
    return CSV


def detect_encoding(path: str) -> str:
    """utf-8-sig, utf-8 or gb18030 after a strict decode of the whole file; SheetFatal else."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise SheetFatal("the file is UTF-16 text; save it as CSV UTF-8 or as .xlsx")
    bom = head.startswith(codecs.BOM_UTF8)
    if _decodes(path, "utf-8"):
        return UTF8_BOM if bom else UTF8
    if not bom and _decodes(path, "gb18030"):
        return GB18030
    raise SheetFatal("the file is neither UTF-8 nor GB18030 (GBK) text; save it as CSV UTF-8 "
                     "or as .xlsx")


def _decodes(path: str, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as handle:
        try:
            while True:
                block = handle.read(_BLOCK)
                if not block:
                    decoder.decode(b"", final=True)
                    return True
                text = decoder.decode(block)
                if "\x00" in text:
                    return False
        except UnicodeDecodeError:
            return False


class SheetFile:
    """One file, opened for reading rows; `merged()` lists merged ranges (xlsx only) as
    ((first_row, first_col), (last_row, last_col)), 0-based, like the rows' positions."""

    def __init__(self, path: str, fmt: str, encoding: Optional[str] = None):
        self.path, self.format, self.encoding = path, fmt, encoding
        self._sheet = None
        self._workbook = None

    def __enter__(self) -> "SheetFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = self._sheet = None

    def merged(self) -> list:
        if self.format == CSV:
            return []
        return list(self._worksheet().merged_cell_ranges or [])

    def rows(self) -> Iterator[Row]:
        """Every row, empty ones included, numbered from 1 as the file shows them."""
        if self.format == CSV:
            yield from self._csv_rows()
        else:
            yield from self._xlsx_rows()

    def _worksheet(self):
        if self._sheet is None:
            from python_calamine import CalamineError, CalamineWorkbook
            try:
                self._workbook = CalamineWorkbook.from_path(self.path)
                self._sheet = self._workbook.get_sheet_by_index(0)
            except (CalamineError, OSError, ValueError) as err:
                raise SheetFatal(f"the file cannot be read as a spreadsheet ({err})")
        return self._sheet

    def _xlsx_rows(self) -> Iterator[Row]:
        sheet = self._worksheet()
        start = sheet.start
        if start is None:
            return
        pad = [""] * start[1]                      # calamine starts rows at the first used column
        text = cells.text
        if pad:
            for number, values in enumerate(sheet.iter_rows(), start=1):
                yield number, pad + list(map(text, values))
        else:
            for number, values in enumerate(sheet.iter_rows(), start=1):
                yield number, list(map(text, values))

    def _csv_rows(self) -> Iterator[Row]:
        encoding = self.encoding or detect_encoding(self.path)
        with open(self.path, "r", encoding=encoding, newline="", errors="strict") as handle:
            first = handle.readline()
            handle.seek(0)
            delimiter = "\t" if "\t" in first and "," not in first else ","
            csv.field_size_limit(MAX_FILE_BYTES)     # a long cell is its row's error, not the file's
            reader = csv.reader(handle, delimiter=delimiter)
            try:
                for number, values in enumerate(reader, start=1):
                    if len(values) > MAX_COLUMNS:
                        values = values[:_width(values)]
                    if number > MAX_ROWS or len(values) > MAX_COLUMNS:
                        problem = sheet_too_large(number if any(v.strip() for v in values) else 0, len(values))
                        if problem:
                            raise SheetFatal(problem)
                    yield number, [v.strip() for v in values]
            except csv.Error as err:
                raise SheetFatal(f"the CSV file is malformed near line {reader.line_num}: {str(err)[:200]}")


def _width(values: List[str]) -> int:
    """The fields up to the last that holds anything (trailing empty fields are no columns)."""
    for index in range(len(values) - 1, -1, -1):
        if values[index].strip():
            return index + 1
    return 0


def raw_count(path: str) -> int:
    """Rows as the plain reader iterates them (the benchmark's baseline)."""
    fmt = sniff_format(path)
    with SheetFile(path, fmt) as sheet:
        return sum(1 for _ in sheet.rows())


def csv_text(rows: list, encoding: str = UTF8_BOM) -> bytes:
    """Rows to CSV bytes (tests and the demo loader write sample files with it)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)
