"""工作看板: one org's figures for a period; every figure one batched statement."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from resolvers import dashboards
from resolvers.dashboards import DashboardRef
from resolvers.figures import Period
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.relay import pk, to_global_id


@strawberry.type(description="计数：一个分组及其数量")
class Count:
    key: str = strawberry.field(description="分组的键：枚举值（如 CONTACT、PHONE）或行业等文字")
    count: int = strawberry.field(description="这一组的数量")


@strawberry.type(description="手机端使用")
class MobileUse:
    cadres_signed_in: int = strawberry.field(description="区间内登录过的团干部")
    cadres_on_mobile: int = strawberry.field(
        description="区间内用手机端写入过日志的团干部（看服务端记录的写入前端 WorkLog.client，不看登录时的标记）"
    )
    logs: int = strawberry.field(description="区间内的日志数")
    logs_from_mobile: int = strawberry.field(description="其中用手机端写入的日志数")


@strawberry.type(
    description="小伙伴激活情况（§四.2：4 月底前小伙伴全部登录系统手机端），截至区间止"
)
class YouthActivation:
    youth: int = strawberry.field(description="子树中登记的小伙伴数")
    activated: int = strawberry.field(description="其中截至区间止登录过系统的（已激活）")
    league_members: int = strawberry.field(description="其中政治面貌为团员的")
    league_members_activated: int = strawberry.field(description="团员中已激活的")
    in_league_age: int = strawberry.field(
        description="截至区间止在团员年龄（14–28 周岁）内的（出生日期已填的）"
    )

    @strawberry.field(description="激活率 activated / youth，0–1，保留 4 位小数；没有小伙伴时为 0")
    def rate(self) -> float:
        return round(self.activated / self.youth, 4) if self.youth else 0.0


@strawberry.type(description="某团干部名单中小伙伴的行业分布")
class CadreIndustryMix:
    cadre_id: strawberry.ID = strawberry.field(description="团干部的全局 ID")
    name: str = strawberry.field(description="团干部姓名")
    youth: int = strawberry.field(description="名单中已确认联系的小伙伴数")
    industries: int = strawberry.field(description="涉及的行业数")
    mix: list[Count] = strawberry.field(
        description="各行业的小伙伴数，多的在前（未填行业的计入“未填写”）"
    )


@strawberry.type(description="下级组织的完成情况")
class ChildCompletion:
    org_id: strawberry.Private[int]
    cadres: int = strawberry.field(description="该下级组织子树中应完成的团干部数")
    done: int = strawberry.field(description="其中已完成的人数")

    @strawberry.field(description="完成率 done / cadres，0–1，保留 4 位小数；没有团干部时为 0")
    def rate(self) -> float:
        return round(self.done / self.cadres, 4) if self.cadres else 0.0

    @strawberry.field(description="下级团组织；你无权查看时为 null")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.org_id)


@strawberry.type(description="每周趋势")
class WeekTrend:
    week_start: date = strawberry.field(description="这一周的周一")
    logs: int = strawberry.field(description="这一周的日志数")
    contacts: int = strawberry.field(description="其中联系记录数")
    activities: int = strawberry.field(description="其中活动记录数")


def _counts(d: dict[str, int]) -> list[Count]:
    return [Count(key=k, count=v) for k, v in sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))]


@strawberry.type(description="工作看板（需要 work:view）；区间默认最近 4 周")
class Dashboard:
    ref: strawberry.Private[DashboardRef]
    date_from: date = strawberry.field(description="统计区间起（含）")
    date_to: date = strawberry.field(description="统计区间止（含）")

    @classmethod
    def of(cls, ref: DashboardRef) -> Dashboard:
        return cls(ref=ref, date_from=ref.period.start, date_to=ref.period.end)

    def _key(self) -> tuple[int, Period]:
        return (self.ref.org.id, self.ref.period)

    def _loaders(self, info: Info) -> dashboards.DashboardLoaders:
        return dashboards.loaders(info.context.ctx)

    @strawberry.field(description="团干部数")
    async def cadres(self, info: Info) -> int:
        return (await self._loaders(info).headline.load(self._key())).cadres

    @strawberry.field(description="区间内有日志的团干部数")
    async def active_cadres(self, info: Info) -> int:
        return (await self._loaders(info).headline.load(self._key())).active_cadres

    @strawberry.field(description="已确认联系的小伙伴数")
    async def youth_in_contact(self, info: Info) -> int:
        return (await self._loaders(info).headline.load(self._key())).youth_in_contact

    @strawberry.field(description="待确认的小伙伴数")
    async def youth_invited(self, info: Info) -> int:
        return (await self._loaders(info).headline.load(self._key())).youth_invited

    @strawberry.field(description="区间内日志数")
    async def logs(self, info: Info) -> int:
        return (await self._loaders(info).headline.load(self._key())).logs

    @strawberry.field(description="日志按类别（CONTACT 或活动类型）")
    async def logs_by_kind(self, info: Info) -> list[Count]:
        return _counts((await self._loaders(info).breakdown.load(self._key())).by_kind)

    @strawberry.field(description="联系日志按联系方式")
    async def logs_by_channel(self, info: Info) -> list[Count]:
        return _counts((await self._loaders(info).breakdown.load(self._key())).by_channel)

    @strawberry.field(description="手机端使用")
    async def mobile_use(self, info: Info) -> MobileUse:
        m = await self._loaders(info).mobile.load(self._key())
        return MobileUse(
            cadres_signed_in=m.cadres_signed_in,
            cadres_on_mobile=m.cadres_on_mobile,
            logs=m.logs,
            logs_from_mobile=m.logs_from_mobile,
        )

    @strawberry.field(description="小伙伴激活情况：已登录系统的小伙伴、团员，截至 dateTo")
    async def youth_activation(self, info: Info) -> YouthActivation:
        a = await self._loaders(info).activation.load(self._key())
        return YouthActivation(
            youth=a.youth,
            activated=a.activated,
            league_members=a.league_members,
            league_members_activated=a.league_members_activated,
            in_league_age=a.in_league_age,
        )

    @strawberry.field(description="每位团干部名单中小伙伴的行业分布（行业最单一的在前）")
    async def industry_mix(self, info: Info) -> list[CadreIndustryMix]:
        rows = await self._loaders(info).industry.load(self._key())
        return [
            CadreIndustryMix(
                cadre_id=to_global_id("Cadre", r.cadre_id),
                name=r.name,
                youth=r.youth,
                industries=r.industries,
                mix=_counts(r.mix),
            )
            for r in rows
        ]

    @strawberry.field(description="下级组织的“五个一”完成率（含 dateTo 的周期）")
    async def five_ones_by_child(self, info: Info) -> list[ChildCompletion]:
        rows = await self._loaders(info).five_ones.load(self._key())
        return [ChildCompletion(org_id=r.org_id, cadres=r.cadres, done=r.done) for r in rows]

    @strawberry.field(description="下级组织的一学一做完成率（dateTo 所在年度）")
    async def learn_and_do_by_child(self, info: Info) -> list[ChildCompletion]:
        rows = await self._loaders(info).learn.load(self._key())
        return [ChildCompletion(org_id=r.org_id, cadres=r.cadres, done=r.done) for r in rows]

    @strawberry.field(description="按周的日志趋势")
    async def weekly(self, info: Info) -> list[WeekTrend]:
        rows = await self._loaders(info).weeks.load(self._key())
        return [
            WeekTrend(
                week_start=w.week_start, logs=w.logs, contacts=w.contacts, activities=w.activities
            )
            for w in rows
        ]


@strawberry.type
class DashboardQuery:
    @strawberry.field(description="某组织的工作看板")
    async def dashboard(
        self,
        info: Info,
        org_id: Annotated[strawberry.ID, strawberry.argument(description="团组织的全局 ID")],
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
    ) -> Dashboard:
        return Dashboard.of(
            await dashboards.dashboard(info.context.ctx, pk(org_id, "Org"), date_from, date_to)
        )
