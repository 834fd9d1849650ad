"""A merchant ERP's inventory feed on loopback, for tests and the polling benchmark.

Pages of `{"items": [...], "next_cursor"}` in erp_product_id order. Modes, set any time:
`delay` seconds before each answer (slow ERP), `fail_pages` {page number: HTTP status},
`garbage_pages` {page number} answering non-JSON, `required_header` (name, value) answering 401
without it. `requests` records (path, headers) of every request.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeErp:
    def __init__(self, items=None, page_size: int = 100, host: str = "127.0.0.1"):
        self.items = {}
        self.page_size = page_size
        self.delay = 0.0
        self.fail_pages: dict = {}
        self.garbage_pages: set = set()
        self.required_header = None
        self.requests: list = []
        self.lock = threading.Lock()
        for item in items or []:
            self.put(item)
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self._thread = None

    def put(self, item: dict) -> None:
        with self.lock:
            self.items[str(item["erp_product_id"])] = dict(item)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/erp/inventory"

    def start(self) -> "FakeErp":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def page(self, cursor):
        with self.lock:
            ordered = [self.items[k] for k in sorted(self.items)]
        start = int(cursor[1:]) if cursor else 0
        chunk = ordered[start:start + self.page_size]
        following = start + self.page_size
        return {"items": chunk, "next_cursor": f"c{following}" if following < len(ordered) else None}

    def _handler(self):
        erp = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                import time
                parts = urlsplit(self.path)
                erp.requests.append((self.path, dict(self.headers)))
                cursor = (parse_qs(parts.query).get("cursor") or [None])[0]
                number = 1 if cursor is None else int(cursor[1:]) // erp.page_size + 1
                if erp.delay:
                    time.sleep(erp.delay)
                if erp.required_header and self.headers.get(erp.required_header[0]) != erp.required_header[1]:
                    return self._send(401, b'{"error": "unauthorized"}')
                if number in erp.fail_pages:
                    return self._send(erp.fail_pages[number], b'{"error": "down"}')
                if number in erp.garbage_pages:
                    return self._send(200, b"<html>maintenance</html>")
                self._send(200, json.dumps(erp.page(cursor)).encode())

            def _send(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
