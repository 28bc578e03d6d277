"""One way to build an S3 client for the configured S3-compatible provider."""

from typing import Any

import boto3
from botocore.config import Config
from django.conf import settings


def s3_client(*, timeout_s: float = 10, attempts: int = 3) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=settings.S3_ENDPOINT_URL,
        aws_access_key_id=settings.S3_ACCESS_KEY_ID,
        aws_secret_access_key=settings.S3_SECRET_ACCESS_KEY,
        region_name=settings.S3_REGION,
        config=Config(
            connect_timeout=timeout_s,
            read_timeout=timeout_s,
            retries={"max_attempts": attempts},
            # Providers other than AWS reject the newer default checksum headers.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": "path"},
        ),
    )


def ensure_bucket(name: str) -> None:
    """Create the bucket if missing (local S3 server and first deployment)."""
    client = s3_client()
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if name not in existing:
        client.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": settings.S3_REGION}
        )
