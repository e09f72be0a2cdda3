"""Truth signals: confirmations, flags and spot checks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from models import Flag as FlagRow
from models import FlagKind, FlagStatus, SpotCheckMethod
from models import SpotCheck as SpotCheckRow
from models import SpotCheckItem as SpotCheckItemRow
from models import WorkLog as WorkLogRow
from resolvers import truth
from schema.context import Info
from schema.orgs import Org, visible_org
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
from schema.worklogs import WorkLog


@strawberry.type(name="Flag", description="可疑记录标记：待复核期间该记录不计积分")
class Flag(Node):
    row: strawberry.Private[FlagRow]
    kind: FlagKind = strawberry.field(description="标记类别（由哪项检测或哪种情况产生）")
    detail: str = strawberry.field(
        description="检测给出的中文说明（如雷同的另一条日志、当日记录数）"
    )
    status: FlagStatus = strawberry.field(description="标记状态：待复核、复核通过或复核属实")
    created_at: datetime = strawberry.field(description="标记时间")
    reviewed_at: datetime | None = strawberry.field(description="复核时间；待复核时为 null")
    review_note: str = strawberry.field(description="复核意见（待复核时为空字符串）")

    @classmethod
    def of(cls, r: FlagRow) -> Flag:
        return cls(
            id=to_global_id("Flag", r.id),
            row=r,
            kind=r.kind,
            detail=r.detail,
            status=r.status,
            created_at=r.created_at,
            reviewed_at=r.reviewed_at,
            review_note=r.review_note,
        )

    @strawberry.field(description="被标记的日志")
    async def log(self, info: Info) -> WorkLog:
        from resolvers import worklogs

        return WorkLog.of(await worklogs.get(info.context.ctx, self.row.log_id))


@strawberry.type(description="检测结果：本次运行新增的各类可疑标记数")
class DetectionReport:
    near_duplicate: int = strawberry.field(description="内容高度雷同（NEAR_DUPLICATE）")
    burst: int = strawberry.field(description="一小时内按最短用时也做不完的记录（BURST）")
    unconfirmed: int = strawberry.field(description="长期未获小伙伴确认（UNCONFIRMED）")
    spot_check_failed: int = strawberry.field(description="抽查未能核实（SPOT_CHECK_FAILED）")
    denial_pattern: int = strawberry.field(
        description="多次被小伙伴否认的干部尚无人确认的联系（DENIAL_PATTERN）"
    )


@strawberry.type(
    name="SpotCheckItem",
    description="抽查样本的一条（抽查结果）：抽查期间由抽取人、抽查人和被抽查组织的上级查看；抽查结束后被抽查记录所在组织也可查看本组织的结果，兄弟组织不能",
)
class SpotCheckItem(Node):
    row: strawberry.Private[SpotCheckItemRow]
    reached: bool | None = strawberry.field(description="是否联系上")
    confirmed: bool | None = strawberry.field(description="是否核实（联系上时）")
    satisfaction: int | None = strawberry.field(description="满意度 1–5")
    notes: str = strawberry.field(description="备注")
    recorded_at: datetime | None = strawberry.field(description="记录时间")

    @classmethod
    def of(cls, i: SpotCheckItemRow) -> SpotCheckItem:
        return cls(
            id=to_global_id("SpotCheckItem", i.id),
            row=i,
            reached=i.reached,
            confirmed=i.confirmed,
            satisfaction=i.satisfaction,
            notes=i.notes,
            recorded_at=i.recorded_at,
        )

    @strawberry.field(description="被抽查的日志（调用者看得到时）")
    async def log(self, info: Info) -> WorkLog | None:
        row = await info.context.ctx.visible(WorkLogRow).load(self.row.log_id)
        return WorkLog.of(row) if row is not None else None

    @strawberry.field(description="分层所在的下级组织（调用者看得到时）")
    async def stratum_org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.stratum_org_id)

    @strawberry.field(description="被抽查小伙伴的姓名")
    async def youth_name(self, info: Info) -> str | None:
        return await truth.sample_youth_name(info.context.ctx, self.row)

    @strawberry.field(
        description="被抽查小伙伴的手机号：本次抽查的抽查人在抽查期间看到完整号码（与本次抽查绑定的字段授权，随抽查结束而失效；每次读取都记入个人信息查看记录），其他人看到遮挡号码"
    )
    async def youth_mobile(self, info: Info) -> str | None:
        return await truth.sample_mobile(info.context.ctx, self.row)


@strawberry.type(name="SpotCheck", description="抽查：按下级组织分层、可复现的随机样本")
class SpotCheck(Node):
    row: strawberry.Private[SpotCheckRow]
    method: SpotCheckMethod = strawberry.field(description="抽查方式")
    seed: int = strawberry.field(description="随机种子：同一种子与同一批数据抽到同一样本，便于复核")
    sample_size: int = strawberry.field(description="样本条数（1–2000）")
    period_start: date = strawberry.field(description="抽查的日志时段起（含）")
    period_end: date = strawberry.field(description="抽查的日志时段止（含）")
    ends_at: datetime | None = strawberry.field(
        description="抽查截止时间：抽查人的权限与样本号码的字段授权到此为止"
    )
    closed_at: datetime | None = strawberry.field(description="结束时间（未结束为空）")

    @classmethod
    def of(cls, r: SpotCheckRow) -> SpotCheck:
        return cls(
            id=to_global_id("SpotCheck", r.id),
            row=r,
            method=r.method,
            seed=r.seed,
            sample_size=r.sample_size,
            period_start=r.period_start,
            period_end=r.period_end,
            ends_at=r.ends_at,
            closed_at=r.closed_at,
        )

    @strawberry.field(description="被抽查的组织（样本取自其子树；调用者看得到时）")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(description="抽取时间")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="我是否为本次抽查的抽查人（抽查期间可记录结果、拨打样本号码）")
    def am_checker(self, info: Info) -> bool:
        return truth.am_checker(info.context.ctx, self.row)

    @strawberry.field(description="核实通过率：联系上且核实的 / 联系上的（调用者可查看的样本）")
    async def pass_rate(self, info: Info) -> float | None:
        return await truth.pass_rate(info.context.ctx, self.row.id)


@strawberry.type
class TruthQuery:
    @strawberry.field(description="小伙伴：团干部记录的与我的联系（可确认或否认）")
    async def my_logged_contacts(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[WorkLog]:
        return connection(
            await truth.my_logged_contacts(info.context.ctx, first, after), WorkLog.of
        )

    @strawberry.field(description="可疑标记（需要 work:view）")
    async def flags(
        self,
        info: Info,
        under: Under = None,
        status: Annotated[
            FlagStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        kind: Annotated[
            FlagKind | None, strawberry.argument(description="只看这一类别的；不给则全部")
        ] = None,
        newest_first: NewestFirst = False,
        first: First = None,
        after: After = None,
    ) -> Connection[Flag]:
        page = await truth.list_flags(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            status=status,
            kind=kind,
            first=first,
            after=after,
            newest_first=newest_first,
        )
        return connection(page, Flag.of)

    @strawberry.field(
        description="调用者可查看的抽查：自己抽取或受托的、上级对下的，以及已结束的对本组织的抽查（查看结果）"
    )
    async def spot_checks(
        self,
        info: Info,
        under: Under = None,
        method: Annotated[
            SpotCheckMethod | None, strawberry.argument(description="只列该方式的")
        ] = None,
        assigned_to_me: Annotated[
            bool, strawberry.argument(description="只列我作为抽查人、尚在进行中的抽查")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[SpotCheck]:
        page = await truth.list_checks(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            method=method,
            assigned_to_me=assigned_to_me,
            first=first,
            after=after,
        )
        return connection(page, SpotCheck.of)

    @strawberry.field(
        description="一次抽查：抽取人、抽查人（抽查期间）与上级可见；抽查结束后被抽查的组织也可见；否则 NOT_FOUND"
    )
    async def spot_check(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="抽查的全局 ID")],
    ) -> SpotCheck:
        return SpotCheck.of(await truth.get_check(info.context.ctx, pk(id, "SpotCheck")))

    @strawberry.field(
        description="一次抽查的样本（抽查结果）中调用者可查看的部分：抽取人、抽查人（抽查期间）、上级看全部；抽查结束后被抽查的组织看本组织的"
    )
    async def spot_check_items(
        self,
        info: Info,
        spot_check_id: Annotated[strawberry.ID, strawberry.argument(description="抽查的 ID")],
        first: First = None,
        after: After = None,
    ) -> Connection[SpotCheckItem]:
        ctx = info.context.ctx
        check = await truth.get_check(ctx, pk(spot_check_id, "SpotCheck"))
        return connection(await truth.items(ctx, check.id, first, after), SpotCheckItem.of)


@strawberry.type
class TruthMutation:
    @strawberry.mutation(
        description="小伙伴确认（true）或否认（false）一次被记录的联系；否认会标记该记录"
    )
    async def confirm_contact(
        self,
        info: Info,
        log_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="被记录的联系日志的全局 ID（须是记录与你的联系）"),
        ],
        confirmed: Annotated[
            bool, strawberry.argument(description="true 确认确有其事，false 否认")
        ],
    ) -> bool:
        return (
            await truth.confirm(info.context.ctx, pk(log_id, "WorkLog"), confirmed)
        ).confirmed == confirmed

    @strawberry.mutation(description="对子树在某时段的日志运行检测（需要 work:approve）")
    async def detect_flags(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="检测这个团组织及其下级的日志（全局 ID）"),
        ],
        date_from: Annotated[date, strawberry.argument(description="日志发生日期起（含）")],
        date_to: Annotated[
            date, strawberry.argument(description="日志发生日期止（含）；时段不超过 366 天")
        ],
    ) -> DetectionReport:
        r = await truth.detect(info.context.ctx, pk(org_id, "Org"), date_from, date_to)
        return DetectionReport(
            near_duplicate=r.near_duplicate,
            burst=r.burst,
            unconfirmed=r.unconfirmed,
            spot_check_failed=r.spot_check_failed,
            denial_pattern=r.denial_pattern,
        )

    @strawberry.mutation(description="复核标记：CLEARED 恢复积分，UPHELD 维持不计")
    async def review_flag(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="标记的全局 ID")],
        decision: Annotated[
            FlagStatus,
            strawberry.argument(
                description="复核结论：CLEARED 复核通过（恢复积分）或 UPHELD 复核属实"
            ),
        ],
        note: Annotated[str, strawberry.argument(description="复核意见（必填，记入审计）")],
    ) -> Flag:
        return Flag.of(await truth.review(info.context.ctx, pk(id, "Flag"), decision, note))

    @strawberry.mutation(description="抽取抽查样本（按下级组织分层，同一 seed 与数据得到同一样本）")
    async def draw_spot_check(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="抽查这个团组织及其下级的联系日志（全局 ID），按其直接下级分层（本级自成一层）"
            ),
        ],
        method: Annotated[SpotCheckMethod, strawberry.argument(description="抽查方式")],
        sample_size: Annotated[int, strawberry.argument(description="样本条数（1–2000）")],
        seed: Annotated[
            int, strawberry.argument(description="随机种子（任意整数；记下它可重现同一样本）")
        ],
        date_from: Annotated[date, strawberry.argument(description="日志发生日期起（含）")],
        date_to: Annotated[date, strawberry.argument(description="日志发生日期止（含）")],
        checker_user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="抽查人账号（User ID）：默认为抽取人；委托调查须指定被抽查范围以外的账号"
            ),
        ] = None,
        ends_at: Annotated[
            datetime | None,
            strawberry.argument(description="抽查截止时间（默认 14 天后，最长 90 天）"),
        ] = None,
    ) -> SpotCheck:
        row = await truth.draw(
            info.context.ctx,
            org_id=pk(org_id, "Org"),
            method=method,
            sample_size=sample_size,
            seed=seed,
            start=date_from,
            end=date_to,
            checker_user_id=opt_pk(checker_user_id, "User"),
            ends_at=ends_at,
        )
        return SpotCheck.of(row)

    @strawberry.mutation(
        description="结束抽查：抽查人的权限与样本号码的字段授权随之结束，被抽查组织可查看本组织的结果（抽取人或上级）"
    )
    async def close_spot_check(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="抽查的全局 ID")],
    ) -> SpotCheck:
        return SpotCheck.of(await truth.close_check(info.context.ctx, pk(id, "SpotCheck")))

    @strawberry.mutation(description="记录一条抽查结果；联系上但未核实会标记该记录")
    async def record_spot_check(
        self,
        info: Info,
        item_id: Annotated[
            strawberry.ID, strawberry.argument(description="样本条目的全局 ID（SpotCheckItem.id）")
        ],
        reached: Annotated[bool, strawberry.argument(description="是否联系上当事小伙伴")],
        confirmed: Annotated[
            bool | None, strawberry.argument(description="小伙伴是否证实（联系上时填写）")
        ] = None,
        satisfaction: Annotated[
            int | None, strawberry.argument(description="满意度 1–5（可选）")
        ] = None,
        notes: Annotated[str, strawberry.argument(description="备注（可选）")] = "",
    ) -> SpotCheckItem:
        i = await truth.record(
            info.context.ctx,
            pk(item_id, "SpotCheckItem"),
            reached=reached,
            confirmed=confirmed,
            satisfaction=satisfaction,
            notes=notes,
        )
        return SpotCheckItem.of(i)
