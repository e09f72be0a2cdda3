"""Short-lived, single-use download links for exports and evidence (GET /files/<token>).

An export keeps its file in PostgreSQL and answers a link besides the base64 content: a
token signed with the server's secret (so a guessed or altered link is refused before any
lookup) naming the row, which says until when it works and whether it was used. Offering
and fetching are both in the audit log.

A file kept in the object store (EVIDENCE_STORE=s3) is not copied: the row names its key
and the link streams it from the store through this service. Not a redirect to a
presigned URL, because such a URL works any number of times until it expires and cannot
be revoked (the link here works once), its fetch would not be audited, and the store
would have to be reachable from every browser (it usually sits beside the database)."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

import jwt
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from authz import errors, require_user
from authz.errors import Gone, NotFound
from models import Download
from resolvers import objectstore
from resolvers.base import Ctx, audit_row

if TYPE_CHECKING:
    from app.settings import Settings

AUDIENCE = "youthlink:download"  # a download token is never an access token, nor the reverse
PREFIX = "/files/"
CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
}


@dataclass(frozen=True)
class Link:
    url: str  # relative to the API's origin
    expires_at: datetime


@dataclass(frozen=True)
class Offered:
    """A file to offer: its name, its bytes, and the org whose auditors see the offer. A
    file of the object store is offered by its key and size instead of its bytes (it is
    not copied)."""

    filename: str
    content: bytes | None
    org_path: str | None
    store_key: str | None = None
    size: int = 0


async def offer(ctx: Ctx, filename: str, content_base64: str, org_path: str | None) -> Link:
    """Keeps the file and signs a link to it (see `offer_many`)."""
    file = Offered(filename, base64.b64decode(content_base64), org_path)
    return (await offer_many(ctx, [file]))[0]


async def offer_many(ctx: Ctx, files: Sequence[Offered]) -> list[Link]:
    """Keeps the files and signs a link to each, in the order given. One transaction,
    committed at once, apart from the request: exports are queries, whose transaction is
    rolled back; the rows and their audit entries go in one INSERT each."""
    user_id = require_user(ctx.principal)
    expires = datetime.now(UTC) + timedelta(seconds=ctx.settings.download_ttl_seconds)
    rows = [
        Download(
            user_id=user_id,
            filename=f.filename,
            content_type=CONTENT_TYPES.get(
                PurePosixPath(f.filename).suffix.lower(), "application/octet-stream"
            ),
            content=f.content,
            store_key=f.store_key,
            size=len(f.content) if f.content is not None else f.size,
            org_path=f.org_path or ctx.principal.cadre_org_path,
            expires_at=expires,
        )
        for f in files
    ]
    if not rows:
        return []
    async with ctx.independent() as session:
        session.add_all(rows)
        await session.flush()
        session.add_all(
            audit_row(
                action="download.offer",
                entity_type="Download",
                entity_id=row.id,
                org_path=row.org_path,
                after={
                    "filename": row.filename,
                    "size": row.size,
                    "expiresAt": expires.isoformat(),
                },
                actor_user_id=user_id,
                request_id=ctx.request_id,
            )
            for row in rows
        )
        await session.commit()
    secret = _secret(ctx.settings)
    return [
        Link(PREFIX + jwt.encode({"dl": row.id, "exp": expires, "aud": AUDIENCE}, secret), expires)
        for row in rows
    ]


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    download_id: int
    content: bytes | None = None  # kept in PostgreSQL
    stored: objectstore.Opened | None = None  # or being read from the object store


async def fetch(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, token: str, request_id: str
) -> File:
    """The file behind a link, once: NOT_FOUND for a link we did not sign (or no longer
    have), GONE once used or expired. Its content is dropped as it goes out. A stored file
    is opened before the link counts as used: if the store fails (SERVICE_UNAVAILABLE),
    the link still works once."""
    try:
        # Expiry is judged from the row below, so that an expired link says so (GONE).
        claims = jwt.decode(
            token,
            _secret(settings),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"verify_exp": False},
        )
        download_id = int(claims["dl"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        raise NotFound("下载链接无效") from None
    async with sessionmaker() as session:
        row = await session.scalar(
            sa.select(Download).where(Download.id == download_id).with_for_update()
        )
        if row is None:
            raise NotFound("下载链接无效")
        if row.used_at is not None or (row.content is None and row.store_key is None):
            raise Gone("该下载链接已使用过，请重新导出", reason=errors.DOWNLOAD_USED)
        if row.expires_at <= datetime.now(UTC):
            raise Gone("该下载链接已过期，请重新导出", reason=errors.DOWNLOAD_EXPIRED)
        stored = None
        if row.store_key is not None:
            stored = await objectstore.open_object(settings, row.store_key)
        file = File(row.filename, row.content_type, row.id, row.content, stored)
        row.used_at, row.content, row.store_key = datetime.now(UTC), None, None
        session.add(
            audit_row(
                action="download.fetch",
                entity_type="Download",
                entity_id=row.id,
                org_path=row.org_path,
                after={"filename": row.filename, "size": row.size},
                actor_user_id=row.user_id,
                request_id=request_id,
            )
        )
        await session.commit()
    return file


def content_disposition(filename: str, download_id: int) -> str:
    """RFC 6266: the Chinese name as `filename*` (RFC 5987, UTF-8), and an ASCII `filename`
    for clients that know only that."""
    suffix = PurePosixPath(filename).suffix
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", PurePosixPath(filename).stem).strip("_")
    fallback = f"{ascii_stem or 'download'}-{download_id}{suffix}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _secret(settings: Settings) -> str:
    return settings.signing_secret
