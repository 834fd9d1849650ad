"""Idempotency records: claim a key, finish it with the response, or release it.

The fingerprint is a keyed hash of the request (never a plain hash of a body that may hold a
password), and a stored answer holds no secret, only where and how to derive it again
(domain/replays.py). A claim is one conditional put. It wins when no live record exists, or when an earlier claim of
the same request crashed and its lock has expired (so a dead request never blocks its key for
good). Any other outcome is a named error or a stored response to replay.
"""
import json
import time
from dataclasses import dataclass, field
from typing import Optional

from botocore.exceptions import BotoCoreError, ClientError

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
        """Keep the answer (tried again past the SDK's retries: until it is kept, a retry of the
        request would find the key running, then run it again once the lock has passed)."""
        pk, sk = keys.idempotency(scope, key)
        persistently(lambda: self.table.update(
            pk, sk, "SET #status = :done, response_status = :s, response_body = :b,"
                    " response_headers = :h, response_secrets = :x REMOVE lock_until",
            condition="fingerprint = :fp",
            values={":done": "done", ":s": response.status, ":b": response.body,
                    ":h": json.dumps(response.headers), ":x": json.dumps(response.secrets), ":fp": fingerprint},
            names={"#status": "status"}))

    def release(self, scope: str, key: str, fingerprint: str) -> None:
        """Forget a claim whose request is not remembered (tried again like `finish`: else the key
        stays running until its lock passes)."""
        pk, sk = keys.idempotency(scope, key)
        try:
            persistently(lambda: self.table.delete(
                pk, sk, condition="#status = :running AND fingerprint = :fp",
                values={":running": "running", ":fp": fingerprint}, names={"#status": "status"}))
        except ConditionFailed:
            pass


PERSIST_ATTEMPTS = 6


def persistently(write):
    """Run a write that is safe to repeat; a throttled, failed or unanswered one (after the SDK's
    own retries) is tried again with backoff (about 3 s in all) before the error is let through."""
    delay = 0.1
    for attempt in range(PERSIST_ATTEMPTS):
        try:
            return write()
        except (ClientError, BotoCoreError) as error:
            if attempt == PERSIST_ATTEMPTS - 1 or not _transient(error):
                raise
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _transient(error: Exception) -> bool:
    if isinstance(error, BotoCoreError):
        return True
    response = error.response
    return (response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
            or response.get("Error", {}).get("Code") in THROTTLED)


THROTTLED = ("ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
             "TransactionConflictException")
