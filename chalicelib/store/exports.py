"""Export jobs: one item each, claimed by one invocation at a time (a lease) and closed once."""
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.uploads import DONE, FATAL, IN_PROGRESS, IN_QUEUE, JobClosed, LeaseHeld, LeaseLost
from chalicelib.store.keys import MerchantScope
from chalicelib.store.table import ConditionFailed, Table

CLAIMABLE = ("#status IN (:queued, :running) AND (attribute_not_exists(lease_until) OR lease_until < :now"
             " OR (lease_owner = :me AND lease_receive < :rc))")


class ExportStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    def create(self, job_id: str, kind: str, filters: dict) -> dict:
        pk, sk = self.scope.export_job(job_id)
        now = clock.now_iso()
        item = {"pk": pk, "sk": sk, "job_id": job_id, "merchant_id": self.merchant_id, "kind": kind,
                "filters": filters, "status": IN_QUEUE, "rows": 0, "created_at": now, "updated_at": now}
        self.table.put(item, condition="attribute_not_exists(pk)")
        return item

    def get(self, job_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.export_job(job_id))

    def claim(self, job_id: str, owner: str, receive: int, lease_until: int) -> dict:
        pk, sk = self.scope.export_job(job_id)
        try:
            return self.table.update(
                pk, sk, "SET #status = :running, lease_owner = :me, lease_receive = :rc, lease_until = :until,"
                " updated_at = :at",
                condition="attribute_exists(pk) AND " + CLAIMABLE,
                values={":queued": IN_QUEUE, ":running": IN_PROGRESS, ":now": clock.now(), ":me": owner,
                        ":rc": receive, ":until": lease_until, ":at": clock.now_iso()},
                names={"#status": "status"})
        except ConditionFailed as failed:
            old = failed.old
        if not old:
            raise NotFound(f"no export job {job_id}")
        if old.get("status") in (DONE, FATAL):
            raise JobClosed(job_id)
        raise LeaseHeld(job_id)

    def close(self, job_id: str, owner: str, status: str, detail: Optional[str], key: Optional[str],
              rows: int) -> dict:
        pk, sk = self.scope.export_job(job_id)
        now = clock.now_iso()
        try:
            return self.table.update(
                pk, sk, "SET #status = :status, detail = :detail, #key = :key, #rows = :rows,"
                " finished_at = :at, updated_at = :at REMOVE lease_owner, lease_until, lease_receive",
                condition="lease_owner = :me AND #status = :running",
                values={":status": status, ":detail": detail, ":key": key, ":rows": rows, ":at": now,
                        ":me": owner, ":running": IN_PROGRESS},
                names={"#status": "status", "#key": "key", "#rows": "rows"})
        except ConditionFailed:
            raise LeaseLost(job_id)
