"""名册导入: orgs and cadres in bulk, previewed first, then applied all or nothing."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import rosters
from resolvers.rosters import RosterOutcome
from resolvers.rosters import RosterReport as RosterReportData
from schema.context import Info

DRY_RUN = (
    "默认 true：只校验并返回逐行报告，不写入（先预览）；确认无误后以 false 再次提交同一文件导入"
)


@strawberry.type(description="名册导入的一行")
class RosterImportRow:
    row: int = strawberry.field(description="表格中的行号（表头为第 1 行）")
    key: str = strawberry.field(description="组织代码（导入组织时）或用户名（导入团干部时）")
    name: str = strawberry.field(description="组织名称或姓名")
    outcome: RosterOutcome = strawberry.field(description="这一行的导入结果")
    reason: str = strawberry.field(description="有误或未改动的原因")


@strawberry.type(
    description="名册导入报告：全部正确才写入（written=true），有任何错误行则一行也不写；试运行从不写入"
)
class RosterImportReport:
    written: bool = strawberry.field(description="是否已写入")
    dry_run: bool = strawberry.field(description="是否为试运行（预览）")
    created: int = strawberry.field(description="新建（试运行时为将新建）的行数")
    unchanged: int = strawberry.field(description="已存在、未改动的行数")
    rejected: int = strawberry.field(description="有误的行数")
    rows: list[RosterImportRow] = strawberry.field(description="逐行报告")

    @classmethod
    def of(cls, r: RosterReportData) -> RosterImportReport:
        return cls(
            written=r.written,
            dry_run=r.dry_run,
            created=r.count(RosterOutcome.CREATED),
            unchanged=r.count(RosterOutcome.UNCHANGED),
            rejected=r.count(RosterOutcome.REJECTED),
            rows=[
                RosterImportRow(
                    row=x.row, key=x.key, name=x.name, outcome=x.outcome, reason=x.reason
                )
                for x in r.rows
            ],
        )


@strawberry.input(
    description="导入组织名册：.xlsx 或 .csv，表头：组织代码、智慧团建编码、组织名称、上级组织代码、层级、类型、领导机关"
)
class ImportOrgsInput:
    filename: str = strawberry.field(description="文件名（.xlsx 或 .csv）")
    content_base64: str = strawberry.field(description="文件内容（Base64）")
    dry_run: bool = strawberry.field(default=True, description=DRY_RUN)


@strawberry.input(
    description="导入团干部名册并开通账号：.xlsx 或 .csv，表头：姓名、用户名、组织代码、类型、职务、手机号、领导机关干部"
)
class ImportCadresInput:
    filename: str = strawberry.field(description="文件名（.xlsx 或 .csv）")
    content_base64: str = strawberry.field(description="文件内容（Base64）")
    initial_password: str = strawberry.field(
        description="新账号的初始密码（至少 8 位，含字母和数字）；填了手机号的团干部也可用短信验证码登录"
    )
    dry_run: bool = strawberry.field(default=True, description=DRY_RUN)


@strawberry.type
class RosterMutation:
    @strawberry.mutation(
        description="批量导入组织（需要上级组织的 org:manage）：逐行报告，全部正确才写入；重复导入同一文件不会有任何变化"
    )
    async def import_orgs(
        self,
        info: Info,
        input: Annotated[ImportOrgsInput, strawberry.argument(description="要导入的文件与选项")],
    ) -> RosterImportReport:
        report = await rosters.import_orgs(
            info.context.ctx,
            filename=input.filename,
            content_base64=input.content_base64,
            dry_run=input.dry_run,
        )
        return RosterImportReport.of(report)

    @strawberry.mutation(
        description="批量导入团干部并开通账号（需要所在组织的 cadre:manage）：逐行报告，全部正确才写入"
    )
    async def import_cadres(
        self,
        info: Info,
        input: Annotated[ImportCadresInput, strawberry.argument(description="要导入的文件与选项")],
    ) -> RosterImportReport:
        report = await rosters.import_cadres(
            info.context.ctx,
            filename=input.filename,
            content_base64=input.content_base64,
            initial_password=input.initial_password,
            dry_run=input.dry_run,
        )
        return RosterImportReport.of(report)
