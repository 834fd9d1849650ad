"""Local state that survives a restart: table items, bucket objects, the generated secrets.

Layout of the state directory (`.local-state/`, or ONCESHIP_STATE_DIR):

    admin_token, secret_key          generated once when not given by the environment
    dynamodb/<LogicalId>.json        every item, in DynamoDB JSON (binary as {"$b64": ...})
    s3/<LogicalId>/manifest.json     key -> object file, ETag, content type, metadata
    s3/<LogicalId>/objects/<file>    object bodies

Every file is written to a temporary name and renamed, so a crash leaves the previous snapshot.
Snapshots are taken through the AWS API, so they see exactly what the app sees. SQS messages are
not kept. Items whose TTL passed are dropped on restore, and removed from the live table an hour
after expiry (AWS deletes expired items lazily too; code must not read them as live).
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from chalicelib.local.bootstrap import ClientFactory, Resources

log = logging.getLogger(__name__)

TTL_GRACE_SECONDS = 3600


def default_state_dir() -> Path:
    from chalicelib.local.template import PROJECT_DIR

    return Path(os.environ.get("ONCESHIP_STATE_DIR") or PROJECT_DIR / ".local-state")


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def kept_secret(state_dir: Path, filename: str, given: str | None) -> str:
    """`given` when set; else the value saved in the state dir; else a new one, saved."""
    if given:
        return given
    path = state_dir / filename
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    value = secrets.token_urlsafe(32) if filename == "admin_token" else \
        base64.urlsafe_b64encode(os.urandom(32)).decode()
    write_atomically(path, value.encode())
    os.chmod(path, 0o600)
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


class Snapshots:
    """Save and restore the tables and buckets of `resources` under `state_dir`."""

    def __init__(self, client: ClientFactory, resources: Resources, state_dir: Path):
        self.client = client
        self.resources = resources
        self.state_dir = Path(state_dir)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- saving ---------------------------------------------------------------------------
    def save(self) -> None:
        with self._lock:
            for logical_id, table in self.resources.tables.items():
                self._save_table(logical_id, table)
            for logical_id, bucket in self.resources.buckets.items():
                self._save_bucket(logical_id, bucket)

    def _ttl_attribute(self, logical_id: str) -> str | None:
        return self.resources.physical[logical_id].get("TtlAttribute")

    def _save_table(self, logical_id: str, table: str) -> None:
        dynamodb = self.client("dynamodb")
        ttl_attribute = self._ttl_attribute(logical_id)
        key_names = [k["AttributeName"] for k in
                     dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]
        items, expired = [], []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                if _expired(item, ttl_attribute, TTL_GRACE_SECONDS):
                    expired.append({name: item[name] for name in key_names})
                else:
                    items.append(item)
        for key in expired:
            dynamodb.delete_item(TableName=table, Key=key)
        body = json.dumps({"table": table, "items": _encode(items)}, ensure_ascii=False)
        write_atomically(self.state_dir / "dynamodb" / f"{logical_id}.json", body.encode())

    def _save_bucket(self, logical_id: str, bucket: str) -> None:
        s3 = self.client("s3")
        folder = self.state_dir / "s3" / logical_id
        old = self._manifest(folder)
        objects = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for summary in page.get("Contents", []):
                key, etag = summary["Key"], summary["ETag"].strip('"')
                known = old.get(key)
                if known and known["etag"] == etag and (folder / "objects" / known["file"]).exists():
                    objects[key] = known
                    continue
                response = s3.get_object(Bucket=bucket, Key=key)
                body = response["Body"].read()
                name = f"{hashlib.sha256(key.encode()).hexdigest()[:32]}-{etag.replace('-', '_')}"
                write_atomically(folder / "objects" / name, body)
                objects[key] = {"file": name, "etag": etag,
                                "content_type": response.get("ContentType"),
                                "metadata": response.get("Metadata", {})}
        manifest = json.dumps({"bucket": bucket, "objects": objects}, ensure_ascii=False, indent=1)
        write_atomically(folder / "manifest.json", manifest.encode())
        referenced = {entry["file"] for entry in objects.values()}
        for path in (folder / "objects").glob("*"):
            if path.name not in referenced and not path.name.startswith("."):
                path.unlink(missing_ok=True)

    @staticmethod
    def _manifest(folder: Path) -> dict:
        try:
            return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["objects"]
        except (OSError, ValueError, KeyError):
            return {}

    # -- restoring ------------------------------------------------------------------------
    def restore(self) -> dict[str, int]:
        """Put saved items and objects back; answers counts by logical id."""
        counts = {}
        with self._lock:
            for logical_id, table in self.resources.tables.items():
                counts[logical_id] = self._restore_table(logical_id, table)
            for logical_id, bucket in self.resources.buckets.items():
                counts[logical_id] = self._restore_bucket(logical_id, bucket)
        return counts

    def _restore_table(self, logical_id: str, table: str) -> int:
        path = self.state_dir / "dynamodb" / f"{logical_id}.json"
        if not path.exists():
            return 0
        ttl_attribute = self._ttl_attribute(logical_id)
        items = [item for item in _decode(json.loads(path.read_text(encoding="utf-8"))["items"])
                 if not _expired(item, ttl_attribute, 0)]
        dynamodb = self.client("dynamodb")
        for start in range(0, len(items), 25):
            requests = {table: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
            while requests:
                requests = dynamodb.batch_write_item(RequestItems=requests).get(
                    "UnprocessedItems") or {}
        return len(items)

    def _restore_bucket(self, logical_id: str, bucket: str) -> int:
        folder = self.state_dir / "s3" / logical_id
        s3 = self.client("s3")
        objects = self._manifest(folder)
        for key, entry in objects.items():
            extra = {"ContentType": entry["content_type"]} if entry.get("content_type") else {}
            s3.put_object(Bucket=bucket, Key=key, Body=(folder / "objects" / entry["file"])
                          .read_bytes(), Metadata=entry.get("metadata") or {}, **extra)
        return len(objects)

    # -- periodically ---------------------------------------------------------------------
    def start_periodic(self, interval: float) -> None:
        if interval <= 0:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(interval,),
                                        name="onceship-snapshots", daemon=True)
        self._thread.start()

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.save()
            except Exception:  # noqa: BLE001 - keep saving next time
                log.exception("local stack: periodic snapshot failed")

    def stop_periodic(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _expired(item: dict, ttl_attribute: str | None, grace: float) -> bool:
    if not ttl_attribute or "N" not in item.get(ttl_attribute, {}):
        return False
    try:
        return float(item[ttl_attribute]["N"]) + grace < time.time()
    except ValueError:
        return False
