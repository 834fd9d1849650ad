"""The HTTP API: app.py's Chalice app served in-process by chalice.local (threaded, no reload).

The app and its settings come from .chalice/config.json, stage `local`, through Chalice's own
config loader, so per-function timeouts and memory sizes match what `chalice package` uses.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from chalicelib.local.pump import FunctionSettings

log = logging.getLogger(__name__)


def load_config(stage: str = "local"):
    """Chalice's Config for the project (its `chalice_app` imports app.py on first use)."""
    from chalice.cli.factory import CLIFactory

    from chalicelib.local.template import PROJECT_DIR

    return CLIFactory(project_dir=str(PROJECT_DIR)).create_config_obj(chalice_stage_name=stage)


def function_settings(config, app_name: str, stage: str = "local") -> dict[str, FunctionSettings]:
    """Timeout and memory of each `@app.lambda_function`, by its package logical id."""
    from chalice.utils import to_cfn_resource_name

    settings = {}
    for function in config.chalice_app.pure_lambda_functions:
        scoped = config.scope(chalice_stage=stage, function_name=function.name)
        settings[to_cfn_resource_name(function.name)] = FunctionSettings(
            function_name=f"{app_name}-{stage}-{function.name}",
            timeout=int(scoped.lambda_timeout or 60),
            memory=int(scoped.lambda_memory_size or 128))
    return settings


class ApiServer:
    """chalice.local's LocalDevServer on a background thread."""

    def __init__(self, chalice_app: Any, config: Any, host: str = "127.0.0.1", port: int = 8000):
        from chalice.local import (
            ChaliceRequestHandler,
            CustomLocalChalice,
            LocalChalice,
            LocalDevServer,
            ThreadedHTTPServer,
        )

        # Bursts of concurrent clients (race tests, a busy console) overflow the stdlib's
        # listen backlog of 5 and see connection resets; API Gateway queues them instead.
        ThreadedHTTPServer.request_queue_size = 128

        class Handler(ChaliceRequestHandler):
            timeout = 10  # an idle keep-alive connection does not hold a thread forever
            disable_nagle_algorithm = True  # else each small answer waits ~40 ms for a delayed ACK

            def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
                log.debug("api: " + format, *args)

        if not isinstance(chalice_app, LocalChalice):  # what chalice.local.create_local_server
            CustomLocalChalice.__bases__ = (LocalChalice, chalice_app.__class__)  # does, once
            chalice_app.__class__ = CustomLocalChalice
        self.server = LocalDevServer(chalice_app, config, host, port, handler_cls=Handler)
        self.server.server.daemon_threads = True
        self.server.server.block_on_close = False
        self.host, self.port = self.server.server.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.server.server.serve_forever, kwargs={"poll_interval": 0.2},
            name="onceship-api", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.server.server.shutdown()
            self._thread.join()
            self._thread = None
        self.server.server.server_close()

