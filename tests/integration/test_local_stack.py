"""`make run`, as a user sees it: `python -m chalicelib.local` starts, answers, stops cleanly on
Ctrl-C / SIGTERM, and finds its tables and objects again on the next start."""
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60


class Run:
    """One `python -m chalicelib.local` process and the lines it printed."""

    def __init__(self, state_dir, extra_env=None):
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("ONCESHIP_", "AWS_"))}
        env.update(PORT="0", ONCESHIP_AWS_PORT="0", ONCESHIP_STATE_DIR=str(state_dir),
                   PYTHONUNBUFFERED="1", **(extra_env or {}))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chalicelib.local"], cwd=PROJECT_DIR, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.output: list = []
        threading.Thread(target=self._read, daemon=True).start()
        self.printed = self._wait_for("Press Ctrl-C to stop.")
        self.api_url = self._value("API")
        self.aws_endpoint = self._value("AWS endpoint")
        self.admin_token = self._value("Admin token")
        self.bucket = self._value("Bucket")
        self.table = self._value("Table")

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def _wait_for(self, marker):
        deadline = time.monotonic() + STARTUP_SECONDS
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            seen.append(line)
            if marker in line:
                return "".join(seen)
        self.process.kill()
        pytest.fail("the local stack did not start:\n" + "".join(self.output))

    def _value(self, label):
        match = re.search(rf"^\s*{label}:\s+(\S+)\s*$", self.printed, re.MULTILINE)
        assert match, f"{label} not printed:\n{self.printed}"
        return match.group(1)

    def stop(self, signum=signal.SIGINT, timeout=30):
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail("the local stack did not stop:\n" + "".join(self.output))
        return code


def _clients(run):
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    return (session.client("dynamodb", endpoint_url=run.aws_endpoint),
            session.client("s3", endpoint_url=run.aws_endpoint))


def _listening(url):
    host, port = url.split("//")[1].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return True
    except OSError:
        return False


def test_make_run_serves_stops_cleanly_and_keeps_its_state(tmp_path):
    import requests

    first = Run(tmp_path)
    try:
        assert first.api_url.startswith("http://127.0.0.1:")
        assert f"Console:      {first.api_url}/v1/console" in first.printed
        assert first.bucket == "onceship-local" and len(first.admin_token) >= 32
        health = requests.get(first.api_url + "/v1/health", timeout=10)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        dynamodb, s3 = _clients(first)
        dynamodb.put_item(TableName=first.table, Item={
            "pk": {"S": "SMOKE"}, "sk": {"S": "1"}, "blob": {"B": b"\x00\xff"}})
        s3.put_object(Bucket=first.bucket, Key="exports/smoke.txt", Body="持久".encode(),
                      ContentType="text/plain; charset=utf-8")
    finally:
        code = first.stop(signal.SIGINT)
    assert code == 0, "".join(first.output)
    assert not _listening(first.aws_endpoint) and not _listening(first.api_url)

    second = Run(tmp_path)
    try:
        assert second.admin_token == first.admin_token  # a generated token is kept
        dynamodb, s3 = _clients(second)
        item = dynamodb.get_item(TableName=second.table,
                                 Key={"pk": {"S": "SMOKE"}, "sk": {"S": "1"}})["Item"]
        assert item["blob"]["B"] == b"\x00\xff"
        body = s3.get_object(Bucket=second.bucket, Key="exports/smoke.txt")
        assert body["Body"].read().decode() == "持久"
        assert body["ContentType"] == "text/plain; charset=utf-8"
    finally:
        code = second.stop(signal.SIGTERM)
    assert code == 0, "".join(second.output)
    assert not _listening(second.aws_endpoint)


def test_the_local_aws_endpoint_answers_again_on_a_kept_connection(stack):
    """HTTP/1.1 keep-alive as AWS's endpoints: many calls on one connection, each answered in
    full (a body read to its end, nothing of the next request swallowed); a chunked body is
    answered and that connection closed."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(stack.aws_endpoint)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    headers = {"X-Amz-Target": "DynamoDB_20120810.DescribeTable", "Content-Type": "application/x-amz-json-1.0",
               "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, "
                                "SignedHeaders=host, Signature=x", "X-Onceship-Faults": "off"}
    body = ('{"TableName": "%s"}' % stack.table_name).encode()
    sockets = set()
    for _ in range(5):
        connection.request("POST", "/", body=body, headers=headers)
        answer = connection.getresponse()
        assert answer.status == 200 and stack.table_name in answer.read().decode()
        assert answer.getheader("Connection", "").lower() != "close"
        sockets.add(id(connection.sock))
    assert len(sockets) == 1   # one connection served them all
    connection.putrequest("POST", "/")
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    connection.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    answer = connection.getresponse()
    assert answer.status == 200 and stack.table_name in answer.read().decode()
    assert answer.getheader("Connection", "").lower() == "close"
    connection.close()
