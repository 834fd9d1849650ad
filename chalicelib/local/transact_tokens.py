"""`TransactWriteItems` with a `ClientRequestToken` succeeds once, as DynamoDB makes it (moto ignores
the token): WSGI middleware for the local AWS endpoint, inside its DynamoDB lock.

DynamoDB: "A client request token is valid for 10 minutes after the first request that uses it
is completed. ... If you submit a request with the same client token but a change in other
parameters within the 10-minute idempotency window, DynamoDB returns an IdempotentParameterMismatch
exception." botocore fills the token in once per call and sends the same one on every retry, so a
transaction whose answer was lost is answered, when retried, with the first success instead of
being run again (and then failing its own conditions).

Here a successful transaction's token is kept with its request's items and its answer for 10
minutes: the same token and items again get that answer and change nothing; the same token with
other items gets 400 IdempotentParameterMismatchException. A transaction that was cancelled
changed nothing, so its token is not kept and a retry runs again.
"""
from __future__ import annotations

import collections
import hashlib
import io
import json
import threading
import time

WINDOW_SECONDS = 600
TARGET = "DynamoDB_20120810.TransactWriteItems"


class TransactTokens:
    def __init__(self, app, clock=time.monotonic):
        self.app = app
        self.clock = clock
        self.seen = collections.OrderedDict()  # token -> (expires, fingerprint, status, headers, body)
        self._lock = threading.Lock()   # the DynamoDB lock already serialises; this keeps it safe alone

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET") != TARGET:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            request = json.loads(raw or b"{}")
        except ValueError:
            return self.app(environ, start_response)
        token = request.get("ClientRequestToken") if isinstance(request, dict) else None
        if not token:
            return self.app(environ, start_response)
        fingerprint = hashlib.sha256(json.dumps(request.get("TransactItems"), sort_keys=True)
                                     .encode()).hexdigest()
        with self._lock:
            self._forget_expired()
            kept = self.seen.get(token)
            if kept is not None:
                _, kept_fingerprint, status, headers, body = kept
                if kept_fingerprint != fingerprint:
                    return _mismatch(start_response)
                start_response(status, headers)
                return [body]
            answer = {}

            def remember(status, headers, exc_info=None):
                answer["status"], answer["headers"] = status, list(headers)
                return start_response(status, headers, exc_info)

            result = self.app(environ, remember)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
            if answer.get("status", "").startswith("200"):
                self.seen[token] = (self.clock() + WINDOW_SECONDS, fingerprint, answer["status"],
                                    answer["headers"], body)
            return [body]

    def _forget_expired(self) -> None:
        now = self.clock()
        while self.seen and next(iter(self.seen.values()))[0] < now:  # kept in expiry order
            self.seen.popitem(last=False)


def _mismatch(start_response):
    body = json.dumps({
        "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
        "message": "The request uses the same client token as a previous, but non-identical request."
    }).encode()
    start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                       ("Content-Length", str(len(body)))])
    return [body]
