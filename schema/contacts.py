"""联系: youth lists, invitations, import and export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from models import Contact as ContactRow
from models import ContactStatus
from resolvers import contacts, downloads
from resolvers.contacts import ImportReport as ImportReportData
from resolvers.contacts import RowOutcome
from schema.context import Info
from schema.enums import ExportFormat
from schema.people import Cadre, Youth, visible_cadre, visible_youth
from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, pk, to_global_id


@strawberry.type(
    name="Contact", description="联系：团干部与小伙伴的联系关系（小伙伴确认后生效，可随时退出）"
)
class Contact(Node):
    row: strawberry.Private[ContactRow]
    status: ContactStatus = strawberry.field(description="联系状态：待小伙伴确认、已联系或已结束")
    invited_at: datetime = strawberry.field(description="团干部发出邀请（加入名单）的时间")
    accepted_at: datetime | None = strawberry.field(
        description="小伙伴确认联系的时间；尚未确认为 null"
    )
    left_at: datetime | None = strawberry.field(description="结束联系的时间；仍在联系为 null")
    left_by: str | None = strawberry.field(description="YOUTH 或 CADRE")

    @classmethod
    def of(cls, row: ContactRow) -> Contact:
        return cls(
            id=to_global_id("Contact", row.id),
            row=row,
            status=row.status,
            invited_at=row.invited_at,
            accepted_at=row.accepted_at,
            left_at=row.left_at,
            left_by=row.left_by,
        )

    @strawberry.field(
        description="小伙伴：对方确认联系后才向邀请的团干部显示（有权查看该小伙伴者除外）"
    )
    async def youth(self, info: Info) -> Youth | None:
        return await visible_youth(info, self.row.youth_id)

    @strawberry.field(description="团干部")
    async def cadre(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.row.cadre_id)


@strawberry.type(description="导入的一行")
class ImportRow:
    row: int = strawberry.field(description="表格中的行号（表头为第 1 行）")
    name: str = strawberry.field(description="这一行的姓名（按表格原样）")
    mobile: str = strawberry.field(description="这一行的手机号（按表格原样）")
    outcome: RowOutcome = strawberry.field(description="这一行的导入结果")
    reason: str = strawberry.field(description="未导入的原因（REJECTED 时）；其他结果为空字符串")


@strawberry.type(
    description="导入报告：有任何错误行时默认不写入（written=false），除非选择只导入正确的行"
)
class ImportReport:
    written: bool = strawberry.field(
        description="是否已写入：有错误行且未选择只导入正确的行，或为试运行（dryRun）时为 false"
    )
    invited: int = strawberry.field(
        description="已邀请：新号码，或已在你无权查看之处登记的小伙伴（两者不作区分）"
    )
    matched: int = strawberry.field(description="按手机号匹配到你有权查看的小伙伴，已邀请")
    unchanged: int = strawberry.field(description="已在名单中或对方已退出、没有变化的行数")
    rejected: int = strawberry.field(description="有误未导入的行数")
    rows: list[ImportRow] = strawberry.field(description="逐行结果，按表格行号")

    @classmethod
    def of(cls, r: ImportReportData) -> ImportReport:
        return cls(
            written=r.written,
            invited=r.count(RowOutcome.INVITED),
            matched=r.count(RowOutcome.MATCHED),
            unchanged=r.count(RowOutcome.UNCHANGED),
            rejected=r.count(RowOutcome.REJECTED),
            rows=[
                ImportRow(
                    row=x.row, name=x.name, mobile=x.mobile, outcome=x.outcome, reason=x.reason
                )
                for x in r.rows
            ],
        )


@strawberry.type(description="导出的文件：Base64 内容，或一次性下载链接")
class ExportFile:
    filename: str = strawberry.field(description="文件名（中文，含扩展名 .xlsx 或 .csv）")
    content_base64: str = strawberry.field(
        description="文件内容的 Base64 编码（也可改用 downloadUrl 直接下载）"
    )
    rows: int = strawberry.field(description="导出的小伙伴人数（不含表头）")
    download_url: str = strawberry.field(
        description="下载链接（相对于 API 地址，GET，无需登录头）：只能用一次，到 downloadExpiresAt 失效"
    )
    download_expires_at: datetime = strawberry.field(description="下载链接的失效时间")


@strawberry.input(description="导入小伙伴名单：.xlsx 或 .csv，第一行为表头（姓名、手机号、行业）")
class ImportYouthInput:
    filename: str = strawberry.field(description="原文件名，按扩展名 .xlsx 或 .csv 判断格式")
    content_base64: str = strawberry.field(
        description="文件内容的 Base64 编码（CSV 可为 UTF-8 或 GB18030）"
    )
    import_valid_rows: bool = strawberry.field(
        default=False, description="为 true 时，有错误行也导入其余正确的行"
    )
    dry_run: bool = strawberry.field(
        default=False,
        description="为 true 时只校验并返回逐行报告，不写入任何数据（先预览、再确认导入）",
    )


@strawberry.type
class ContactQuery:
    @strawberry.field(
        description="我的联系：团干部的名单，或小伙伴联系我的团干部（默认不含已结束的）"
    )
    async def my_contacts(
        self,
        info: Info,
        status: Annotated[
            ContactStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="按小伙伴姓名查找（包含这段文字，只在你看得到姓名的联系中查）；不给则不限"
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Contact]:
        page = await contacts.my_contacts(
            info.context.ctx, status=status, search=search, first=first, after=after
        )
        return connection(page, Contact.of)

    @strawberry.field(description="下级团干部的联系（需要 work:view）")
    async def contacts(
        self,
        info: Info,
        under: Under = None,
        status: Annotated[
            ContactStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Contact]:
        page = await contacts.list_contacts(
            info.context.ctx, under=opt_pk(under, "Org"), status=status, first=first, after=after
        )
        return connection(page, Contact.of)

    @strawberry.field(description="导出名单：不填 under 为我的名单，填写则为该组织子树的小伙伴")
    async def export_youth(
        self,
        info: Info,
        format: Annotated[
            ExportFormat, strawberry.argument(description="文件格式：XLSX（默认）或 CSV")
        ] = ExportFormat.XLSX,
        under: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="导出这个团组织及其下级登记的小伙伴（需要 youth:view）；不给则导出我的联系名单"
            ),
        ] = None,
    ) -> ExportFile:
        ctx = info.context.ctx
        f = await contacts.export_youth(ctx, under=opt_pk(under, "Org"), fmt=format.value)
        link = await downloads.offer(ctx, f.filename, f.content_base64, org_path=None)
        return ExportFile(
            filename=f.filename,
            content_base64=f.content_base64,
            rows=f.rows,
            download_url=link.url,
            download_expires_at=link.expires_at,
        )


@strawberry.type
class ContactMutation:
    @strawberry.mutation(
        description="团干部把一位小伙伴加入名单（按手机号匹配已登记的），等待对方确认"
    )
    async def add_youth_to_my_list(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="姓名（最多 50 字）")],
        mobile: Annotated[
            str, strawberry.argument(description="手机号；已登记的号码会匹配到同一位小伙伴")
        ],
        industry: Annotated[
            str, strawberry.argument(description="行业标签（可选，最多 50 字）")
        ] = "",
    ) -> Contact:
        return Contact.of(
            await contacts.add_to_my_list(
                info.context.ctx, name=name, mobile=mobile, industry=industry
            )
        )

    @strawberry.mutation(description="小伙伴确认联系")
    async def accept_contact(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="联系的全局 ID（发给你的邀请）")
        ],
    ) -> Contact:
        return Contact.of(await contacts.accept(info.context.ctx, pk(id, "Contact")))

    @strawberry.mutation(description="小伙伴退出联系（随时可退出）")
    async def leave_contact(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="联系的全局 ID")],
    ) -> Contact:
        return Contact.of(await contacts.leave(info.context.ctx, pk(id, "Contact"), by_youth=True))

    @strawberry.mutation(description="团干部结束联系")
    async def remove_contact(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="联系的全局 ID（你名单中的）")
        ],
    ) -> Contact:
        return Contact.of(await contacts.leave(info.context.ctx, pk(id, "Contact"), by_youth=False))

    @strawberry.mutation(description="从表格导入名单；逐行报告；重复导入同一文件不会有任何变化")
    async def import_youth(
        self,
        info: Info,
        input: Annotated[ImportYouthInput, strawberry.argument(description="要导入的文件与选项")],
    ) -> ImportReport:
        report = await contacts.import_youth(
            info.context.ctx,
            filename=input.filename,
            content_base64=input.content_base64,
            import_valid_rows=input.import_valid_rows,
            dry_run=input.dry_run,
        )
        return ImportReport.of(report)

    @strawberry.mutation(description="批量设置所选小伙伴的行业（全部有权修改时才生效）")
    async def set_youth_industry(
        self,
        info: Info,
        youth_ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="小伙伴的全局 ID（1–500 位）")
        ],
        industry: Annotated[str, strawberry.argument(description="新的行业标签（最多 50 字）")],
    ) -> list[Youth]:
        rows = await contacts.set_industry(
            info.context.ctx, [pk(i, "Youth") for i in youth_ids], industry
        )
        return [Youth.of(r) for r in rows]
