"""工作小组, sharing events, and county cadres' secretaries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from models import Cadre as CadreRow
from models import SecretaryContact as SecretaryRow
from models import SharingEvent as SharingRow
from models import WorkingGroup as GroupRow
from resolvers import groups
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.people import Cadre, visible_cadre
from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, pk, to_global_id


@strawberry.type(name="WorkingGroup", description="工作小组：组长可查看其负责的子树")
class WorkingGroup(Node):
    row: strawberry.Private[GroupRow]
    name: str = strawberry.field(description="小组名称")
    is_active: bool = strawberry.field(
        description="是否仍在运作；撤销后为 false（组长因此获得的授权同时撤销）"
    )
    created_at: datetime = strawberry.field(description="设立时间")

    @classmethod
    def of(cls, r: GroupRow) -> WorkingGroup:
        return cls(
            id=to_global_id("WorkingGroup", r.id),
            row=r,
            name=r.name,
            is_active=r.is_active,
            created_at=r.created_at,
        )

    @strawberry.field(description="设立小组的团委")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(description="负责的组织（子树）")
    async def responsible_org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.responsible_org_id)

    @strawberry.field(description="组长")
    async def leader(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.row.leader_cadre_id)

    @strawberry.field(description="成员")
    async def members(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Cadre]:
        page = await groups.members(info.context.ctx, self.row.id, first=first, after=after)
        return connection(page, Cadre.of)


@strawberry.type(description="“1+100”分享活动（市级团委每季度一次）")
class SharingEvent:
    id: strawberry.ID = strawberry.field(description="分享活动的全局 ID")
    title: str = strawberry.field(description="标题")
    held_on: date = strawberry.field(description="举办日期")
    attendees: int = strawberry.field(description="参加人数（未填为 0）")
    note: str = strawberry.field(description="说明（可为空字符串）")
    org_id: strawberry.ID = strawberry.field(description="举办的团组织的全局 ID")

    @classmethod
    def of(cls, r: SharingRow) -> SharingEvent:
        return cls(
            id=to_global_id("SharingEvent", r.id),
            title=r.title,
            held_on=r.held_on,
            attendees=r.attendees,
            note=r.note,
            org_id=to_global_id("Org", r.org_id),
        )


@strawberry.type(description="县级团干部联系的基层团委书记")
class SecretaryContact:
    id: strawberry.ID = strawberry.field(description="这条联系的全局 ID")
    secretary: Cadre | None = strawberry.field(
        description="基层团委书记（团干部）；你无权查看时为 null"
    )
    note: str = strawberry.field(description="备注（可为空字符串）")
    created_at: datetime = strawberry.field(description="加入名单的时间")

    @classmethod
    def of(cls, s: SecretaryRow, c: CadreRow) -> SecretaryContact:
        return cls(
            id=to_global_id("SecretaryContact", s.id),
            secretary=Cadre.of(c),
            note=s.note,
            created_at=s.created_at,
        )


@strawberry.input(description="设立工作小组")
class CreateWorkingGroupInput:
    org_id: strawberry.ID = strawberry.field(description="设立小组的省/市团委机关")
    name: str = strawberry.field(description="小组名称")
    leader_cadre_id: strawberry.ID = strawberry.field(
        description="组长（团委委员或部门负责人）的团干部全局 ID"
    )
    responsible_org_id: strawberry.ID = strawberry.field(
        description="小组负责的团组织（全局 ID），组长可查看其整个子树"
    )
    member_cadre_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="成员的团干部全局 ID（可选）"
    )


@strawberry.type
class GroupQuery:
    @strawberry.field(description="工作小组（需要 group:view）")
    async def working_groups(
        self,
        info: Info,
        under: Under = None,
        include_inactive: Annotated[
            bool, strawberry.argument(description="true 连同已撤销的小组一起列；默认 false")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[WorkingGroup]:
        page = await groups.list_groups(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            include_inactive=include_inactive,
            first=first,
            after=after,
        )
        return connection(page, WorkingGroup.of)

    @strawberry.field(description="分享活动")
    async def sharing_events(
        self,
        info: Info,
        under: Under = None,
        year: Annotated[
            int | None, strawberry.argument(description="只看这一年的；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[SharingEvent]:
        page = await groups.sharing_events(
            info.context.ctx, under=opt_pk(under, "Org"), year=year, first=first, after=after
        )
        return connection(page, SharingEvent.of)

    @strawberry.field(description="我联系的基层团委书记")
    async def my_secretaries(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[SecretaryContact]:
        page = await groups.my_secretaries(info.context.ctx, first=first, after=after)
        return connection(page, lambda row: SecretaryContact.of(*row))


@strawberry.type
class GroupMutation:
    @strawberry.mutation(description="设立工作小组；组长在负责的组织获得 working_group_leader 授权")
    async def create_working_group(
        self,
        info: Info,
        input: Annotated[CreateWorkingGroupInput, strawberry.argument(description="小组的设置")],
    ) -> WorkingGroup:
        row = await groups.create(
            info.context.ctx,
            org_id=pk(input.org_id, "Org"),
            name=input.name,
            leader_cadre_id=pk(input.leader_cadre_id, "Cadre"),
            responsible_org_id=pk(input.responsible_org_id, "Org"),
            member_cadre_ids=[pk(i, "Cadre") for i in input.member_cadre_ids],
        )
        return WorkingGroup.of(row)

    @strawberry.mutation(description="设置工作小组成员")
    async def set_working_group_members(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="工作小组的全局 ID")],
        member_cadre_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description="全部成员的团干部全局 ID（替换原有成员；空列表表示清空）"
            ),
        ],
    ) -> WorkingGroup:
        row = await groups.set_members(
            info.context.ctx, pk(id, "WorkingGroup"), [pk(i, "Cadre") for i in member_cadre_ids]
        )
        return WorkingGroup.of(row)

    @strawberry.mutation(description="撤销工作小组（同时撤销组长因此获得的授权）")
    async def dissolve_working_group(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="工作小组的全局 ID")],
    ) -> WorkingGroup:
        return WorkingGroup.of(await groups.dissolve(info.context.ctx, pk(id, "WorkingGroup")))

    @strawberry.mutation(description="记录一次“1+100”分享活动")
    async def record_sharing_event(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="举办的团组织（全局 ID）")
        ],
        title: Annotated[str, strawberry.argument(description="标题")],
        held_on: Annotated[date, strawberry.argument(description="举办日期")],
        attendees: Annotated[int, strawberry.argument(description="参加人数（可选）")] = 0,
        note: Annotated[str, strawberry.argument(description="说明（可选）")] = "",
        group_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="组织这次活动的工作小组（可选，全局 ID）"),
        ] = None,
    ) -> SharingEvent:
        row = await groups.record_sharing(
            info.context.ctx,
            org_id=pk(org_id, "Org"),
            title=title,
            held_on=held_on,
            attendees=attendees,
            note=note,
            group_id=opt_pk(group_id, "WorkingGroup"),
        )
        return SharingEvent.of(row)

    @strawberry.mutation(description="把一位基层团委书记加入我的联系名单")
    async def add_secretary(
        self,
        info: Info,
        secretary_cadre_id: Annotated[
            strawberry.ID, strawberry.argument(description="基层团委书记的团干部全局 ID")
        ],
        note: Annotated[str, strawberry.argument(description="备注（可选）")] = "",
    ) -> SecretaryContact:
        ctx = info.context.ctx
        row = await groups.add_secretary(ctx, pk(secretary_cadre_id, "Cadre"), note)
        return SecretaryContact(
            id=to_global_id("SecretaryContact", row.id),
            secretary=await visible_cadre(info, row.secretary_cadre_id),
            note=row.note,
            created_at=row.created_at,
        )
