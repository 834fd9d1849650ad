"""Upload jobs: intake of dropped files, the presigned PUT, and reading jobs back.

A dropped object becomes one job (the store's conditional put on an id made of bucket, key and
ETag), then a `upload.chunk` message on the jobs queue starts it (services/upload_runner.py).
If this process dies between the two, the notification is delivered again, finds the job still
`in_queue` and sends the message again; a second message for a job is harmless (the lease).
"""
import posixpath
from typing import Optional

from chalicelib import observability as obs
from chalicelib.adapters import bucket, queues
from chalicelib.domain import clock
from chalicelib.domain import uploads as rules
from chalicelib.domain.errors import NotFound
from chalicelib.store.accounts import AccountStore
from chalicelib.store.uploads import UploadStore, public

UPLOAD_URL_SECONDS = 15 * 60
READABLE = (".xlsx", ".xls", ".csv")


def intake(dropped: rules.Dropped) -> Optional[dict]:
    place = rules.place(dropped.key)
    if place is None or AccountStore().merchant(place.merchant_id) is None:
        obs.logger().warning("upload ignored: no merchant for this key", extra={"key": dropped.key})
        return None
    problem = place.problem
    if problem is None and not dropped.key.lower().endswith(READABLE):
        problem = "only .xlsx and .csv files are read"
    job_id = rules.job_id(dropped.bucket, dropped.key, dropped.etag)
    store = UploadStore(place.merchant_id)
    job, created = store.create({
        "job_id": job_id, "kind": place.kind, "key": dropped.key, "name": place.name,
        "filename": posixpath.basename(place.name), "bucket": dropped.bucket, "etag": dropped.etag,
        "size": dropped.size, "preview": place.preview, "event_time": dropped.event_time or clock.now_iso(),
        "status": rules.IN_QUEUE, "detail": None, "report_key": None})
    if created:
        obs.count("UploadJobs")
    if problem is not None:
        if job["status"] in rules.OPEN:
            from chalicelib.services import upload_runner
            upload_runner.close_unclaimed(store, job, problem)
        return job
    if job["status"] == rules.IN_QUEUE:
        start(place.merchant_id, job_id)
    return job


def start(merchant_id: str, job_id: str) -> None:
    queues.send(queues.jobs_url(), {"type": "upload.chunk", "merchant_id": merchant_id, "job_id": job_id})


def upload_url(merchant_id: str, kind: str, filename: str, preview: bool) -> dict:
    key = rules.upload_key(merchant_id, kind, filename, preview)
    return {"upload_url": bucket.presign_put(key, UPLOAD_URL_SECONDS), "key": key,
            "expires_at": clock.iso(clock.now() + UPLOAD_URL_SECONDS), "preview": preview}


def job(merchant_id: str, job_id: str) -> dict:
    found = UploadStore(merchant_id).get(job_id)
    if found is None:
        raise NotFound(f"no upload job {job_id}")
    return public(found)


def report_url(merchant_id: str, job_id: str) -> dict:
    """A presigned GET of the job's report, named after the uploaded file (a console extension)."""
    found = job(merchant_id, job_id)
    if not found.get("report_key"):
        raise NotFound(f"upload job {job_id} has no report yet")
    name = posixpath.basename(found["report_key"])
    return {"job_id": job_id, "report_key": found["report_key"],
            "download_url": bucket.presign_get(found["report_key"], UPLOAD_URL_SECONDS, name),
            "expires_at": clock.iso(clock.now() + UPLOAD_URL_SECONDS)}


def jobs(merchant_id: str, limit: int, start_key: Optional[dict]) -> tuple:
    items, last = UploadStore(merchant_id).page(limit, start_key)
    return [public(i) for i in items], last
