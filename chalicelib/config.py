"""Settings read from the environment on first use (never at import time)."""
import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    stage: str
    table: str
    bucket: str
    jobs_queue_url: str
    uploads_queue_url: str
    webhooks_queue_url: str
    dead_letter_queue_urls: dict    # work queue name (jobs, uploads, webhooks) -> its DLQ's URL
    admin_token: str
    secret_key: bytes
    allow_loopback: bool
    rate_limit_per_minute: int


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    return Settings(
        stage=env.get("ONCESHIP_STAGE", "prod"),
        table=env.get("ONCESHIP_TABLE", "onceship"),
        bucket=env.get("ONCESHIP_BUCKET", "onceship-local"),
        jobs_queue_url=env.get("ONCESHIP_JOBS_QUEUE_URL", ""),
        uploads_queue_url=env.get("ONCESHIP_UPLOADS_QUEUE_URL", ""),
        webhooks_queue_url=env.get("ONCESHIP_WEBHOOKS_QUEUE_URL", ""),
        dead_letter_queue_urls={name: env.get(f"ONCESHIP_{name.upper()}_DLQ_URL", "")
                                for name in ("jobs", "uploads", "webhooks")},
        admin_token=env.get("ONCESHIP_ADMIN_TOKEN", ""),
        secret_key=env.get("ONCESHIP_SECRET_KEY", "onceship-local-development-key").encode(),
        allow_loopback=env.get("ONCESHIP_ALLOW_LOOPBACK") == "1",
        rate_limit_per_minute=int(env.get("ONCESHIP_RATE_LIMIT_PER_MINUTE", "0")),
    )


def reset() -> None:
    """Forget cached settings and clients (tests that change the environment call this)."""
    settings.cache_clear()
    from chalicelib import aws
    aws.reset()
