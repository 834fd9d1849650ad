"""What the latest poll of a merchant's ERP knew about its stock records, kept in S3.

`{"v": 1, "taken_at": epoch, "records": {erp_product_id: [rev, on_hand, lots_digest]}}`, gzipped
JSON at `internal/erp-poll/<merchant_id>.json.gz`. It is a cache: a poll merges into it every
record written since `taken_at` (one index query) instead of reading all of them, and every write
it does is still conditioned on the revision, so a stale or lost snapshot costs a full read at
worst, never a wrong write.
"""
import gzip
import json
from typing import Optional

from chalicelib import aws
from chalicelib.config import settings

VERSION = 1


def key(merchant_id: str) -> str:
    return f"internal/erp-poll/{merchant_id}.json.gz"


def load(merchant_id: str) -> Optional[dict]:
    from botocore.exceptions import ClientError
    try:
        body = aws.client("s3").get_object(Bucket=settings().bucket, Key=key(merchant_id))["Body"].read()
        data = json.loads(gzip.decompress(body))
    except ClientError as err:
        if err.response["Error"]["Code"] in ("NoSuchKey", "404"):
            return None
        raise
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("v") == VERSION else None


def save(merchant_id: str, taken_at: float, records: dict) -> None:
    body = gzip.compress(json.dumps({"v": VERSION, "taken_at": taken_at, "records": records},
                                    separators=(",", ":")).encode(), compresslevel=6)
    aws.client("s3").put_object(Bucket=settings().bucket, Key=key(merchant_id), Body=body,
                                ContentType="application/json", ContentEncoding="gzip")


def forget(merchant_id: str) -> None:
    aws.client("s3").delete_object(Bucket=settings().bucket, Key=key(merchant_id))
