"""日志: contacts and activities."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import ActivityKind, Channel, FrontEnd, LogKind
from models import Cadre as CadreRow
from models import WorkLog as WorkLogRow
from models import Youth as YouthRow
from resolvers import worklogs
from resolvers.lookahead import Edge
from schema.context import Info
from schema.lookahead import asked, edge, visible_at_once
from schema.people import Cadre, Youth
from schema.prebuilt import nodes_json
from schema.relay import (
    After,
    Connection,
    First,
    NewestFirst,
    Node,
    Under,
    connection,
    opt_pk,
    pk,
    to_global_id,
)

if TYPE_CHECKING:
    from schema.evidence import Evidence

# Object edges a list of logs fetches with its page when its nodes ask for them.
WORK_LOG_EDGES = (
    Edge("cadre", WorkLogRow.cadre_id, CadreRow),
    Edge("youth", WorkLogRow.youth_id, YouthRow),
)


@strawberry.type(name="WorkLog", description="工作日志：一次联系或一次活动")
class WorkLog(Node):
    row: strawberry.Private[WorkLogRow]
    kind: LogKind = strawberry.field(description="日志类别：联系记录或活动记录")
    channel: Channel | None = strawberry.field(
        description="联系方式（联系记录才有；活动记录为 null）"
    )
    activity_kind: ActivityKind | None = strawberry.field(
        description="活动类型（活动记录才有；联系记录为 null）"
    )
    place: str = strawberry.field(description="地点（可为空字符串）")
    content: str = strawberry.field(
        description="内容（联系记录最多 2000 字，活动记录最多 4000 字）"
    )
    occurred_at: datetime = strawberry.field(description="联系或活动发生的时间")
    participant_count: int = strawberry.field(description="参与的小伙伴人数（联系记录为 1）")
    client: FrontEnd = strawberry.field(description="写入这条日志的前端（手机端使用按它统计）")
    for_organ: bool = strawberry.field(
        description="是否领导机关组织的活动：只有这些计入领导机关的“五个一”"
    )
    created_at: datetime = strawberry.field(description="写入时间（可修改时限从此起算）")
    updated_at: datetime = strawberry.field(description="最近修改时间")
    deleted_at: datetime | None = strawberry.field(description="删除时间；未删除为 null")
    deleted_reason: str | None = strawberry.field(description="删除原因；未删除为 null")

    @classmethod
    def of(cls, r: WorkLogRow) -> WorkLog:
        return cls(
            id=to_global_id("WorkLog", r.id),
            row=r,
            kind=r.kind,
            channel=r.channel,
            activity_kind=r.activity_kind,
            place=r.place,
            content=r.content,
            occurred_at=r.occurred_at,
            participant_count=r.participant_count,
            client=FrontEnd(r.client),
            for_organ=r.for_organ,
            created_at=r.created_at,
            updated_at=r.updated_at,
            deleted_at=r.deleted_at,
            deleted_reason=r.deleted_reason,
        )

    @strawberry.field(description="写日志的团干部", metadata=edge(CadreRow, "cadre_id"))
    def cadre(self, info: Info) -> Cadre | None:
        return visible_at_once(info, CadreRow, self.row.cadre_id, Cadre.of)

    @strawberry.field(description="联系记录的小伙伴", metadata=edge(YouthRow, "youth_id"))
    def youth(self, info: Info) -> Youth | None:
        return visible_at_once(info, YouthRow, self.row.youth_id, Youth.of)

    @strawberry.field(description="佐证材料（照片、文件，最多 9 个），按上传先后")
    async def evidence(
        self, info: Info
    ) -> list[Annotated[Evidence, strawberry.lazy("schema.evidence")]]:
        from schema.evidence import of_log

        return await of_log(info, self.row.id)

    @strawberry.field(
        description="联系记录上小伙伴的答复：true 已确认，false 已否认，空为尚未答复（活动记录为空）"
    )
    async def youth_confirmed(self, info: Info) -> bool | None:
        if self.row.youth_id is None:
            return None
        from resolvers.truth import confirmation

        return await confirmation(info.context.ctx, self.row.id)

    @strawberry.field(description="是否已锁定（写入超过可修改时限）")
    def locked(self, info: Info) -> bool:
        from datetime import UTC, timedelta

        hours = info.context.ctx.settings.work_log_edit_hours
        return datetime.now(UTC) > self.row.created_at + timedelta(hours=hours)


@strawberry.input(description="记录一次联系")
class LogContactInput:
    youth_id: strawberry.ID = strawberry.field(
        description="联系的小伙伴（全局 ID，须在你的联系名单中且已确认联系）"
    )
    channel: Channel = strawberry.field(description="联系方式")
    content: str = strawberry.field(description="联系内容（必填，最多 2000 字）")
    occurred_at: datetime = strawberry.field(description="带时区，如 2026-05-04T10:00:00+08:00")


@strawberry.input(description="记录一次活动")
class LogActivityInput:
    kind: ActivityKind = strawberry.field(
        description="活动类型（团干部“五个一”或领导机关“五个一”的一种）"
    )
    content: str = strawberry.field(description="活动内容（必填，最多 4000 字）")
    occurred_at: datetime = strawberry.field(
        description="活动时间，带时区，如 2026-05-04T10:00:00+08:00"
    )
    place: str = strawberry.field(default="", description="地点（可选，最多 200 字）")
    participant_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="参与的小伙伴（全局 ID，须在你的联系名单中且已确认联系；最多 500 位）",
    )
    campaign_id: strawberry.ID | None = strawberry.field(default=None, description="所属集中活动")
    for_organ: bool = strawberry.field(
        default=False,
        description="领导机关组织的活动（如集中志愿服务）：计入所在领导机关的“五个一”；"
        "机关开放、面对面、分享、自主设计活动总是机关的；个人的志愿服务不计入机关",
    )


@strawberry.input(description="修改自己的日志（锁定前）；不填的字段不变")
class UpdateWorkLogInput:
    id: strawberry.ID = strawberry.field(description="要修改的日志的全局 ID")
    content: str | None = strawberry.field(default=None, description="新的内容")
    channel: Channel | None = strawberry.field(default=None, description="新的联系方式（联系记录）")
    activity_kind: ActivityKind | None = strawberry.field(
        default=None, description="新的活动类型（活动记录）"
    )
    place: str | None = strawberry.field(default=None, description="新的地点")
    occurred_at: datetime | None = strawberry.field(default=None, description="新的发生时间")


@strawberry.type
class WorkLogQuery:
    @strawberry.field(description="一条日志（本人的，或有 work:view 的下级的）")
    async def work_log(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="日志的全局 ID")],
    ) -> WorkLog:
        return WorkLog.of(await worklogs.get(info.context.ctx, pk(id, "WorkLog")))

    @strawberry.field(description="日志：团干部看自己的，领导看权限范围内的；可筛选与全文搜索")
    async def work_logs(
        self,
        info: Info,
        under: Under = None,
        cadre_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="只看这位团干部的（全局 ID）；不给则全部"),
        ] = None,
        kind: Annotated[
            LogKind | None, strawberry.argument(description="只看这一类别的；不给则全部")
        ] = None,
        channel: Annotated[
            Channel | None, strawberry.argument(description="只看这种联系方式的；不给则全部")
        ] = None,
        activity_kind: Annotated[
            ActivityKind | None, strawberry.argument(description="只看这一活动类型的；不给则全部")
        ] = None,
        occurred_from: Annotated[
            datetime | None, strawberry.argument(description="只看这个时间及以后发生的；不给则不限")
        ] = None,
        occurred_to: Annotated[
            datetime | None,
            strawberry.argument(description="只看这个时间以前发生的（不含）；不给则不限"),
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="在内容中查找这段文字（不分大小写，中文可直接搜）；不给则不限"
            ),
        ] = None,
        include_deleted: Annotated[
            bool,
            strawberry.argument(
                description="true 连同已删除的一起列（带删除时间与原因）；默认 false"
            ),
        ] = False,
        newest_first: NewestFirst = False,
        first: First = None,
        after: After = None,
    ) -> Connection[WorkLog]:
        page = await worklogs.list_logs(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            cadre_id=opt_pk(cadre_id, "Cadre"),
            kind=kind,
            channel=channel,
            activity_kind=activity_kind,
            start=occurred_from,
            end=occurred_to,
            search=search,
            include_deleted=include_deleted,
            first=first,
            after=after,
            newest_first=newest_first,
            edges=asked(info, WORK_LOG_EDGES),
            nodes=nodes_json(info, WorkLogRow, WORK_LOG_EDGES),
        )
        return connection(page, WorkLog.of)


@strawberry.type
class WorkLogMutation:
    @strawberry.mutation(description="记录一次与名单中小伙伴的联系")
    async def log_contact(
        self,
        info: Info,
        input: Annotated[LogContactInput, strawberry.argument(description="联系的内容")],
    ) -> WorkLog:
        row = await worklogs.log_contact(
            info.context.ctx,
            youth_id=pk(input.youth_id, "Youth"),
            channel=input.channel,
            content=input.content,
            occurred_at=input.occurred_at,
        )
        return WorkLog.of(row)

    @strawberry.mutation(description="记录一次活动（参与者须在名单中）")
    async def log_activity(
        self,
        info: Info,
        input: Annotated[LogActivityInput, strawberry.argument(description="活动的内容")],
    ) -> WorkLog:
        row = await worklogs.log_activity(
            info.context.ctx,
            kind=input.kind,
            content=input.content,
            occurred_at=input.occurred_at,
            place=input.place,
            participant_ids=[pk(i, "Youth") for i in input.participant_ids],
            campaign_id=opt_pk(input.campaign_id, "Campaign"),
            for_organ=input.for_organ,
        )
        return WorkLog.of(row)

    @strawberry.mutation(description="修改自己的日志（写入后可修改时限内）")
    async def update_work_log(
        self,
        info: Info,
        input: Annotated[UpdateWorkLogInput, strawberry.argument(description="要修改的日志与新值")],
    ) -> WorkLog:
        row = await worklogs.update(
            info.context.ctx,
            pk(input.id, "WorkLog"),
            content=input.content,
            channel=input.channel,
            occurred_at=input.occurred_at,
            place=input.place,
            activity_kind=input.activity_kind,
        )
        return WorkLog.of(row)

    @strawberry.mutation(description="删除自己的日志（软删除，留审计记录，扣回积分）")
    async def delete_work_log(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="日志的全局 ID")],
        reason: Annotated[
            str, strawberry.argument(description="删除原因（必填，最多 200 字，记入审计）")
        ],
    ) -> WorkLog:
        return WorkLog.of(await worklogs.delete(info.context.ctx, pk(id, "WorkLog"), reason))
