"""Where evidence files are kept when EVIDENCE_STORE=s3: an S3-compatible object store
(MinIO, SeaweedFS, Ceph RGW, a cloud's OSS/COS in S3 mode), through boto3.

The default (EVIDENCE_STORE=postgres) keeps each file in its evidence row, so backups and
the replica carry it; nothing here is used then. With the object store the row keeps the
object's key, and a download link streams the object through this service (see
resolvers/downloads.py for why it does not redirect to a presigned URL).

boto3 is synchronous: each call runs in a worker thread. Any failure of the store (down,
refused credentials, a missing bucket, a timeout) is SERVICE_UNAVAILABLE with reason
STORE_UNAVAILABLE, and the caller's transaction writes nothing."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from authz import errors
from authz.errors import NotFound, Unavailable

if TYPE_CHECKING:
    from app.settings import Settings

log = logging.getLogger(__name__)
CHUNK = 256 * 1024  # bytes read from the store per step of a streamed download


def enabled(settings: Settings) -> bool:
    return settings.evidence_store == "s3"


def new_key(org_id: int, suffix: str) -> str:
    """A fresh key per file: never reused, so a removed file cannot reappear under it."""
    return f"evidence/{org_id}/{uuid.uuid4().hex}{suffix}"


@dataclass(frozen=True)
class Opened:
    """An object being read: its length and its content, chunk by chunk (blocking)."""

    size: int
    chunks: Iterator[bytes]


async def put(settings: Settings, key: str, data: bytes, content_type: str) -> None:
    await _call(
        settings,
        "put_object",
        Bucket=settings.s3_bucket,
        Key=key,
        Body=data,
        ContentType=content_type,
    )


async def delete(settings: Settings, key: str) -> None:
    await _call(settings, "delete_object", Bucket=settings.s3_bucket, Key=key)


async def open_object(settings: Settings, key: str) -> Opened:
    """NOT_FOUND if the object is no longer there (its evidence was removed after the link
    was offered)."""
    answer = await _call(settings, "get_object", Bucket=settings.s3_bucket, Key=key)
    body = answer["Body"]
    return Opened(int(answer["ContentLength"]), body.iter_chunks(CHUNK))


async def _call(settings: Settings, operation: str, **kwargs: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    client = _client(*_client_settings(settings))
    try:
        return await asyncio.to_thread(getattr(client, operation), **kwargs)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "404") and operation == "get_object":
            raise NotFound("该文件已被删除") from None
        log.warning("object store refused %s: %s", operation, code or exc)
        raise _unavailable() from None
    except BotoCoreError as exc:
        log.warning("object store unreachable on %s: %s", operation, exc)
        raise _unavailable() from None


def _unavailable() -> Unavailable:
    return Unavailable("文件存储暂时不可用，请稍后再试", reason=errors.STORE_UNAVAILABLE)


def _client_settings(settings: Settings) -> tuple[str | None, str | None, str, str, float]:
    secret = settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else None
    return (
        settings.s3_endpoint,
        settings.s3_access_key,
        secret or "",
        settings.s3_region,
        settings.s3_timeout_seconds,
    )


@lru_cache(maxsize=8)
def _client(
    endpoint: str | None, access_key: str | None, secret_key: str, region: str, timeout: float
) -> Any:
    """One client per configuration (boto3's clients are thread-safe). Path-style
    addressing: self-hosted stores seldom have a DNS name per bucket."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key or None,
        region_name=region,
        config=Config(
            s3={"addressing_style": "path"},
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )
