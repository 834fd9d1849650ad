"""Helpers for spreadsheet tests: make files, drop them in the live stack's bucket, read jobs and
reports back."""
import io
import uuid


def xlsx(rows, merges=(), formats=None) -> bytes:
    """An .xlsx written by openpyxl; `formats` maps a cell ("C2") to its number format."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    for cell, fmt in (formats or {}).items():
        sheet[cell].number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def raw_xlsx(sheet_data: str, shared=None, dimension: str = "", extra_parts=None) -> bytes:
    """A minimal .xlsx written part by part, for what no spreadsheet program writes: `sheet_data`
    is the XML inside <sheetData>, `shared` the shared strings, `dimension` a <dimension ref>
    (true or not), `extra_parts` more zip entries {name: bytes}."""
    import zipfile
    strings = "".join(f"<si><t>{text}</t></si>" for text in (shared or []))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook'
        '.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
                       f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
                           '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
                                      f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
                                      f'Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{_MAIN}" count="{len(shared or [])}">{strings}</sst>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}">'
                                    + (f'<dimension ref="{dimension}"/>' if dimension else "")
                                    + f"<sheetData>{sheet_data}</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, body in dict(parts, **(extra_parts or {})).items():
            book.writestr(name, body)
    return out.getvalue()


class Number(str):
    """A number cell's stored text as it is, e.g. Number("1e5000") or Number("inf")."""


def raw_row(number: int, *cells) -> str:
    """A <row> of `cells`: (reference, value) pairs; a str value is an inline string, a number
    (or `Number`) a number cell; a reference of None leaves the cell's `r` out."""
    from xml.sax.saxutils import escape
    out = []
    for ref, value in cells:
        at = f' r="{ref}"' if ref else ""
        if isinstance(value, str) and not isinstance(value, Number):
            out.append(f'<c{at} t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        else:
            out.append(f"<c{at}><v>{value}</v></c>")
    return f'<row r="{number}">' + "".join(out) + "</row>"


def raw_rows(rows) -> str:
    """Rows of values from A1 on, as raw_row writes them (None: no cell)."""
    out = []
    for number, values in enumerate(rows, start=1):
        cells = [(f"{_letters(i)}{number}", v) for i, v in enumerate(values) if v is not None]
        out.append(raw_row(number, *cells))
    return "".join(out)


def _letters(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def csv_bytes(rows, encoding: str = "utf-8-sig") -> bytes:
    from chalicelib.adapters.sheet_files import csv_text
    return csv_text([list(r) for r in rows], encoding)


def unique(stem: str, ext: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}.{ext}"


def drop(stack, merchant_id: str, kind: str, filename: str, body: bytes, preview: bool = False) -> dict:
    """Put the file at uploads/<merchant>/<kind>/[preview/]<filename>, wait for the queues, and
    answer its (one) job."""
    key = f"uploads/{merchant_id}/{kind}/" + ("preview/" if preview else "") + filename
    stack.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=body)
    stack.pump.drain(timeout=120)
    return job_for(stack, merchant_id, key)


def job_for(stack, merchant_id: str, key: str) -> dict:
    from chalicelib.store.uploads import UploadStore, public
    found = [public(j) for j in _all_jobs(UploadStore(merchant_id)) if j["key"] == key]
    assert len(found) == 1, found
    return found[0]


def _all_jobs(store):
    items, start = [], None
    while True:
        page, start = store.page(100, start)
        items += page
        if not start:
            return items


def report(stack, job: dict) -> list:
    """The report's rows (header first), every cell as text."""
    from python_calamine import CalamineWorkbook
    assert job["report_key"], job
    data = stack.client("s3").get_object(Bucket=stack.bucket, Key=job["report_key"])["Body"].read()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return [list(r) for r in sheet.iter_rows()]


def outcomes(stack, job: dict) -> list:
    """[(outcome, message)] per data row of the report."""
    return [(r[-2], r[-1]) for r in report(stack, job)[1:]]


def crash_once(monkeypatch, owner, hook: str, at: int, meanwhile=None) -> list:
    """Sets the test hook `owner.<hook>(first_row, rows)` so that the worker dies once, right after
    applying the rows of the chunk (or batch) that starts at row `at` (0-based), before their
    checkpoint; `meanwhile()` runs just before. Answers the list of crashes (their first rows)."""
    crashes = []

    def crash(first_row, count):
        if first_row == at and not crashes:
            crashes.append(first_row)
            if meanwhile is not None:
                meanwhile()
            raise RuntimeError(f"the worker dies after applying rows {at + 1}-{at + count}, before their checkpoint")

    monkeypatch.setattr(owner, hook, crash)
    return crashes
