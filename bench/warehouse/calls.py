"""HTTP calls as a real client makes them: a timeout, a connection error or a 5xx is retried (with
the same body and the same Idempotency-Key, so the server may replay), with backoff; every retry
is counted. A client that gives up raises GaveUp."""
import collections
import re
import threading
import time

import requests

RETRYABLE = {500, 502, 503, 504}
PATIENCE_SECONDS = 30      # for timeouts, connection errors and 5xx
IN_PROGRESS_SECONDS = 75   # for idempotency_in_progress: longer than the key's lock (60 s)


class GaveUp(Exception):
    pass


class Counter:
    def __init__(self):
        self.counts = collections.Counter()
        self.lock = threading.Lock()

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.counts)


def call(client, method: str, path: str, body=None, headers=None, counter: Counter = None,
         retry_conflicts: bool = True):
    """The answer (a requests.Response) once it is not a 5xx, a timeout or a connection error
    (retried for up to 30 s); 409 idempotency_in_progress is retried for longer than the key's
    lock, as the contract says (the first attempt is still running, or died holding it)."""
    delay, started = 0.05, time.monotonic()
    while True:
        try:
            answer = client.request(method, path, body, headers=headers)
        except requests.RequestException:
            answer = None
        in_progress = retry_conflicts and answer is not None and answer.status_code == 409 and _in_progress(answer)
        if answer is not None and answer.status_code not in RETRYABLE and not in_progress:
            return answer
        if counter is not None:
            counter.add(f"client_retry:{'error' if answer is None else answer.status_code}")
        waited = time.monotonic() - started
        if waited > (IN_PROGRESS_SECONDS if in_progress else PATIENCE_SECONDS):
            raise GaveUp(f"{method} {path}: no answer after {waited:.0f} s"
                         + (f" (last {answer.status_code}: {answer.text[:300]})" if answer is not None else ""))
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def route(path: str) -> str:
    """A path with its ids and cursors taken out: `/v1/orders/{id}/payment`, `...?stage=printed`."""
    base, _, query = path.partition("?")
    parts = ["{id}" if re.match(r"^(o|m|ch|wb|ev|u|b)_[0-9A-Za-z]", part) else part for part in base.split("/")]
    kept = [pair for pair in query.split("&") if pair and pair.split("=")[0] in ("stage", "sync_status")]
    return "/".join(parts) + ("?" + "&".join(kept) if kept else "")


def _in_progress(answer) -> bool:
    try:
        return answer.json().get("code") == "idempotency_in_progress"
    except ValueError:
        return False
