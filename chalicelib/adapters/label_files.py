"""Label PDFs in the bucket: written once, handed out as presigned GETs valid 15 minutes."""
from chalicelib import aws
from chalicelib.config import settings

URL_SECONDS = 15 * 60


def batch_key(merchant_id: str, batch_id: str) -> str:
    return f"labels/{merchant_id}/batches/{batch_id}.pdf"


def reprint_key(merchant_id: str, order_id: str, print_number: int) -> str:
    return f"labels/{merchant_id}/reprints/{order_id}-{print_number}.pdf"


def store(key: str, pdf: bytes) -> None:
    aws.client("s3").put_object(Bucket=settings().bucket, Key=key, Body=pdf, ContentType="application/pdf")


def download_url(key: str) -> str:
    return aws.client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": settings().bucket, "Key": key}, ExpiresIn=URL_SECONDS)
