"""The youth side: 青年之声, 微心愿 and the wish pool, resources, 评价, 文化产品, 活动讨论."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from models import Discussion as DiscussionRow
from models import Post as PostRow
from models import (
    PostAudience,
    ResourceKind,
    VoiceKind,
    VoiceStatus,
    WishCategory,
    WishStatus,
)
from models import Resource as ResourceRow
from models import Voice as VoiceRow
from models import Wish as WishRow
from resolvers import posts, ratings, voices, wishes
from resolvers.wishes import WishAction
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.people import Cadre, Youth, visible_cadre, visible_youth
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


@strawberry.type(description="青年之声的一条回复")
class VoiceReply:
    body: str = strawberry.field(description="回复正文")
    from_youth: bool = strawberry.field(
        description="true 为小伙伴的追问，false 为团干部（或组织）的回复"
    )
    created_at: datetime = strawberry.field(description="回复时间")


@strawberry.type(name="Voice", description="青年之声：小伙伴的意见、建议或咨询")
class Voice(Node):
    row: strawberry.Private[VoiceRow]
    kind: VoiceKind = strawberry.field(description="类别：意见、建议或咨询")
    topic: str = strawberry.field(
        description="话题标签（小伙伴自填，可为空字符串），用于按话题统计与筛选"
    )
    title: str = strawberry.field(description="标题")
    body: str = strawberry.field(description="正文")
    status: VoiceStatus = strawberry.field(description="状态：待回复、已回复或已关闭")
    created_at: datetime = strawberry.field(description="提交时间")
    first_reply_at: datetime | None = strawberry.field(
        description="第一次回复的时间；尚未回复时为 null（用于统计回复速度）"
    )
    closed_at: datetime | None = strawberry.field(description="关闭时间；未关闭时为 null")

    @classmethod
    def of(cls, r: VoiceRow) -> Voice:
        return cls(
            id=to_global_id("Voice", r.id),
            row=r,
            kind=r.kind,
            topic=r.topic,
            title=r.title,
            body=r.body,
            status=r.status,
            created_at=r.created_at,
            first_reply_at=r.first_reply_at,
            closed_at=r.closed_at,
        )

    @strawberry.field(description="提出的小伙伴；你无权查看该小伙伴时为 null")
    async def youth(self, info: Info) -> Youth | None:
        return await visible_youth(info, self.row.youth_id)

    @strawberry.field(description="收件的团干部（向组织反映时为空）")
    async def cadre(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.row.cadre_id)

    @strawberry.field(description="收件的组织")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(description="回复与追问，按时间先后")
    async def replies(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[VoiceReply]:
        page = await voices.replies(info.context.ctx, self.row.id, first=first, after=after)
        return connection(
            page,
            lambda r: VoiceReply(body=r.body, from_youth=r.from_youth, created_at=r.created_at),
        )


@strawberry.type(description="某一话题的青年之声数量")
class TopicCount:
    topic: str = strawberry.field(description="话题标签（空字符串表示未填话题）")
    count: int = strawberry.field(description="条数")


@strawberry.type(description="青年之声统计（领导视图）")
class VoiceStats:
    total: int = strawberry.field(description="期间内收到的总条数")
    open: int = strawberry.field(description="待回复条数")
    answered: int = strawberry.field(description="已回复条数")
    closed: int = strawberry.field(description="已关闭条数")
    median_hours_to_reply: float | None = strawberry.field(
        description="从提交到第一次回复的小时数中位数；期间内没有已回复的为 null"
    )
    open_over_3_days: int = strawberry.field(description="提交超过 3 天仍待回复的条数（需要督办）")
    by_topic: list[TopicCount] = strawberry.field(description="按话题分列的条数")


@strawberry.type(description="心愿状态变化记录")
class WishEvent:
    from_status: WishStatus | None = strawberry.field(
        description="变化前的状态；心愿刚提交时为 null"
    )
    to_status: WishStatus = strawberry.field(description="变化后的状态")
    by_system: bool = strawberry.field(
        description="true 表示由系统自动完成（如超时自动进入心愿池），不是某人的操作"
    )
    note: str = strawberry.field(description="操作时填写的说明（可为空字符串）")
    at: datetime = strawberry.field(description="变化时间")


@strawberry.type(description="可执行的下一步操作")
class WishTransition:
    action: WishAction = strawberry.field(description="可执行的操作（作 actOnWish 的 action 参数）")
    to: WishStatus = strawberry.field(description="执行后心愿将进入的状态")


@strawberry.type(name="Wish", description="微心愿")
class Wish(Node):
    row: strawberry.Private[WishRow]
    category: WishCategory = strawberry.field(description="心愿类别")
    title: str = strawberry.field(description="标题")
    description: str = strawberry.field(description="心愿内容")
    status: WishStatus = strawberry.field(description="当前状态")
    evidence: str | None = strawberry.field(description="实现情况")
    reason: str | None = strawberry.field(description="不予受理的原因")
    submitted_at: datetime = strawberry.field(description="提交时间")
    updated_at: datetime = strawberry.field(
        description="最近一次状态变化的时间（心愿池按它计算等待天数）"
    )
    pooled_at: datetime | None = strawberry.field(
        description="进入当前心愿池的时间：在县级心愿池、市级心愿池无人认领满规定天数后逐级上移"
    )

    @classmethod
    def of(cls, r: WishRow) -> Wish:
        return cls(
            id=to_global_id("Wish", r.id),
            row=r,
            category=r.category,
            title=r.title,
            description=r.description,
            status=r.status,
            evidence=r.evidence,
            reason=r.reason,
            submitted_at=r.submitted_at,
            updated_at=r.updated_at,
            pooled_at=r.pooled_at,
        )

    @strawberry.field(description="提出心愿的小伙伴；你无权查看该小伙伴时为 null")
    async def youth(self, info: Info) -> Youth | None:
        return await visible_youth(info, self.row.youth_id)

    @strawberry.field(description="收到心愿的团干部；你无权查看该团干部时为 null")
    async def cadre(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.row.cadre_id)

    @strawberry.field(description="所在心愿池的领导机关")
    async def pool_org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.pool_org_id)

    @strawberry.field(description="状态变化历史")
    async def history(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[WishEvent]:
        page = await wishes.history(info.context.ctx, self.row.id, first=first, after=after)
        return connection(
            page,
            lambda e: WishEvent(
                from_status=WishStatus(e.from_status) if e.from_status else None,
                to_status=WishStatus(e.to_status),
                by_system=e.actor_user_id is None,
                note=e.note,
                at=e.at,
            ),
        )

    @strawberry.field(description="你现在可以执行的操作")
    def allowed_actions(self, info: Info) -> list[WishTransition]:
        return [
            WishTransition(action=t.action, to=t.to)
            for t in wishes.allowed_actions(info.context.ctx, self.row)
        ]


@strawberry.type(name="Resource", description="心愿资源：领导机关汇聚的企业、志愿者、资金等")
class Resource(Node):
    row: strawberry.Private[ResourceRow]
    donor: str = strawberry.field(description="提供方名称（企业、志愿者团队或个人）")
    kind: ResourceKind = strawberry.field(description="资源类别")
    capacity: int = strawberry.field(description="可帮扶的心愿数（1–100000）")
    used: int = strawberry.field(description="已认领的心愿数；达到 capacity 后不能再认领")
    valid_from: date = strawberry.field(description="有效期起（含）")
    valid_until: date = strawberry.field(description="有效期止（含）；过期后不能再认领")
    description: str = strawberry.field(description="资源说明（可为空字符串）")

    @classmethod
    def of(cls, r: ResourceRow) -> Resource:
        return cls(
            id=to_global_id("Resource", r.id),
            row=r,
            donor=r.donor,
            kind=r.kind,
            capacity=r.capacity,
            used=r.used,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            description=r.description,
        )

    @strawberry.field(description="登记资源的领导机关：它及其上级领导机关之下的心愿都可以用它认领")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)


@strawberry.type(description="某一分值的评价数")
class ScoreCount:
    score: int = strawberry.field(description="分值（1–5）")
    count: int = strawberry.field(description="打这一分的评价数")


@strawberry.type(description="评价汇总（只有汇总，看不到谁打了几分）")
class RatingSummary:
    count: int = strawberry.field(description="评价总数")
    average: float | None = strawberry.field(description="平均分（1–5）；没有评价时为 null")
    distribution: list[ScoreCount] = strawberry.field(
        description="各分值的评价数（只列出现过的分值）"
    )


@strawberry.type(description="一名团干部收到的评价汇总")
class CadreRatingSummary:
    cadre_id: strawberry.ID = strawberry.field(description="团干部的全局 ID")
    name: str = strawberry.field(description="团干部姓名")
    count: int = strawberry.field(description="评价数")
    average: float = strawberry.field(description="平均分（1–5）")


@strawberry.type(description="某组织子树的评价汇总：总体与按团干部分列")
class OrgRatings:
    overall: RatingSummary = strawberry.field(description="子树内全部评价的汇总")
    org_id: strawberry.Private[int]
    period: strawberry.Private[str | None]

    @strawberry.field(description="按团干部分列（只列收到过评价的团干部），平均分低者在前")
    async def by_cadre(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[CadreRatingSummary]:
        page = await ratings.by_cadre(
            info.context.ctx, self.org_id, self.period, first=first, after=after
        )
        return connection(
            page,
            lambda c: CadreRatingSummary(
                cadre_id=to_global_id("Cadre", c.cadre_id),
                name=c.name,
                count=c.count,
                average=c.average,
            ),
        )


def _summary(s: ratings.RatingSummary) -> RatingSummary:
    return RatingSummary(
        count=s.count,
        average=s.average,
        distribution=[ScoreCount(score=k, count=v) for k, v in s.distribution.items()],
    )


@strawberry.type(name="Post", description="文化产品")
class Post(Node):
    row: strawberry.Private[PostRow]
    audience: PostAudience = strawberry.field(
        description="推送对象：我联系的小伙伴，或某组织及下级的小伙伴"
    )
    title: str = strawberry.field(description="标题")
    body: str = strawberry.field(description="正文（可为空字符串）")
    link: str | None = strawberry.field(description="外部链接（http/https）；没有时为 null")
    media_ref: str | None = strawberry.field(
        description="图片、音视频等媒体的引用（如文件地址）；没有时为 null"
    )
    created_at: datetime = strawberry.field(description="推送时间")

    @classmethod
    def of(cls, r: PostRow) -> Post:
        return cls(
            id=to_global_id("Post", r.id),
            row=r,
            audience=r.audience,
            title=r.title,
            body=r.body,
            link=r.link,
            media_ref=r.media_ref,
            created_at=r.created_at,
        )

    @strawberry.field(description="推送的团干部；你无权查看该团干部时为 null")
    async def cadre(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.row.cadre_id)

    @strawberry.field(description="阅读人数（作者可见）")
    async def read_count(self, info: Info) -> int | None:
        ctx = info.context.ctx
        if ctx.principal.cadre_id != self.row.cadre_id:
            return None
        return (await posts.read_counts(ctx, [self.row.id])).get(self.row.id, 0)


@strawberry.type(description="讨论中的一条回复")
class DiscussionReply:
    id: strawberry.ID = strawberry.field(description="回复的全局 ID（用于 moderateReply）")
    body: str = strawberry.field(description="回复正文")
    from_youth: bool = strawberry.field(description="true 为小伙伴的回复，false 为团干部的")
    hidden: bool = strawberry.field(
        description="是否已被团干部隐藏（隐藏的回复只有发起讨论的团干部和回复者本人看得到）"
    )
    created_at: datetime = strawberry.field(description="回复时间")


@strawberry.type(name="Discussion", description="活动讨论")
class Discussion(Node):
    row: strawberry.Private[DiscussionRow]
    title: str = strawberry.field(description="标题")
    body: str = strawberry.field(description="讨论的开场内容（可为空字符串）")
    is_closed: bool = strawberry.field(description="是否已关闭（关闭后不能再回复）")
    created_at: datetime = strawberry.field(description="发起时间")

    @classmethod
    def of(cls, r: DiscussionRow) -> Discussion:
        return cls(
            id=to_global_id("Discussion", r.id),
            row=r,
            title=r.title,
            body=r.body,
            is_closed=r.is_closed,
            created_at=r.created_at,
        )

    @strawberry.field(description="回复，按时间先后")
    async def replies(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[DiscussionReply]:
        page = await posts.thread(info.context.ctx, self.row.id, first=first, after=after)
        return connection(
            page,
            lambda r: DiscussionReply(
                id=to_global_id("DiscussionReply", r.id),
                body=r.body,
                from_youth=r.from_youth,
                hidden=r.hidden,
                created_at=r.created_at,
            ),
        )


@strawberry.type
class YouthServicesQuery:
    @strawberry.field(description="我的青年之声：小伙伴发出的，或团干部收到的")
    async def my_voices(
        self,
        info: Info,
        status: Annotated[
            VoiceStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Voice]:
        return connection(
            await voices.list_voices(
                info.context.ctx, mine=True, status=status, first=first, after=after
            ),
            Voice.of,
        )

    @strawberry.field(description="下级的青年之声（需要 voice:view）")
    async def voices(
        self,
        info: Info,
        under: Under = None,
        status: Annotated[
            VoiceStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        topic: Annotated[
            str | None,
            strawberry.argument(description="只看这个话题标签的（完全相同）；不给则全部"),
        ] = None,
        newest_first: NewestFirst = False,
        first: First = None,
        after: After = None,
    ) -> Connection[Voice]:
        page = await voices.list_voices(
            info.context.ctx,
            mine=False,
            under=opt_pk(under, "Org"),
            status=status,
            topic=topic,
            first=first,
            after=after,
            newest_first=newest_first,
        )
        return connection(page, Voice.of)

    @strawberry.field(
        description="一条青年之声：小伙伴本人、收件团干部或有 voice:view 的上级可见，否则 NOT_FOUND"
    )
    async def voice(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="青年之声的全局 ID")],
    ) -> Voice:
        return Voice.of(await voices.get(info.context.ctx, pk(id, "Voice")))

    @strawberry.field(description="青年之声统计：数量与回复速度")
    async def voice_stats(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="统计这个团组织及其下级（全局 ID）")
        ],
        created_from: Annotated[
            datetime | None,
            strawberry.argument(description="只统计这个时间及以后提交的；不给则不限"),
        ] = None,
        created_to: Annotated[
            datetime | None,
            strawberry.argument(description="只统计这个时间以前提交的（不含）；不给则不限"),
        ] = None,
    ) -> VoiceStats:
        s = await voices.stats(info.context.ctx, pk(org_id, "Org"), created_from, created_to)
        return VoiceStats(
            total=s.total,
            open=s.open,
            answered=s.answered,
            closed=s.closed,
            median_hours_to_reply=s.median_hours_to_reply,
            open_over_3_days=s.open_over_3_days,
            by_topic=[TopicCount(topic=k, count=v) for k, v in sorted(s.by_topic.items())],
        )

    @strawberry.field(description="我的心愿：小伙伴提交的，或团干部收到的")
    async def my_wishes(
        self,
        info: Info,
        status: Annotated[
            WishStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Wish]:
        return connection(
            await wishes.list_wishes(
                info.context.ctx, mine=True, status=status, first=first, after=after
            ),
            Wish.of,
        )

    @strawberry.field(description="下级的心愿（需要 wish:view）")
    async def wishes(
        self,
        info: Info,
        under: Under = None,
        status: Annotated[
            WishStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        newest_first: NewestFirst = False,
        first: First = None,
        after: After = None,
    ) -> Connection[Wish]:
        page = await wishes.list_wishes(
            info.context.ctx,
            mine=False,
            under=opt_pk(under, "Org"),
            status=status,
            first=first,
            after=after,
            newest_first=newest_first,
        )
        return connection(page, Wish.of)

    @strawberry.field(
        description="一个微心愿：小伙伴本人、收件团干部或有 wish:view 的上级可见，否则 NOT_FOUND"
    )
    async def wish(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="微心愿的全局 ID")],
    ) -> Wish:
        return Wish.of(await wishes.get(info.context.ctx, pk(id, "Wish")))

    @strawberry.field(
        description="心愿池：待资源认领的心愿（需要 wish:manage），可按组织、类别、等待天数筛选"
    )
    async def wish_pool(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="只看这个团组织及其下级心愿池的（全局 ID）；不给则为你能管理的全部"
            ),
        ] = None,
        category: Annotated[
            WishCategory | None, strawberry.argument(description="只看这个类别的；不给则全部")
        ] = None,
        older_than_days: Annotated[
            int | None,
            strawberry.argument(
                description="只看最近一次状态变化已超过这么多天的（0–3650）；不给则不限"
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Wish]:
        page = await wishes.pool(
            info.context.ctx,
            org_id=opt_pk(org_id, "Org"),
            category=category,
            older_than_days=older_than_days,
            first=first,
            after=after,
        )
        return connection(page, Wish.of)

    @strawberry.field(description="心愿资源（需要 resource:view）")
    async def resources(
        self,
        info: Info,
        under: Under = None,
        valid_only: Annotated[
            bool,
            strawberry.argument(
                description="true（默认）只列今天仍在有效期内的资源；false 连同过期的一起列"
            ),
        ] = True,
        for_wish: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="只列能认领这个心愿的资源：心愿所在组织及其各级上级领导机关的资源"
                "（心愿的全局 ID；看不到的心愿答 NOT_FOUND）"
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Resource]:
        page = await wishes.list_resources(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            for_wish=opt_pk(for_wish, "Wish"),
            valid_only=valid_only,
            first=first,
            after=after,
        )
        return connection(page, Resource.of)

    @strawberry.field(description="我收到的评价汇总（团干部）")
    async def my_ratings(
        self,
        info: Info,
        period: Annotated[
            str | None,
            strawberry.argument(description="季度，格式 YYYY-Qn（如 2026-Q3）；不给则为全部季度"),
        ] = None,
    ) -> RatingSummary:
        return _summary(await ratings.mine(info.context.ctx, period))

    @strawberry.field(description="某组织子树的评价汇总（需要 rating:view）")
    async def org_ratings(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="汇总这个团组织及其下级（全局 ID）")
        ],
        period: Annotated[
            str | None,
            strawberry.argument(description="季度，格式 YYYY-Qn（如 2026-Q3）；不给则为全部季度"),
        ] = None,
    ) -> OrgRatings:
        org = pk(org_id, "Org")
        overall = await ratings.for_org(info.context.ctx, org, period)
        return OrgRatings(overall=_summary(overall), org_id=org, period=period)

    @strawberry.field(description="小伙伴的文化产品信息流")
    async def my_feed(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Post]:
        return connection(await posts.feed(info.context.ctx, first, after), Post.of)

    @strawberry.field(description="我推送的文化产品（团干部）")
    async def my_posts(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Post]:
        return connection(await posts.my_posts(info.context.ctx, first, after), Post.of)

    @strawberry.field(description="活动讨论：团干部自己的，或小伙伴的团干部发起的")
    async def discussions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Discussion]:
        return connection(await posts.discussions(info.context.ctx, first, after), Discussion.of)

    @strawberry.field(description="一个活动讨论：团干部自己的，或小伙伴的团干部发起的")
    async def discussion(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="活动讨论的全局 ID")],
    ) -> Discussion:
        return Discussion.of(await posts.get_discussion(info.context.ctx, pk(id, "Discussion")))


@strawberry.type
class YouthServicesMutation:
    @strawberry.mutation(
        description="小伙伴向联系自己的团干部（cadreId）或所在/上级组织（orgId）反映"
    )
    async def send_voice(
        self,
        info: Info,
        kind: Annotated[VoiceKind, strawberry.argument(description="类别：意见、建议或咨询")],
        title: Annotated[str, strawberry.argument(description="标题（必填）")],
        body: Annotated[str, strawberry.argument(description="正文（必填）")],
        topic: Annotated[str, strawberry.argument(description="话题标签（可选，用于统计）")] = "",
        cadre_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="收件的团干部（须是与你有联系的团干部）；与 orgId 二选一"
            ),
        ] = None,
        org_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="收件的组织（你所在的组织或其上级）；与 cadreId 二选一"
            ),
        ] = None,
    ) -> Voice:
        return Voice.of(
            await voices.send(
                info.context.ctx,
                kind=kind,
                title=title,
                body=body,
                topic=topic,
                cadre_id=opt_pk(cadre_id, "Cadre"),
                org_id=opt_pk(org_id, "Org"),
            )
        )

    @strawberry.mutation(description="回复青年之声")
    async def reply_voice(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="青年之声的全局 ID")],
        body: Annotated[str, strawberry.argument(description="回复正文（必填）")],
    ) -> Voice:
        ctx = info.context.ctx
        await voices.reply(ctx, pk(id, "Voice"), body)
        return Voice.of(await voices.get(ctx, pk(id, "Voice")))

    @strawberry.mutation(description="关闭青年之声")
    async def close_voice(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="青年之声的全局 ID")],
    ) -> Voice:
        return Voice.of(await voices.close(info.context.ctx, pk(id, "Voice")))

    @strawberry.mutation(description="小伙伴向联系自己的团干部提交微心愿")
    async def submit_wish(
        self,
        info: Info,
        cadre_id: Annotated[
            strawberry.ID, strawberry.argument(description="收件的团干部（须是与你有联系的团干部）")
        ],
        category: Annotated[WishCategory, strawberry.argument(description="心愿类别")],
        title: Annotated[str, strawberry.argument(description="标题（必填）")],
        description: Annotated[str, strawberry.argument(description="心愿内容（必填）")],
    ) -> Wish:
        return Wish.of(
            await wishes.submit(
                info.context.ctx,
                cadre_id=pk(cadre_id, "Cadre"),
                category=category,
                title=title,
                description=description,
            )
        )

    @strawberry.mutation(
        description="心愿状态变化：非法的变化返回 CONFLICT（extensions.reason=ILLEGAL_TRANSITION），不作任何修改"
    )
    async def act_on_wish(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="微心愿的全局 ID")],
        action: Annotated[
            WishAction,
            strawberry.argument(description="要执行的操作（可执行的操作见 Wish.allowedActions）"),
        ],
        note: Annotated[
            str, strawberry.argument(description="说明（可选；REJECT 时为不予受理的原因，必填）")
        ] = "",
        evidence: Annotated[
            str | None, strawberry.argument(description="实现情况（FULFIL 时必填，其他操作不用）")
        ] = None,
        resource_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="认领所用的心愿资源（CLAIM 时必填）"),
        ] = None,
    ) -> Wish:
        row = await wishes.act(
            info.context.ctx,
            pk(id, "Wish"),
            action,
            note=note,
            evidence=evidence,
            resource_id=opt_pk(resource_id, "Resource"),
        )
        return Wish.of(row)

    @strawberry.mutation(description="领导机关登记心愿资源")
    async def add_resource(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="登记资源的领导机关（全局 ID）")
        ],
        donor: Annotated[str, strawberry.argument(description="提供方名称")],
        kind: Annotated[ResourceKind, strawberry.argument(description="资源类别")],
        capacity: Annotated[int, strawberry.argument(description="可帮扶的心愿数（1–100000）")],
        valid_from: Annotated[date, strawberry.argument(description="有效期起（含）")],
        valid_until: Annotated[
            date, strawberry.argument(description="有效期止（含），不得早于 validFrom")
        ],
        description: Annotated[str, strawberry.argument(description="资源说明（可选）")] = "",
    ) -> Resource:
        row = await wishes.add_resource(
            info.context.ctx,
            org_id=pk(org_id, "Org"),
            donor=donor,
            kind=kind,
            capacity=capacity,
            valid_from=valid_from,
            valid_until=valid_until,
            description=description,
        )
        return Resource.of(row)

    @strawberry.mutation(description="小伙伴评价联系自己的团干部（1–5 分，每季度一次）")
    async def rate_cadre(
        self,
        info: Info,
        cadre_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="被评价的团干部（须是与你有联系的团干部）"),
        ],
        score: Annotated[int, strawberry.argument(description="评分 1–5")],
        comment: Annotated[
            str, strawberry.argument(description="评语（可选；团干部只看到汇总，看不到评语出自谁）")
        ] = "",
    ) -> RatingSummary:
        ctx = info.context.ctx
        await ratings.rate(ctx, cadre_id=pk(cadre_id, "Cadre"), score=score, comment=comment)
        return RatingSummary(
            count=1, average=float(score), distribution=[ScoreCount(score=score, count=1)]
        )

    @strawberry.mutation(description="推送文化产品")
    async def publish_post(
        self,
        info: Info,
        audience: Annotated[PostAudience, strawberry.argument(description="推送对象")],
        title: Annotated[str, strawberry.argument(description="标题（必填，最多 100 字）")],
        body: Annotated[str, strawberry.argument(description="正文（可选，最多 20000 字）")] = "",
        link: Annotated[
            str | None,
            strawberry.argument(
                description="外部链接（可选，须以 http:// 或 https:// 开头，最多 500 字符）"
            ),
        ] = None,
        media_ref: Annotated[
            str | None, strawberry.argument(description="媒体引用（可选，最多 500 字符）")
        ] = None,
        org_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="audience 为 SUBTREE 时推送到的团组织（全局 ID）；MY_YOUTH 时不用"
            ),
        ] = None,
    ) -> Post:
        return Post.of(
            await posts.publish(
                info.context.ctx,
                audience=audience,
                title=title,
                body=body,
                link=link,
                media_ref=media_ref,
                org_id=opt_pk(org_id, "Org"),
            )
        )

    @strawberry.mutation(description="小伙伴标记已读")
    async def mark_post_read(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="文化产品的全局 ID（须在你的信息流中）")
        ],
    ) -> Post:
        return Post.of(await posts.mark_read(info.context.ctx, pk(id, "Post")))

    @strawberry.mutation(description="团干部发起活动讨论")
    async def open_discussion(
        self,
        info: Info,
        title: Annotated[str, strawberry.argument(description="标题（必填）")],
        body: Annotated[str, strawberry.argument(description="开场内容（可选）")] = "",
    ) -> Discussion:
        return Discussion.of(await posts.open_discussion(info.context.ctx, title, body))

    @strawberry.mutation(description="回复活动讨论")
    async def reply_discussion(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="活动讨论的全局 ID")],
        body: Annotated[str, strawberry.argument(description="回复正文（必填）")],
    ) -> Discussion:
        ctx = info.context.ctx
        await posts.reply(ctx, pk(id, "Discussion"), body)
        return Discussion.of(await posts.get_discussion(ctx, pk(id, "Discussion")))

    @strawberry.mutation(description="团干部隐藏或恢复一条回复")
    async def moderate_reply(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="回复的全局 ID（DiscussionReply.id）")
        ],
        hidden: Annotated[bool, strawberry.argument(description="true 隐藏，false 恢复")],
    ) -> bool:
        return (
            await posts.moderate(info.context.ctx, pk(id, "DiscussionReply"), hidden)
        ).hidden == hidden

    @strawberry.mutation(description="团干部关闭讨论")
    async def close_discussion(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="活动讨论的全局 ID")],
    ) -> Discussion:
        return Discussion.of(await posts.close_discussion(info.context.ctx, pk(id, "Discussion")))
