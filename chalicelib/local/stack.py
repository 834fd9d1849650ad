"""LocalStack: the whole local stack behind `make run`, also used by the tests.

    stack = LocalStack(port=0, aws_port=0, state_dir=tmp)   # 0: any free port
    stack.start()
    ... stack.api_url, stack.aws_endpoint, stack.table_name, stack.bucket, stack.queue_urls,
        stack.admin_token, stack.pump (drain, run_schedule, register_queue) ...
    stack.stop()                                            # saves the state, restores env

Start order: AWS server (child process) -> resources from infra/resources.yaml -> saved state
restored -> bucket notifications -> environment -> API server -> event pump -> periodic saves.

Settings (argument, else environment variable, else default):
    port                 PORT                              8000
    aws_port             ONCESHIP_AWS_PORT                 5000
    state_dir            ONCESHIP_STATE_DIR                <project>/.local-state
    admin_token          ONCESHIP_ADMIN_TOKEN              generated once, kept in the state dir
    secret_key           ONCESHIP_SECRET_KEY               generated once, kept in the state dir
    bucket               ONCESHIP_BUCKET                   onceship-local
    visibility_timeout   ONCESHIP_LOCAL_VISIBILITY_TIMEOUT the template's (work queues only)
    run_schedules        ONCESHIP_LOCAL_SCHEDULES          1 (0: only pump.run_schedule)
    snapshot_interval    ONCESHIP_SNAPSHOT_INTERVAL        30 seconds (0: only at stop)
    faults               ONCESHIP_FAULTS                   none (chalicelib/local/faults.py)

Faults are parsed before anything starts (a bad spec raises FaultSpecError) and turned on once
the stack is up, so bootstrap and restore never meet them; `set_faults` changes them while it
runs (tests do), `fault_counts` says how many were injected.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from chalicelib.local import bootstrap, env, faults as fault_specs, state
from chalicelib.local import template as cfn

log = logging.getLogger(__name__)


def _setting(value, variable: str, default):
    if value is not None:
        return value
    raw = os.environ.get(variable)
    return default if raw in (None, "") else type(default)(raw) if default is not None else raw


class LocalStack:
    """Moto server + resources + Chalice API + event pump + persistence, started and stopped
    together."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None,
                 aws_port: int | None = None, state_dir: str | Path | None = None,
                 admin_token: str | None = None, secret_key: str | None = None,
                 bucket: str | None = None, visibility_timeout: int | None = None,
                 run_schedules: bool | None = None, snapshot_interval: float | None = None,
                 faults: str | None = None):
        self.host = host
        self.requested_port = int(_setting(port, "PORT", 8000))
        self.requested_aws_port = int(_setting(aws_port, "ONCESHIP_AWS_PORT", 5000))
        self.state_dir = Path(state_dir) if state_dir else state.default_state_dir()
        self._admin_token = _setting(admin_token, "ONCESHIP_ADMIN_TOKEN", None)
        self._secret_key = _setting(secret_key, "ONCESHIP_SECRET_KEY", None)
        self.bucket_name = _setting(bucket, "ONCESHIP_BUCKET", "onceship-local")
        timeout = _setting(visibility_timeout, "ONCESHIP_LOCAL_VISIBILITY_TIMEOUT", None)
        self.visibility_timeout = int(timeout) if timeout is not None else None
        schedules = _setting(run_schedules, "ONCESHIP_LOCAL_SCHEDULES", "1")
        self.run_schedules = schedules if isinstance(schedules, bool) else schedules != "0"
        self.snapshot_interval = float(_setting(snapshot_interval,
                                                "ONCESHIP_SNAPSHOT_INTERVAL", 30.0))
        self.faults_text = _setting(faults, fault_specs.ENVIRONMENT_VARIABLE, None)
        self.faults: fault_specs.FaultSpec | None = None
        self._fault_control = None
        self.aws = None
        self.api = None
        self.pump = None
        self.resources: bootstrap.Resources | None = None
        self.snapshots: state.Snapshots | None = None
        self.client = None
        self.admin_token: str | None = None
        self.secret_key: str | None = None
        self.environment: dict[str, str | None] = {}
        self._previous_env: dict[str, str | None] | None = None

    # -- what tests and the entry point read ------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.api.url

    @property
    def console_url(self) -> str:
        return self.api.url + "/v1/console"

    @property
    def aws_endpoint(self) -> str:
        return self.aws.endpoint

    @property
    def region(self) -> str:
        return self.resources.region

    @property
    def table_name(self) -> str:
        return self.resources.table_name

    @property
    def bucket(self) -> str:
        return self.resources.bucket

    @property
    def queue_urls(self) -> dict[str, str]:
        """Every queue (work queues and DLQs) by logical id: JobsQueue, JobsDLQ, ..."""
        return self.resources.queue_urls

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> "LocalStack":
        try:
            self._start()
        except BaseException:
            self.stop(save=False)
            raise
        return self

    def _start(self) -> None:
        from chalicelib.local.api_server import ApiServer, function_settings, load_config
        from chalicelib.local.aws_server import AwsServerProcess
        from chalicelib.local.pump import EventPump, lambda_handlers, wire

        from chalicelib.local.aws_faults import FaultControl

        spec = fault_specs.parse(self.faults_text)  # a bad spec stops us before anything starts
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.aws = AwsServerProcess(self.host, self.requested_aws_port)
        self.aws.start()
        self._fault_control = FaultControl(self.aws.endpoint)
        self.client = bootstrap.client_factory(self.aws.endpoint, exempt_from_faults=True)
        self.resources = bootstrap.create(
            self.client, parameters={"BucketName": self.bucket_name},
            visibility_timeout=self.visibility_timeout, notifications=False)
        self.admin_token = state.kept_secret(self.state_dir, "admin_token", self._admin_token)
        self.secret_key = state.kept_secret(self.state_dir, "secret_key", self._secret_key)
        self.snapshots = state.Snapshots(self.client, self.resources, self.state_dir)
        restored = self.snapshots.restore()
        log.info("local stack: restored %s", restored)
        bootstrap.apply_notifications(self.client, self.resources)

        self.environment = env.local_variables(
            self.resources, self.aws.endpoint, self.admin_token, self.secret_key)
        self._previous_env = env.apply(self.environment)

        config = load_config("local")
        chalice_app = config.chalice_app  # imports app.py
        self.api = ApiServer(chalice_app, config, self.host, self.requested_port)
        self.api.start()
        bootstrap.apply_bucket_cors(self.client, self.resources,
                                    {"BucketName": self.bucket_name, "ConsoleOrigins": [self.api.url]})

        self.pump = EventPump(self.client, self.resources.region,
                              run_schedules=self.run_schedules)
        wire(self.pump, cfn.load(cfn.WIRING_TEMPLATE), self.resources,
             lambda_handlers(chalice_app), function_settings(config, config.app_name))
        self.pump.start()
        self.snapshots.start_periodic(self.snapshot_interval)
        if spec is not None:
            self.set_faults(spec)

    # -- faults -----------------------------------------------------------------------------
    def set_faults(self, spec=None, script: list | None = None) -> None:
        """Turn faults on (a spec or its text; `script`: exact one-off faults of the AWS
        endpoint, see aws_faults.py) or off (None); the counts start again from 0."""
        if isinstance(spec, str):
            spec = fault_specs.parse(spec)
        self._fault_control.configure(spec.text() if spec else None, script)
        self.pump.faults = fault_specs.PumpFaults(spec) if spec and spec.pump_on else None
        self.faults = spec

    def fault_requests(self) -> dict:
        """The app's requests to the AWS endpoint since faults were last set, by service:operation."""
        return dict(self._fault_control.state()["requests"])

    def fault_counts(self) -> dict:
        """Faults injected since they were last set, by `<where>:<kind>`."""
        counts = dict(self._fault_control.state()["counts"])
        if self.pump is not None and self.pump.faults is not None:
            counts.update(self.pump.faults.counts.snapshot())
        return counts

    def save(self) -> None:
        """Snapshot tables and objects to the state dir now."""
        self.snapshots.save()

    def stop(self, save: bool = True) -> None:
        """Stop everything this stack started; save the state first (unless `save` is False)."""
        if self.pump is not None:
            self.pump.stop()
        if self.api is not None:
            self.api.stop()
        if self.snapshots is not None:
            self.snapshots.stop_periodic()
            if save and self.aws is not None and self.aws.alive():
                try:
                    self.snapshots.save()
                except Exception:  # noqa: BLE001 - still stop the server
                    log.exception("local stack: final snapshot failed")
        if self.aws is not None:
            self.aws.stop()
        if self._previous_env is not None:
            env.restore(self._previous_env)
            self._previous_env = None

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
