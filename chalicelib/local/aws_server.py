"""The local AWS endpoint: moto's WSGI app on a threaded werkzeug server, in a child process.

moto's DynamoDB checks a condition and writes in separate steps, so two concurrent conditional
writes could both win. `SerialDynamoDB` runs DynamoDB requests (those with an
`X-Amz-Target: DynamoDB_...` header) one at a time, which makes conditions and transactions as
atomic as in AWS; every other request (SQS long polls above all) runs concurrently. Inside that
lock `TransactTokens` (transact_tokens.py) makes a retried TransactWriteItems with the same
ClientRequestToken succeed once, as DynamoDB does; around everything `AwsFaults`
(aws_faults.py) injects the faults of ONCESHIP_FAULTS once the stack turns them on. Connections
are kept alive between requests (`keep_alive_handler`), as AWS's endpoints keep them.

The server runs in its own process (`python -m chalicelib.local.aws_server`) so that its state
is not moto's in-process state: `mock_aws` in the same test process resets that. The child
stops when its stdin closes, i.e. when its parent goes away, however it goes.

With ONCESHIP_HEAT=1 in its environment the server also meters partition heat (heat_server.py).
"""
from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading

READY = "ONCESHIP-AWS-READY"


class SerialDynamoDB:
    """WSGI middleware: a global lock around every DynamoDB request, responses read inside it."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            result = self.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
        return [body]


class _Reading(threading.local):
    keep_alive = False


_reading = _Reading()


def keep_alive_handler(base):
    """werkzeug's request handler, answering on the same connection again (HTTP/1.1 keep-alive).

    werkzeug's development server closes every connection after one answer (it cannot tell where
    a half-read body ends), so each SDK call paid a TCP connection and a new server thread, and
    after each answer the thread waited 10 ms for stray body bytes. Here a request with a
    Content-Length has its body read in full before the app sees it; then the connection is
    kept, and the stray-byte wait is skipped (it would swallow the client's next request). A
    chunked body, or anything else, is answered and closed as before. An idle connection is
    closed after IDLE_SECONDS."""
    import io

    class KeepAliveHandler(base):
        timeout = IDLE_SECONDS
        disable_nagle_algorithm = True   # else an answer's body waits ~40 ms for its headers' ACK

        def make_environ(self):
            environ = super().make_environ()
            length = environ.get("CONTENT_LENGTH")
            chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
            _reading.keep_alive = not chunked and (length is None or length.isdigit()) and not self.close_connection
            if _reading.keep_alive:
                environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(length)) if length else b"")
            return environ

        def send_header(self, keyword, value):
            if _reading.keep_alive and keyword.lower() == "connection" and value.lower() == "close":
                return   # werkzeug's "always close"
            super().send_header(keyword, value)

        def log_error(self, format, *args):
            if format.startswith("Request timed out"):
                return   # an idle kept connection closed after IDLE_SECONDS: routine, not an error
            super().log_error(format, *args)

        def handle_one_request(self):
            _reading.keep_alive = False
            try:
                super().handle_one_request()
            finally:
                _reading.keep_alive = False

    return KeepAliveHandler


IDLE_SECONDS = 120


class _StrayBytes:
    """werkzeug.serving's `selectors`, but a kept-alive request's wait for stray body bytes finds
    none at once (its body was read in full; what may follow is the next request)."""

    def __init__(self, real):
        self.real = real

    def DefaultSelector(self):  # noqa: N802 - the name werkzeug calls
        return _NothingLeft() if _reading.keep_alive else self.real.DefaultSelector()

    def __getattr__(self, name):
        return getattr(self.real, name)


class _NothingLeft:
    def register(self, *args, **kwargs):
        pass

    def select(self, timeout=None):
        return []

    def close(self):
        pass


def make_server(host: str, port: int):
    """A threaded werkzeug server of moto's app behind SerialDynamoDB, TransactTokens and
    AwsFaults (port 0: any free one)."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug import serving
    from werkzeug.serving import make_server as werkzeug_server

    from chalicelib.local import moto_speedups
    from chalicelib.local.aws_faults import AwsFaults
    from chalicelib.local.transact_tokens import TransactTokens

    moto_speedups.install()
    from chalicelib.local import heat_server
    if heat_server.enabled():
        heat_server.install()   # the partition-heat meter (ONCESHIP_HEAT=1 only)
    app = AwsFaults(SerialDynamoDB(TransactTokens(DomainDispatcherApplication(create_backend_app))))
    if not isinstance(serving.selectors, _StrayBytes):
        serving.selectors = _StrayBytes(serving.selectors)
    server = werkzeug_server(host, port, app, threaded=True, request_handler=keep_alive_handler(MotoRequestHandler))
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        server = make_server(args.host, args.port)
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr, flush=True)
        return 2

    def stop_when_parent_goes() -> None:
        sys.stdin.buffer.read()
        server.shutdown()

    threading.Thread(target=stop_when_parent_goes, daemon=True).start()
    print(f"{READY} {server.server_address[1]}", flush=True)
    sys.stdout = sys.stderr  # nothing else goes to the pipe the parent stopped reading
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


class AwsServerProcess:
    """Parent side: start the child, learn its port, stop it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5000):
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> str:
        from chalicelib.local.template import PROJECT_DIR

        env = dict(os.environ)
        # Browsers get the CORS answers of each bucket's own rules (infra/resources.yaml), as
        # from S3, not moto's allow-everything default.
        env["MOTO_DISABLE_GLOBAL_CORS"] = "true"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR),
                                                           env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chalicelib.local.aws_server",
             "--host", self.host, "--port", str(self.requested_port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(PROJECT_DIR), env=env,
            start_new_session=True,  # Ctrl-C reaches the parent only; it stops us after saving
        )
        line = self._first_line(timeout)
        if not line.startswith(READY):
            self.stop()
            raise RuntimeError(f"local AWS server did not start on {self.host}:"
                               f"{self.requested_port} (exit code {self.process.returncode})")
        self.port = int(line.split()[1])  # the child printed it after binding: it listens
        return self.endpoint

    def _first_line(self, timeout: float) -> str:
        box: list[str] = []
        reader = threading.Thread(
            target=lambda: box.append(self.process.stdout.readline().decode()), daemon=True)
        reader.start()
        reader.join(timeout)
        return box[0].strip() if box else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout:
            process.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
