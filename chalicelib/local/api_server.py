"""The HTTP API: app.py's Chalice app served in-process by chalice.local (threaded, no reload).

The app and its settings come from .chalice/config.json, stage `local`, through Chalice's own
config loader, so per-function timeouts and memory sizes match what `chalice package` uses.

A route or method that does not exist is answered by API Gateway itself in AWS, with the gateway
response infra/wiring.yaml defines (problem+json 404); the server answers the same from that
definition instead of chalice.local's 403 "Missing Authentication Token" (or the app's 405, which
API Gateway never lets through for a method the route does not declare).
"""
from __future__ import annotations

import logging
import threading
import uuid
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


def gateway_responses() -> dict:
    """API Gateway's own answers as infra/wiring.yaml defines them, by response type."""
    from chalicelib.local import template as cfn

    api = cfn.load(cfn.WIRING_TEMPLATE)["Resources"].get("RestAPI", {})
    return api.get("Properties", {}).get("DefinitionBody", {}).get("x-amazon-apigateway-gateway-responses", {})


def render_gateway_response(response: dict, request_id: str) -> tuple[int, dict, bytes]:
    """(status, headers, body) of a gateway response: quoted values are literal, and
    `context.requestId` is the request's id."""
    headers = {}
    for name, value in response.get("responseParameters", {}).items():
        header = name.split("gatewayresponse.header.", 1)[-1]
        if value.startswith("'") and value.endswith("'"):
            headers[header] = value[1:-1]
        elif value == "context.requestId":
            headers[header] = request_id
    return int(response["statusCode"]), headers, response["responseTemplates"]["application/json"].encode()


def _no_route(code: int, headers: dict, body) -> bool:
    if code == 403 and headers.get("x-amzn-ErrorType") == "UnauthorizedException":
        return True
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")
    return code == 405 and "MethodNotAllowedError" in text


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
        no_route = gateway_responses().get("MISSING_AUTHENTICATION_TOKEN")

        class Handler(ChaliceRequestHandler):
            timeout = 10  # an idle keep-alive connection does not hold a thread forever
            disable_nagle_algorithm = True  # else each small answer waits ~40 ms for a delayed ACK

            def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
                log.debug("api: " + format, *args)

            def _send_http_response(self, code, headers, body):
                if no_route is not None and _no_route(code, headers, body):
                    code, headers, body = render_gateway_response(no_route, str(uuid.uuid4()))
                super()._send_http_response(code, headers, body)

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

