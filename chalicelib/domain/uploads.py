"""Upload jobs as plain rules: where a file lands and what it means, its job id, its report.

`uploads/<merchant_id>/<kind>/<name>` applies a file; `uploads/<merchant_id>/<kind>/preview/<name>`
only validates it. The job id is derived from bucket, key and ETag, so the same object notified
twice is one job. The report of `<name>` is `reports/<merchant_id>/<kind>/<name>.result.xlsx`.
"""
import hashlib
from dataclasses import dataclass
from typing import Iterator, Optional
from urllib.parse import unquote_plus

from chalicelib.domain.sheet_kinds import KINDS

IN_QUEUE, IN_PROGRESS, DONE, FATAL = "in_queue", "in_progress", "done", "fatal"
OPEN = (IN_QUEUE, IN_PROGRESS)
PREFIX = "uploads/"
EXTENSIONS = (".xlsx", ".csv")

# what a file may be (contract section 9); anything bigger ends `fatal` before a row is applied
MAX_FILE_BYTES = 50_000_000
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200


def file_too_large(size: int) -> Optional[str]:
    if size <= MAX_FILE_BYTES:
        return None
    return f"the file is {size / 1e6:.1f} MB; files of at most {MAX_FILE_BYTES // 1_000_000} MB are read"


def sheet_too_large(rows: int, columns: int) -> Optional[str]:
    """`rows`, `columns`: the last row and column that hold a value (1-based), or a lower bound."""
    if rows > MAX_ROWS:
        return f"the sheet has more than {MAX_ROWS:,} rows (a value in row {rows:,}); split it into files " \
               f"of at most {MAX_ROWS:,} rows"
    if columns > MAX_COLUMNS:
        return f"the sheet has more than {MAX_COLUMNS} columns (a value in column {columns}); " \
               f"a sheet holds at most {MAX_COLUMNS}"
    return None


@dataclass(frozen=True)
class Dropped:
    """One object-created notification."""
    bucket: str
    key: str
    etag: str
    size: int
    event_time: str


@dataclass(frozen=True)
class Place:
    merchant_id: str
    kind: str
    name: str            # the path after <kind>/, `preview/` included
    preview: bool
    problem: Optional[str] = None   # a file we cannot take (unknown kind, no name): the job is fatal


def job_id(bucket: str, key: str, etag: str) -> str:
    return "up_" + hashlib.sha256(f"{bucket}\n{key}\n{etag}".encode()).hexdigest()[:24]


def place(key: str) -> Optional[Place]:
    """What a key under uploads/ means; None when it names no merchant (nothing to report to)."""
    if not key.startswith(PREFIX):
        return None
    parts = key[len(PREFIX):].split("/", 2)
    if len(parts) < 2 or not parts[0]:
        return None
    merchant_id, kind = parts[0], parts[1]
    name = parts[2] if len(parts) == 3 else ""
    preview = name.startswith("preview/")
    base = name[len("preview/"):] if preview else name
    problem = None
    if kind not in KINDS:
        problem = f"unknown kind {kind!r}; files go to uploads/<merchant_id>/<kind>/ with kind one of " \
                  + ", ".join(KINDS)
    elif not base or base.endswith("/"):
        problem = "the file has no name"
    return Place(merchant_id, kind, name, preview, problem)


def report_key(merchant_id: str, kind: str, name: str) -> str:
    return f"reports/{merchant_id}/{kind}/{name}.result.xlsx"


def upload_key(merchant_id: str, kind: str, filename: str, preview: bool) -> str:
    return f"uploads/{merchant_id}/{kind}/" + ("preview/" if preview else "") + filename


def notifications(body: dict) -> Iterator[Dropped]:
    """The object-created records of one S3 notification message (keys URL-decoded);
    `s3:TestEvent` and other events yield nothing."""
    if body.get("Event") == "s3:TestEvent":
        return
    for record in body.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record.get("s3") or {}
        obj = s3.get("object") or {}
        key = unquote_plus(obj.get("key", ""))
        yield Dropped(bucket=(s3.get("bucket") or {}).get("name", ""), key=key,
                      etag=str(obj.get("eTag") or obj.get("etag") or "").strip('"'),
                      size=int(obj.get("size") or 0), event_time=record.get("eventTime") or "")


def is_notification(body: dict) -> bool:
    return body.get("Event") == "s3:TestEvent" or (
        isinstance(body.get("Records"), list)
        and all(isinstance(r, dict) and r.get("eventSource") == "aws:s3" for r in body["Records"]))


class JobClosed(Exception):
    """The job is done or fatal: a late message has nothing left to do."""


class LeaseHeld(Exception):
    """Another invocation is working on the job right now."""


class LeaseLost(Exception):
    """This invocation no longer holds the job (it ran past its lease): it must stop at once."""
