"""The merchant's webhook receiver for the day: on loopback, it answers 500 to a seeded share of
deliveries (decided per call) and records every call, with its event id and whether it was taken."""
import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FlakyReceiver:
    def __init__(self, seed: int, failure_rate: float = 0.2):
        self.calls = []           # (event_id, type, order_id, taken)
        self.lock = threading.Lock()
        self.failure_rate = failure_rate
        self.seed = seed
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers.get("X-Onceship-Event-Id", "")
                with receiver.lock:
                    n = len(receiver.calls)
                    taken = random.Random(f"{receiver.seed}:receiver:{n}").random() >= receiver.failure_rate
                    try:
                        event = json.loads(body)
                    except ValueError:
                        event = {}
                    data = event.get("data") or {}
                    receiver.calls.append((event_id, event.get("type"), data.get("order_id"), taken))
                self.send_response(200 if taken else 500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/onceship"

    def snapshot(self) -> list:
        with self.lock:
            return list(self.calls)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
