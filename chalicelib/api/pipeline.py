"""One request from Chalice to a handler and back: request id, caller, models, idempotency,
errors as problem+json. Imported on the first request, not at cold start."""
import importlib
import json
import time
import uuid
from functools import lru_cache

from chalice import Response

from chalicelib import observability as obs
from chalicelib.api import params as paths
from chalicelib.api import problems
from chalicelib.api.auth import authenticate
from chalicelib.api.handler import Context, Reply
from chalicelib.api.models import parse
from chalicelib.config import ConfigurationError, settings
from chalicelib.domain import replays, secrets
from chalicelib.domain.errors import DomainError, RateLimited, ValidationFailed
from chalicelib.services import rate_limits
from chalicelib.services.idempotency import KeyedRequest


def run(route, request, params: dict) -> Response:
    request_id = "req_" + uuid.uuid4().hex
    started = time.perf_counter()
    log = obs.logger()
    log.thread_safe_append_keys(request_id=request_id, route=f"{route.method} {route.path}")
    caller = None
    try:
        settings()  # outside the local stage, no secrets: ConfigurationError, whatever the route
        fn = load(route.target)
        caller = authenticate(request, route.auth, defer_nonce=fn.meta.defers_nonce)
        if caller and caller.merchant_id:
            log.thread_safe_append_keys(merchant_id=caller.merchant_id)
        _limit(caller)
        ctx = Context(caller=caller, params=paths.decoded(route.path, paths.wire_path(request), params),
                      query=_query(fn.meta.query, request),
                      body=_body(fn.meta.body, request), headers=request.headers,
                      request_id=request_id, raw_body=request.raw_body or b"")
        key = request.headers.get("idempotency-key")
        if fn.meta.idempotent and key is not None and caller is not None:
            response = _idempotent(fn, ctx, route, key)
        else:
            response = _respond(fn(ctx), fn.meta.status)
    except DomainError as error:
        response = problems.from_error(error, request_id)
    except ConfigurationError as error:
        log.critical(str(error))
        response = problems.internal(request_id)
    except Exception:
        log.exception("unhandled error")
        response = problems.internal(request_id)
    response = _settle_nonce(caller, response, request_id)
    response.headers["X-Request-Id"] = request_id
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    log.info("request", extra={"status": response.status_code, "ms": elapsed_ms})
    log.thread_safe_remove_keys(["request_id", "route", "merchant_id"])
    _measure(response.status_code, elapsed_ms)
    return response


def _settle_nonce(caller, response: Response, request_id: str) -> Response:
    """A deferred nonce that the handler's transaction did not write is written now, before the
    answer goes out; if it was used before, the request was a replay and that is the answer."""
    if caller is None or caller.nonce is None:
        return response
    try:
        caller.nonce.settle()
    except DomainError as error:
        return problems.from_error(error, request_id)
    except Exception:
        obs.logger().exception("nonce write failed")
        return problems.internal(request_id)
    return response


def _measure(status: int, elapsed_ms: float) -> None:
    obs.count("Requests")
    if status >= 500:
        obs.count("ServerErrors")
    obs.count("Latency", elapsed_ms, "Milliseconds")
    obs.flush()


def _limit(caller) -> None:
    limit = settings().rate_limit_per_minute
    if caller is not None and limit > 0 and caller.kind != "admin":
        rate_limits.take(caller.scope, limit)


@lru_cache(maxsize=None)
def load(target: str):
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _body(model, request):
    raw = request.raw_body or b""
    if model is None:
        if raw.strip() not in (b"", b"{}"):
            raise ValidationFailed("This endpoint takes no request body")
        return None
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed("The body is not valid UTF-8 JSON", [{"field": "", "message": "invalid JSON"}])
    return parse(model, data)


def _query(model, request):
    params = request.query_params or {}
    if model is None:
        if params:
            raise ValidationFailed("This endpoint takes no query parameters",
                                   [{"field": name, "message": "unknown parameter"} for name in params])
        return None
    return parse(model, {name: params[name] for name in params})


def _respond(result, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, Reply):
        status, headers, result = result.status, dict(result.headers), result.body
    else:
        headers = {}
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json")
    headers.setdefault("Content-Type", "application/json")
    return Response(body=_json(result), status_code=status, headers=headers)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _idempotent(fn, ctx: Context, route, key: str) -> Response:
    if not 1 <= len(key) <= 255:
        raise ValidationFailed("Idempotency-Key must be 1-255 characters",
                               [{"field": "Idempotency-Key", "message": "1-255 characters"}])
    keyed = KeyedRequest(ctx.caller.scope, key, _fingerprint(route, ctx))
    stored = keyed.claim()
    if stored is not None:
        return _replayed(stored)
    result = None
    try:
        result = fn(ctx)
        response = _respond(result, fn.meta.status)
    except (ValidationFailed, RateLimited):  # not remembered: the client fixes it or waits, then retries
        keyed.release()
        raise
    except DomainError as error:
        response = problems.from_error(error, ctx.request_id)
    except Exception:
        keyed.release()
        raise
    if response.status_code >= 500:
        keyed.release()
        return response
    headers = {k: v for k, v in response.headers.items() if k.lower() != "x-request-id"}
    body, recipes = _kept(result, response)
    keyed.finish(response.status_code, body, headers, recipes)
    return response


def _kept(result, response: Response) -> tuple:
    """(body to store, recipes): an answer holding secrets is kept with them blanked."""
    value = result.body if isinstance(result, Reply) else result
    if isinstance(value, (dict, list)):
        blanked, recipes = replays.without_secrets(value)
        if recipes:
            return _json(blanked), recipes
    return (response.body if isinstance(response.body, str) else json.dumps(response.body, default=str)), []


def _replayed(stored) -> Response:
    body = stored.body
    if stored.secrets:
        key = settings().secret_key
        body = _json(replays.with_secrets(json.loads(body), stored.secrets, lambda r: secrets.rederive(key, r)))
    return Response(body=body, status_code=stored.status,
                    headers=dict(stored.headers, **{"Idempotent-Replayed": "true"}))


def _fingerprint(route, ctx: Context) -> str:
    """A keyed hash: the body may hold a password, and a plain hash of it could be guessed offline."""
    return secrets.keyed_hash(settings().secret_key, "idempotency", fingerprint_text(route, ctx).encode())


def fingerprint_text(route, ctx: Context) -> str:
    """What makes two requests under one key the same request."""
    body = ctx.body.model_dump(mode="json") if hasattr(ctx.body, "model_dump") else None
    return json.dumps([route.method, route.path, ctx.params, body], sort_keys=True, default=str)
