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
