"""Evidence (佐证材料) on work logs, quarterly reports and 最美青春故事 nominations: what may
be attached, by whom, and how it is kept and served.

- Types by content, not by name: JPEG, PNG and WebP photos, PDF documents; on a 微视频
  nomination also MP4 video (an ISO media file whose `ftyp` box names an MP4 brand), kept
  as sent — not transcoded, so its own metadata stays — up to EVIDENCE_VIDEO_MAX_BYTES.
- Photos are decoded and encoded again (in a worker thread): the stored file carries no
  EXIF (no location, no device), no trailing data, at most EVIDENCE_MAX_PIXELS; a file that
  does not decode is refused. PDFs are kept as sent.
- At most EVIDENCE_MAX_BYTES per file and EVIDENCE_PER_RECORD files per record.
- Who attaches: on a log, the cadre who wrote it while it may still be edited; on a report,
  whoever may manage the city's reports while it is not approved; on a nomination,
  whoever may nominate for its county while it waits for the city (resolvers/campaigns.py
  `editable`). Removal follows the same rule. Both audited.
- Where it is kept: in the row (default), or in an S3-compatible object store with
  EVIDENCE_STORE=s3 (resolvers/objectstore.py): the row is written first and the object
  after, in the same request, so a failing store leaves nothing behind.
- Who sees it: whoever sees the record (authz/visibility.py, `Evidence`); the file through
  a short-lived, single-use download link (resolvers/downloads.py).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import sqlalchemy as sa

from authz import Act, Obj, errors, require_user
from authz.errors import BadInput, Conflict
from models import Evidence, Nomination, Report, ReportStatus, StoryForm, WorkLog
from resolvers import campaigns, downloads, objectstore, worklogs
from resolvers.base import Ctx, clean_text

PHOTO = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
PDF = ("application/pdf", ".pdf")
MP4 = ("video/mp4", ".mp4")
# Major brands of the `ftyp` box that mean MP4 (ISO/IEC 14496-12/14, 3GPP's, Apple's M4V).
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V "}
KINDS = "JPEG、PNG、WebP 照片或 PDF 文件"


@dataclass(frozen=True)
class Owner:
    """The record a file is attached to: exactly one of the three."""

    log_id: int | None = None
    report_id: int | None = None
    nomination_id: int | None = None


async def attach(ctx: Ctx, owner: Owner, filename: str, content_base64: str) -> Evidence:
    user_id = require_user(ctx.principal)
    record = await _writable(ctx, owner)
    video = isinstance(record, Nomination) and record.form == StoryForm.MICRO_VIDEO
    limit = ctx.settings.evidence_video_max_bytes if video else ctx.settings.evidence_max_bytes
    data = _decode(content_base64, limit)
    if video and _is_mp4(data):
        content, (content_type, suffix) = data, MP4
    else:
        if len(data) > ctx.settings.evidence_max_bytes:
            raise BadInput(_too_large(ctx.settings.evidence_max_bytes), field="contentBase64")
        kinds = KINDS + ("，或 MP4 视频" if video else "")
        content, content_type, suffix = await asyncio.to_thread(
            _kept_form, data, ctx.settings.evidence_max_pixels, kinds
        )
    name = clean_text(filename, "文件名", max_len=120)
    name = PurePosixPath(name).stem + suffix  # the name says what the file now is
    count = await ctx.session.scalar(
        sa.select(sa.func.count()).select_from(Evidence).where(_of(owner))
    )
    if (count or 0) >= ctx.settings.evidence_per_record:
        raise Conflict(f"每条记录最多 {ctx.settings.evidence_per_record} 个佐证材料")
    stored = objectstore.enabled(ctx.settings)
    row = Evidence(
        log_id=owner.log_id,
        report_id=owner.report_id,
        nomination_id=owner.nomination_id,
        filename=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=None if stored else content,
        store_key=objectstore.new_key(record.org_id, suffix) if stored else None,
        uploaded_by=user_id,
        org_id=record.org_id,
        org_path=record.org_path,
        city_id=record.city_id,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    if row.store_key is not None:  # after the row: a refusal of either writes nothing
        await objectstore.put(ctx.settings, row.store_key, content, content_type)
    await ctx.audit("evidence.attach", "Evidence", row.id, row.org_path, after=_snapshot(row))
    return row


async def remove(ctx: Ctx, evidence_id: int) -> Evidence:
    row = await ctx.load(Evidence, evidence_id, Act.VIEW, Obj.WORK)
    await _writable(ctx, Owner(row.log_id, row.report_id, row.nomination_id))
    before = _snapshot(row)
    await ctx.session.delete(row)
    await ctx.session.flush()
    if row.store_key is not None:  # last: if the store fails, the row stays
        await objectstore.delete(ctx.settings, row.store_key)
    await ctx.audit("evidence.remove", "Evidence", evidence_id, row.org_path, before, None)
    return row


async def of_logs(ctx: Ctx, log_ids: Sequence[int]) -> list[list[Evidence]]:
    return await _grouped(ctx, Evidence.log_id, log_ids)


async def of_reports(ctx: Ctx, report_ids: Sequence[int]) -> list[list[Evidence]]:
    return await _grouped(ctx, Evidence.report_id, report_ids)


async def of_nominations(ctx: Ctx, nomination_ids: Sequence[int]) -> list[list[Evidence]]:
    return await _grouped(ctx, Evidence.nomination_id, nomination_ids)


async def download_urls(ctx: Ctx, evidence_ids: Sequence[int]) -> list[str]:
    """Links that fetch each file once, within minutes (the offers are audited): the files
    of a page by one statement, their links in one transaction. The ids are of rows the
    caller was shown (read through `ctx.readable`). A file in the object store is not
    read nor copied: its link names its key."""
    found = {
        r.id: r
        for r in await ctx.session.execute(
            sa.select(
                Evidence.id,
                Evidence.filename,
                Evidence.content,
                Evidence.store_key,
                Evidence.size,
                Evidence.org_path,
            ).where(Evidence.id.in_(list(evidence_ids)))
        )
    }
    files = [
        downloads.Offered(
            found[i].filename,
            None if found[i].store_key else (found[i].content or b""),
            found[i].org_path,
            store_key=found[i].store_key,
            size=found[i].size,
        )
        for i in evidence_ids
    ]
    return [link.url for link in await downloads.offer_many(ctx, files)]


# ---------------------------------------------------------------- rules


async def _writable(ctx: Ctx, owner: Owner) -> WorkLog | Report | Nomination:
    given = [i for i in (owner.log_id, owner.report_id, owner.nomination_id) if i is not None]
    if len(given) != 1:
        raise BadInput("请指定一条日志、一份报送或一个推荐（只能指定一个）", field="logId")
    if owner.log_id is not None:
        # The author, while the log may still be edited (worklogs: locked after a while).
        return await worklogs.authored(ctx, owner.log_id)
    if owner.nomination_id is not None:
        return await campaigns.editable(ctx, owner.nomination_id)
    assert owner.report_id is not None
    report = await ctx.load(Report, owner.report_id, Act.VIEW, Obj.REPORT, for_update=True)
    ctx.authorize(Act.MANAGE, Obj.REPORT, report.org_path)
    if report.status == ReportStatus.APPROVED:
        raise Conflict("报送已通过，不能再更改佐证材料", reason=errors.ILLEGAL_TRANSITION)
    return report


def _too_large(max_bytes: int) -> str:
    return f"文件不能超过 {max_bytes // 1_000_000} MB"


def _is_mp4(data: bytes) -> bool:
    """An ISO base media file whose first box is `ftyp` naming an MP4 brand (the magic
    bytes; the video itself is not decoded)."""
    size = int.from_bytes(data[:4], "big")
    return (
        len(data) >= 16
        and data[4:8] == b"ftyp"
        and 16 <= size <= len(data)
        and (data[8:12] in MP4_BRANDS)
    )


def _decode(content_base64: str, max_bytes: int) -> bytes:
    if len(content_base64) > (max_bytes * 4) // 3 + 4:
        raise BadInput(_too_large(max_bytes), field="contentBase64")
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("文件内容不是有效的 Base64", field="contentBase64") from None
    if not data:
        raise BadInput("文件是空的", field="contentBase64")
    return data


def _kept_form(data: bytes, max_pixels: int, kinds: str = KINDS) -> tuple[bytes, str, str]:
    """(content, content type, suffix) as stored. Blocking: run in a thread."""
    if data.startswith(b"%PDF-"):
        return data, *PDF
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = max_pixels  # a larger image raises a DecompressionBombError
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            if kind not in PHOTO:
                raise BadInput(f"只接受 {kinds}", field="contentBase64")
            image.load()
            clean = image.convert("RGB") if kind == "JPEG" else image.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BadInput(f"只接受 {kinds}", field="contentBase64") from None
    out = io.BytesIO()
    # No exif= and no pnginfo=: Pillow writes none of the original's metadata.
    clean.save(out, format=kind, **({"quality": 85} if kind in ("JPEG", "WEBP") else {}))
    return out.getvalue(), *PHOTO[kind]


def _of(owner: Owner) -> sa.ColumnElement[bool]:
    if owner.log_id is not None:
        return Evidence.log_id == owner.log_id
    if owner.nomination_id is not None:
        return Evidence.nomination_id == owner.nomination_id
    return Evidence.report_id == owner.report_id


async def _grouped(ctx: Ctx, column: Any, ids: Sequence[int]) -> list[list[Evidence]]:
    rows = await ctx.session.scalars(
        sa.select(Evidence)
        .where(column.in_(list(ids)), ctx.readable(Evidence))
        .order_by(Evidence.id)
    )
    found: dict[int, list[Evidence]] = {i: [] for i in ids}
    for row in rows:
        found[getattr(row, column.key)].append(row)
    return [found[i] for i in ids]


def _snapshot(row: Evidence) -> dict[str, object]:
    return {
        "logId": row.log_id,
        "reportId": row.report_id,
        "nominationId": row.nomination_id,
        "filename": row.filename,
        "contentType": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "storeKey": row.store_key,
    }
