"""The event pump: delivers SQS messages and schedules to the app's handlers as Lambda would.

Which queue and which schedule feed which function comes from infra/wiring.yaml (the
EventSourceMappings and the Events rules). Per queue, one thread long-polls (at most 1 s, so
stopping is quick), hands a Lambda-shaped batch to the handler, deletes the records that
succeeded and leaves the others to reappear after the queue's visibility timeout:

- the handler raises: every record of the batch is retried;
- with ReportBatchItemFailures it answers `{"batchItemFailures": [{"itemIdentifier": id}]}`:
  only those are retried (an unknown or empty identifier fails the whole batch, as in Lambda);
- without it, any answer counts as success.

moto moves a message to the dead-letter queue when it is received again after
`maxReceiveCount` receives, exactly like SQS, so the pump needs no redrive of its own.
Schedules (`rate(...)` only) fire every period after start; `run_schedule` fires one now.

With faults on (`pump.faults`, chalicelib/local/faults.py) a record may be delivered twice, in a
second invocation at the same time or right after the first (both see the same message id and
receive count, as two copies of an SQS message do), and a handler may "die" after its writes:
its answer is dropped and nothing of the batch is deleted, so it all comes back after the
visibility timeout. Only the first delivery's answer decides what is deleted.
"""
from __future__ import annotations

import base64
import collections
import datetime
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from chalicelib.local import template as cfn
from chalicelib.local.bootstrap import ACCOUNT_ID, ClientFactory, Resources

log = logging.getLogger(__name__)

Handler = Callable[[dict, Any], Any]
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass
class FunctionSettings:
    """What the Lambda context tells a handler about its function."""

    function_name: str
    timeout: int = 60
    memory: int = 128


@dataclass
class QueueSource:
    name: str
    queue_url: str
    queue_arn: str
    handler: Handler
    function: FunctionSettings
    batch_size: int = 10
    report_batch_item_failures: bool = True
    stats: collections.Counter = field(default_factory=collections.Counter)
    busy: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


@dataclass
class Schedule:
    name: str
    function_id: str
    expression: str
    handler: Handler
    function: FunctionSettings
    rule_arn: str
    enabled: bool = True

    @property
    def interval(self) -> float | None:
        match = _RATE.match(self.expression.strip())
        if not match:
            return None
        return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


def lambda_context(function: FunctionSettings, region: str):
    from chalice.local import LambdaContext

    context = LambdaContext(function.function_name, function.memory, function.timeout * 1000)
    context.invoked_function_arn = (
        f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function.function_name}")
    context.log_group_name = f"/aws/lambda/{function.function_name}"
    context.log_stream_name = f"local/{context.aws_request_id}"
    return context


class EventPump:
    """Feeds queues and schedules to handlers; see the module docstring for the semantics."""

    def __init__(self, client: ClientFactory, region: str, wait_seconds: int = 1,
                 run_schedules: bool = True):
        self.client = client
        self.region = region
        self.wait_seconds = wait_seconds
        self.run_schedules = run_schedules
        self.sources: dict[str, QueueSource] = {}
        self.schedules: dict[str, Schedule] = {}
        self.errors: collections.deque = collections.deque(maxlen=100)
        self.faults = None  # chalicelib.local.faults.PumpFaults while faults are on
        self._running = False
        self._stop = threading.Event()
        self._schedule_threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    # -- registration -----------------------------------------------------------------------
    def register_queue(self, queue_url: str, handler: Handler, name: str | None = None,
                       batch_size: int = 10, report_batch_item_failures: bool = True,
                       function: FunctionSettings | None = None) -> QueueSource:
        """Deliver `queue_url` to `handler`; starts at once when the pump runs."""
        arn = self.client("sqs").get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        name = name or arn.rsplit(":", 1)[-1]
        source = QueueSource(
            name=name, queue_url=queue_url, queue_arn=arn, handler=handler,
            function=function or FunctionSettings(function_name=f"local-{name}"),
            batch_size=batch_size, report_batch_item_failures=report_batch_item_failures)
        with self._lock:
            if name in self.sources:
                raise ValueError(f"queue source {name} is already registered")
            self.sources[name] = source
            if self._running:
                self._start_source(source)
        return source

    def unregister_queue(self, name_or_url: str) -> None:
        with self._lock:
            source = self._source(name_or_url)
            self.sources.pop(source.name)
        source.stop.set()
        if source.thread is not None:
            source.thread.join()

    def register_schedule(self, schedule: Schedule) -> None:
        self.schedules[schedule.name] = schedule
        if self._running and self.run_schedules:
            self._start_schedule(schedule)

    def _source(self, name_or_url: str) -> QueueSource:
        for source in self.sources.values():
            if name_or_url in (source.name, source.queue_url):
                return source
        raise KeyError(name_or_url)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._running:
                return
            self._running = True
            self._stop.clear()
            for source in self.sources.values():
                self._start_source(source)
        if self.run_schedules:
            for schedule in self.schedules.values():
                self._start_schedule(schedule)

    def stop(self) -> None:
        with self._lock:
            self._running = False
            self._stop.set()
            sources = list(self.sources.values())
        for source in sources:
            source.stop.set()
        for source in sources:
            if source.thread is not None:
                source.thread.join()
                source.thread = None
        for thread in self._schedule_threads:
            thread.join()
        self._schedule_threads.clear()

    def _start_source(self, source: QueueSource) -> None:
        source.stop.clear()
        source.thread = threading.Thread(target=self._poll, args=(source,),
                                         name=f"pump-{source.name}", daemon=True)
        source.thread.start()

    def _start_schedule(self, schedule: Schedule) -> None:
        if not schedule.enabled:
            return
        if schedule.interval is None:
            log.warning("local pump: %s (%s) is not run automatically; only rate() is",
                        schedule.name, schedule.expression)
            return
        thread = threading.Thread(target=self._tick, args=(schedule,),
                                  name=f"pump-{schedule.name}", daemon=True)
        self._schedule_threads.append(thread)
        thread.start()

    # -- queues -----------------------------------------------------------------------------
    def _poll(self, source: QueueSource) -> None:
        sqs = self.client("sqs")
        while not source.stop.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=source.queue_url, MaxNumberOfMessages=source.batch_size,
                    WaitTimeSeconds=self.wait_seconds, AttributeNames=["All"],
                    MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"],
                ).get("Messages", [])
            except Exception as error:  # noqa: BLE001 - the server may be stopping
                if not source.stop.is_set():
                    log.warning("local pump: receive from %s failed: %s", source.name, error)
                    source.stop.wait(0.5)
                continue
            if messages:
                source.busy = True
                try:
                    self._deliver(source, messages)
                except Exception:  # noqa: BLE001 - e.g. a delete as the server stops
                    log.exception("local pump: delivering from %s failed", source.name)
                finally:
                    source.busy = False

    def _deliver(self, source: QueueSource, messages: list[dict]) -> None:
        records = [self._record(source, message) for message in messages]
        source.stats["received"] += len(records)
        faults = self.faults
        if faults is None:
            failed = self._invoke(source, records)
        else:
            failed = self._invoke_with_faults(source, records, faults)
            if failed is None:
                return  # the handler "died": nothing is deleted
        source.stats["failed"] += len(failed)
        done = [record for record in records if record["messageId"] not in failed]
        source.stats["succeeded"] += len(done)
        self._delete(source, done)

    def _invoke(self, source: QueueSource, records: list[dict]) -> set[str]:
        """One invocation of the source's handler; the ids of the records that failed."""
        ids = [record["messageId"] for record in records]
        source.stats["invocations"] += 1
        try:
            answer = source.handler({"Records": records},
                                    lambda_context(source.function, self.region))
        except Exception as error:  # noqa: BLE001 - Lambda retries the whole batch
            log.exception("local pump: %s raised; the batch of %d will be retried",
                          source.name, len(records))
            self.errors.append((source.name, ids, error))
            source.stats["errors"] += 1
            return set(ids)
        return self._failed(source, answer, ids)

    def _invoke_with_faults(self, source: QueueSource, records: list[dict], faults) -> set[str] | None:
        """The batch with its duplicates; None when the first invocation "died" before answering."""
        concurrent, after = faults.duplicates(source.name, records)
        source.stats["duplicated"] += len(concurrent) + len(after)
        twin = None
        if concurrent:
            twin = threading.Thread(target=self._invoke, args=(source, concurrent),
                                    name=f"pump-{source.name}-duplicate", daemon=True)
            twin.start()
        failed = self._invoke(source, records)
        if twin is not None:
            twin.join()
        if after:
            self._invoke(source, after)
        if faults.crashes(source.name):
            source.stats["crashed"] += 1
            log.info("local pump: fault: %s died before answering; %d records come back",
                     source.name, len(records))
            return None
        return failed

    def _failed(self, source: QueueSource, answer: Any, ids: list[str]) -> set[str]:
        if not source.report_batch_item_failures or not answer:
            return set()
        if not isinstance(answer, dict) or not answer.get("batchItemFailures"):
            return set()
        failures = answer["batchItemFailures"]
        failed = {item.get("itemIdentifier") if isinstance(item, dict) else None
                  for item in failures}
        if not failed <= set(ids):
            log.error("local pump: %s answered unknown itemIdentifiers %s; whole batch fails",
                      source.name, sorted(map(str, failed - set(ids))))
            return set(ids)
        return failed

    def _delete(self, source: QueueSource, records: list[dict]) -> None:
        sqs = self.client("sqs")
        for start in range(0, len(records), 10):
            chunk = records[start:start + 10]
            answer = sqs.delete_message_batch(QueueUrl=source.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)])
            for failure in answer.get("Failed", []):
                log.warning("local pump: could not delete from %s: %s", source.name, failure)

    def _record(self, source: QueueSource, message: dict) -> dict:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {
                name: _message_attribute(value)
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": source.queue_arn,
            "awsRegion": self.region,
        }

    # -- schedules --------------------------------------------------------------------------
    def _tick(self, schedule: Schedule) -> None:
        interval = schedule.interval
        next_run = time.monotonic() + interval
        while not self._stop.wait(max(0.0, next_run - time.monotonic())):
            next_run += interval
            try:
                self.run_schedule(schedule.name)
            except Exception as error:  # noqa: BLE001 - an async invoke only logs
                log.exception("local pump: schedule %s failed", schedule.name)
                self.errors.append((schedule.name, [], error))

    def run_schedule(self, name: str) -> Any:
        """Invoke a schedule's function now (by rule id, function id or Chalice name); returns
        its answer and lets its exception through."""
        schedule = self._schedule(name)
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [schedule.rule_arn],
            "detail": {},
        }
        return schedule.handler(event, lambda_context(schedule.function, self.region))

    def _schedule(self, name: str) -> Schedule:
        for schedule in self.schedules.values():
            if name in (schedule.name, schedule.function_id, schedule.function.function_name) \
                    or schedule.function.function_name.endswith("-" + name):
                return schedule
        raise KeyError(f"no schedule {name!r}; known: {sorted(self.schedules)}")

    # -- tests ------------------------------------------------------------------------------
    def pending(self, names: list[str] | None = None) -> dict[str, int]:
        """Messages visible, in flight or delayed, plus 1 for a batch being handled, by source."""
        sqs = self.client("sqs")
        counts = {}
        for source in list(self.sources.values()):
            if names is not None and source.name not in names:
                continue
            busy = source.busy
            attributes = sqs.get_queue_attributes(QueueUrl=source.queue_url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed"])["Attributes"]
            counts[source.name] = sum(int(v) for v in attributes.values()) + int(
                busy or source.busy)
        return counts

    def drain(self, timeout: float = 30.0, names: list[str] | None = None) -> None:
        """Wait until every queue (or those named) is empty and no batch is being handled,
        twice in a row; raises TimeoutError with what is left."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while True:
            left = {name: n for name, n in self.pending(names).items() if n}
            quiet = 0 if left else quiet + 1
            if quiet >= 2:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"local pump: not drained after {timeout}s: {left}")
            time.sleep(0.05)


def _message_attribute(value: dict) -> dict:
    converted = {
        "stringValue": value.get("StringValue"),
        "binaryValue": base64.b64encode(value["BinaryValue"]).decode()
        if "BinaryValue" in value else None,
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": [base64.b64encode(v).decode()
                             for v in value.get("BinaryListValues", [])],
        "dataType": value.get("DataType"),
    }
    return converted


def lambda_handlers(chalice_app) -> dict[str, Handler]:
    """The app's `@app.lambda_function`s by the logical id `chalice package` gives them."""
    from chalice.utils import to_cfn_resource_name

    return {to_cfn_resource_name(f.name): f for f in chalice_app.pure_lambda_functions}


def wire(pump: EventPump, wiring: dict, resources: Resources, handlers: dict[str, Handler],
         functions: dict[str, FunctionSettings]) -> None:
    """Register the EventSourceMappings and schedule rules of `wiring` with the pump."""
    for logical_id, mapping in cfn.of_type(wiring, "AWS::Lambda::EventSourceMapping").items():
        props = mapping["Properties"]
        if not props.get("Enabled", True):
            continue
        queue_id = next(iter(cfn.references(props["EventSourceArn"])))[0]
        function_id = next(iter(cfn.references(props["FunctionName"])))[0]
        if queue_id not in resources.queue_urls:
            log.warning("local pump: %s reads %s, not a local queue", logical_id, queue_id)
            continue
        pump.register_queue(
            resources.queue_urls[queue_id], _handler(handlers, function_id, logical_id),
            name=queue_id, batch_size=int(props.get("BatchSize", 10)),
            report_batch_item_failures="ReportBatchItemFailures" in props.get(
                "FunctionResponseTypes", []),
            function=functions.get(function_id, FunctionSettings(function_id)))
    for logical_id, rule in cfn.of_type(wiring, "AWS::Events::Rule").items():
        props = rule["Properties"]
        if "ScheduleExpression" not in props:
            continue
        for target in props.get("Targets", []):
            function_id = next(iter(cfn.references(target["Arn"])))[0]
            pump.register_schedule(Schedule(
                name=logical_id, function_id=function_id,
                expression=props["ScheduleExpression"],
                handler=_handler(handlers, function_id, logical_id),
                function=functions.get(function_id, FunctionSettings(function_id)),
                rule_arn=f"arn:aws:events:{resources.region}:{ACCOUNT_ID}:rule/"
                         f"{resources.stack_name}-{logical_id}",
                enabled=props.get("State", "ENABLED") == "ENABLED"))


def _handler(handlers: dict[str, Handler], function_id: str, wired_by: str) -> Handler:
    try:
        return handlers[function_id]
    except KeyError:
        raise KeyError(f"{wired_by} targets {function_id}, which app.py does not define "
                       f"(it defines {sorted(handlers)})") from None
