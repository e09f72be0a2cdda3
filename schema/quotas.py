"""五个一 and 一学一做."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from models import ActivityKind, LearnAndDoKind, QuotaSubject, RecommendationKind
from models import LearnAndDoRecord as LearnAndDoRecordRow
from models import QuotaRule as QuotaRuleRow
from resolvers import learn, quotas
from resolvers.points import today
from resolvers.quotas import Progress as ProgressData
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.people import Cadre, visible_cadre
from schema.relay import After, Connection, First, Under, connection, pk, to_global_id


@strawberry.type(description="“五个一”指标（由团省委设定，下级不得加码）")
class QuotaRule:
    subject: QuotaSubject = strawberry.field(
        description="适用对象：专职、挂职、兼职团干部或市县领导机关"
    )
    period_months: int = strawberry.field(
        description="周期月数（1、2、3、4、6 或 12，周期从每年 1 月起排）：默认专职、挂职为 2，兼职和领导机关为 3"
    )
    min_count: int = strawberry.field(description="每个周期至少开展的活动次数")
    kinds: list[ActivityKind] = strawberry.field(description="计入指标的活动类型")
    one_of_each: bool = strawberry.field(
        description="是否要求每种活动至少一次（默认否：通知所列活动种类是举例，“比如”）"
    )
    counts_learn_and_do: bool = strawberry.field(
        description="一学一做记录是否计入次数（§二.1：领导机关默认计入）"
    )

    @classmethod
    def of(cls, r: QuotaRuleRow) -> QuotaRule:
        return cls(
            subject=r.subject,
            period_months=r.period_months,
            min_count=r.min_count,
            kinds=[ActivityKind(k) for k in r.kinds],
            one_of_each=r.one_of_each,
            counts_learn_and_do=r.counts_learn_and_do,
        )


@strawberry.type(description="某一周期的“五个一”完成情况")
class QuotaProgress:
    subject: QuotaSubject = strawberry.field(description="对象类别")
    subject_id: strawberry.ID = strawberry.field(description="团干部或领导机关（组织）的全局 ID")
    period_start: date = strawberry.field(description="周期开始（含）")
    period_end: date = strawberry.field(description="周期结束（不含）")
    done: int = strawberry.field(description="本周期已开展的计入活动次数")
    required: int = strawberry.field(description="本周期要求的次数（QuotaRule.minCount）")
    kinds_done: list[ActivityKind] = strawberry.field(description="本周期已开展过的活动类型")
    kinds_missing: list[ActivityKind] = strawberry.field(
        description="要求每种至少一次时尚缺的活动类型；不要求时为空列表"
    )
    complete: bool = strawberry.field(description="是否已完成本周期指标（次数够且不缺类型）")
    learn_and_do_counted: int = strawberry.field(
        description="done 中计入的一学一做记录数（规则 countsLearnAndDo 为真时）"
    )

    @classmethod
    def of(cls, p: ProgressData) -> QuotaProgress:
        node = "Org" if p.subject == QuotaSubject.LEADING_ORGAN else "Cadre"
        return cls(
            subject=p.subject,
            subject_id=to_global_id(node, p.subject_id),
            period_start=p.period_start,
            period_end=p.period_end,
            done=p.done,
            required=p.required,
            kinds_done=[ActivityKind(k) for k in p.kinds_done],
            kinds_missing=[
                ActivityKind(k) for k in p.kinds_required if p.one_of_each and k not in p.kinds_done
            ],
            complete=p.complete,
            learn_and_do_counted=p.learn_done,
        )


@strawberry.type(description="一学一做：本年度的选择与工作方案")
class LearnAndDoChoice:
    year: int = strawberry.field(description="年度")
    guided_org_id: strawberry.Private[int]
    joined_branch_id: strawberry.Private[int]
    work_plan: str = strawberry.field(description="与所联系的基层团委（团总支）一起制定的工作方案")
    work_plan_updated_at: datetime | None = strawberry.field(description="工作方案最近修改时间")

    @strawberry.field(description="联系指导的基层团委或团总支")
    async def guided_org(self, info: Info) -> Org | None:
        return await visible_org(info, self.guided_org_id)

    @strawberry.field(description="参加实践的团支部（在所联系的基层团委或团总支之内）")
    async def joined_branch(self, info: Info) -> Org | None:
        return await visible_org(info, self.joined_branch_id)


@strawberry.type(description="一学一做参与记录")
class LearnAndDoRecord:
    id: strawberry.ID = strawberry.field(description="记录的全局 ID")
    kind: LearnAndDoKind = strawberry.field(description="参与类型")
    occurred_on: date = strawberry.field(description="参与日期")
    note: str = strawberry.field(description="说明（可为空字符串）")


@strawberry.type(
    description="一学一做典型推荐：在所联系的基层团委（团总支）发现并向组织推荐的好经验、好做法和先进典型"
)
class LearnAndDoRecommendation:
    id: strawberry.ID = strawberry.field(description="推荐的全局 ID")
    year: int = strawberry.field(description="年度")
    kind: RecommendationKind = strawberry.field(description="推荐的类别：好经验、好做法或先进典型")
    title: str = strawberry.field(description="标题")
    description: str = strawberry.field(description="推荐理由")
    recommended_on: date = strawberry.field(description="推荐日期")
    source_org_id: strawberry.Private[int]
    cadre_id: strawberry.Private[int]

    @strawberry.field(description="典型所在的组织（所联系的基层团委或团总支，或其下级）")
    async def source_org(self, info: Info) -> Org | None:
        return await visible_org(info, self.source_org_id)

    @strawberry.field(description="推荐的团干部")
    async def cadre(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.cadre_id)


@strawberry.type(description="我的一学一做")
class MyLearnAndDo:
    year: int = strawberry.field(description="年度")
    choice: LearnAndDoChoice | None = strawberry.field(
        description="本年度的选择；尚未选择时为 null"
    )
    found: strawberry.Private[list[LearnAndDoRecordRow]]
    recommended: strawberry.Private[list[LearnAndDoRecommendation]]

    @strawberry.field(description="我的典型推荐")
    def recommendations(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[LearnAndDoRecommendation]:
        return connection(info.context.ctx.page_of(self.recommended, first, after), lambda r: r)

    @strawberry.field(description="本年度的参与记录，按日期先后")
    def records(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[LearnAndDoRecord]:
        return connection(info.context.ctx.page_of(self.found, first, after), _record)


@strawberry.type(description="一学一做未完成的团干部")
class LearnAndDoGap:
    cadre: Cadre = strawberry.field(description="团干部")
    has_chosen: bool = strawberry.field(description="是否已选择联系指导的基层团委和参加的团支部")
    records: int = strawberry.field(description="本年度参与记录数")


def _choice(c) -> LearnAndDoChoice | None:
    if c is None:
        return None
    return LearnAndDoChoice(
        year=c.year,
        guided_org_id=c.guided_org_id,
        joined_branch_id=c.joined_branch_id,
        work_plan=c.work_plan,
        work_plan_updated_at=c.work_plan_updated_at,
    )


def _recommendation(r) -> LearnAndDoRecommendation:
    return LearnAndDoRecommendation(
        id=to_global_id("LearnAndDoRecommendation", r.id),
        year=r.year,
        kind=r.kind,
        title=r.title,
        description=r.description,
        recommended_on=r.recommended_on,
        source_org_id=r.source_org_id,
        cadre_id=r.cadre_id,
    )


def _record(r: LearnAndDoRecordRow) -> LearnAndDoRecord:
    return LearnAndDoRecord(
        id=to_global_id("LearnAndDoRecord", r.id),
        kind=r.kind,
        occurred_on=r.occurred_on,
        note=r.note,
    )


@strawberry.type
class QuotaQuery:
    @strawberry.field(description="“五个一”指标")
    async def quota_rules(self, info: Info) -> list[QuotaRule]:
        return [QuotaRule.of(r) for r in await quotas.list_rules(info.context.ctx)]

    @strawberry.field(description="我本周期（含 on 这天的周期）的“五个一”进度")
    async def my_quota_progress(
        self,
        info: Info,
        on: Annotated[
            date | None,
            strawberry.argument(description="取包含这一天的周期；不给则为今天（按服务时区）"),
        ] = None,
    ) -> QuotaProgress | None:
        from authz import require_cadre

        ctx = info.context.ctx
        cadre_id = require_cadre(ctx.principal)
        found = await quotas.cadre_progress(ctx, [cadre_id], on or today(ctx))
        return QuotaProgress.of(found[cadre_id]) if cadre_id in found else None

    @strawberry.field(description="领导机关的“五个一”进度（市、县团委机关）")
    async def organ_quota_progress(
        self,
        info: Info,
        org_id: Annotated[strawberry.ID, strawberry.argument(description="市或县级团委的全局 ID")],
        on: Annotated[
            date | None, strawberry.argument(description="取包含这一天的季度；不给则为今天")
        ] = None,
    ) -> QuotaProgress | None:
        ctx = info.context.ctx
        p = await quotas.organ_progress(ctx, pk(org_id, "Org"), on or today(ctx))
        return QuotaProgress.of(p) if p else None

    @strawberry.field(description="子树中本周期未完成“五个一”的团干部（organs=true 时为领导机关）")
    async def quota_behind(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="查看这个团组织及其下级（全局 ID）")
        ],
        on: Annotated[
            date | None, strawberry.argument(description="取包含这一天的周期；不给则为今天")
        ] = None,
        organs: Annotated[
            bool,
            strawberry.argument(description="true 列未完成的市县领导机关；默认 false 列团干部"),
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[QuotaProgress]:
        ctx = info.context.ctx
        behind = await quotas.behind(ctx, pk(org_id, "Org"), on or today(ctx), organs=organs)
        return connection(ctx.page_of(behind, first, after), QuotaProgress.of)

    @strawberry.field(description="我的一学一做")
    async def my_learn_and_do(
        self,
        info: Info,
        year: Annotated[int | None, strawberry.argument(description="年度；不给则为今年")] = None,
    ) -> MyLearnAndDo:
        ctx = info.context.ctx
        y = year or today(ctx).year
        m = await learn.mine(ctx, y)
        return MyLearnAndDo(
            year=y,
            choice=_choice(m.choice),
            found=list(m.records),
            recommended=[_recommendation(r) for r in m.recommendations],
        )

    @strawberry.field(description="子树中团干部的一学一做典型推荐（可见的）")
    async def learn_and_do_recommendations(
        self,
        info: Info,
        org_id: Under = None,
        year: Annotated[int | None, strawberry.argument(description="年度；不给则为今年")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[LearnAndDoRecommendation]:
        ctx = info.context.ctx
        page = await learn.recommendations(
            ctx,
            org_id=pk(org_id, "Org") if org_id else None,
            year=year or today(ctx).year,
            first=first,
            after=after,
        )
        return connection(page, _recommendation)

    @strawberry.field(description="子树中未选择或未记录一学一做的团干部")
    async def learn_and_do_gaps(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="查看这个团组织及其下级（全局 ID）")
        ],
        year: Annotated[int | None, strawberry.argument(description="年度；不给则为今年")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[LearnAndDoGap]:
        ctx = info.context.ctx
        page = await learn.gaps(
            ctx, pk(org_id, "Org"), year or today(ctx).year, first=first, after=after
        )
        return connection(
            page,
            lambda g: LearnAndDoGap(
                cadre=Cadre.of(g.cadre), has_chosen=g.has_chosen, records=g.records
            ),
        )


@strawberry.input(description="修改“五个一”指标；不填的字段不变（仅团省委）")
class SetQuotaRuleInput:
    subject: QuotaSubject = strawberry.field(description="要修改哪类对象的指标")
    period_months: int | None = strawberry.field(
        default=None, description="新的周期月数：1、2、3、4、6 或 12"
    )
    min_count: int | None = strawberry.field(default=None, description="新的每周期最少次数")
    kinds: list[ActivityKind] | None = strawberry.field(
        default=None, description="新的计入活动类型"
    )
    counts_learn_and_do: bool | None = strawberry.field(
        default=None, description="一学一做记录是否计入次数"
    )
    one_of_each: bool | None = strawberry.field(
        default=None, description="是否要求每种活动至少一次"
    )


@strawberry.type
class QuotaMutation:
    @strawberry.mutation(description="修改“五个一”指标（需要根组织的 quota:manage：下级不能加码）")
    async def set_quota_rule(
        self,
        info: Info,
        input: Annotated[SetQuotaRuleInput, strawberry.argument(description="要修改的指标与新值")],
    ) -> QuotaRule:
        row = await quotas.set_rule(
            info.context.ctx,
            input.subject,
            period_months=input.period_months,
            min_count=input.min_count,
            kinds=input.kinds,
            one_of_each=input.one_of_each,
            counts_learn_and_do=input.counts_learn_and_do,
        )
        return QuotaRule.of(row)

    @strawberry.mutation(
        description="选择本年度联系指导的基层团委或团总支，和其中参加实践的一个团支部（可更改）"
    )
    async def choose_learn_and_do(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="年度")],
        guided_org_id: Annotated[
            strawberry.ID, strawberry.argument(description="联系指导的基层团委或团总支（全局 ID）")
        ],
        joined_branch_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="参加实践的团支部（全局 ID），须在所联系指导的组织之内"
            ),
        ],
    ) -> LearnAndDoChoice:
        c = await learn.choose(
            info.context.ctx,
            year=year,
            guided_org_id=pk(guided_org_id, "Org"),
            joined_branch_id=pk(joined_branch_id, "Org"),
        )
        result = _choice(c)
        assert result is not None
        return result

    @strawberry.mutation(description="记录一次一学一做参与（日期须在当年 3 月至 9 月）")
    async def record_learn_and_do(
        self,
        info: Info,
        kind: Annotated[LearnAndDoKind, strawberry.argument(description="参与类型")],
        occurred_on: Annotated[date, strawberry.argument(description="参与日期")],
        note: Annotated[str, strawberry.argument(description="说明（可选）")] = "",
    ) -> LearnAndDoRecord:
        return _record(
            await learn.record(info.context.ctx, kind=kind, occurred_on=occurred_on, note=note)
        )

    @strawberry.mutation(description="保存与所联系的基层团委（团总支）一起制定的工作方案")
    async def set_learn_and_do_work_plan(
        self,
        info: Info,
        plan: Annotated[str, strawberry.argument(description="工作方案全文")],
        year: Annotated[int | None, strawberry.argument(description="年度，默认今年")] = None,
    ) -> LearnAndDoChoice:
        ctx = info.context.ctx
        c = _choice(await learn.set_work_plan(ctx, year=year or today(ctx).year, plan=plan))
        assert c is not None
        return c

    @strawberry.mutation(
        description="向组织推荐在所联系的基层团委（团总支）发现的好经验、好做法或先进典型"
    )
    async def recommend_learn_and_do_model(
        self,
        info: Info,
        kind: Annotated[RecommendationKind, strawberry.argument(description="推荐的类别")],
        source_org_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="典型所在的组织（全局 ID）：所联系的基层团委或团总支，或其下级"
            ),
        ],
        title: Annotated[str, strawberry.argument(description="标题")],
        description: Annotated[str, strawberry.argument(description="推荐理由")],
        recommended_on: Annotated[date, strawberry.argument(description="推荐日期")],
    ) -> LearnAndDoRecommendation:
        return _recommendation(
            await learn.recommend(
                info.context.ctx,
                kind=kind,
                source_org_id=pk(source_org_id, "Org"),
                title=title,
                description=description,
                recommended_on=recommended_on,
            )
        )
