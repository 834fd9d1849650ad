"""Running an upload job: chunks of rows applied and checkpointed, follow-up messages, the report.

Why no row is applied twice and none is lost (guarantee 8):

1. One invocation at a time. A `upload.chunk` message first claims the job's lease (a conditional
   update). The lease lasts until this invocation's Lambda deadline plus a margin, so it never
   expires under a live invocation. Another message finding a live lease is dropped: the holder
   either continues the job itself or fails, and then its own message comes back. The holder's
   message, delivered again (a higher receive count, which SQS gives only after the visibility
   timeout (30 min), longer than any invocation (5 min)), may take its lease back at once.
2. The checkpoint (`position`: data rows done) moves only in `UploadStore.commit`: the chunk's
   outcomes are written into an item keyed by the chunk's position, then one conditional update
   adds to the counts and advances the position, conditioned on the position being where this
   invocation read it and on holding the lease. So counts move once per chunk, and a chunk done
   again after a crash rewrites its own outcome item: every row has one line in the report.
3. A crash inside a chunk leaves the checkpoint before it, and the next holder does that chunk
   again from its first row; but no row is applied twice. Each row's effect is written in one
   transaction with the row's receipt (store/receipts.py: a conditional put keyed by the job and
   the row), and before the chunk is done again its receipts are read (one query): rows that have
   one are reported "applied before" and not applied again. A write made by someone else between
   the crash and the resume is therefore never overwritten by a repeated row; and were a row ever
   sent twice, its receipt's condition would cancel the second write.
4. Between chunks the invocation watches its deadline: when the time left could not fit another
   chunk and the report, it releases the lease and sends a follow-up message, then acks its own.
   A crash between the release and the send leaves its own message to come back and continue.
5. The report is written from the stored outcomes once every row is done; the job closes `done`
   (or `fatal`) with one conditional update, in the same transaction as the `upload.finished`
   webhook event, so that event is emitted once.
6. A row whose service fails with an unexpected error (not a domain error) fails its chunk, which
   is retried; from the third delivery of the message on, the chunk's items are applied one by
   one and such a row is reported `internal_error`, so one bad row cannot hold a file back until
   its message ends in the dead-letter queue.
7. A preview applies nothing, so a preview's first invocation (the job claimed once, its checkpoint
   at 0) reads the file once: it validates the rows chunk by chunk and streams each row's line into
   the report as it goes, keeps the counts in memory and closes the job with them (the counts, the
   checkpoint and `done` in one conditional update), storing no outcome item and reading the file
   no second time. If that invocation dies, nothing was stored: the message comes back and the job,
   claimed a second time, takes the checkpointed path above from row 0, which moves on with every
   invocation, so a file that could never be done in one invocation cannot keep a preview going
   forever. If it runs short of time, it stores the chunks it validated (`commit`, as the
   checkpointed path would have) and hands off to that path.
"""
import itertools
import os
import time
from typing import Iterator, List, Optional

from chalicelib import observability as obs
from chalicelib.adapters import bucket, scratch, xlsx_extent
from chalicelib.adapters.sheet_files import CSV, XLS, XLSX, SheetFile, detect_encoding, sniff_format
from chalicelib.domain import clock
from chalicelib.domain import uploads as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.sheet_kinds import KINDS
from chalicelib.domain.sheet_layout import SheetFatal, key_of
from chalicelib.domain.sheet_scan import scan
from chalicelib.services import sheet_targets
from chalicelib.services.sheet_apply import Applier
from chalicelib.store import receipts
from chalicelib.store.uploads import UploadStore, public

LEASE_MARGIN = 60
MAX_GROUP_ROWS = 5000
MAX_SURVEY_KEYS = 2000
ISOLATE_AFTER_RECEIVES = 3      # the queue's maxReceiveCount is 5

# tests set this to interrupt a run after a number of applied rows (a crash mid-chunk)
crash_after_rows = None


PREVIEW_CHUNKS = 10     # a preview writes nothing but outcomes: it checkpoints every 10 chunks' rows


def chunk_rows() -> int:
    """Rows per checkpoint: 5 batches of 99 (a batch and its receipt fill one transaction)."""
    return int(os.environ.get("ONCESHIP_UPLOAD_CHUNK_ROWS", "495"))


def default_budget() -> float:
    return float(os.environ.get("ONCESHIP_UPLOAD_BUDGET_SECONDS", "240"))


def run(merchant_id: str, job_id: str, meta: dict) -> None:
    started = time.monotonic()
    deadline = meta.get("deadline") or started + default_budget()
    lease_until = int(clock.now() + (deadline - started) + LEASE_MARGIN)
    store = UploadStore(merchant_id)
    owner = meta["message_id"]
    try:
        job = store.claim(job_id, owner, int(meta.get("receive_count") or 1), lease_until)
    except (rules.JobClosed, rules.LeaseHeld, NotFound) as why:
        obs.logger().info("upload message dropped", extra={"job_id": job_id, "why": type(why).__name__})
        return
    Run(store, job, owner, deadline, lease_until, int(meta.get("receive_count") or 1)).go()


def close_unclaimed(store: UploadStore, job: dict, detail: str) -> None:
    """A file refused before any work (unknown kind, unreadable name)."""
    try:
        _close(store, job, None, rules.FATAL, detail)
    except rules.LeaseLost:
        return


def _close(store: UploadStore, job: dict, owner: Optional[str], status: str, detail: str,
           report_key: Optional[str] = None, counts: Optional[dict] = None) -> dict:
    """The job's last change, with its `upload.finished` webhook event in the same transaction
    (and its counts, for a preview done in one pass, which stored none before)."""
    at = clock.now_iso()
    final = dict(job, **(counts or {}), status=status, detail=detail, report_key=report_key, finished_at=at,
                 updated_at=at)
    ops, event_ids = _finished_event(final)
    closed = store.close(job["job_id"], owner, status, detail, report_key, extra_ops=ops, at=at, counts=counts)
    if event_ids:
        from chalicelib.services import webhooks
        webhooks.hint(job["merchant_id"], event_ids)
    obs.logger().info("upload finished", extra={"job_id": job["job_id"], "status": status})
    obs.count("UploadJobsFinished")
    return closed


def _finished_event(job: dict) -> tuple:
    try:
        from chalicelib.services import webhooks
    except ImportError:
        return [], []
    return webhooks.event_ops(job["merchant_id"], [("upload.finished", public(job))])


class Run:
    def __init__(self, store: UploadStore, job: dict, owner: str, deadline: float, lease_until: int,
                 receive: int = 1):
        self.store, self.job, self.owner, self.receive = store, job, owner, receive
        self.deadline, self.lease_until = deadline, lease_until
        self.kind = KINDS[job["kind"]]
        self.longest = 0.0
        self.worked = False      # an invocation always does one chunk (or the report) before handing off

    @property
    def job_id(self) -> str:
        return self.job["job_id"]

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def go(self) -> None:
        """The file is copied into a scratch folder of this run's own, removed however the run
        ends (the report is written there too)."""
        with scratch.folder(self.job_id) as folder:
            try:
                path = self._local_copy(folder)
                self._apply(path)
            except bucket.ObjectChanged as err:
                self._fatal(f"the file was removed or replaced before it was read ({err}); "
                            "a replaced file is a new job of its own")
            except SheetFatal as err:
                self._fatal(err.detail)
            except sheet_targets.KindUnavailable as err:
                self._fatal(str(err))

    # -- the file ------------------------------------------------------------------------------
    def _local_copy(self, folder: str) -> str:
        """The object, pinned to its ETag; its size is read from its metadata first, so a file
        over the limit is refused without being downloaded."""
        job = self.job
        problem = rules.file_too_large(bucket.size(job["bucket"], job["key"], job["etag"]))
        if problem:
            raise SheetFatal(problem)
        path = os.path.join(folder, "file")
        try:
            bucket.download(job["bucket"], job["key"], job["etag"], path, limit=rules.MAX_FILE_BYTES)
        except bucket.TooLarge as err:
            raise SheetFatal(rules.file_too_large(err.size))
        return path

    def _open(self, path: str) -> SheetFile:
        fmt = self.job.get("format") or sniff_format(path)
        if fmt == XLS:
            raise SheetFatal("the file is an Excel 97-2003 workbook (.xls); save it as .xlsx or .csv")
        encoding = self.job.get("encoding")
        if fmt == CSV and not encoding:
            encoding = detect_encoding(path)
        if not self.job.get("format"):
            self._note({"format": fmt, "encoding": encoding})
        return SheetFile(path, fmt, encoding)

    def _note(self, fields: dict) -> None:
        self.store.note(self.job_id, self.owner, fields)
        self.job.update(fields)

    # -- chunks ----------------------------------------------------------------------------------
    def _apply(self, path: str) -> None:
        refused = self._survey(path)
        target = sheet_targets.target(self.kind.name)
        with self._open(path) as sheet:
            layout, data = scan(self.kind, sheet.rows(), sheet.merged())
            applier = Applier(target, layout, self.job["merchant_id"], self.job_id, bool(self.job.get("preview")),
                              self._defaults(), refused, isolate=self.receive >= ISOLATE_AFTER_RECEIVES)
            position = int(self.job.get("position") or 0)
            if self._in_one_pass():
                return self._preview_in_one_pass(path, layout, data, applier)
            rows = _Peekable(itertools.islice(data, position, None))
            while True:
                began = time.monotonic()
                chunk = self._take(rows, applier)
                if not chunk:
                    break
                outcomes = applier.apply(chunk, position, self._applied_before(position, len(chunk)))
                if crash_after_rows is not None:
                    crash_after_rows(position, len(chunk))
                self.job = self.store.commit(self.job_id, self.owner, position, outcomes, self.lease_until)
                position += len(chunk)
                obs.count("UploadRows", len(chunk))
                self.longest = max(self.longest, time.monotonic() - began)
                self.worked = True
                if not rows.done() and self.left() < 2 * self.longest + self._finish_reserve():
                    return self._hand_off()
        if self.worked and self.left() < self._finish_reserve():
            return self._hand_off()
        self._finish(path)

    def _in_one_pass(self) -> bool:
        """A preview applies nothing, so its first invocation validates the whole file and streams
        the report as it goes, storing no outcome (section 7 of the module docstring). Only the
        first: a job claimed again (a redelivery after a crash, a hand-off) takes the checkpointed
        path, which moves on with every invocation, so no file can keep a preview going forever."""
        return bool(self.job.get("preview")) and int(self.job.get("claims") or 0) <= 1 \
            and not int(self.job.get("position") or 0)

    def _preview_in_one_pass(self, path: str, layout, data, applier: Applier) -> None:
        out = path + ".result.xlsx"
        report, line = self._report(out, layout)
        done = []          # (position, outcomes) of every chunk, stored only if the pass must hand off
        tally = {"ok": 0, "skipped": 0, "error": 0}
        rows, position, out_of_time = _Peekable(data), 0, False
        try:
            while True:
                began = time.monotonic()
                chunk = self._take(rows, applier)
                if not chunk:
                    break
                outcomes = applier.apply(chunk, position)
                if crash_after_rows is not None:
                    crash_after_rows(position, len(chunk))
                for (_, cells), (outcome, message) in zip(chunk, outcomes):
                    tally[outcome] += 1
                    report.append(line(cells, outcome, message))
                done.append((position, outcomes))
                position += len(chunk)
                obs.count("UploadRows", len(chunk))
                self.longest = max(self.longest, time.monotonic() - began)
                self.worked = True
                if not rows.done() and self.left() < 2 * self.longest + self._finish_reserve():
                    out_of_time = True
                    break
            if out_of_time:
                report.discard()
            else:
                report.close()
        except BaseException:
            report.discard()
            raise
        if out_of_time:
            return self._store_and_hand_off(done)
        counts = {"rows": position, "ok": tally["ok"], "skipped": tally["skipped"], "errors": tally["error"]}
        self.job.update(counts, position=position)
        self._publish(out, counts)

    def _store_and_hand_off(self, done: list) -> None:
        """Out of time in the one pass: the chunks validated so far are stored as the checkpointed
        path stores them, and that path goes on from there in the next invocation."""
        for position, outcomes in done:
            self.job = self.store.commit(self.job_id, self.owner, position, outcomes, self.lease_until)
        self._hand_off()

    def _applied_before(self, position: int, count: int) -> frozenset:
        """Rows of this chunk with receipts. Only the first chunk of an invocation can have any:
        rows get receipts only under the lease, and the holder commits each chunk it starts
        before the next, so a chunk begun and not committed is one whose invocation died."""
        if self.worked or self.job.get("preview"):
            return frozenset()
        return frozenset(receipts.applied_rows(self.job["merchant_id"], self.job_id, position,
                                               position + count - 1))

    def _take(self, rows: "_Peekable", applier: Applier) -> List:
        size = chunk_rows() * (PREVIEW_CHUNKS if self.job.get("preview") else 1)
        chunk = rows.take(size)
        if chunk and applier.group_key(chunk[-1]) is not None:
            last = applier.group_key(chunk[-1])
            extra = 0
            while rows.peek() is not None and applier.group_key(rows.peek()) == last and extra < MAX_GROUP_ROWS:
                chunk.append(next(rows))
                extra += 1
        return chunk

    def _defaults(self) -> dict:
        if self.kind.name == "order-status":
            return {"at": self.job.get("event_time") or self.job.get("created_at")}
        return {}

    def _survey(self, path: str) -> list:
        """Before the first row is applied, the whole file is read once: a file that cannot be
        read to its end, or is more than a sheet may be (rows, columns; a workbook's true extent
        is checked before it is loaded), is fatal with nothing applied (a workbook is read whole
        when opened; a CSV is read here row by row), and for kinds whose rows group into one item
        (lots) the keys whose rows are scattered are found (refused)."""
        if "refused" in self.job:
            return list(self.job.get("refused") or [])
        seen, split, last = set(), [], None
        grouped = self.kind.grouped
        fmt = self.job.get("format") or sniff_format(path)
        if fmt == XLSX:
            xlsx_extent.check(path)      # before the reader loads the sheet (CSV rows are counted as read)
        if self.job.get("preview") and not grouped and fmt != CSV:
            return []   # nothing is applied, and a workbook is read whole when the preview opens it
        with self._open(path) as sheet:
            layout, data = scan(self.kind, sheet.rows(), sheet.merged())
            if sheet.format != CSV and not grouped:
                data = iter(())      # a workbook is read whole when opened: it has no later surprises
            for _, cells in data:
                if grouped:
                    key = key_of(layout, cells)
                    if key != last:
                        if key in seen and key not in split:
                            split.append(key)
                        seen.add(key)
                        last = key
        if len(split) > MAX_SURVEY_KEYS:
            raise SheetFatal(f"the rows of {len(split)} products are scattered; sort the file by "
                             f"{layout.kind.key} so that each product's rows are together")
        self._note({"refused": split})
        return split

    def _finish_reserve(self) -> float:
        return 20.0 + int(self.job.get("position") or 0) / 4000.0

    def _hand_off(self) -> None:
        from chalicelib.services import uploads
        self.store.release(self.job_id, self.owner)
        uploads.start(self.job["merchant_id"], self.job_id)
        obs.logger().info("upload continues in a new message", extra={"job_id": self.job_id,
                                                                     "position": self.job.get("position")})

    # -- the end ---------------------------------------------------------------------------------
    def _finish(self, path: str) -> None:
        out = path + ".result.xlsx"
        with self._open(path) as sheet:
            layout, data = scan(self.kind, sheet.rows(), sheet.merged())
            report, line = self._report(out, layout)
            outcomes = self.store.outcomes(self.job_id)
            try:
                for (_, cells), (outcome, message) in zip(data, outcomes):
                    report.append(line(cells, outcome, message))
                report.close()
            except BaseException:
                report.discard()         # the rows streamed so far live in a temporary file
                raise
        self._publish(out)

    def _report(self, out: str, layout) -> tuple:
        """The report being streamed to `out`, and its line of a row: the row's cells, cut or
        padded to the headers, then its outcome and message."""
        from chalicelib.adapters.sheet_writer import StreamedSheet
        width = len(layout.headers)
        blank = [""] * width

        def line(cells: list, outcome: str, message: str) -> list:
            if len(cells) != width:
                cells = (cells + blank)[:width]
            return cells + [outcome, message]
        return StreamedSheet(out, self.kind.title, list(layout.headers) + ["outcome", "message"]), line

    def _publish(self, out: str, counts: Optional[dict] = None) -> None:
        """The report into the bucket, then the job closed `done` (with `counts`: see `_close`)."""
        from chalicelib.adapters.sheet_writer import XLSX_TYPE
        key = rules.report_key(self.job["merchant_id"], self.kind.name, self.job["name"])
        bucket.put_file(key, out, XLSX_TYPE)
        _close(self.store, self.job, self.owner, rules.DONE, self._detail(), key, counts=counts)

    def _detail(self) -> str:
        job = self.job
        return (f"{job['rows']} rows: {job['ok']} ok, {job['skipped']} skipped, {job['errors']} errors"
                + ("; preview: validated only, nothing applied" if job.get("preview") else ""))

    def _fatal(self, detail: str) -> None:
        _close(self.store, self.job, self.owner, rules.FATAL, detail)


class _Peekable:
    _END = object()

    def __init__(self, iterator: Iterator):
        self._it = iterator
        self._next = None
        self._has = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._has:
            self._has = False
            if self._next is self._END:
                raise StopIteration
            return self._next
        return next(self._it)

    def take(self, count: int) -> list:
        """The next `count` items (fewer at the end), read by islice from the iterator itself."""
        if count <= 0:
            return []
        if self._has:
            self._has = False
            if self._next is self._END:
                return []
            return [self._next] + list(itertools.islice(self._it, count - 1))
        return list(itertools.islice(self._it, count))

    def peek(self):
        if not self._has:
            self._next, self._has = next(self._it, self._END), True
        return None if self._next is self._END else self._next

    def done(self) -> bool:
        return self.peek() is None
