"""积分 and rankings."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import strawberry

from models import PointSource
from resolvers import points
from resolvers.points import offset_cursor
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.relay import After, First, opt_pk, pk, to_global_id


@strawberry.type(description="积分规则（由团省委设定）：每条记录的分值与每日上限")
class PointRule:
    source: PointSource
    points: int
    daily_cap: int


@strawberry.type(description="团干部排名的一行")
class CadreRank:
    rank: int
    cadre_id: strawberry.ID
    name: str
    points: int
    org_id: strawberry.ID | None = strawberry.field(
        description="排名所在的组织；在你的权限范围之外时为空"
    )
    cursor: str


@strawberry.type(description="团干部排名（按积分，并列同名次）")
class CadreRanking:
    total_count: int
    has_next_page: bool
    end_cursor: str | None
    rows: list[CadreRank]


@strawberry.type(description="下级组织排名的一行")
class OrgRank:
    rank: int
    points: int
    cadres: int
    points_per_cadre: float
    org_id: strawberry.Private[int]

    @strawberry.field
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.org_id)


@strawberry.type(description="我的排名")
class MyRank:
    rank: int | None
    of: int = strawberry.field(description="参与排名的团干部数")
    points: int
    org_id: strawberry.ID | None = strawberry.field(
        description="排名所在的组织；在你的权限范围之外时为空"
    )


@strawberry.enum(description="排名数据来源：LIVE 实时（积分流水），SNAPSHOT 每日快照")
class RankingSource(StrEnum):
    LIVE = "LIVE"
    SNAPSHOT = "SNAPSHOT"


@strawberry.type
class PointsQuery:
    @strawberry.field(description="积分规则")
    async def point_rules(self, info: Info) -> list[PointRule]:
        return [
            PointRule(source=r.source, points=r.points, daily_cap=r.daily_cap)
            for r in await points.list_rules(info.context.ctx)
        ]

    @strawberry.field(description="某组织子树内团干部的积分排名（区间默认为本月）")
    async def cadre_ranking(
        self,
        info: Info,
        org_id: strawberry.ID,
        date_from: date | None = None,
        date_to: date | None = None,
        source: RankingSource = RankingSource.LIVE,
        first: First = None,
        after: After = None,
    ) -> CadreRanking:
        page = await points.cadre_ranking(
            info.context.ctx,
            pk(org_id, "Org"),
            start=date_from,
            end=date_to,
            snapshot=source == RankingSource.SNAPSHOT,
            first=first,
            after=after,
        )
        rows = [
            CadreRank(
                rank=r.rank,
                cadre_id=to_global_id("Cadre", r.cadre_id),
                name=r.name,
                points=r.points,
                org_id=to_global_id("Org", r.org_id),
                cursor=offset_cursor(page.offset + i),
            )
            for i, r in enumerate(page.rows)
        ]
        return CadreRanking(
            total_count=page.total,
            has_next_page=page.has_next,
            end_cursor=rows[-1].cursor if rows else None,
            rows=rows,
        )

    @strawberry.field(description="某组织的下级组织积分排名")
    async def org_ranking(
        self,
        info: Info,
        org_id: strawberry.ID,
        date_from: date | None = None,
        date_to: date | None = None,
        source: RankingSource = RankingSource.LIVE,
    ) -> list[OrgRank]:
        rows = await points.org_ranking(
            info.context.ctx,
            pk(org_id, "Org"),
            start=date_from,
            end=date_to,
            snapshot=source == RankingSource.SNAPSHOT,
        )
        return [
            OrgRank(
                rank=r.rank,
                points=r.points,
                cadres=r.cadres,
                points_per_cadre=r.points_per_cadre,
                org_id=r.org_id,
            )
            for r in rows
        ]

    @strawberry.field(description="我在某上级组织（默认市级）团干部中的排名")
    async def my_rank(
        self,
        info: Info,
        org_id: strawberry.ID | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> MyRank:
        r = await points.my_rank(
            info.context.ctx, opt_pk(org_id, "Org"), start=date_from, end=date_to
        )
        shown = await visible_org(info, r.org_id)  # the ranking's org, if the caller may see it
        return MyRank(rank=r.rank, of=r.of, points=r.points, org_id=shown.id if shown else None)


@strawberry.type
class PointsMutation:
    @strawberry.mutation(description="修改积分规则（仅团省委）")
    async def set_point_rule(
        self, info: Info, source: PointSource, points: int, daily_cap: int
    ) -> PointRule:
        from resolvers import points as ops

        r = await ops.set_rule(info.context.ctx, source, points, daily_cap)
        return PointRule(source=r.source, points=r.points, daily_cap=r.daily_cap)
