"""Upload jobs: one item per job (its counts, checkpoint and lease) and one item per applied chunk
(the outcome of each of its rows, for the report).

The checkpoint moves only in `commit`: the chunk's outcomes are written first (an item keyed by
the chunk's position, rewritten if the chunk is done again), then one conditional update moves
the counts and the position, conditioned on the position still being where this invocation read
it and on this invocation holding the lease. So counts move exactly once per chunk, and no two
invocations work on one job at the same time (see services/upload_runner.py for the argument).
"""
import json
import zlib
from typing import Iterator, Optional, Tuple

from chalicelib.domain import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.uploads import IN_PROGRESS, IN_QUEUE, JobClosed, LeaseHeld, LeaseLost
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import ConditionFailed, Table, TransactionCanceled, update_op

CHUNK_TTL_DAYS = 90
MESSAGE_LIMIT = 300
CHUNK_ITEM_ROWS = 495       # outcomes per chunk item: far below DynamoDB's 400 KB whatever the messages

CLAIMABLE = ("#status IN (:queued, :running) AND (attribute_not_exists(lease_until) OR lease_until < :now"
             " OR (lease_owner = :me AND lease_receive < :rc))")
MINE = "lease_owner = :me AND #status = :running"
OPEN = "#status IN (:queued, :running)"

PUBLIC = ("job_id", "kind", "key", "preview", "status", "detail", "rows", "ok", "skipped", "errors",
          "report_key", "filename", "created_at", "updated_at", "finished_at")


def public(job: dict) -> dict:
    out = {name: job.get(name) for name in PUBLIC}
    for name in ("rows", "ok", "skipped", "errors"):
        out[name] = int(out[name] or 0)
    out["preview"] = bool(out["preview"])
    return out


class UploadStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    # jobs -------------------------------------------------------------------------------------
    def create(self, job: dict) -> Tuple[dict, bool]:
        """(the job, True) when this call made it; (the existing job, False) for the same object."""
        pk, sk = self.scope.upload_job(job["job_id"])
        now = clock.now_iso()
        item = dict(job, pk=pk, sk=sk, merchant_id=self.merchant_id, rows=0, ok=0, skipped=0,
                    errors=0, position=0, created_at=now, updated_at=now,
                    gsi1pk=self.scope.upload_list(), gsi1sk=f"{now}#{job['job_id']}")
        try:
            self.table.put(item, condition="attribute_not_exists(pk)")
        except ConditionFailed as failed:
            return failed.old or self.table.get(pk, sk), False
        return item, True

    def get(self, job_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.upload_job(job_id))

    def page(self, limit: int, start: Optional[dict]) -> tuple:
        return self.table.query(self.scope.upload_list(), index="gsi1", limit=limit, start=start,
                                forward=False)

    # the lease ------------------------------------------------------------------------------
    def claim(self, job_id: str, owner: str, receive: int, lease_until: float) -> dict:
        """Take the job for this invocation. JobClosed when it is finished, LeaseHeld when another
        live invocation has it; a redelivery of the message that holds it (a higher receive
        count: the earlier delivery is over) takes it back."""
        pk, sk = self.scope.upload_job(job_id)
        try:
            return self.table.update(
                pk, sk, "SET #status = :running, lease_owner = :me, lease_receive = :rc,"
                " lease_until = :until, updated_at = :at ADD claims :one",
                condition="attribute_exists(pk) AND " + CLAIMABLE,
                values={":queued": IN_QUEUE, ":running": IN_PROGRESS, ":now": clock.now(),
                        ":me": owner, ":rc": receive, ":until": lease_until, ":at": clock.now_iso(),
                        ":one": 1},
                names={"#status": "status"})
        except ConditionFailed as failed:
            old = failed.old
        if not old:
            raise NotFound(f"no upload job {job_id}")
        if old.get("status") not in (IN_QUEUE, IN_PROGRESS):
            raise JobClosed(job_id)
        raise LeaseHeld(job_id)

    def note(self, job_id: str, owner: str, fields: dict) -> None:
        """Record facts found while holding the lease (format, encoding, survey)."""
        pk, sk = self.scope.upload_job(job_id)
        names = {"#status": "status"}
        sets = []
        values = {":me": owner, ":running": IN_PROGRESS}
        for i, (name, value) in enumerate(fields.items()):
            names[f"#f{i}"], values[f":v{i}"] = name, value
            sets.append(f"#f{i} = :v{i}")
        try:
            self.table.update(pk, sk, "SET " + ", ".join(sets), condition=MINE, values=values,
                              names=names)
        except ConditionFailed:
            raise LeaseLost(job_id)

    def commit(self, job_id: str, owner: str, position: int, outcomes: list, lease_until: float) -> dict:
        """Record a chunk: its outcomes, then (the commit point) the counts and the checkpoint.

        The chunk item is keyed by its position and written first, unconditionally: if this
        invocation dies before the job update, the chunk is done again and its item rewritten.
        The job update is one conditional write (the position is still where this invocation
        read it, and it holds the lease), so counts move once per chunk."""
        pk, sk = self.scope.upload_job(job_id)
        chunk_pk, _ = self.scope.upload_chunk(job_id, position)
        tally = {"ok": 0, "skipped": 0, "error": 0}
        for outcome, _ in outcomes:
            tally[outcome] += 1
        now = clock.now()
        packed = [[o, (m or "")[:MESSAGE_LIMIT]] for o, m in outcomes]
        items = [{"pk": chunk_pk, "sk": self.scope.upload_chunk(job_id, position + start)[1],
                  "position": position + start, "rows": len(packed[start:start + CHUNK_ITEM_ROWS]),
                  "outcomes": _pack(packed[start:start + CHUNK_ITEM_ROWS]), "ttl": int(now) + CHUNK_TTL_DAYS * 86400}
                 for start in range(0, len(packed), CHUNK_ITEM_ROWS)]
        if len(items) == 1:
            self.table.put(items[0])
        else:               # a preview's larger chunk: its items of CHUNK_ITEM_ROWS rows in one batch write
            self.table.batch_put(items)
        try:
            return self.table.update(
                pk, sk, "SET #position = :next, #rows = #rows + :n, ok = ok + :ok,"
                " skipped = skipped + :skipped, #errors = #errors + :errors,"
                " lease_until = :until, updated_at = :at",
                condition=MINE + " AND #position = :position",
                values={":next": position + len(outcomes), ":n": len(outcomes), ":ok": tally["ok"],
                        ":skipped": tally["skipped"], ":errors": tally["error"], ":until": lease_until,
                        ":at": clock.iso(now), ":me": owner, ":running": IN_PROGRESS, ":position": position},
                names={"#status": "status", "#position": "position", "#rows": "rows", "#errors": "errors"})
        except ConditionFailed:
            raise LeaseLost(job_id)

    def release(self, job_id: str, owner: str) -> None:
        pk, sk = self.scope.upload_job(job_id)
        try:
            self.table.update(pk, sk, "REMOVE lease_owner, lease_until, lease_receive",
                              condition=MINE, values={":me": owner, ":running": IN_PROGRESS},
                              names={"#status": "status"})
        except ConditionFailed:
            raise LeaseLost(job_id)

    def close(self, job_id: str, owner: Optional[str], status: str, detail: Optional[str],
              report_key: Optional[str] = None, extra_ops: Optional[list] = None,
              at: Optional[str] = None, counts: Optional[dict] = None) -> dict:
        """done or fatal, once: by the lease holder, or (owner None) a job nobody holds yet;
        `extra_ops` (the webhook outbox item) are written in the same transaction. `counts`
        (rows, ok, skipped, errors) are set with it by a preview done in one pass, which committed
        no chunk: the checkpoint is then its rows, and it must still be at 0."""
        pk, sk = self.scope.upload_job(job_id)
        now = at or clock.now_iso()
        values = {":status": status, ":detail": detail, ":report": report_key, ":at": now,
                  ":running": IN_PROGRESS}
        if owner is None:
            condition, values[":queued"] = OPEN, IN_QUEUE
        else:
            condition, values[":me"] = MINE, owner
        names = {"#status": "status"}
        counted = ""
        if counts is not None:
            counted = (", #position = :rows, #rows = :rows, ok = :ok, skipped = :skipped,"
                       " #errors = :errors")
            condition += " AND #position = :zero"
            values.update({":rows": counts["rows"], ":ok": counts["ok"], ":skipped": counts["skipped"],
                           ":errors": counts["errors"], ":zero": 0})
            names.update({"#position": "position", "#rows": "rows", "#errors": "errors"})
        expression = ("SET #status = :status, detail = :detail, report_key = :report, finished_at = :at,"
                      " updated_at = :at" + counted + " REMOVE lease_owner, lease_until, lease_receive")
        try:
            if extra_ops:
                self.table.transact([update_op(pk, sk, expression, condition, values, names)] + list(extra_ops))
                return self.get(job_id)
            return self.table.update(pk, sk, expression, condition=condition, values=values, names=names)
        except (ConditionFailed, TransactionCanceled):
            raise LeaseLost(job_id)

    # chunks ---------------------------------------------------------------------------------
    def outcomes(self, job_id: str) -> Iterator[list]:
        """Every row's [outcome, message], in file order, a page of chunks at a time."""
        pk, prefix = self.scope.upload_chunks(job_id)
        start = None
        while True:
            items, start = self.table.query(pk, prefix, start=start, consistent=True)    # 1 MB pages
            for item in items:
                yield from _unpack(item["outcomes"])
            if not start:
                return


def _pack(rows: list) -> bytes:
    """A chunk's outcomes as one compressed binary attribute (small, and one value to store)."""
    return zlib.compress(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode())


def _unpack(value) -> list:
    return json.loads(zlib.decompress(getattr(value, "value", value)))
