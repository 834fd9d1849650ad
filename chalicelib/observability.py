"""Powertools logger and metrics, created on first use. Never log a secret or a password."""
import os
import threading
from functools import lru_cache

_metrics_lock = threading.Lock()  # Lambda runs one request at a time; the local server does not


@lru_cache(maxsize=1)
def logger():
    from aws_lambda_powertools import Logger
    return Logger(service="onceship")


@lru_cache(maxsize=1)
def metrics():
    from aws_lambda_powertools import Metrics
    return Metrics(namespace="Onceship", service="onceship")


def count(name: str, value: float = 1, unit: str = "Count") -> None:
    if _disabled():  # else Powertools prints the set by itself at 100 values of one metric
        return
    from aws_lambda_powertools.metrics import MetricUnit
    with _metrics_lock:
        metrics().add_metric(name=name, unit=getattr(MetricUnit, unit), value=value)


def flush() -> None:
    try:
        with _metrics_lock:
            if metrics().metric_set:  # another thread of the local server may have flushed them
                metrics().flush_metrics()
                # With POWERTOOLS_METRICS_DISABLED the flush prints nothing and keeps the set,
                # which would grow and print by itself at 100 values; drop it either way.
                metrics().clear_metrics()
    except Exception:  # a metrics failure never fails a request
        logger().exception("metrics flush failed")


def _disabled() -> bool:
    return os.environ.get("POWERTOOLS_METRICS_DISABLED", "").strip().lower() in ("1", "true", "yes", "on")
