"""The environment variables of docs/architecture.md, as the local stack and the tests set them."""
from __future__ import annotations

import contextlib
import os
from typing import Iterator, Mapping

from chalicelib.local.bootstrap import REGION, Resources

# Queue logical id -> variable with its URL.
QUEUE_VARIABLES = {
    "JobsQueue": "ONCESHIP_JOBS_QUEUE_URL",
    "UploadsQueue": "ONCESHIP_UPLOADS_QUEUE_URL",
    "WebhooksQueue": "ONCESHIP_WEBHOOKS_QUEUE_URL",
    "JobsDLQ": "ONCESHIP_JOBS_DLQ_URL",
    "UploadsDLQ": "ONCESHIP_UPLOADS_DLQ_URL",
    "WebhooksDLQ": "ONCESHIP_WEBHOOKS_DLQ_URL",
}


def aws_variables(endpoint_url: str | None, region: str = REGION) -> dict[str, str | None]:
    """Dummy credentials and region; the endpoint (None removes AWS_ENDPOINT_URL)."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": None,
        "AWS_SECURITY_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_DEFAULT_PROFILE": None,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


def resource_variables(resources: Resources) -> dict[str, str]:
    """ONCESHIP_TABLE, ONCESHIP_BUCKET and the queue URLs."""
    variables = {"ONCESHIP_TABLE": resources.table_name, "ONCESHIP_BUCKET": resources.bucket}
    for logical_id, name in QUEUE_VARIABLES.items():
        variables[name] = resources.queue_urls[logical_id]
    return variables


def local_variables(resources: Resources, endpoint_url: str | None, admin_token: str,
                    secret_key: str) -> dict[str, str | None]:
    """Everything the app needs to run against the local stack."""
    return {
        **aws_variables(endpoint_url, resources.region),
        **resource_variables(resources),
        "ONCESHIP_STAGE": "local",
        "ONCESHIP_ALLOW_LOOPBACK": "1",
        "ONCESHIP_ADMIN_TOKEN": admin_token,
        "ONCESHIP_SECRET_KEY": secret_key,
    }


def apply(variables: Mapping[str, str | None]) -> dict[str, str | None]:
    """Set (or, for None, remove) variables in os.environ; returns what to pass to `restore`."""
    previous = {name: os.environ.get(name) for name in variables}
    for name, value in variables.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return previous


def restore(previous: Mapping[str, str | None]) -> None:
    apply(previous)


@contextlib.contextmanager
def patched(variables: Mapping[str, str | None]) -> Iterator[None]:
    """Set variables for the duration of a block and put the old values back afterwards."""
    previous = apply(variables)
    try:
        yield
    finally:
        restore(previous)
