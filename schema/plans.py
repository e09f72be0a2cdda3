"""实施方案: each committee's plan for the year's "1+100" work, approved by the committee above."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from models import ImplementationPlan as PlanRow
from models import ReportStatus
from resolvers import plans
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.relay import (
    After,
    Connection,
    First,
    NewestFirst,
    Under,
    connection,
    opt_pk,
    pk,
    to_global_id,
)


@strawberry.type(
    name="ImplementationPlan",
    description="实施方案：一级团委本年度“1+100”工作的实施方案，由上一级团委审批（备案）",
)
class ImplementationPlan:
    row: strawberry.Private[PlanRow]
    year: int = strawberry.field(description="年度")
    title: str = strawberry.field(description="标题")
    content: str = strawberry.field(description="方案正文（当前版本）")
    status: ReportStatus = strawberry.field(description="状态：已报送、已通过或退回修改")
    version: int = strawberry.field(description="当前版本号（每次报送加一，历次文本见审计日志）")
    submitted_at: datetime = strawberry.field(description="最近一次报送时间")
    review_comment: str = strawberry.field(description="上级团委的审批意见（退回时必填）")
    reviewed_at: datetime | None = strawberry.field(description="审批时间；未审批为空")

    @strawberry.field(description="实施方案的全局 ID")
    def id(self) -> strawberry.ID:
        return to_global_id("ImplementationPlan", self.row.id)

    @strawberry.field(description="制定方案的团委；在你的权限范围之外时为空")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @classmethod
    def of(cls, row: PlanRow) -> ImplementationPlan:
        return cls(
            row=row,
            year=row.year,
            title=row.title,
            content=row.content,
            status=row.status,
            version=row.version,
            submitted_at=row.submitted_at,
            review_comment=row.review_comment,
            reviewed_at=row.reviewed_at,
        )


@strawberry.type
class PlanQuery:
    @strawberry.field(description="实施方案列表（需要 report:view），默认按首次报送先后")
    async def implementation_plans(
        self,
        info: Info,
        under: Under = None,
        year: Annotated[int | None, strawberry.argument(description="只看这一年度的")] = None,
        status: Annotated[
            ReportStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        newest_first: NewestFirst = False,
        first: First = None,
        after: After = None,
    ) -> Connection[ImplementationPlan]:
        page = await plans.listed(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            year=year,
            status=status,
            first=first,
            after=after,
            newest_first=newest_first,
        )
        return connection(page, ImplementationPlan.of)


@strawberry.type
class PlanMutation:
    @strawberry.mutation(
        description="报送本级团委的年度实施方案（需要 report:manage）；退回后可再次报送，已通过的不能再改"
    )
    async def submit_implementation_plan(
        self,
        info: Info,
        org_id: Annotated[strawberry.ID, strawberry.argument(description="制定方案的团委")],
        year: Annotated[int, strawberry.argument(description="年度")],
        title: Annotated[str, strawberry.argument(description="标题（最多 200 字）")],
        content: Annotated[str, strawberry.argument(description="方案正文（最多 5 万字）")],
    ) -> ImplementationPlan:
        row = await plans.submit(
            info.context.ctx, org_id=pk(org_id, "Org"), year=year, title=title, content=content
        )
        return ImplementationPlan.of(row)

    @strawberry.mutation(
        description="上级团委审批实施方案：通过，或写明意见退回（需要上一级组织的 report:approve）"
    )
    async def review_implementation_plan(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="实施方案的全局 ID")],
        approve: Annotated[bool, strawberry.argument(description="true 通过，false 退回")],
        comment: Annotated[str, strawberry.argument(description="审批意见（退回时必填）")],
    ) -> ImplementationPlan:
        row = await plans.review(info.context.ctx, pk(id, "ImplementationPlan"), approve, comment)
        return ImplementationPlan.of(row)
