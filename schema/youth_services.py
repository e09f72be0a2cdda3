"""The youth side: 青年之声, 微心愿 and the wish pool, resources, 评价, 文化产品, 活动讨论."""

from __future__ import annotations

from datetime import date, datetime

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
from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, pk, to_global_id


@strawberry.type(description="青年之声的一条回复")
class VoiceReply:
    body: str
    from_youth: bool
    created_at: datetime


@strawberry.type(name="Voice", description="青年之声：小伙伴的意见、建议或咨询")
class Voice(Node):
    row: strawberry.Private[VoiceRow]
    kind: VoiceKind
    topic: str
    title: str
    body: str
    status: VoiceStatus
    created_at: datetime
    first_reply_at: datetime | None
    closed_at: datetime | None

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

    @strawberry.field
    async def youth(self, info: Info) -> Youth | None:
        return await visible_youth(info, self.row.youth_id)

    @strawberry.field(description="收件的团干部（向组织反映时为空）")
    async def cadre(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.row.cadre_id)

    @strawberry.field(description="收件的组织")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field
    async def replies(self, info: Info) -> list[VoiceReply]:
        return [
            VoiceReply(body=r.body, from_youth=r.from_youth, created_at=r.created_at)
            for r in await voices.replies(info.context.ctx, self.row.id)
        ]


@strawberry.type
class TopicCount:
    topic: str
    count: int


@strawberry.type(description="青年之声统计（领导视图）")
class VoiceStats:
    total: int
    open: int
    answered: int
    closed: int
    median_hours_to_reply: float | None
    open_over_3_days: int
    by_topic: list[TopicCount]


@strawberry.type(description="心愿状态变化记录")
class WishEvent:
    from_status: WishStatus | None
    to_status: WishStatus
    by_system: bool
    note: str
    at: datetime


@strawberry.type(description="可执行的下一步操作")
class WishTransition:
    action: WishAction
    to: WishStatus


@strawberry.type(name="Wish", description="微心愿")
class Wish(Node):
    row: strawberry.Private[WishRow]
    category: WishCategory
    title: str
    description: str
    status: WishStatus
    evidence: str | None = strawberry.field(description="实现情况")
    reason: str | None = strawberry.field(description="不予受理的原因")
    submitted_at: datetime
    updated_at: datetime
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

    @strawberry.field
    async def youth(self, info: Info) -> Youth | None:
        return await visible_youth(info, self.row.youth_id)

    @strawberry.field
    async def cadre(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.row.cadre_id)

    @strawberry.field(description="所在心愿池的领导机关")
    async def pool_org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.pool_org_id)

    @strawberry.field(description="状态变化历史")
    async def history(self, info: Info) -> list[WishEvent]:
        return [
            WishEvent(
                from_status=WishStatus(e.from_status) if e.from_status else None,
                to_status=WishStatus(e.to_status),
                by_system=e.actor_user_id is None,
                note=e.note,
                at=e.at,
            )
            for e in await wishes.history(info.context.ctx, self.row.id)
        ]

    @strawberry.field(description="你现在可以执行的操作")
    def allowed_actions(self, info: Info) -> list[WishTransition]:
        return [
            WishTransition(action=t.action, to=t.to)
            for t in wishes.allowed_actions(info.context.ctx, self.row)
        ]


@strawberry.type(name="Resource", description="心愿资源：领导机关汇聚的企业、志愿者、资金等")
class Resource(Node):
    row: strawberry.Private[ResourceRow]
    donor: str
    kind: ResourceKind
    capacity: int
    used: int
    valid_from: date
    valid_until: date
    description: str

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


@strawberry.type
class ScoreCount:
    score: int
    count: int


@strawberry.type(description="评价汇总（只有汇总，看不到谁打了几分）")
class RatingSummary:
    count: int
    average: float | None
    distribution: list[ScoreCount]


@strawberry.type
class CadreRatingSummary:
    cadre_id: strawberry.ID
    name: str
    count: int
    average: float


@strawberry.type
class OrgRatings:
    overall: RatingSummary
    by_cadre: list[CadreRatingSummary]


def _summary(s: ratings.RatingSummary) -> RatingSummary:
    return RatingSummary(
        count=s.count,
        average=s.average,
        distribution=[ScoreCount(score=k, count=v) for k, v in s.distribution.items()],
    )


@strawberry.type(name="Post", description="文化产品")
class Post(Node):
    row: strawberry.Private[PostRow]
    audience: PostAudience
    title: str
    body: str
    link: str | None
    media_ref: str | None
    created_at: datetime

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

    @strawberry.field
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
    id: strawberry.ID
    body: str
    from_youth: bool
    hidden: bool
    created_at: datetime


@strawberry.type(name="Discussion", description="活动讨论")
class Discussion(Node):
    row: strawberry.Private[DiscussionRow]
    title: str
    body: str
    is_closed: bool
    created_at: datetime

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

    @strawberry.field
    async def replies(self, info: Info) -> list[DiscussionReply]:
        return [
            DiscussionReply(
                id=to_global_id("DiscussionReply", r.id),
                body=r.body,
                from_youth=r.from_youth,
                hidden=r.hidden,
                created_at=r.created_at,
            )
            for r in await posts.thread(info.context.ctx, self.row.id)
        ]


@strawberry.type
class YouthServicesQuery:
    @strawberry.field(description="我的青年之声：小伙伴发出的，或团干部收到的")
    async def my_voices(
        self,
        info: Info,
        status: VoiceStatus | None = None,
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
        status: VoiceStatus | None = None,
        topic: str | None = None,
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
        )
        return connection(page, Voice.of)

    @strawberry.field
    async def voice(self, info: Info, id: strawberry.ID) -> Voice:
        return Voice.of(await voices.get(info.context.ctx, pk(id, "Voice")))

    @strawberry.field(description="青年之声统计：数量与回复速度")
    async def voice_stats(
        self,
        info: Info,
        org_id: strawberry.ID,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
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
        status: WishStatus | None = None,
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
        status: WishStatus | None = None,
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
        )
        return connection(page, Wish.of)

    @strawberry.field
    async def wish(self, info: Info, id: strawberry.ID) -> Wish:
        return Wish.of(await wishes.get(info.context.ctx, pk(id, "Wish")))

    @strawberry.field(
        description="心愿池：待资源认领的心愿（需要 wish:manage），可按组织、类别、等待天数筛选"
    )
    async def wish_pool(
        self,
        info: Info,
        org_id: strawberry.ID | None = None,
        category: WishCategory | None = None,
        older_than_days: int | None = None,
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
        valid_only: bool = True,
        first: First = None,
        after: After = None,
    ) -> Connection[Resource]:
        page = await wishes.list_resources(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            valid_only=valid_only,
            first=first,
            after=after,
        )
        return connection(page, Resource.of)

    @strawberry.field(description="我收到的评价汇总（团干部）")
    async def my_ratings(self, info: Info, period: str | None = None) -> RatingSummary:
        return _summary(await ratings.mine(info.context.ctx, period))

    @strawberry.field(description="某组织子树的评价汇总（需要 rating:view）")
    async def org_ratings(
        self, info: Info, org_id: strawberry.ID, period: str | None = None
    ) -> OrgRatings:
        overall, per = await ratings.for_org(info.context.ctx, pk(org_id, "Org"), period)
        return OrgRatings(
            overall=_summary(overall),
            by_cadre=[
                CadreRatingSummary(
                    cadre_id=to_global_id("Cadre", c.cadre_id),
                    name=c.name,
                    count=c.count,
                    average=c.average,
                )
                for c in per
            ],
        )

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
    async def discussion(self, info: Info, id: strawberry.ID) -> Discussion:
        return Discussion.of(await posts.get_discussion(info.context.ctx, pk(id, "Discussion")))


@strawberry.type
class YouthServicesMutation:
    @strawberry.mutation(
        description="小伙伴向联系自己的团干部（cadreId）或所在/上级组织（orgId）反映"
    )
    async def send_voice(
        self,
        info: Info,
        kind: VoiceKind,
        title: str,
        body: str,
        topic: str = "",
        cadre_id: strawberry.ID | None = None,
        org_id: strawberry.ID | None = None,
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
    async def reply_voice(self, info: Info, id: strawberry.ID, body: str) -> Voice:
        ctx = info.context.ctx
        await voices.reply(ctx, pk(id, "Voice"), body)
        return Voice.of(await voices.get(ctx, pk(id, "Voice")))

    @strawberry.mutation(description="关闭青年之声")
    async def close_voice(self, info: Info, id: strawberry.ID) -> Voice:
        return Voice.of(await voices.close(info.context.ctx, pk(id, "Voice")))

    @strawberry.mutation(description="小伙伴向联系自己的团干部提交微心愿")
    async def submit_wish(
        self,
        info: Info,
        cadre_id: strawberry.ID,
        category: WishCategory,
        title: str,
        description: str,
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
        id: strawberry.ID,
        action: WishAction,
        note: str = "",
        evidence: str | None = None,
        resource_id: strawberry.ID | None = None,
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
        org_id: strawberry.ID,
        donor: str,
        kind: ResourceKind,
        capacity: int,
        valid_from: date,
        valid_until: date,
        description: str = "",
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
        self, info: Info, cadre_id: strawberry.ID, score: int, comment: str = ""
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
        audience: PostAudience,
        title: str,
        body: str = "",
        link: str | None = None,
        media_ref: str | None = None,
        org_id: strawberry.ID | None = None,
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
    async def mark_post_read(self, info: Info, id: strawberry.ID) -> Post:
        return Post.of(await posts.mark_read(info.context.ctx, pk(id, "Post")))

    @strawberry.mutation(description="团干部发起活动讨论")
    async def open_discussion(self, info: Info, title: str, body: str = "") -> Discussion:
        return Discussion.of(await posts.open_discussion(info.context.ctx, title, body))

    @strawberry.mutation(description="回复活动讨论")
    async def reply_discussion(self, info: Info, id: strawberry.ID, body: str) -> Discussion:
        ctx = info.context.ctx
        await posts.reply(ctx, pk(id, "Discussion"), body)
        return Discussion.of(await posts.get_discussion(ctx, pk(id, "Discussion")))

    @strawberry.mutation(description="团干部隐藏或恢复一条回复")
    async def moderate_reply(self, info: Info, id: strawberry.ID, hidden: bool) -> bool:
        return (
            await posts.moderate(info.context.ctx, pk(id, "DiscussionReply"), hidden)
        ).hidden == hidden

    @strawberry.mutation(description="团干部关闭讨论")
    async def close_discussion(self, info: Info, id: strawberry.ID) -> Discussion:
        return Discussion.of(await posts.close_discussion(info.context.ctx, pk(id, "Discussion")))
