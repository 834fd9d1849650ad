"""The local AWS endpoint's faults (chalicelib/local/faults.py says which): a WSGI middleware.

Per request, one seeded decision: refuse it before it is applied (a throttling error or a 500 in
the service's own error format, so the SDK reads it as AWS would send it), or apply it and then
drop the connection without an answer (the SDK sees the connection closed and retries a request
that already happened), or hold it a while first. Requests marked `X-Onceship-Faults: off` (the
local stack's own machinery) pass untouched.

Tests also script exact faults: "the next TransactWriteItems whose body mentions o_123 loses its
answer". Both come through a control path only the local server has:

    GET  /_onceship/faults   {"spec": "seed=7,..." | null, "counts": {"dynamodb:lost_reply": 3, ...},
                              "requests": {"dynamodb:PutItem": 812, ...} (those that met the faults)}
    PUT  /_onceship/faults   {"spec": "..." | null, "script": [{"service": "dynamodb",
                              "operation": "TransactWriteItems", "contains": "o_123",
                              "fault": "lost_reply" | "throttle" | "error" | "delay", "times": 1}]}
                             (replaces both, resets the counts; a bad spec answers 400)
"""
from __future__ import annotations

import io
import json
import re
import socket
import threading
import time
from urllib.parse import parse_qs

from chalicelib.local import faults

CONTROL_PATH = "/_onceship/faults"
_EXEMPT = "HTTP_" + faults.EXEMPT_HEADER.upper().replace("-", "_")
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([a-z0-9-]+)/aws4_request")
_KINDS = ("throttle", "error", "lost_reply", "delay")
_DYNAMODB_THROTTLES = ("ThrottlingException", "ProvisionedThroughputExceededException")


class AwsFaults:
    """WSGI middleware: the faults of the current spec and script, and the control path."""

    def __init__(self, app):
        self.app = app
        self.spec: faults.FaultSpec | None = None
        self.script: list = []
        self.dice = faults.Dice(0)
        self.counts = faults.Counts()
        self.requests = faults.Counts()   # what met the faults, by service and operation
        self._lock = threading.Lock()

    # -- WSGI ---------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return self._control(environ, start_response)
        if (self.spec is None and not self.script) or environ.get(_EXEMPT) == "off":
            return self.app(environ, start_response)
        service, operation = _classify(environ)
        self.requests.add(f"{service}:{operation}")
        kind = self._scripted(environ, service, operation) or self._drawn(service)
        if kind is None:
            return self.app(environ, start_response)
        self.counts.add(f"{service}:{kind}")
        if kind == "throttle":
            return _refusal(start_response, service, environ, throttled=True, rng=self.dice.roll("code"))
        if kind == "error":
            return _refusal(start_response, service, environ, throttled=False)
        if kind == "delay":
            limit = (self.spec.aws_delay_ms if self.spec else 200) / 1000.0
            time.sleep(self.dice.roll("delay-length").uniform(0.0, limit))
            return self.app(environ, start_response)
        return self._lose_reply(environ, start_response)

    def _drawn(self, service: str) -> str | None:
        spec = self.spec
        if spec is None or not spec.aws_on:
            return None
        u = self.dice.roll("aws").random()
        for kind, p in (("throttle", spec.aws_throttle), ("error", spec.aws_error),
                        ("lost_reply", spec.aws_lost_reply)):
            if u < p:
                return kind
            u -= p
        if spec.aws_delay and self.dice.roll("delay").random() < spec.aws_delay:
            return "delay"
        return None

    def _scripted(self, environ, service: str, operation: str) -> str | None:
        if not self.script:
            return None
        with self._lock:
            for entry in self.script:
                if entry["service"] not in (None, service) or entry["operation"] not in (None, operation):
                    continue
                if entry["contains"] is not None and entry["contains"] not in _peek_body(environ):
                    continue
                entry["times"] -= 1
                if entry["times"] <= 0:
                    self.script.remove(entry)
                return entry["fault"]
        return None

    def _lose_reply(self, environ, start_response):
        """Apply the request in full, then close the connection without a word."""
        result = self.app(environ, lambda status, headers, exc_info=None: (lambda data: None))
        try:
            for _ in result:
                pass
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        connection = environ.get("werkzeug.socket")
        if connection is not None:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise ConnectionResetError("onceship fault: the answer was lost")

    # -- control ------------------------------------------------------------------------------
    def _control(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method == "PUT":
            try:
                self.configure(**_json_body(environ))
            except (ValueError, TypeError) as error:
                return _answer(start_response, "400 Bad Request", {"error": str(error)})
        elif method != "GET":
            return _answer(start_response, "405 Method Not Allowed", {"error": "GET or PUT"})
        return _answer(start_response, "200 OK", self.state())

    def configure(self, spec: str | None = None, script: list | None = None) -> None:
        parsed = faults.parse(spec)
        entries = [_script_entry(entry) for entry in script or []]
        with self._lock:
            self.spec = parsed
            self.script = entries
            self.dice = faults.Dice(parsed.seed if parsed else 0)
            self.counts = faults.Counts()
            self.requests = faults.Counts()

    def state(self) -> dict:
        return {"spec": self.spec.text() if self.spec else None, "counts": self.counts.snapshot(),
                "requests": self.requests.snapshot(), "script_left": len(self.script)}


def _script_entry(entry: dict) -> dict:
    if not isinstance(entry, dict) or entry.get("fault") not in _KINDS:
        raise ValueError(f"a script entry needs a fault, one of {', '.join(_KINDS)}: {entry!r}")
    unknown = set(entry) - {"service", "operation", "contains", "fault", "times"}
    if unknown:
        raise ValueError(f"unknown script field(s) {sorted(unknown)}")
    times = entry.get("times", 1)
    if not isinstance(times, int) or times < 1:
        raise ValueError("times is a whole number of at least 1")
    return {"service": entry.get("service"), "operation": entry.get("operation"),
            "contains": entry.get("contains"), "fault": entry["fault"], "times": times}


def _classify(environ) -> tuple:
    """(service, operation) of a request: the SigV4 scope names the service; the X-Amz-Target,
    the query's Action or else the HTTP method names the operation."""
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", "")) or _SCOPE.search(
        "Credential=" + (parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential") or [""])[0])
    service = scope.group(1) if scope else "s3"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return service, target.rpartition(".")[2]
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    return service, action[0] if action else environ.get("REQUEST_METHOD", "")


def _peek_body(environ) -> str:
    """The request body as text, leaving it in place for the app."""
    cached = environ.get("onceship.body")
    if cached is None:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        cached = environ["onceship.body"] = raw.decode("utf-8", errors="replace")
    return cached


def _json_body(environ) -> dict:
    body = _peek_body(environ)
    data = json.loads(body) if body.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("the body is a JSON object")
    return data


def _refusal(start_response, service: str, environ, throttled: bool, rng=None):
    """The error AWS itself would send, in the request's protocol."""
    json_protocol = environ.get("CONTENT_TYPE", "").startswith("application/x-amz-json")
    if service == "dynamodb":
        code = rng.choice(_DYNAMODB_THROTTLES) if throttled else "InternalServerError"
        status = "400 Bad Request" if throttled else "500 Internal Server Error"
        body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                "message": "Rate of requests exceeds the allowed throughput." if throttled
                else "Internal server error (onceship fault)"}
        return _answer(start_response, status, body, "application/x-amz-json-1.0")
    if service == "sqs":
        code = "RequestThrottled" if throttled else "InternalError"
        status = "400 Bad Request" if throttled else "500 Internal Server Error"
        if json_protocol:
            body = {"__type": f"com.amazonaws.sqs#{code}", "message": "onceship fault"}
            return _answer(start_response, status, body, "application/x-amz-json-1.0",
                           {"x-amzn-query-error": f"{code};{'Sender' if throttled else 'Receiver'}"})
    else:
        code = "SlowDown" if throttled else "InternalError"
        status = "503 Slow Down" if throttled else "500 Internal Server Error"
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
           f"<Message>onceship fault</Message><RequestId>onceship-fault</RequestId></Error>").encode()
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(xml)))])
    return [xml]


def _answer(start_response, status: str, body: dict, content_type: str = "application/json",
            headers: dict | None = None):
    raw = json.dumps(body).encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(raw))),
                            *(headers or {}).items()])
    return [raw]


class FaultControl:
    """The parent's side of the control path (the server runs in a child process)."""

    def __init__(self, endpoint: str):
        from urllib.parse import urlsplit

        parts = urlsplit(endpoint)
        self.host, self.port = parts.hostname, parts.port

    def configure(self, spec: str | None, script: list | None = None) -> dict:
        return self._call("PUT", {"spec": spec, "script": script or []})

    def state(self) -> dict:
        return self._call("GET")

    def _call(self, method: str, body: dict | None = None) -> dict:
        import http.client

        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request(method, CONTROL_PATH, body=json.dumps(body) if body is not None else None,
                               headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            data = json.loads(answer.read() or b"{}")
        finally:
            connection.close()
        if answer.status != 200:
            raise ValueError(data.get("error") or f"fault control answered {answer.status}")
        return data
