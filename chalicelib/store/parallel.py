"""Independent single-item writes, a few at a time: a batch of conditional updates where each
item must succeed or fail on its own (a transaction would cancel them all for one failure).
Each call runs in a copy of the caller's context (an upload's row receipts reach the writes)."""
import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List

from chalicelib.domain.errors import DomainError

WORKERS = 8


def each(calls: List[Callable[[], object]], workers: int = WORKERS) -> list:
    """Results in order; a DomainError raised by a call is its result, anything else propagates."""
    def run(call):
        try:
            return call()
        except DomainError as err:
            return err

    if len(calls) <= 1:
        return [run(call) for call in calls]
    contexts = [contextvars.copy_context() for _ in calls]
    with ThreadPoolExecutor(max_workers=min(workers, len(calls))) as pool:
        return list(pool.map(lambda context, call: context.run(run, call), contexts, calls))
