"""The bucket: presigned URLs, downloads pinned to an ETag, uploads of local files."""
import os
from typing import Optional

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings


class ObjectChanged(Exception):
    """The object is gone, or no longer the version (ETag) the job was made for."""


def _s3():
    return aws.client("s3")


def name() -> str:
    return settings().bucket


def presign_put(key: str, expires_in: int) -> str:
    return _s3().generate_presigned_url("put_object", Params={"Bucket": name(), "Key": key},
                                        ExpiresIn=expires_in, HttpMethod="PUT")


def presign_get(key: str, expires_in: int, filename: Optional[str] = None) -> str:
    params = {"Bucket": name(), "Key": key}
    if filename:
        params["ResponseContentDisposition"] = attachment(filename)
    return _s3().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def attachment(filename: str) -> str:
    """Content-Disposition of a download named `filename`: an ASCII fallback and, for any other
    name, its UTF-8 form (RFC 6266 / 5987), so 库存.csv.result.xlsx arrives under its own name."""
    from urllib.parse import quote
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "download"
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class TooLarge(Exception):
    """The object is bigger than the caller reads; `size` is its size, or what was read of it."""

    def __init__(self, size: int):
        super().__init__(f"{size} bytes")
        self.size = size


def _changed(err: ClientError, key: str) -> None:
    code = err.response.get("Error", {}).get("Code", "")
    if code in ("PreconditionFailed", "NoSuchKey", "NotFound", "404", "412"):
        raise ObjectChanged(f"{key} is gone or was replaced ({code})")


def size(bucket: str, key: str, etag: str) -> int:
    """The object's size from its metadata (nothing downloaded), if it still has `etag`."""
    try:
        return int(_s3().head_object(Bucket=bucket, Key=key, IfMatch=f'"{etag}"')["ContentLength"])
    except ClientError as err:
        _changed(err, key)
        raise


def download(bucket: str, key: str, etag: str, path: str, limit: Optional[int] = None) -> None:
    """Write the object to `path`, only if it still has `etag`; ObjectChanged else. With `limit`,
    TooLarge as soon as more than `limit` bytes came (and nothing is left at `path`)."""
    try:
        answer = _s3().get_object(Bucket=bucket, Key=key, IfMatch=f'"{etag}"')
    except ClientError as err:
        _changed(err, key)
        raise
    partial, written = path + ".part", 0
    try:
        with open(partial, "wb") as handle:
            for block in answer["Body"].iter_chunks(1 << 20):
                written += len(block)
                if limit is not None and written > limit:
                    raise TooLarge(written)
                handle.write(block)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def put_file(key: str, path: str, content_type: str) -> None:
    with open(path, "rb") as handle:
        _s3().put_object(Bucket=name(), Key=key, Body=handle, ContentType=content_type)


def put_bytes(key: str, data: bytes, content_type: str) -> None:
    _s3().put_object(Bucket=name(), Key=key, Body=data, ContentType=content_type)


def get_bytes(key: str) -> bytes:
    return _s3().get_object(Bucket=name(), Key=key)["Body"].read()
