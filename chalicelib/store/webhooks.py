"""The merchant's webhook endpoint, and the outbox whose items are also the delivery records.

Endpoint: `M#<mid>#SETTINGS` / `SETTINGS#webhook-endpoint` — `url`, `events`, `salt` (the signing
secret is derived from the server key and this salt, never stored), `updated_at`.

Outbox item = delivery record: `M#<mid>#EVT#<event_id>` / `DELIVERY` (a partition each: the
three writes of every delivery heat no shared partition), written in the same transaction as the
change that causes the event:
    event_id, merchant_id, type, created_at, body (the exact JSON sent on every attempt)
    status        pending (never tried) | succeeded | failed (the last attempt failed)
    attempts, last_status_code, last_error, last_attempt_at
    next_attempt_at   RFC 3339 UTC; absent when nothing is due (succeeded or gave up)
    deadline      epoch seconds after which a failure gives up (created + 24 h)
    gave_up       true once retries stopped
    gsi3pk/gsi3sk `WEBHOOKS#DUE#<shard>`, `<next_attempt_at>#<mid>#<event_id>` while an attempt
                  is due: the schedule's safety net finds work here
    gsi4pk/gsi4sk `M#<mid>#WEBHOOK#<status>#<shard>`, `<event_id>`: the deliveries listing by
                  status, its shards read as one sequence (store/sharded.py), newest first

An attempt is claimed with a conditional update on the `next_attempt_at` the worker read (the
claim moves it a lease ahead), so duplicate queue messages and the schedule never send twice
at once; the outcome is written only by the claimant (`attempts` unchanged since its claim).
"""
from typing import List, Optional, Tuple

from chalicelib.domain import clock
from chalicelib.store import keys, sharded
from chalicelib.store.expr import Update
from chalicelib.store.keys import MerchantScope
from chalicelib.store.due import due_items
from chalicelib.store.table import ConditionFailed, Table, put_op

LEASE_SECONDS = 60
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


STATUSES = (PENDING, FAILED, SUCCEEDED)   # the order a delivery moves through (read in this order)


def due(now_iso: str, limit: int = 500, table: Optional[Table] = None) -> List[dict]:
    """Deliveries whose next attempt is due (merchant_id, event_id), from every shard."""
    return due_items(table or Table(), keys.webhook_due_queue, keys.WEBHOOK_DUE_SHARDS, "gsi3", now_iso,
                     ("merchant_id", "event_id"), limit)


class WebhookStore:
    def __init__(self, merchant_id: str, table: Optional[Table] = None):
        self.merchant_id = merchant_id
        self.scope = MerchantScope(merchant_id)
        self.table = table or Table()

    # endpoint ---------------------------------------------------------------------------------
    def endpoint(self) -> Optional[dict]:
        return self.table.get(*self.scope.webhook_endpoint())

    def put_endpoint(self, url: str, events: list, new_salt: str) -> dict:
        """Set URL and events; the salt (so the signing secret) stays the same once made. The
        events are also copied where every event's transaction checks them (store/replicas.py)."""
        from chalicelib.store import replicas
        pk, sk = self.scope.webhook_endpoint()
        update = (Update()
                  .set_all({"url": url, "events": list(events), "updated_at": clock.now_iso()})
                  .set_if_missing("salt", new_salt))
        self.table.transact([update.op(pk, sk)] + replicas.copy_ops((pk, sk), {"events": list(events)}, ("events",)))
        return self.table.get(pk, sk)

    # outbox -----------------------------------------------------------------------------------
    def outbox_op(self, event_id: str, event_type: str, body: str, created: float) -> dict:
        created_iso = clock.iso(created)
        pk, sk = self.scope.webhook_delivery(event_id)
        from chalicelib.domain.webhooks import RETRY_WINDOW_SECONDS
        return put_op({"pk": pk, "sk": sk, "event_id": event_id, "merchant_id": self.merchant_id,
                       "type": event_type, "created_at": created_iso, "body": body, "status": PENDING,
                       "attempts": 0, "gave_up": False, "deadline": int(created + RETRY_WINDOW_SECONDS),
                       "next_attempt_at": created_iso, **self._due_keys(event_id, created_iso),
                       **self._status_keys(event_id, PENDING)},
                      condition="attribute_not_exists(pk)")

    def get(self, event_id: str) -> Optional[dict]:
        return self.table.get(*self.scope.webhook_delivery(event_id))

    def many(self, event_ids) -> dict:
        items = self.table.batch_get(self.scope.webhook_delivery(e) for e in event_ids)
        return {i["event_id"]: i for i in items}

    def claim(self, item: dict, now: float) -> Optional[dict]:
        """Take the due attempt of `item` as read; the claimed item, or None if someone else did."""
        lease = clock.iso(now + LEASE_SECONDS)
        try:
            return (Update()
                    .set_all({"next_attempt_at": lease, "last_attempt_at": clock.iso(now),
                              **self._due_keys(item["event_id"], lease)})
                    .increment("attempts")
                    .when("#next_attempt_at = :seen", seen=item["next_attempt_at"])
                    .apply(self.table, *self.scope.webhook_delivery(item["event_id"])))
        except ConditionFailed:
            return None

    def finish(self, claimed: dict, status_code: Optional[int], error: Optional[str], ok: bool,
               next_at: Optional[float]) -> bool:
        """Record the claimed attempt's outcome; `next_at` None after a failure means give up."""
        event_id = claimed["event_id"]
        status = SUCCEEDED if ok else FAILED
        update = (Update()
                  .set_all({"status": status, "last_status_code": status_code, "last_error": error,
                            **self._status_keys(event_id, status)})
                  .when("#attempts = :mine", mine=claimed["attempts"]))
        if ok or next_at is None:
            update.remove("next_attempt_at", "gsi3pk", "gsi3sk").set("gave_up", not ok)
        else:
            at = clock.iso(next_at)
            update.set_all({"next_attempt_at": at, **self._due_keys(event_id, at)})
        try:
            update.apply(self.table, *self.scope.webhook_delivery(event_id))
            return True
        except ConditionFailed:
            return False

    def reopen(self, event_id: str, now: float, deadline: int) -> dict:
        """Due again now (a manual retry); `deadline` bounds its automatic retries."""
        at = clock.iso(now)
        return (Update()
                .set_all({"next_attempt_at": at, "gave_up": False, "deadline": deadline,
                          **self._due_keys(event_id, at)})
                .when("attribute_exists(#pk)")
                .apply(self.table, *self.scope.webhook_delivery(event_id)))

    def page(self, status: Optional[str], limit: int, before: Optional[str]) -> Tuple[List[dict], Optional[str]]:
        """Up to `limit` deliveries, newest first, older than the event id `before`: of one status,
        or of every status (their shards read as one sequence); and the event id to go on from."""
        groups = [[self.scope.webhook_status(s, n) for n in range(keys.WEBHOOK_STATUS_SHARDS)]
                  for s in ((status,) if status else STATUSES)]
        per_shard = max(5, (5 * limit) // (4 * keys.WEBHOOK_STATUS_SHARDS * len(groups)) + 2)
        found: List[dict] = []
        for entry, stopped in sharded.walk(self.table, "gsi4", groups, after=before, per_shard=per_shard,
                                           forward=False):
            if entry is not None and all(f["event_id"] != entry["event_id"] for f in found):
                found.append(entry)
            if len(found) == limit + 1:
                break
        items = self.many(e["event_id"] for e in found[:limit])
        page = [items[e["event_id"]] for e in found[:limit] if e["event_id"] in items]
        return page, (found[limit - 1]["event_id"] if len(found) > limit else None)

    def _due_keys(self, event_id: str, at_iso: str) -> dict:
        return {"gsi3pk": keys.webhook_due_queue(keys.shard_of(event_id, keys.WEBHOOK_DUE_SHARDS)),
                "gsi3sk": f"{at_iso}#{self.merchant_id}#{event_id}"}

    def _status_keys(self, event_id: str, status: str) -> dict:
        return {"gsi4pk": self.scope.webhook_status(status, keys.shard_of(event_id, keys.WEBHOOK_STATUS_SHARDS)),
                "gsi4sk": event_id}


def read_many(hints, table: Optional[Table] = None) -> dict:
    """{(merchant_id, event_id): (delivery or None, endpoint or None)}: the deliveries and their
    merchants' endpoints in one batch read per 100 keys."""
    wanted = []
    for merchant_id, event_id in hints:
        scope = MerchantScope(merchant_id)
        wanted += [scope.webhook_delivery(event_id), scope.webhook_endpoint()]
    found = {(i["pk"], i["sk"]): i for i in (table or Table()).batch_get(wanted)}
    out = {}
    for merchant_id, event_id in hints:
        scope = MerchantScope(merchant_id)
        out[(merchant_id, event_id)] = (found.get(scope.webhook_delivery(event_id)),
                                        found.get(scope.webhook_endpoint()))
    return out
