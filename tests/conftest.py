"""Shared fixtures.

`stack` (session): the live local stack (chalicelib.local.LocalStack) on free ports with a temp
    state dir and admin token `test-admin-token`. While it runs, os.environ points this test
    process at it (AWS_ENDPOINT_URL, dummy credentials, us-east-1, ONCESHIP_TABLE, ...), so code
    under test in-process talks to the same server. Work queues redeliver after 2 s
    (ONCESHIP_LOCAL_VISIBILITY_TIMEOUT); schedules run only through
    `stack.pump.run_schedule("SchedulerTick")`; `stack.pump.drain()` waits for the queues.

`aws_memory` (per test): moto in memory (`mock_aws`) in this process, with the resources of
    infra/resources.yaml. For the duration of the test os.environ has no AWS_ENDPOINT_URL and
    ONCESHIP_* name the in-memory resources; afterwards the previous environment (the `stack`
    one, if that is running) is put back. Yields a MemoryAws (table_name, bucket, queue_urls,
    client(service)).

While `stack` runs, every answer of the API is checked against the OpenAPI document
(tests/conformance.py); a test during which an answer did not conform fails.

Both reset chalicelib's cached settings and clients (chalicelib.config.reset) when they change
the environment. Imports are lazy, so collecting tests stays fast.
"""
import pytest

ADMIN_TOKEN = "test-admin-token"


def _reset_app_caches() -> None:
    try:
        from chalicelib import config
    except ImportError:
        return
    reset = getattr(config, "reset", None)
    if reset is not None:
        reset()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    from chalicelib.local.stack import LocalStack

    local = LocalStack(port=0, aws_port=0, state_dir=tmp_path_factory.mktemp("local-state"),
                       admin_token=ADMIN_TOKEN, bucket="onceship-local", visibility_timeout=2,
                       run_schedules=False, snapshot_interval=0,
                       faults="")  # tests turn faults on themselves (tests/faults_support.py)
    local.start()
    _reset_app_caches()
    from tests import conformance
    conformance.install()
    try:
        yield local
    finally:
        local.stop(save=False)
        _reset_app_caches()


@pytest.fixture(autouse=True)
def _answers_conform():
    """Fails the test if an answer of the stack during it is not what the OpenAPI document says."""
    from tests import conformance
    seen = len(conformance.FAILURES)
    yield
    found = conformance.FAILURES[seen:]
    if found:
        pytest.fail("answers the OpenAPI document (chalicelib/api/openapi.py) does not describe:\n  "
                    + "\n  ".join(found[:20]), pytrace=False)


class MemoryAws:
    """The in-memory resources: names by the template's logical ids, and boto3 clients."""

    def __init__(self, resources, client):
        self.resources = resources
        self.client = client

    @property
    def table_name(self) -> str:
        return self.resources.table_name

    @property
    def bucket(self) -> str:
        return self.resources.bucket

    @property
    def queue_urls(self) -> dict:
        return self.resources.queue_urls


@pytest.fixture
def aws_memory():
    from moto import mock_aws

    from chalicelib.local import bootstrap, env

    with env.patched(env.aws_variables(None)):
        with mock_aws():
            client = bootstrap.client_factory(None)
            resources = bootstrap.create(client, parameters={"BucketName": "onceship-memory"})
            variables = env.local_variables(resources, None, ADMIN_TOKEN,
                                            "bWVtb3J5LXRlc3Qta2V5LW5vdC1hLXNlY3JldC0wMDA=")
            with env.patched(variables):
                _reset_app_caches()
                try:
                    yield MemoryAws(resources, client)
                finally:
                    _reset_app_caches()
    _reset_app_caches()


@pytest.fixture
def faults(stack):
    """The session stack's fault switch (`stack.set_faults(spec, script=...)`), turned off again
    after the test whatever happens."""
    stack.set_faults(None)
    try:
        yield stack
    finally:
        stack.set_faults(None)
