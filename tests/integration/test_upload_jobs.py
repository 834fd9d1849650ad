"""Upload jobs through the live stack: S3 notification → uploads queue → job → jobs queue chunks
→ report. The kind's service is replaced by a recorder here, so that these tests check the job
machinery itself (dedupe, preview, fatal header, chunks, crash and resume, hand-off); the kinds
themselves are tested through their real services in test_upload_kinds.py."""
import io
import json
import threading
import uuid
from typing import Optional

import pytest
import requests
from pydantic import Field

from chalicelib.services.batch import error, ok
from chalicelib.api.models import Id, Strict
from chalicelib.services import sheet_targets, upload_runner
from chalicelib.services.sheet_apply import Target
from tests import helpers, sheets
from tests.webhook_receiver import WebhookReceiver


class FakeStock(Strict):
    erp_product_id: Id
    on_hand: int = Field(ge=0)
    compare_on_hand: Optional[int] = None


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = []
        self.stock = {}

    def target(self) -> Target:
        def call(merchant_id, parsed):
            out = []
            with self.lock:
                for key, item, _ in parsed:
                    self.calls.append((merchant_id, key, item.on_hand))
                    if item.erp_product_id.startswith("BOOM"):
                        raise RuntimeError("a bug in the service")
                    if item.erp_product_id.startswith("BAD"):
                        out.append(error(key, "not_found", "no such product"))
                    elif item.erp_product_id.startswith("SKIP"):
                        out.append({"key": key, "status": "skipped", "code": "sync_off", "detail": "off"})
                    else:
                        self.stock[(merchant_id, key)] = item.on_hand
                        out.append(ok(key, on_hand=item.on_hand))
            return out
        return Target(FakeStock.model_validate, call)


@pytest.fixture
def recorder(monkeypatch):
    rec = Recorder()
    monkeypatch.setitem(sheet_targets._BUILDERS, "inventory", rec.target)
    return rec


@pytest.fixture(scope="module")
def merchant(stack):
    return helpers.new_merchant(stack, "uploads machinery")


def xlsx(rows) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def drop(stack, key: str, body: bytes) -> dict:
    answer = stack.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=body)
    stack.pump.drain(timeout=60)
    return answer


def jobs(merchant) -> list:
    answer = merchant.client.get("/v1/uploads?limit=100")
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def job_for(merchant, key: str) -> dict:
    found = [j for j in jobs(merchant) if j["key"] == key]
    assert len(found) == 1, found
    return found[0]


def report(stack, key: str) -> list:
    from python_calamine import CalamineWorkbook
    data = stack.client("s3").get_object(Bucket=stack.bucket, Key=key)["Body"].read()
    return [list(r) for r in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows()]


def name() -> str:
    return uuid.uuid4().hex[:8]


def test_presigned_put_becomes_a_job_with_a_report(stack, merchant, recorder):
    made = merchant.client.post("/v1/uploads", {"kind": "inventory", "filename": f"库存 {name()}.xlsx"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["key"].startswith(f"uploads/{merchant.merchant_id}/inventory/库存 ")
    assert body["expires_at"].endswith("Z")
    put = requests.put(body["upload_url"], data=xlsx([["商品编码", "库存数量"], ["0017", 5], ["A2", "7"]]), timeout=30)
    assert put.status_code == 200, put.text
    stack.pump.drain(timeout=60)
    job = job_for(merchant, body["key"])
    assert job["status"] == "done", job
    assert (job["rows"], job["ok"], job["skipped"], job["errors"]) == (2, 2, 0, 0)
    assert job["report_key"] == f"reports/{merchant.merchant_id}/inventory/{body['key'].rsplit('/', 1)[1]}.result.xlsx"
    assert merchant.client.get(f"/v1/uploads/{job['job_id']}").json() == job
    assert report(stack, job["report_key"]) == [["商品编码", "库存数量", "outcome", "message"],
                                                ["0017", "5", "ok", "on_hand: 5"], ["A2", "7", "ok", "on_hand: 7"]]
    assert recorder.stock[(merchant.merchant_id, "0017")] == 5


def test_the_same_object_notified_twice_is_one_job_applied_once(stack, merchant, recorder):
    key = f"uploads/{merchant.merchant_id}/inventory/twice-{name()}.csv"
    body = "商品编码,库存数量\nT1,3\n".encode("utf-8")
    put = drop(stack, key, body)
    drop(stack, key, body)                       # same bytes again: same ETag
    etag = put["ETag"].strip('"')
    notification = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                 "eventTime": "2024-01-05T00:00:00.000Z",
                                 "s3": {"bucket": {"name": stack.bucket},
                                        "object": {"key": key.replace(" ", "+"), "eTag": etag, "size": len(body)}}}]}
    stack.client("sqs").send_message(QueueUrl=stack.queue_urls["UploadsQueue"], MessageBody=json.dumps(notification))
    stack.pump.drain(timeout=60)
    found = [j for j in jobs(merchant) if j["key"] == key]
    assert len(found) == 1 and found[0]["status"] == "done" and found[0]["rows"] == 1
    assert [c for c in recorder.calls if c[1] == "T1"] == [(merchant.merchant_id, "T1", 3)]


def test_a_changed_file_at_the_same_key_is_a_new_job(stack, merchant, recorder):
    key = f"uploads/{merchant.merchant_id}/inventory/again-{name()}.csv"
    drop(stack, key, "商品编码,库存数量\nC1,1\n".encode())
    drop(stack, key, "商品编码,库存数量\nC1,2\n".encode())
    found = [j for j in jobs(merchant) if j["key"] == key]
    assert len(found) == 2 and {j["status"] for j in found} == {"done"}
    assert recorder.stock[(merchant.merchant_id, "C1")] == 2
    assert found[0]["created_at"] >= found[1]["created_at"]        # newest first


def test_test_events_are_dropped_and_encoded_keys_decoded(stack, merchant, recorder):
    sqs = stack.client("sqs")
    sqs.send_message(QueueUrl=stack.queue_urls["UploadsQueue"],
                     MessageBody=json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent",
                                             "Time": "2024-01-05T00:00:00Z", "Bucket": stack.bucket}))
    key = f"uploads/{merchant.merchant_id}/inventory/中文 名字 {name()}+plus.csv"
    drop(stack, key, "商品编码,库存数量\nE1,1\n".encode())
    assert job_for(merchant, key)["status"] == "done"
    dlq = sqs.get_queue_attributes(QueueUrl=stack.queue_urls["UploadsDLQ"],
                                   AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert dlq["ApproximateNumberOfMessages"] == "0"


def test_preview_is_validated_and_reported_not_applied(stack, merchant, recorder):
    key = f"uploads/{merchant.merchant_id}/inventory/preview/p-{name()}.csv"
    drop(stack, key, "商品编码,库存数量\nP1,4\nP2,-1\nP3,x\n".encode())
    job = job_for(merchant, key)
    assert job["preview"] is True and job["status"] == "done"
    assert (job["rows"], job["ok"], job["errors"]) == (3, 1, 2)
    assert job["report_key"].endswith(f"/inventory/preview/{key.rsplit('/', 1)[1]}.result.xlsx")
    lines = report(stack, job["report_key"])
    assert lines[1][2:] == ["ok", "valid (preview: not applied)"]
    assert lines[2][2] == "error" and "greater than or equal to 0" in lines[2][3]
    assert lines[3][2] == "error" and "not a whole number" in lines[3][3]
    assert not [c for c in recorder.calls if c[1] in ("P1", "P2", "P3")]


def test_unknown_or_missing_columns_are_fatal_and_nothing_is_applied(stack, merchant, recorder):
    key = f"uploads/{merchant.merchant_id}/inventory/bad-{name()}.csv"
    drop(stack, key, "商品编码,数量呀\nF1,1\n".encode())
    job = job_for(merchant, key)
    assert job["status"] == "fatal" and job["rows"] == 0 and job["report_key"] is None
    assert "unknown column '数量呀'" in job["detail"] and "missing required column 库存数量 (on_hand)" in job["detail"]
    assert not [c for c in recorder.calls if c[1] == "F1"]


def test_unknown_kind_and_other_files_are_fatal_jobs(stack, merchant):
    key = f"uploads/{merchant.merchant_id}/stocks/x-{name()}.csv"
    drop(stack, key, b"a,b\n")
    assert job_for(merchant, key)["status"] == "fatal"
    key = f"uploads/{merchant.merchant_id}/inventory/x-{name()}.txt"
    drop(stack, key, b"a,b\n")
    assert job_for(merchant, key)["detail"] == "only .xlsx and .csv files are read"


def test_mixed_good_and_bad_rows(stack, merchant, recorder):
    key = f"uploads/{merchant.merchant_id}/inventory/mixed-{name()}.xlsx"
    drop(stack, key, xlsx([["库存数量", "商品编码"], [1, "M1"], [2, "BAD1"], [3, "SKIP1"], ["", "M2"],
                           [None, None], [4, "M3"], [5, "M1"]]))
    job = job_for(merchant, key)
    assert (job["rows"], job["ok"], job["skipped"], job["errors"]) == (6, 3, 1, 2)
    lines = report(stack, job["report_key"])
    assert [line[2] for line in lines[1:]] == ["ok", "error", "skipped", "error", "ok", "ok"]
    assert lines[2][3] == "not_found: no such product" and lines[3][3] == "sync_off: off"
    assert "库存数量 (on_hand) is empty" in lines[4][3]
    assert recorder.stock[(merchant.merchant_id, "M1")] == 5          # in file order, the later row last


def test_chunks_hand_off_and_resume_after_a_crash(stack, merchant, recorder, monkeypatch):
    monkeypatch.setenv("ONCESHIP_UPLOAD_CHUNK_ROWS", "4")
    crashed = sheets.crash_once(monkeypatch, upload_runner, "crash_after_rows", at=8)     # rows 9-12
    monkeypatch.setattr(upload_runner.Run, "left", lambda self: 0.0)   # no time: one chunk per message
    key = f"uploads/{merchant.merchant_id}/inventory/big-{name()}.csv"
    rows = "".join(f"R{i:03d},{i}\n" for i in range(1, 19))
    drop(stack, key, ("商品编码,库存数量\n" + rows).encode())
    job = job_for(merchant, key)
    assert crashed == [8]
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", 18, 18, 0)
    lines = report(stack, job["report_key"])
    assert [line[0] for line in lines[1:]] == [f"R{i:03d}" for i in range(1, 19)]
    applied = [c[1] for c in recorder.calls if c[1].startswith("R") and c[0] == merchant.merchant_id]
    # the crashed chunk (rows 9-12) was handed to the service again from its first row, because this
    # fake service writes no receipts (real services do: test_upload_resume.py); no other row was
    assert sorted(applied) == sorted([f"R{i:03d}" for i in range(1, 19)] + [f"R{i:03d}" for i in range(9, 13)])
    assert all(recorder.stock[(merchant.merchant_id, f"R{i:03d}")] == i for i in range(1, 19))


def test_jobs_are_the_merchants_own(stack, merchant, recorder):
    key = f"uploads/{merchant.merchant_id}/inventory/own-{name()}.csv"
    drop(stack, key, "商品编码,库存数量\nO1,1\n".encode())
    job = job_for(merchant, key)
    other = helpers.new_merchant(stack, "someone else")
    assert other.client.get(f"/v1/uploads/{job['job_id']}").status_code == 404
    assert all(j["key"] != key for j in jobs(other))


def test_upload_requests_are_checked(stack, merchant):
    helpers.assert_problem(merchant.client.post("/v1/uploads", {"kind": "stock", "filename": "a.xlsx"}), 422,
                           "validation_error")
    helpers.assert_problem(merchant.client.post("/v1/uploads", {"kind": "prices", "filename": "a/b.xlsx"}), 422,
                           "validation_error")
    helpers.assert_problem(merchant.client.post("/v1/uploads", {"kind": "prices", "filename": "a.pdf"}), 422,
                           "validation_error")
    made = merchant.client.post("/v1/uploads", {"kind": "prices", "filename": "a.csv", "preview": True})
    assert made.json()["key"] == f"uploads/{merchant.merchant_id}/prices/preview/a.csv"
    helpers.assert_problem(merchant.client.get("/v1/uploads/up_nothing"), 404, "not_found")


def test_upload_finished_is_a_signed_webhook_event(stack, merchant, recorder):
    with WebhookReceiver() as hook:
        answer = merchant.client.put("/v1/webhook-endpoint", {"url": hook.url, "events": ["upload.finished"]})
        assert answer.status_code == 200, answer.text
        secret = answer.json()["signing_secret"]
        key = f"uploads/{merchant.merchant_id}/inventory/hook-{name()}.csv"
        drop(stack, key, "商品编码,库存数量\nW1,1\nBAD2,1\n".encode())
        bad = f"uploads/{merchant.merchant_id}/inventory/hook-bad-{name()}.csv"
        drop(stack, bad, "nothing,here\n".encode())
        hook.wait_for(2, between=lambda: stack.pump.drain(timeout=30))
    calls, url = hook.calls, hook.url
    events = {}
    for headers, body in calls:
        assert hook.signed_by(secret, headers, body) and headers["X-Onceship-Event"] == "upload.finished"
        event = json.loads(body)
        events[event["data"]["key"]] = event["data"]
    assert events[key]["status"] == "done" and (events[key]["ok"], events[key]["errors"]) == (1, 1)
    assert events[key] == job_for(merchant, key)
    assert events[bad]["status"] == "fatal" and "unknown column" in events[bad]["detail"]
    merchant.client.put("/v1/webhook-endpoint", {"url": url, "events": ["order.paid"]})


def test_a_row_that_keeps_crashing_is_reported_and_the_file_finishes(stack, merchant, recorder):
    key = f"uploads/{merchant.merchant_id}/inventory/poison-{name()}.csv"
    drop(stack, key, "商品编码,库存数量\nK1,1\nBOOM1,2\nK2,3\n".encode())
    job = job_for(merchant, key)
    assert (job["status"], job["ok"], job["errors"]) == ("done", 2, 1), job
    lines = report(stack, job["report_key"])
    assert lines[2][2:] == ["error", "internal_error: RuntimeError; this row was not applied"]
    assert recorder.stock[(merchant.merchant_id, "K2")] == 3


def _preview_rows(count: int) -> bytes:
    """A preview file of good and bad rows (a bad one every seventh)."""
    lines = [f"V{i:03d},{-i if i % 7 == 3 else i}" for i in range(1, count + 1)]
    return ("商品编码,库存数量\n" + "\n".join(lines) + "\n").encode()


def _stored_outcomes(merchant, job) -> list:
    from chalicelib.store.uploads import UploadStore
    return list(UploadStore(merchant.merchant_id).outcomes(job["job_id"]))


def _claims(merchant, job) -> int:
    from chalicelib.store.uploads import UploadStore
    return int(UploadStore(merchant.merchant_id).get(job["job_id"])["claims"])


def test_a_preview_reads_its_file_once_and_reports_as_the_checkpointed_path(stack, merchant, recorder, monkeypatch):
    from chalicelib.adapters import sheet_files
    monkeypatch.setenv("ONCESHIP_UPLOAD_CHUNK_ROWS", "2")          # preview chunks of 20 rows
    opened = []
    real_rows = sheet_files.SheetFile.rows
    monkeypatch.setattr(sheet_files.SheetFile, "rows", lambda self: opened.append(self.path) or real_rows(self))
    body = _preview_rows(45)
    one_pass = f"uploads/{merchant.merchant_id}/inventory/preview/once-{name()}.csv"
    drop(stack, one_pass, body)
    fast = job_for(merchant, one_pass)
    assert len(opened) == 2          # the survey of the CSV, then the one pass (no read for the report)
    monkeypatch.setattr(upload_runner.Run, "_in_one_pass", lambda self: False)
    checkpointed = f"uploads/{merchant.merchant_id}/inventory/preview/chunks-{name()}.csv"
    drop(stack, checkpointed, body)
    slow = job_for(merchant, checkpointed)
    assert (fast["status"], fast["rows"], fast["ok"], fast["errors"]) == ("done", 45, 38, 7)
    assert [fast[k] for k in ("rows", "ok", "skipped", "errors", "detail")] == \
           [slow[k] for k in ("rows", "ok", "skipped", "errors", "detail")]
    assert report(stack, fast["report_key"]) == report(stack, slow["report_key"])
    assert len(report(stack, fast["report_key"])) == 46
    assert _stored_outcomes(merchant, fast) == [] and len(_stored_outcomes(merchant, slow)) == 45
    assert not [c for c in recorder.calls if c[1].startswith("V")]


def test_a_preview_whose_invocation_dies_mid_file_reports_every_row_once(stack, merchant, recorder, monkeypatch):
    monkeypatch.setenv("ONCESHIP_UPLOAD_CHUNK_ROWS", "1")          # preview chunks of 10 rows
    crashed = sheets.crash_once(monkeypatch, upload_runner, "crash_after_rows", at=10)
    key = f"uploads/{merchant.merchant_id}/inventory/preview/dies-{name()}.csv"
    drop(stack, key, _preview_rows(35))
    job = job_for(merchant, key)
    assert crashed == [10]
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", 35, 30, 5)
    lines = report(stack, job["report_key"])
    assert [line[0] for line in lines[1:]] == [f"V{i:03d}" for i in range(1, 36)]
    assert [line[2] for line in lines[1:]] == ["error" if i % 7 == 3 else "ok" for i in range(1, 36)]
    # the redelivered message claimed the job again and took the checkpointed path from row 0
    assert _claims(merchant, job) == 2 and len(_stored_outcomes(merchant, job)) == 35


def test_a_preview_out_of_time_in_its_one_pass_hands_off_and_completes(stack, merchant, recorder, monkeypatch):
    monkeypatch.setenv("ONCESHIP_UPLOAD_CHUNK_ROWS", "1")          # preview chunks of 10 rows
    monkeypatch.setattr(upload_runner.Run, "left", lambda self: 0.0)   # no time: one chunk per message
    key = f"uploads/{merchant.merchant_id}/inventory/preview/hands-{name()}.csv"
    drop(stack, key, _preview_rows(35))
    job = job_for(merchant, key)
    assert (job["status"], job["rows"], job["ok"], job["errors"]) == ("done", 35, 30, 5)
    lines = report(stack, job["report_key"])
    assert [line[0] for line in lines[1:]] == [f"V{i:03d}" for i in range(1, 36)]
    assert lines[1][2:] == ["ok", "valid (preview: not applied)"]
    assert lines[3][2] == "error" and "greater than or equal to 0" in lines[3][3]
    assert _claims(merchant, job) == 5      # the one pass (its chunk), three chunks, the report: one message each
    assert len(_stored_outcomes(merchant, job)) == 35
