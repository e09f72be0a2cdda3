"""工作小组, sharing events, and county cadres' secretaries."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

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
    name: str
    is_active: bool
    created_at: datetime

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
    async def members(self, info: Info) -> list[Cadre]:
        return [Cadre.of(c) for c in await groups.members(info.context.ctx, self.row.id)]


@strawberry.type(description="“1+100”分享活动（市级团委每季度一次）")
class SharingEvent:
    id: strawberry.ID
    title: str
    held_on: date
    attendees: int
    note: str
    org_id: strawberry.ID

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
    id: strawberry.ID
    secretary: Cadre | None
    note: str
    created_at: datetime


@strawberry.input(description="设立工作小组")
class CreateWorkingGroupInput:
    org_id: strawberry.ID = strawberry.field(description="设立小组的省/市团委机关")
    name: str
    leader_cadre_id: strawberry.ID
    responsible_org_id: strawberry.ID
    member_cadre_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.type
class GroupQuery:
    @strawberry.field(description="工作小组（需要 group:view）")
    async def working_groups(
        self,
        info: Info,
        under: Under = None,
        include_inactive: bool = False,
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
        self, info: Info, under: Under = None, year: int | None = None
    ) -> list[SharingEvent]:
        return [
            SharingEvent.of(e)
            for e in await groups.sharing_events(
                info.context.ctx, under=opt_pk(under, "Org"), year=year
            )
        ]

    @strawberry.field(description="我联系的基层团委书记")
    async def my_secretaries(self, info: Info) -> list[SecretaryContact]:
        rows = await groups.my_secretaries(info.context.ctx)
        return [
            SecretaryContact(
                id=to_global_id("SecretaryContact", s.id),
                secretary=Cadre.of(c),
                note=s.note,
                created_at=s.created_at,
            )
            for s, c in rows
        ]


@strawberry.type
class GroupMutation:
    @strawberry.mutation(description="设立工作小组；组长在负责的组织获得 working_group_leader 授权")
    async def create_working_group(
        self, info: Info, input: CreateWorkingGroupInput
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
        self, info: Info, id: strawberry.ID, member_cadre_ids: list[strawberry.ID]
    ) -> WorkingGroup:
        row = await groups.set_members(
            info.context.ctx, pk(id, "WorkingGroup"), [pk(i, "Cadre") for i in member_cadre_ids]
        )
        return WorkingGroup.of(row)

    @strawberry.mutation(description="撤销工作小组（同时撤销组长因此获得的授权）")
    async def dissolve_working_group(self, info: Info, id: strawberry.ID) -> WorkingGroup:
        return WorkingGroup.of(await groups.dissolve(info.context.ctx, pk(id, "WorkingGroup")))

    @strawberry.mutation(description="记录一次“1+100”分享活动")
    async def record_sharing_event(
        self,
        info: Info,
        org_id: strawberry.ID,
        title: str,
        held_on: date,
        attendees: int = 0,
        note: str = "",
        group_id: strawberry.ID | None = None,
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
        self, info: Info, secretary_cadre_id: strawberry.ID, note: str = ""
    ) -> SecretaryContact:
        ctx = info.context.ctx
        row = await groups.add_secretary(ctx, pk(secretary_cadre_id, "Cadre"), note)
        return SecretaryContact(
            id=to_global_id("SecretaryContact", row.id),
            secretary=await visible_cadre(info, row.secretary_cadre_id),
            note=row.note,
            created_at=row.created_at,
        )
