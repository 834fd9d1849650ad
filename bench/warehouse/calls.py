"""HTTP calls as a real client makes them: a timeout, a connection error or a 5xx is retried (with
the same body and the same Idempotency-Key, so the server may replay), with backoff; every retry
is counted. A client that gives up raises GaveUp."""
import collections
import threading
import time

import requests

RETRYABLE = {500, 502, 503, 504}
ATTEMPTS = 8


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
    """The answer (a requests.Response) once it is not a 5xx, a timeout or a connection error;
    409 idempotency_in_progress is retried too (the first attempt is still running)."""
    delay = 0.05
    for attempt in range(ATTEMPTS):
        try:
            answer = client.request(method, path, body, headers=headers)
        except requests.RequestException:
            answer = None
        if answer is not None and answer.status_code not in RETRYABLE and not (
                retry_conflicts and answer.status_code == 409 and _in_progress(answer)):
            return answer
        if counter is not None:
            counter.add(f"client_retry:{'error' if answer is None else answer.status_code}")
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
    raise GaveUp(f"{method} {path}: no answer after {ATTEMPTS} attempts"
                 + (f" (last {answer.status_code}: {answer.text[:300]})" if answer is not None else ""))


def _in_progress(answer) -> bool:
    try:
        return answer.json().get("code") == "idempotency_in_progress"
    except ValueError:
        return False
