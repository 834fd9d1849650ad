"""A request under an Idempotency-Key (contract section 1): claimed before its use case runs,
then finished with its answer (replayed to the same request for 24 hours) or released so that
it may run again (a validation error, a rate limit, a server error are not remembered).

No HTTP here: the request pipeline (api/pipeline.py) says what the request and its answer are
(the fingerprint, the status, body and headers, the blanked secrets' recipes); the records are
store/idempotency.py's.
"""
from typing import Optional

from chalicelib.store.idempotency import IdempotencyStore, StoredResponse


class KeyedRequest:
    def __init__(self, scope: str, key: str, fingerprint: str, store: Optional[IdempotencyStore] = None):
        self.scope, self.key, self.fingerprint = scope, key, fingerprint
        self.store = store or IdempotencyStore()

    def claim(self) -> Optional[StoredResponse]:
        """None when the request may run now; the stored answer (status, body, headers, secrets'
        recipes) when the same request already ran. IdempotencyKeyMismatch for another request
        under this key, IdempotencyInProgress while the first one still runs."""
        return self.store.claim(self.scope, self.key, self.fingerprint)

    def finish(self, status: int, body: str, headers: dict, secrets: list) -> None:
        self.store.finish(self.scope, self.key, self.fingerprint, StoredResponse(status, body, headers, secrets))

    def release(self) -> None:
        self.store.release(self.scope, self.key, self.fingerprint)
