"""佐证材料: photos and files on work logs, quarterly reports and 最美青春故事 nominations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from models import Evidence as EvidenceRow
from resolvers import evidence
from resolvers.evidence import Owner
from schema.context import Info
from schema.relay import opt_pk, pk, to_global_id


@strawberry.type(
    name="Evidence",
    description="佐证材料：日志（联系、活动）、季度报送或最美青春故事推荐上的一张照片、"
    "一个文件或（微视频推荐的）一段视频；能看到该记录的人才能看到它，"
    "照片已重新编码（不含拍摄地点等元数据），视频按原样保存",
)
class Evidence:
    row: strawberry.Private[EvidenceRow]
    filename: str = strawberry.field(description="文件名（扩展名与实际类型一致）")
    content_type: str = strawberry.field(
        description="文件类型：image/jpeg、image/png、image/webp、application/pdf，"
        "或（微视频推荐的）video/mp4"
    )
    size: int = strawberry.field(description="文件大小（字节）")
    sha256: str = strawberry.field(description="文件内容的 SHA-256（十六进制），用于核对")
    uploaded_at: datetime = strawberry.field(description="上传时间")

    @strawberry.field(description="佐证材料的全局 ID")
    def id(self) -> strawberry.ID:
        return to_global_id("Evidence", self.row.id)

    @strawberry.field(
        description="下载链接（GET，几分钟内有效，只能用一次）；每次读取都会生成新链接并记入审计"
    )
    async def download_url(self, info: Info) -> str:
        return await info.context.ctx.loader(evidence.download_urls).load(self.row.id)

    @classmethod
    def of(cls, row: EvidenceRow) -> Evidence:
        return cls(
            row=row,
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_at=row.created_at,
        )


@strawberry.input(description="上传佐证材料：日志、报送、推荐三选一")
class AttachEvidenceInput:
    log_id: strawberry.ID | None = strawberry.field(
        default=None, description="日志的全局 ID（自己写的、仍可修改的日志）"
    )
    report_id: strawberry.ID | None = strawberry.field(
        default=None, description="季度报送的全局 ID（未通过的报送，需要报送管理权限）"
    )
    nomination_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="最美青春故事推荐的全局 ID（推荐单位，在市级遴选前；微视频推荐可传 MP4）",
    )
    filename: str = strawberry.field(description="文件名（最多 120 字）")
    content_base64: str = strawberry.field(
        description="文件内容的 Base64：JPEG、PNG、WebP 照片或 PDF，不超过 5 MB；"
        "微视频推荐还可传 MP4 视频，不超过 50 MB（EVIDENCE_VIDEO_MAX_BYTES）"
    )


async def of_log(info: Info, log_id: int) -> list[Evidence]:
    rows = await info.context.ctx.loader(evidence.of_logs).load(log_id)
    return [Evidence.of(r) for r in rows]


async def of_report(info: Info, report_id: int) -> list[Evidence]:
    rows = await info.context.ctx.loader(evidence.of_reports).load(report_id)
    return [Evidence.of(r) for r in rows]


async def of_nomination(info: Info, nomination_id: int) -> list[Evidence]:
    rows = await info.context.ctx.loader(evidence.of_nominations).load(nomination_id)
    return [Evidence.of(r) for r in rows]


@strawberry.type
class EvidenceMutation:
    @strawberry.mutation(
        description="上传佐证材料到一条日志、一份季度报送或一个最美青春故事推荐（记入审计）"
    )
    async def attach_evidence(
        self,
        info: Info,
        input: Annotated[
            AttachEvidenceInput, strawberry.argument(description="记录（三选一）、文件名与文件内容")
        ],
    ) -> Evidence:
        owner = Owner(
            opt_pk(input.log_id, "WorkLog"),
            opt_pk(input.report_id, "Report"),
            opt_pk(input.nomination_id, "Nomination"),
        )
        row = await evidence.attach(info.context.ctx, owner, input.filename, input.content_base64)
        return Evidence.of(row)

    @strawberry.mutation(description="删除佐证材料（与上传同样的权限，记入审计）")
    async def remove_evidence(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="佐证材料的全局 ID")],
    ) -> Evidence:
        return Evidence.of(await evidence.remove(info.context.ctx, pk(id, "Evidence")))
