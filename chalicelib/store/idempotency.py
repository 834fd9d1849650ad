"""Idempotency records: claim a key, finish it with the response, or release it.

The fingerprint is a keyed hash of the request (never a plain hash of a body that may hold a
password), and a stored answer holds no secret, only where and how to derive it again
(domain/replays.py). A claim is one conditional put. It wins when no live record exists, or when an earlier claim of
the same request crashed and its lock has expired (so a dead request never blocks its key for
good). Any other outcome is a named error or a stored response to replay.
"""
import json
from dataclasses import dataclass, field
from typing import Optional

from chalicelib.domain import clock
from chalicelib.domain.errors import IdempotencyInProgress, IdempotencyKeyMismatch
from chalicelib.store import keys
from chalicelib.store.table import ConditionFailed, Table

KEEP_SECONDS = 24 * 3600 + 3600
LOCK_SECONDS = 60

CLAIMABLE = ("attribute_not_exists(pk) OR #ttl < :now"
             " OR (#status = :running AND lock_until < :now AND fingerprint = :fp)")


@dataclass
class StoredResponse:
    status: int
    body: str
    headers: dict
    secrets: list = field(default_factory=list)   # [[path, recipe], ...] blanked in `body`


class IdempotencyStore:
    def __init__(self, table: Optional[Table] = None):
        self.table = table or Table()

    def claim(self, scope: str, key: str, fingerprint: str) -> Optional[StoredResponse]:
        """None when this request may run; the stored response when it already ran."""
        pk, sk = keys.idempotency(scope, key)
        now = int(clock.now())
        item = {"pk": pk, "sk": sk, "status": "running", "fingerprint": fingerprint,
                "lock_until": now + LOCK_SECONDS, "ttl": now + KEEP_SECONDS}
        try:
            self.table.put(item, condition=CLAIMABLE,
                           values={":now": now, ":running": "running", ":fp": fingerprint},
                           names={"#ttl": "ttl", "#status": "status"})
            return None
        except ConditionFailed as failed:
            old = failed.old or self.table.get(pk, sk) or {}
        if old.get("fingerprint") != fingerprint:
            raise IdempotencyKeyMismatch()
        if old.get("status") == "done":
            return StoredResponse(old["response_status"], old["response_body"],
                                  json.loads(old.get("response_headers") or "{}"),
                                  json.loads(old.get("response_secrets") or "[]"))
        raise IdempotencyInProgress()

    def finish(self, scope: str, key: str, fingerprint: str, response: StoredResponse) -> None:
        pk, sk = keys.idempotency(scope, key)
        self.table.update(pk, sk, "SET #status = :done, response_status = :s, response_body = :b,"
                          " response_headers = :h, response_secrets = :x REMOVE lock_until",
                          condition="fingerprint = :fp",
                          values={":done": "done", ":s": response.status, ":b": response.body,
                                  ":h": json.dumps(response.headers), ":x": json.dumps(response.secrets),
                                  ":fp": fingerprint},
                          names={"#status": "status"})

    def release(self, scope: str, key: str, fingerprint: str) -> None:
        pk, sk = keys.idempotency(scope, key)
        try:
            self.table.delete(pk, sk, condition="#status = :running AND fingerprint = :fp",
                              values={":running": "running", ":fp": fingerprint},
                              names={"#status": "status"})
        except ConditionFailed:
            pass
