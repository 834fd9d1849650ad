"""The local stack's faults (ONCESHIP_FAULTS) do what they say, on the live AWS endpoint and pump:
refusals happen before anything is applied and are read by botocore as AWS's own; a lost answer
is applied and then never arrives; the seed replays the same faults; the stack's machinery is
spared; the pump duplicates (also concurrently) and "dies" after a handler's writes."""
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from chalicelib.local.faults import FaultSpecError

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def table(stack):
    return stack.table_name


def one_shot_client(stack, service="dynamodb"):
    """A client that does not retry: it shows each fault as it arrives."""
    return boto3.client(service, endpoint_url=stack.aws_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def retrying_client(stack, service="dynamodb"):
    return boto3.client(service, endpoint_url=stack.aws_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 3, "mode": "standard"}))


def item(pk):
    return {"pk": {"S": pk}, "sk": {"S": "FAULT"}, "n": {"N": "1"}}


def stored(stack, table, pk):
    return stack.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": "FAULT"}},
                                             ConsistentRead=True).get("Item")


def test_a_bad_spec_stops_the_stack_before_it_starts(tmp_path):
    from chalicelib.local.stack import LocalStack
    stack = LocalStack(port=0, aws_port=0, state_dir=tmp_path, faults="aws_throttle=2")
    with pytest.raises(FaultSpecError, match="aws_throttle=2 is not a probability"):
        stack.start()
    assert stack.aws is None  # nothing was started


def test_make_run_with_a_bad_spec_exits_with_the_reason(tmp_path):
    env = dict(os.environ, ONCESHIP_FAULTS="seed=1,sqs_duplicat=0.5", ONCESHIP_STATE_DIR=str(tmp_path),
               PORT="0", ONCESHIP_AWS_PORT="0", PYTHONPATH=str(PROJECT_DIR))
    answer = subprocess.run([sys.executable, "-m", "chalicelib.local"], cwd=PROJECT_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 1
    assert "local stack did not start: ONCESHIP_FAULTS: unknown fault 'sqs_duplicat'" in answer.stderr


def test_throttling_refuses_before_applying_and_botocore_retries_it(faults, table):
    pk = "throttle-" + uuid.uuid4().hex
    faults.set_faults(None, script=[{"service": "dynamodb", "operation": "PutItem", "contains": pk,
                                     "fault": "throttle", "times": 1}])
    with pytest.raises(ClientError) as refused:
        one_shot_client(faults).put_item(TableName=table, Item=item(pk))
    assert refused.value.response["Error"]["Code"] in ("ThrottlingException",
                                                       "ProvisionedThroughputExceededException")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert stored(faults, table, pk) is None  # refused before it was applied
    faults.set_faults(None, script=[{"service": "dynamodb", "operation": "PutItem", "contains": pk,
                                     "fault": "throttle", "times": 2}])
    retrying_client(faults).put_item(TableName=table, Item=item(pk))  # the third attempt goes through
    assert stored(faults, table, pk) == item(pk)
    assert faults.fault_counts() == {"dynamodb:throttle": 2}


def test_a_500_refuses_before_applying(faults, table):
    pk = "error-" + uuid.uuid4().hex
    faults.set_faults(None, script=[{"service": "dynamodb", "contains": pk, "fault": "error"}])
    with pytest.raises(ClientError) as refused:
        one_shot_client(faults).put_item(TableName=table, Item=item(pk))
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert refused.value.response["Error"]["Code"] == "InternalServerError"
    assert stored(faults, table, pk) is None


def test_a_lost_answer_was_applied_and_the_client_sees_the_connection_closed(faults, table):
    pk = "lost-" + uuid.uuid4().hex
    faults.set_faults(None, script=[{"service": "dynamodb", "operation": "PutItem", "contains": pk,
                                     "fault": "lost_reply"}])
    with pytest.raises(ConnectionClosedError):
        one_shot_client(faults).put_item(TableName=table, Item=item(pk))
    assert stored(faults, table, pk) == item(pk)
    assert faults.fault_counts() == {"dynamodb:lost_reply": 1}


def test_sqs_and_s3_refusals_are_read_as_aws_throttling(faults):
    faults.set_faults(None, script=[{"service": "sqs", "operation": "SendMessage", "fault": "throttle"},
                                    {"service": "s3", "operation": "PUT", "fault": "throttle"}])
    with pytest.raises(ClientError) as sqs_refused:
        one_shot_client(faults, "sqs").send_message(QueueUrl=faults.queue_urls["JobsDLQ"], MessageBody="x")
    assert sqs_refused.value.response["Error"]["Code"] == "RequestThrottled"
    with pytest.raises(ClientError) as s3_refused:
        one_shot_client(faults, "s3").put_object(Bucket=faults.bucket, Key="fault/x", Body=b"x")
    assert s3_refused.value.response["Error"]["Code"] == "SlowDown"
    assert faults.fault_counts() == {"sqs:throttle": 1, "s3:throttle": 1}


def test_the_same_seed_gives_the_same_faults_to_the_same_requests(faults, table):
    client = one_shot_client(faults)

    def outcomes(spec):
        faults.set_faults(spec)
        seen = []
        for i in range(40):
            try:
                client.get_item(TableName=table, Key={"pk": {"S": f"seeded-{i}"}, "sk": {"S": "FAULT"}})
                seen.append("ok")
            except ConnectionClosedError:
                seen.append("lost")
            except ClientError as error:
                seen.append(error.response["Error"]["Code"])
        return seen

    spec = "seed=11,aws_throttle=0.2,aws_error=0.1,aws_lost_reply=0.2"
    first = outcomes(spec)
    assert outcomes(spec) == first
    assert len(set(first)) >= 3  # faults of several kinds, and successes
    assert outcomes("seed=12,aws_throttle=0.2,aws_error=0.1,aws_lost_reply=0.2") != first


def test_delays_hold_requests_and_apply_them(faults, table):
    faults.set_faults("seed=1,aws_delay=1,aws_delay_ms=20")
    client = retrying_client(faults)
    for i in range(5):
        client.put_item(TableName=table, Item=item(f"delayed-{i}"))
    assert faults.fault_counts() == {"dynamodb:delay": 5}
    assert stored(faults, table, "delayed-4") == item("delayed-4")


def test_the_stacks_own_machinery_is_spared(faults, table):
    faults.set_faults("seed=1,aws_error=1")
    pk = "spared-" + uuid.uuid4().hex
    faults.client("dynamodb").put_item(TableName=table, Item=item(pk))  # X-Onceship-Faults: off
    assert stored(faults, table, pk) == item(pk)
    assert faults.fault_counts() == {}


def test_faults_off_cost_one_look_and_change_nothing(faults, table):
    faults.set_faults(None)
    pk = "off-" + uuid.uuid4().hex
    one_shot_client(faults).put_item(TableName=table, Item=item(pk))
    assert stored(faults, table, pk) == item(pk)
    assert faults.fault_counts() == {}


def test_the_control_refuses_a_bad_spec(faults):
    from chalicelib.local.aws_faults import FaultControl
    with pytest.raises(ValueError, match="unknown fault"):
        FaultControl(faults.aws_endpoint).configure("seed=1,nope=1")
    with pytest.raises(ValueError, match="needs a fault"):
        FaultControl(faults.aws_endpoint).configure(None, [{"fault": "explode"}])


# -- the pump ------------------------------------------------------------------------------------
@pytest.fixture
def queue(stack):
    sqs = stack.client("sqs")
    name = "fault-test-" + uuid.uuid4().hex[:8]
    dlq_url = sqs.create_queue(QueueName=name + "-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": "1",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})})["QueueUrl"]
    yield url
    stack.pump.unregister_queue(name)
    sqs.delete_queue(QueueUrl=url)
    sqs.delete_queue(QueueUrl=dlq_url)


class Handler:
    def __init__(self, hold=0.0):
        self.hold = hold
        self.lock = threading.Lock()
        self.deliveries = []
        self.running = 0
        self.most_at_once = 0

    def __call__(self, event, context):
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.deliveries += [(r["body"], r["messageId"]) for r in event["Records"]]
        time.sleep(self.hold)
        with self.lock:
            self.running -= 1
        return {"batchItemFailures": []}


def test_the_pump_delivers_every_message_twice_concurrently_or_after(faults, queue):
    faults.set_faults("seed=5,sqs_duplicate=1")
    handler = Handler(hold=0.3)
    faults.client("sqs").send_message_batch(QueueUrl=queue, Entries=[
        {"Id": str(i), "MessageBody": f"m{i}"} for i in range(6)])
    faults.pump.register_queue(queue, handler, name=queue.rsplit("/", 1)[1])
    faults.pump.drain(timeout=30)
    bodies = sorted(body for body, _ in handler.deliveries)
    assert bodies == sorted([f"m{i}" for i in range(6)] * 2)
    ids = {}
    for body, message_id in handler.deliveries:
        ids.setdefault(body, set()).add(message_id)
    assert all(len(seen) == 1 for seen in ids.values())  # the copies are the same message
    assert faults.fault_counts()["sqs:duplicate"] == 6
    assert handler.most_at_once == 2  # some copies ran at the same time as the first


def test_a_handler_that_dies_after_its_writes_gets_its_batch_back(faults, queue):
    faults.set_faults("seed=5,handler_crash_after=1")
    handler = Handler()
    faults.client("sqs").send_message(QueueUrl=queue, MessageBody="again")
    faults.pump.register_queue(queue, handler, name=queue.rsplit("/", 1)[1])
    deadline = time.monotonic() + 20
    while not handler.deliveries and time.monotonic() < deadline:
        time.sleep(0.05)
    faults.set_faults(None)  # it "died" once; the next delivery answers
    faults.pump.drain(timeout=30)
    assert [body for body, _ in handler.deliveries] == ["again", "again"]
