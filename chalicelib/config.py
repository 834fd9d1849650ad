"""Settings read from the environment on first use (never at import time).

Outside the `local` stage the function refuses to run without its own secrets: a missing (or
short, or publicly known) `ONCESHIP_SECRET_KEY` or `ONCESHIP_ADMIN_TOKEN` raises
ConfigurationError at the first use of the settings, every time (a bad environment is never
cached), instead of deriving every merchant's secret from a key anyone can read in this
repository. In Lambda that first use is the function's init (api/router.register), so a
misconfigured function never serves a request.
"""
import os
from dataclasses import dataclass
from functools import lru_cache

LOCAL_STAGE = "local"
LOCAL_DEVELOPMENT_KEY = "onceship-local-development-key"   # public: the local stage only
MIN_SECRET_LENGTH = 32                                     # as infra/wiring.yaml's parameters


class ConfigurationError(RuntimeError):
    """The environment lacks what this stage needs; the message says what and why."""


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
    stage = env.get("ONCESHIP_STAGE", "prod")
    secret_key = env.get("ONCESHIP_SECRET_KEY", "")
    admin_token = env.get("ONCESHIP_ADMIN_TOKEN", "")
    if stage != LOCAL_STAGE:
        _require_secrets(stage, secret_key, admin_token)
    return Settings(
        stage=stage,
        table=env.get("ONCESHIP_TABLE", "onceship"),
        bucket=env.get("ONCESHIP_BUCKET", "onceship-local"),
        jobs_queue_url=env.get("ONCESHIP_JOBS_QUEUE_URL", ""),
        uploads_queue_url=env.get("ONCESHIP_UPLOADS_QUEUE_URL", ""),
        webhooks_queue_url=env.get("ONCESHIP_WEBHOOKS_QUEUE_URL", ""),
        dead_letter_queue_urls={name: env.get(f"ONCESHIP_{name.upper()}_DLQ_URL", "")
                                for name in ("jobs", "uploads", "webhooks")},
        admin_token=admin_token,
        secret_key=(secret_key or LOCAL_DEVELOPMENT_KEY).encode(),
        allow_loopback=env.get("ONCESHIP_ALLOW_LOOPBACK") == "1",
        rate_limit_per_minute=int(env.get("ONCESHIP_RATE_LIMIT_PER_MINUTE", "0")),
    )


def _require_secrets(stage: str, secret_key: str, admin_token: str) -> None:
    problems = []
    for name, value in (("ONCESHIP_SECRET_KEY", secret_key), ("ONCESHIP_ADMIN_TOKEN", admin_token)):
        if not value:
            problems.append(f"{name} is not set")
        elif len(value) < MIN_SECRET_LENGTH:
            problems.append(f"{name} is shorter than {MIN_SECRET_LENGTH} characters")
    if secret_key == LOCAL_DEVELOPMENT_KEY:
        problems.append("ONCESHIP_SECRET_KEY is the public local development key")
    if problems:
        raise ConfigurationError(
            f"Onceship stage {stage!r} refuses to start: " + "; ".join(problems)
            + f". Outside the {LOCAL_STAGE!r} stage both must be set to random values of at least "
            f"{MIN_SECRET_LENGTH} characters (the stack's AdminToken and SecretKey parameters); "
            "every merchant and channel secret is derived from ONCESHIP_SECRET_KEY.")


def check() -> None:
    """Read the settings now (a function's init), so a misconfigured function fails at once."""
    settings()


def reset() -> None:
    """Forget cached settings and clients (tests that change the environment call this)."""
    settings.cache_clear()
    from chalicelib import aws
    aws.reset()
