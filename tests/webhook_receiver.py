"""A merchant's webhook receiver on loopback for the tests: it records every call (headers, raw
body) and answers 500 to the first `failures` calls, 200 after."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    def __init__(self, failures: int = 0, path: str = "/hooks"):
        self.failures = failures
        self.calls = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                self.send_response(500 if len(receiver.calls) <= receiver.failures else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    @property
    def events(self) -> list:
        """The bodies received, parsed."""
        return [json.loads(body) for _, body in self.calls]

    def wait_for(self, count: int, timeout: float = 20.0, between=None) -> list:
        """The events once `count` calls came (or the timeout passed); `between()` runs between
        looks (a pump drain, say)."""
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.1)
            if between is not None:
                between()
        return self.events

    @staticmethod
    def signed_by(secret: str, headers: dict, body: bytes) -> bool:
        """The contract's signature: HMAC-SHA256 of `<timestamp>.<body>` with the signing secret."""
        expected = hmac.new(secret.encode(), headers["X-Onceship-Timestamp"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest(headers["X-Onceship-Signature"], expected)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
