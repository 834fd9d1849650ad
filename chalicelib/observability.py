"""Powertools logger and metrics, created on first use. Never log a secret or a password."""
from functools import lru_cache


@lru_cache(maxsize=1)
def logger():
    from aws_lambda_powertools import Logger
    return Logger(service="onceship")


@lru_cache(maxsize=1)
def metrics():
    from aws_lambda_powertools import Metrics
    return Metrics(namespace="Onceship", service="onceship")


def count(name: str, value: float = 1, unit: str = "Count") -> None:
    from aws_lambda_powertools.metrics import MetricUnit
    metrics().add_metric(name=name, unit=getattr(MetricUnit, unit), value=value)


def flush() -> None:
    try:
        metrics().flush_metrics()
    except Exception:  # a metrics failure never fails a request
        logger().exception("metrics flush failed")
