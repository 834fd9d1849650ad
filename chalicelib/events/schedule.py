"""The one-minute schedule: each feature's part finds its due work and does or enqueues it.

Parts run one after another, each on its own: one that fails is logged and the others still run.
Every part must tolerate overlapping runs (conditional writes, claims), since a slow tick may
meet the next one.
"""
import importlib

from chalicelib import observability as obs


def parts() -> list:
    """(name, "module:function") of every scheduled part; add yours on a line of its own."""
    return [
        ("payment_timeouts", "chalicelib.services.orders:expire_unpaid"),
        ("webhook_retries", "chalicelib.services.webhooks:enqueue_due"),
        ("erp_polls", "chalicelib.services.polling:enqueue_due"),
    ]


def tick(event, context):
    results = {}
    for name, target in parts():
        module, _, function = target.partition(":")
        try:
            results[name] = getattr(importlib.import_module(module), function)()
        except Exception:
            obs.logger().exception("scheduled part failed", extra={"part": name})
            results[name] = "failed"
    return results
