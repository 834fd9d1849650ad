"""The one-minute schedule: finds due work and enqueues it (placeholder)."""


def tick(event, context):
    return {"ok": True}
