"""The event pump delivers with Lambda's semantics, on real queues of the local AWS server:
redelivery after the visibility timeout, batch item failures, redrive to the DLQ."""
import collections
import json
import threading
import uuid

import pytest

MAX_RECEIVE_COUNT = 5


@pytest.fixture
def queue(stack):
    """A fresh queue with a DLQ (maxReceiveCount 5, visibility 1 s); unregistered afterwards."""
    sqs = stack.client("sqs")
    name = "pump-test-" + uuid.uuid4().hex[:8]
    dlq_url = sqs.create_queue(QueueName=name + "-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": "1",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                     "maxReceiveCount": MAX_RECEIVE_COUNT})})["QueueUrl"]
    registered = []

    class Queue:
        def __init__(self):
            self.url, self.dlq_url, self.name = url, dlq_url, name

        def register(self, handler):
            registered.append(stack.pump.register_queue(url, handler, name=name))

        def send(self, *bodies):
            sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)])

        def dead_letters(self):
            answer = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)
            return [m["Body"] for m in answer.get("Messages", [])]

    yield Queue()
    for source in registered:
        stack.pump.unregister_queue(source.name)
    sqs.delete_queue(QueueUrl=url)
    sqs.delete_queue(QueueUrl=dlq_url)


class Recorder:
    """A handler that fails some deliveries and applies each body at most once."""

    def __init__(self, failures_before_success):
        self.failures_before_success = failures_before_success
        self.lock = threading.Lock()
        self.attempts = collections.Counter()
        self.applied = collections.Counter()
        self.batches = []
        self.receive_counts = collections.defaultdict(list)

    def __call__(self, event, context):
        failed = []
        with self.lock:
            self.batches.append(sorted(r["body"] for r in event["Records"]))
            for record in event["Records"]:
                body = record["body"]
                assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"]
                self.attempts[body] += 1
                self.receive_counts[body].append(int(record["attributes"]["ApproximateReceiveCount"]))
                if self.attempts[body] <= self.failures_before_success.get(body, 0):
                    failed.append({"itemIdentifier": record["messageId"]})
                else:
                    self.applied[body] += 1
        return {"batchItemFailures": failed}


def test_message_failing_twice_then_succeeding_is_applied_once(stack, queue):
    handler = Recorder({"twice": 2})
    queue.send("twice")
    queue.register(handler)
    stack.pump.drain(timeout=30)
    assert handler.applied == {"twice": 1}
    assert handler.attempts["twice"] == 3
    assert handler.receive_counts["twice"] == [1, 2, 3]
    assert queue.dead_letters() == []


def test_message_always_failing_ends_in_dlq_after_max_receive_count(stack, queue):
    def always_raises(event, context):
        always_raises.deliveries += len(event["Records"])
        raise RuntimeError("boom")

    always_raises.deliveries = 0
    queue.send("poison")
    queue.register(always_raises)
    stack.pump.drain(timeout=30)
    assert always_raises.deliveries == MAX_RECEIVE_COUNT
    assert queue.dead_letters() == ["poison"]


def test_partial_batch_failure_redelivers_only_the_failed_record(stack, queue):
    handler = Recorder({"b": 1})
    queue.send("a", "b", "c")
    queue.register(handler)
    stack.pump.drain(timeout=30)
    assert handler.batches[0] == ["a", "b", "c"]
    assert handler.batches[1:] == [["b"]]
    assert handler.applied == {"a": 1, "b": 1, "c": 1}


def test_unknown_item_identifier_fails_the_whole_batch(stack, queue):
    calls = []

    def bad_answer(event, context):
        calls.append(sorted(r["body"] for r in event["Records"]))
        if len(calls) == 1:
            return {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}
        return None

    queue.send("x", "y")
    queue.register(bad_answer)
    stack.pump.drain(timeout=30)
    assert sorted(sum(calls, [])) == ["x", "x", "y", "y"]


def test_wiring_feeds_the_app_functions(stack):
    assert {"JobsQueue", "UploadsQueue", "WebhooksQueue"} <= set(stack.pump.sources)
    for name in ("JobsQueue", "UploadsQueue", "WebhooksQueue"):
        source = stack.pump.sources[name]
        assert source.report_batch_item_failures and source.batch_size == 10
        assert source.queue_url == stack.queue_urls[name]
    assert stack.pump.sources["JobsQueue"].function.function_name == "onceship-local-jobs_worker"
    stack.pump.run_schedule("SchedulerTick")  # the app's tick runs without raising


def test_uploads_notification_reaches_the_uploads_queue(stack):
    """S3 object-created under uploads/ is sent to UploadsQueue (other prefixes are not)."""
    seen = []
    source = stack.pump.sources["UploadsQueue"]
    original = source.handler
    source.handler = lambda event, context: seen.extend(r["body"] for r in event["Records"])
    try:
        s3 = stack.client("s3")
        s3.put_object(Bucket=stack.bucket, Key="reports/ignored.txt", Body=b"x")
        s3.put_object(Bucket=stack.bucket, Key="uploads/m_test/products/x.csv", Body=b"a,b")
        stack.pump.drain(timeout=30, names=["UploadsQueue"])
    finally:
        source.handler = original
    events = [json.loads(body) for body in seen]
    records = [r for e in events for r in e.get("Records", [])]
    assert [r["eventName"] for r in records] == ["ObjectCreated:Put"]
    assert "products" in records[0]["s3"]["object"]["key"]
