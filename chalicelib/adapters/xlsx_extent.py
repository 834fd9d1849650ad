"""How big the first sheet of an .xlsx really is, found by streaming its XML before it is read.

python-calamine, the reader, loads a sheet's whole used range when it opens it: a slot (~32 bytes)
for every position between the first and the last cell that holds a value, each cell's entry
while it loads, and the text of every string cell (a shared string is copied for each cell that
uses it). A 500-byte file with a value in A1 and another in GR1000000 would so ask for 6 GB and
kill the worker on every delivery. So before a workbook is opened, `check` streams the parts the
reader loads (zip entries decompressed a block at a time, the XML parsed by expat without a tree)
and raises `SheetFatal` for:
- more than 1,000,000 rows or 200 columns (contract section 9), counted from the cells that hold
  a value, wherever they are; the `<dimension>` element, which a file may state falsely, is not
  read;
- a used range and text the reader could not hold in `memory_budget()`;
- a zip that unpacks to more than `MAX_UNPACKED` bytes or has more than `MAX_ENTRIES` entries;
- a DTD (no entity is ever expanded), XML that is not well formed, an unreadable zip.
Each limit stops the scan as soon as it is passed, so the work is bounded whatever the file holds.
"""
import os
import posixpath
import re
import zipfile
from array import array
from dataclasses import dataclass
from typing import List, Optional
from xml.parsers import expat

from chalicelib.domain import uploads as rules
from chalicelib.domain.sheet_layout import SheetFatal

SLOT_BYTES = 32            # a position of the used range in the reader
CELL_BYTES = 40            # a cell's entry while the reader loads the sheet
STRING_BYTES = 24          # a string's overhead in the reader, besides its text
WORKER_MEMORY_MB = 2048    # the jobs worker's Lambda memory (.chalice/config.json) when Lambda does not say
BUDGET_SHARE = 0.7         # of the worker's memory, for the reader; the rest is Python, the app, the report
MAX_UNPACKED = 1_000_000_000
MAX_ENTRIES = 10_000
CHECK_EVERY = 4096         # cells between two checks of the memory estimate
_BLOCK = 1 << 16
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_OFFICE_DOC = "/officeDocument"


@dataclass
class Extent:
    rows: int = 0               # the last row holding a value (1-based)
    columns: int = 0            # the last column holding a value (1-based)
    cells: int = 0              # cells holding a value
    memory: int = 0             # what the reader would need, estimated


class _Refused(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def memory_budget() -> int:
    """Bytes the reader may hold: a share of the function's memory (which Lambda states)."""
    try:
        megabytes = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or WORKER_MEMORY_MB)
    except ValueError:
        megabytes = WORKER_MEMORY_MB
    return int(megabytes * 1_000_000 * BUDGET_SHARE)


def check(path: str) -> Extent:
    """The first sheet's extent, or SheetFatal when it is more than the reader may take."""
    try:
        with zipfile.ZipFile(path) as book:
            entries = book.infolist()
            if len(entries) > MAX_ENTRIES:
                raise _Refused(f"the workbook has {len(entries):,} parts; at most {MAX_ENTRIES:,} are read")
            budget = _Unpacked()
            shared = _shared_strings(book, entries, budget)
            sheet = _first_sheet(book, entries, budget)
            extent = _Sheet(shared).scan(book, sheet, budget)
            for entry in entries:
                budget.drain(book, entry)      # every other part counts towards the unpacked size
            return extent
    except _Refused as why:
        raise SheetFatal(why.detail)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError,
            EOFError, ValueError, KeyError) as err:
        raise SheetFatal(f"the file cannot be read as a spreadsheet ({type(err).__name__}: {str(err)[:200]})")


class _Unpacked:
    """Bytes unpacked so far, over every part; each part is unpacked once."""

    def __init__(self):
        self.total, self.done = 0, set()

    def blocks(self, book: zipfile.ZipFile, entry: zipfile.ZipInfo):
        self.done.add(entry.filename)
        with book.open(entry) as stream:
            while True:
                block = stream.read(_BLOCK)
                if not block:
                    return
                self.total += len(block)
                if self.total > MAX_UNPACKED:
                    raise _Refused(f"the workbook unpacks to more than {MAX_UNPACKED // 1_000_000:,} MB; "
                                   "it is not read")
                yield block

    def drain(self, book: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
        if entry.filename not in self.done and not entry.is_dir():
            for _ in self.blocks(book, entry):
                pass

    def parse(self, book: zipfile.ZipFile, entry: zipfile.ZipInfo, parser) -> None:
        def no_dtd(*_):
            raise _Refused("the workbook's XML declares a DTD; it is not read")
        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        try:
            for block in self.blocks(book, entry):
                parser.Parse(block, False)
            parser.Parse(b"", True)
        except expat.ExpatError as err:
            raise _Refused(f"the workbook's part {entry.filename} is not well-formed XML ({err})")


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _find(entries: List[zipfile.ZipInfo], name: str) -> Optional[zipfile.ZipInfo]:
    wanted = name.lstrip("/").lower()
    return next((e for e in entries if e.filename.lower() == wanted), None)


def _shared_strings(book, entries, budget: "_Unpacked") -> array:
    """The length of every shared string (the reader holds them all, and copies one per use)."""
    lengths = array("q")
    state = {"in_text": False, "length": 0, "memory": 0}
    budget_bytes = memory_budget()

    def start(name, attrs):
        tag = _local(name)
        if tag == "si":
            state["length"] = 0
        elif tag == "t":
            state["in_text"] = True

    def end(name):
        tag = _local(name)
        if tag == "t":
            state["in_text"] = False
        elif tag == "si":
            lengths.append(state["length"])
            state["memory"] += state["length"] + STRING_BYTES
            if state["memory"] > budget_bytes:
                raise _Refused(_memory_message(state["memory"]))

    def text(data):
        if state["in_text"]:
            state["length"] += len(data.encode("utf-8"))

    for entry in entries:
        if entry.filename.lower().endswith("sharedstrings.xml"):
            parser = _parser(start, end, text)
            budget.parse(book, entry, parser)
    return lengths


def _first_sheet(book, entries, budget: "_Unpacked") -> List[zipfile.ZipInfo]:
    """The part the reader opens as the first sheet; every worksheet part when that cannot be
    told (the check is then made for all of them)."""
    workbook = _find(entries, "xl/workbook.xml")
    rels = _find(entries, "xl/_rels/workbook.xml.rels")
    if workbook is not None and rels is not None:
        first, targets = [], {}

        def sheet(name, attrs):
            if _local(name) == "sheet" and not first:
                first.append(next((v for k, v in attrs.items() if _local(k) == "id"), None))

        def relationship(name, attrs):
            if _local(name) == "Relationship":
                targets[attrs.get("Id")] = attrs.get("Target") or ""

        budget.parse(book, workbook, _parser(sheet))
        budget.parse(book, rels, _parser(relationship))
        target = targets.get(first[0]) if first else None
        if target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            found = _find(entries, path)
            if found is not None:
                return [found]
    return [e for e in entries if e.filename.lower().startswith("xl/worksheets/") and e.filename.lower().endswith(".xml")]


def _parser(start, end=None, text=None):
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.buffer_text = True
        parser.buffer_size = _BLOCK
        parser.CharacterDataHandler = text
    return parser


_COLUMNS = {}


def _column(letters: str) -> int:
    number = _COLUMNS.get(letters)
    if number is None:
        number = 0
        for letter in letters:
            number = number * 26 + ord(letter) - 64
        if len(_COLUMNS) < 20000:
            _COLUMNS[letters] = number
    return number


def _memory_message(memory: int) -> str:
    return (f"reading the sheet would need about {memory // 1_000_000:,} MB (its cells from the first to "
            f"the last that holds a value, and their text); at most {memory_budget() // 1_000_000:,} MB: "
            "remove what lies far outside the data, or split the file")


class _Sheet:
    """One worksheet part streamed: where its valued cells are, and what holding them costs.
    The handlers are closures over local state: they run several times for every cell."""

    def __init__(self, shared: array):
        self.shared = shared
        self.shared_memory = sum(shared) + STRING_BYTES * len(shared)
        self.extent = Extent()
        self.budget = memory_budget()

    def scan(self, book, parts: List[zipfile.ZipInfo], budget: "_Unpacked") -> Extent:
        if len(parts) == 1:
            plain = _Plain(self).measure(book, parts[0], budget)
            if plain is not None:
                return plain
        shared, shared_count = self.shared, len(self.shared)
        max_rows, max_columns = rules.MAX_ROWS, rules.MAX_COLUMNS
        ref_match, column_of = _REF.fullmatch, _column
        # row, column, first_row, first_column, last_row, last_column, cells, text
        at = [0, 0, max_rows + 1, max_columns + 1, 0, 0, 0, 0]
        cell = [None, "n"]            # (row, column) of the open <c> until counted; its type
        inside = [None, ""]           # "v", "is" or "t" while their text is read; a shared index

        def start(name, attrs):
            tag = name if ":" not in name else _local(name)
            if tag == "c":
                ref = attrs.get("r")
                if ref:
                    match = ref_match(ref)
                    if not match:
                        raise _Refused(f"a cell of the sheet has no usable reference ({ref[:20]!r})")
                    column, row = column_of(match.group(1)), int(match.group(2))
                else:
                    column, row = at[1] + 1, at[0]
                at[1] = column
                cell[0] = (row, column)
                cell[1] = attrs.get("t", "n")
            elif tag == "v" or tag == "is":
                position = cell[0]
                if position is not None:
                    cell[0] = None
                    count(position[0], position[1], cell[1])
                inside[0], inside[1] = tag, ""
            elif tag == "t" and inside[0] == "is":
                inside[0] = "t"
            elif tag == "row":
                number = attrs.get("r")
                at[0] = int(number) if number and number.isdigit() and len(number) < 9 else at[0] + 1
                at[1] = 0

        def count(row, column, kind):
            at[6] += 1
            if row > at[4]:
                at[4] = row
                if row > max_rows:
                    refuse()
            if column > at[5]:
                at[5] = column
                if column > max_columns:
                    refuse()
            if row < at[2]:
                at[2] = row
            if column < at[3]:
                at[3] = column
            if kind != "n" and kind != "s":
                at[7] += STRING_BYTES
            if at[6] % CHECK_EVERY == 0:
                self._check_memory(at)

        def refuse():
            raise _Refused(rules.sheet_too_large(at[4], at[5]))

        def end(name):
            if inside[0] is None:
                return
            tag = name if ":" not in name else _local(name)
            if tag == "v":
                if cell[1] == "s":
                    index = inside[1].strip()
                    if not (index.isdigit() and len(index) < 12 and int(index) < shared_count):
                        raise _Refused("a cell of the sheet names a shared string that does not exist "
                                       f"({index[:16]!r})")
                    at[7] += shared[int(index)] + STRING_BYTES
                inside[0] = None
            elif tag == "t" and inside[0] == "t":
                inside[0] = "is"
            elif tag == "is" or tag == "c":
                inside[0] = None

        def chars(data):
            where = inside[0]
            if where == "v":
                kind = cell[1]
                if kind == "s":
                    if len(inside[1]) < 16:
                        inside[1] += data[:16]
                elif kind != "n" and kind != "b":
                    at[7] += len(data.encode("utf-8"))
            elif where == "t":
                at[7] += len(data.encode("utf-8"))

        for part in parts:
            at[0] = at[1] = 0
            budget.parse(book, part, _parser(start, end, chars))
        self._check_memory(at)
        return self.extent

    def _check_memory(self, at: list) -> None:
        extent = self.extent
        extent.rows, extent.columns, extent.cells = at[4], at[5], at[6]
        if not extent.cells:
            return
        extent.memory = self.memory(at[2], at[3], at[4], at[5], extent.cells, at[7])
        if extent.memory > self.budget:
            raise _Refused(_memory_message(extent.memory))

    def memory(self, first_row: int, first_column: int, last_row: int, last_column: int,
               cells: int, text: int) -> int:
        """What the reader would hold: a slot for every position of the used range, an entry for
        every valued cell, the cells' text and every shared string."""
        area = (last_row - first_row + 1) * (last_column - first_column + 1)
        return SLOT_BYTES * area + CELL_BYTES * cells + text + self.shared_memory


# -- the plain form ---------------------------------------------------------------------------------
# What spreadsheet programs and libraries write (Excel, LibreOffice, openpyxl, XlsxWriter, the
# app's own reports): every cell with its reference, attributes in their usual order, no comment,
# CDATA or character reference, only the five predefined entities in a counted text. A part in
# that form is measured, after one expat pass without element handlers (well-formed, no DTD), by
# a few anchored, possessive patterns run by the regex engine instead of three Python calls per
# XML node: the same figures, about twice as fast. The patterns only ever accept: a part not
# entirely in that form, and every part that passes a limit (so that the refusal says exactly
# what the streamed scan says), is scanned the streamed way.
PLAIN_LIMIT = 64_000_000   # a part unpacking to more than this is scanned the streamed way
PIECE = 1 << 20            # bytes of rows matched at a time (whole rows: a row of more than
                           # 2 × PIECE bytes is not plain; it bounds the cells found at a time)
_ATTR = rb'[A-Za-z_][A-Za-z0-9_.:\-]{0,63}="[^"<&]*"'
_TEXT = rb'(?:[^<&\r]++|&(?:amp|lt|gt|quot|apos);)*+'      # a counted text: no CR (expat makes CRLF one byte)
_FORMULA = rb'(?:<f>[^<]*+</f>|<f(?: ' + _ATTR + rb')*+(?:/>|>[^<]*+</f>))'


def _cell(group: bytes) -> bytes:
    """A cell's start tag and its value; `group` b"(" captures (reference letters, digits, type,
    value, inline marker, inline text), b"(?:" does not."""
    return (b'<c r="' + group + rb'[A-Z]{1,3})' + group + rb'[0-9]{1,7})"(?: s="[0-9]{1,9}")?(?: t="' + group
            + rb'[A-Za-z]{1,9})")?(?: (?:cm|vm|ph)="[0-9]{1,9}")*+',
            rb'<v>' + group + _TEXT + rb')</v>|' + group + rb'<is>)<t(?: xml:space="preserve")?>' + group
            + _TEXT + rb')</t></is>')


_OPEN, _VALUE = _cell(b"(")
_VALUED = re.compile(_OPEN + rb'>' + _FORMULA + rb'?(?:' + _VALUE + rb')</c>')
_PLAIN_OPEN, _PLAIN_VALUE = _cell(b"(?:")
_PLAIN_ROWS = re.compile(rb'(?:\s*+<row(?: ' + _ATTR + rb')*+(?:/>|>(?:\s*+' + _PLAIN_OPEN + rb'(?:/>|>' + _FORMULA
                         + rb'?(?:' + _PLAIN_VALUE + rb')?</c>))*+\s*+</row>))*+\s*+')
_DECLARATION = re.compile(rb'(?:\xef\xbb\xbf)?(?:<\?xml version=["\']1\.[0-9]["\']'
                          rb'(?: encoding=["\'](?i:utf-8)["\'])?(?: standalone=["\'](?:yes|no)["\'])?\s*\?>)?')
_SHEET_DATA = re.compile(rb'<sheetData\s*>')
_COUNTED = re.compile(rb'<(?:[A-Za-z_][A-Za-z0-9_.\-]*:)?(?:c|row|v|is|t|sheetData)[\s/>]')
_NOT_PLAIN_PROLOG = re.compile(rb'<[!?]')


class _NotPlain(Exception):
    pass


class _Plain:
    """One worksheet part measured in the plain form; `measure` answers None when the part is not
    in it or passes a limit (the streamed scan then decides)."""

    def __init__(self, sheet: "_Sheet"):
        self.sheet = sheet

    def measure(self, book, entry: zipfile.ZipInfo, budget: "_Unpacked") -> Optional[Extent]:
        if entry.file_size > PLAIN_LIMIT:
            return None
        try:
            with book.open(entry) as stream:
                data = stream.read(PLAIN_LIMIT + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError):
            return None
        if len(data) > PLAIN_LIMIT or budget.total + len(data) > MAX_UNPACKED or not _well_formed(data):
            return None
        try:
            extent = self._measure(data)
        except _NotPlain:
            return None
        budget.total += len(data)
        budget.done.add(entry.filename)
        return extent

    def _measure(self, data: bytes) -> Extent:
        prolog = _DECLARATION.match(data).end()
        opened = _SHEET_DATA.search(data, prolog)
        if opened is None or _NOT_PLAIN_PROLOG.search(data, prolog, opened.start()) \
                or _COUNTED.search(data, prolog, opened.start()):
            raise _NotPlain()
        start = opened.end()
        end = data.find(b"</sheetData>", start)      # the first: no text of the rows holds a "<"
        if end < 0 or _COUNTED.search(data, end + len(b"</sheetData>")):
            raise _NotPlain()
        sheet, max_rows, max_columns = self.sheet, rules.MAX_ROWS, rules.MAX_COLUMNS
        shared, shared_count = sheet.shared, len(sheet.shared)
        # first_row, first_column, last_row, last_column, cells, text
        at = [max_rows + 1, max_columns + 1, 0, 0, 0, 0]
        position = start
        while position < end:
            cut = data.find(b"</row>", min(position + PIECE, end), end)
            cut = end if cut < 0 else cut + len(b"</row>")
            if cut - position > 2 * PIECE or _PLAIN_ROWS.fullmatch(data, position, cut) is None:
                raise _NotPlain()
            self._count(_VALUED.findall(data, position, cut), at, shared, shared_count)
            if at[2] > max_rows or at[3] > max_columns:
                raise _NotPlain()        # refused by the streamed scan, with its own words
            position = cut
        extent = sheet.extent
        extent.rows, extent.columns, extent.cells = at[2], at[3], at[4]
        if extent.cells:
            extent.memory = sheet.memory(at[0], at[1], at[2], at[3], extent.cells, at[5])
            if extent.memory > sheet.budget:
                raise _NotPlain()
        return extent

    @staticmethod
    def _count(cells: list, at: list, shared: array, shared_count: int) -> None:
        """What the streamed scan adds up for these valued cells (see `_Sheet.scan`)."""
        if not cells:
            return
        first_row, first_column, last_row, last_column, count, text = at
        column_of = _column
        for letters, number, kind, value, inline, inline_text in cells:
            row, column = int(number), column_of(letters.decode())
            count += 1
            if row > last_row:
                last_row = row
            if row < first_row:
                first_row = row
            if column > last_column:
                last_column = column
            if column < first_column:
                first_column = column
            if kind and kind != b"n" and kind != b"s":
                text += STRING_BYTES
            if inline:
                text += _decoded(inline_text)
            elif kind == b"s":
                if not (value.isdigit() and len(value) < 12 and int(value) < shared_count):
                    raise _NotPlain()
                text += shared[int(value)] + STRING_BYTES
            elif kind and kind != b"n" and kind != b"b":
                text += _decoded(value)
        at[:] = [first_row, first_column, last_row, last_column, count, text]


def _decoded(text: bytes) -> int:
    """UTF-8 bytes of a text once its entities (only the five XML predefines) are read."""
    if b"&" not in text:
        return len(text)
    return (len(text) - 4 * text.count(b"&amp;") - 3 * (text.count(b"&lt;") + text.count(b"&gt;"))
            - 5 * (text.count(b"&quot;") + text.count(b"&apos;")))


def _well_formed(data: bytes) -> bool:
    """expat without element handlers (fast): well-formed XML and no DTD."""
    def no_dtd(*_):
        raise _NotPlain()
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _NotPlain):
        return False
    return True
