"""团组织: the tenant tree."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import Org as OrgRow
from models import OrgKind, OrgLevel
from resolvers import orgs
from schema.context import Info
from schema.lookahead import edge, org_edges, visible_at_once
from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, pk, to_global_id


async def visible_org(info: Info, org_id: int | None) -> Org | None:
    """A nested org: shown only if the caller may see it on its own, else null."""
    row = await info.context.ctx.visible(OrgRow).load(org_id) if org_id is not None else None
    return Org.of(row) if row else None


@strawberry.type(name="Org", description="团组织：组织树的一个节点，也是一个租户")
class Org(Node):
    row: strawberry.Private[OrgRow]
    code: str = strawberry.field(description="组织代码（稳定编码：已知智慧团建编码时即用它）")
    zhtj_code: str | None = strawberry.field(description="智慧团建组织编码（已知时）")
    name: str = strawberry.field(description="组织名称")
    level: OrgLevel = strawberry.field(description="组织层级")
    kind: OrgKind = strawberry.field(description="组织类别")
    is_leading_organ: bool = strawberry.field(description="是否领导机关（省、市、县团委机关）")
    is_active: bool = strawberry.field(description="是否在用；停用的组织默认不出现在列表中")
    depth: int = strawberry.field(description="在组织树中的深度，省为 0")
    created_at: datetime = strawberry.field(description="建立时间")
    updated_at: datetime = strawberry.field(description="最近修改时间（改名、移动、停用等）")

    @classmethod
    def of(cls, row: OrgRow) -> Org:
        return cls(
            id=to_global_id("Org", row.id),
            row=row,
            code=row.code,
            zhtj_code=row.zhtj_code,
            name=row.name,
            level=row.level,
            kind=row.kind,
            is_leading_organ=row.is_leading_organ,
            is_active=row.is_active,
            depth=row.path.count("."),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(
        description="上级组织；在你的权限范围之外时为空", metadata=edge(OrgRow, "parent_id")
    )
    def parent(self, info: Info) -> Org | None:
        return visible_at_once(info, OrgRow, self.row.parent_id, Org.of)

    @strawberry.field(description="自上而下的上级组织，仅含你有权查看的")
    async def ancestors(self, info: Info) -> list[Org]:
        return [Org.of(o) for o in await orgs.ancestors(info.context.ctx, self.row)]

    @strawberry.field(description="直接下级组织")
    async def children(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        include_inactive: Annotated[
            bool, strawberry.argument(description="true 连同已停用的下级一起列；默认 false")
        ] = False,
    ) -> Connection[Org]:
        page = await orgs.children(
            info.context.ctx, self.row, include_inactive=include_inactive, first=first, after=after
        )
        return connection(page, Org.of)

    @strawberry.field(description="整个下级子树（不含自身），可按名称搜索、按层级筛选")
    async def subtree(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="按名称（包含这段文字）或组织代码（完全相同）查找；不给则不限"
            ),
        ] = None,
        level: Annotated[
            OrgLevel | None, strawberry.argument(description="只看这一层级的；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Org]:
        page = await orgs.subtree(
            info.context.ctx, self.row, search=search, level=level, first=first, after=after
        )
        return connection(page, Org.of)

    @strawberry.field(description="在用的直接下级组织数")
    async def child_count(self, info: Info) -> int:
        return (await orgs.counts(info.context.ctx, self.row.id)).children

    @strawberry.field(description="在用的全部下级组织数")
    async def descendant_count(self, info: Info) -> int:
        return (await orgs.counts(info.context.ctx, self.row.id)).descendants

    @strawberry.field(description="本组织及下级的在职团干部数")
    async def cadre_count(self, info: Info) -> int:
        return (await orgs.counts(info.context.ctx, self.row.id)).cadres

    @strawberry.field(description="本组织及下级登记的小伙伴数")
    async def youth_count(self, info: Info) -> int:
        return (await orgs.counts(info.context.ctx, self.row.id)).youth

    @strawberry.field(
        description="本组织的工作看板（需要 work:view）；在下级列表中嵌套使用也只需常数条 SQL"
    )
    def dashboard(
        self,
        info: Info,
        date_from: Annotated[
            date | None,
            strawberry.argument(
                description="统计区间起（含）；不给则为 dateTo 前 27 天（共 4 周）"
            ),
        ] = None,
        date_to: Annotated[
            date | None,
            strawberry.argument(description="统计区间止（含）；不给则为今天。区间不超过两年"),
        ] = None,
    ) -> Annotated[Dashboard, strawberry.lazy("schema.dashboards")]:
        from resolvers.dashboards import for_org
        from schema.dashboards import Dashboard

        return Dashboard.of(for_org(info.context.ctx, self.row, date_from, date_to))


if TYPE_CHECKING:
    from schema.dashboards import Dashboard


OrgID = Annotated[strawberry.ID, strawberry.argument(description="团组织的全局 ID")]


@strawberry.type
class OrgQuery:
    @strawberry.field(description="一个团组织")
    async def org(self, info: Info, id: OrgID) -> Org:
        ahead = org_edges(info)
        return Org.of(await orgs.get(info.context.ctx, pk(id, "Org"), ahead=ahead))

    @strawberry.field(description="你有权查看的团组织，可搜索（名称或代码）、按层级/类别/上级筛选")
    async def orgs(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="按名称（包含这段文字）或组织代码（完全相同）查找；不给则不限"
            ),
        ] = None,
        level: Annotated[
            OrgLevel | None, strawberry.argument(description="只看这一层级的；不给则全部")
        ] = None,
        kind: Annotated[
            OrgKind | None, strawberry.argument(description="只看这一类别的；不给则全部")
        ] = None,
        under: Under = None,
        include_inactive: Annotated[
            bool, strawberry.argument(description="true 连同已停用的一起列；默认 false")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[Org]:
        page = await orgs.list_orgs(
            info.context.ctx,
            search=search,
            level=level,
            kind=kind,
            under=opt_pk(under, "Org"),
            include_inactive=include_inactive,
            first=first,
            after=after,
        )
        return connection(page, Org.of)


@strawberry.input(description="新建团组织")
class CreateOrgInput:
    parent_id: strawberry.ID = strawberry.field(description="上级团组织（全局 ID）")
    code: str = strawberry.field(
        description="组织代码：字母、数字、下划线或连字符，1–32 位，全局唯一"
    )
    name: str = strawberry.field(description="组织名称")
    level: OrgLevel = strawberry.field(description="组织层级（须低于上级）")
    kind: OrgKind = strawberry.field(description="组织类别")
    is_leading_organ: bool = strawberry.field(
        default=False, description="是否领导机关（省、市、县团委机关）；默认否"
    )


@strawberry.input(description="修改团组织；不填的字段保持不变")
class UpdateOrgInput:
    id: strawberry.ID = strawberry.field(description="要修改的团组织（全局 ID）")
    name: str | None = strawberry.field(default=None, description="新的名称")
    code: str | None = strawberry.field(default=None, description="新的组织代码")
    kind: OrgKind | None = strawberry.field(default=None, description="新的类别")
    is_leading_organ: bool | None = strawberry.field(default=None, description="是否领导机关")


@strawberry.type
class OrgMutation:
    @strawberry.mutation(description="在某组织下新建下级组织（需要 org:manage）")
    async def create_org(
        self,
        info: Info,
        input: Annotated[CreateOrgInput, strawberry.argument(description="新组织的信息")],
    ) -> Org:
        row = await orgs.create(
            info.context.ctx,
            parent_id=pk(input.parent_id, "Org"),
            code=input.code,
            name=input.name,
            level=input.level,
            kind=input.kind,
            is_leading_organ=input.is_leading_organ,
        )
        return Org.of(row)

    @strawberry.mutation(description="重命名或修改团组织")
    async def update_org(
        self,
        info: Info,
        input: Annotated[UpdateOrgInput, strawberry.argument(description="要修改的团组织与新值")],
    ) -> Org:
        row = await orgs.update(
            info.context.ctx,
            pk(input.id, "Org"),
            name=input.name,
            code=input.code,
            kind=input.kind,
            is_leading_organ=input.is_leading_organ,
        )
        return Org.of(row)

    @strawberry.mutation(description="把整个子树移到新的上级组织之下（一个事务内更新所有路径）")
    async def move_org(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="要移动的团组织（全局 ID），连同其整个子树"),
        ],
        new_parent_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="新的上级团组织（全局 ID），不能在被移动的子树之内"),
        ],
    ) -> Org:
        return Org.of(await orgs.move(info.context.ctx, pk(id, "Org"), pk(new_parent_id, "Org")))

    @strawberry.mutation(description="停用团组织（须先停用或移走其下级组织）")
    async def deactivate_org(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="团组织的全局 ID")],
    ) -> Org:
        return Org.of(await orgs.set_active(info.context.ctx, pk(id, "Org"), False))

    @strawberry.mutation(description="重新启用团组织")
    async def reactivate_org(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="团组织的全局 ID")],
    ) -> Org:
        return Org.of(await orgs.set_active(info.context.ctx, pk(id, "Org"), True))
