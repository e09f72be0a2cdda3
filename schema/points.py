"""积分 and rankings."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import strawberry

from models import PointSource
from resolvers import points
from resolvers.points import RankedCadre, RankedOrg
from schema.context import Info
from schema.enums import domain_enum
from schema.orgs import Org, visible_org
from schema.relay import After, Connection, First, connection, opt_pk, pk, to_global_id


@strawberry.type(description="积分规则（由团省委设定）：每条记录的分值与每日上限")
class PointRule:
    source: PointSource = strawberry.field(description="积分来源")
    points: int = strawberry.field(description="每条记录得几分（0–100）")
    daily_cap: int = strawberry.field(
        description="每人每天从这一来源最多得几分（不小于 points，不超过 1000）"
    )


@strawberry.type(description="团干部排名的一行")
class CadreRank:
    rank: int = strawberry.field(description="名次（1 为第一，同分同名次）")
    cadre_id: strawberry.ID = strawberry.field(description="团干部的全局 ID")
    name: str = strawberry.field(description="团干部姓名")
    points: int = strawberry.field(description="区间内的积分")
    org_id: strawberry.ID | None = strawberry.field(
        description="排名所在的组织；在你的权限范围之外时为空"
    )

    @classmethod
    def of(cls, r: RankedCadre) -> CadreRank:
        return cls(
            rank=r.rank,
            cadre_id=to_global_id("Cadre", r.cadre_id),
            name=r.name,
            points=r.points,
            org_id=to_global_id("Org", r.org_id),
        )


@strawberry.type(description="下级组织排名的一行（按子树积分合计排名）")
class OrgRank:
    rank: int = strawberry.field(description="名次（1 为第一，同分同名次）")
    points: int = strawberry.field(description="区间内该组织子树全部团干部的积分合计")
    cadres: int = strawberry.field(description="该组织子树的团干部数")
    points_per_cadre: float = strawberry.field(
        description="人均积分（points / cadres；没有团干部时为 0）"
    )
    org_id: strawberry.Private[int]

    @classmethod
    def of(cls, r: RankedOrg) -> OrgRank:
        return cls(
            rank=r.rank,
            points=r.points,
            cadres=r.cadres,
            points_per_cadre=r.points_per_cadre,
            org_id=r.org_id,
        )

    @strawberry.field(description="下级团组织；你无权查看时为 null")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.org_id)


@strawberry.type(description="我的排名")
class MyRank:
    rank: int | None = strawberry.field(
        description="我的名次（同分同名次）；我不在该组织的团干部中（如已调离）时为 null"
    )
    of: int = strawberry.field(description="参与排名的团干部数")
    points: int = strawberry.field(description="我在区间内的积分")
    org_id: strawberry.ID | None = strawberry.field(
        description="排名所在的组织；在你的权限范围之外时为空"
    )


class RankingSource(StrEnum):
    LIVE = "LIVE"
    SNAPSHOT = "SNAPSHOT"


domain_enum(
    RankingSource,
    "RankingSource",
    "排名数据来源",
    LIVE="实时：按积分流水计算",
    SNAPSHOT="每日快照：区间止日与起日前一日的累计积分相减，区间止日须已有快照",
)


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
        org_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="在这个团组织及其下级的团干部中排名（全局 ID）"),
        ],
        date_from: Annotated[
            date | None,
            strawberry.argument(description="统计区间起（含）；不给则为 dateTo 所在月的 1 日"),
        ] = None,
        date_to: Annotated[
            date | None,
            strawberry.argument(description="统计区间止（含）；不给则为今天。区间不超过三年"),
        ] = None,
        source: Annotated[
            RankingSource,
            strawberry.argument(
                description="数据来源：LIVE（默认）按积分流水实时计算，SNAPSHOT 按每日快照相减（更快；区间止日须已有快照）"
            ),
        ] = RankingSource.LIVE,
        first: First = None,
        after: After = None,
    ) -> Connection[CadreRank]:
        page = await points.cadre_ranking(
            info.context.ctx,
            pk(org_id, "Org"),
            start=date_from,
            end=date_to,
            snapshot=source == RankingSource.SNAPSHOT,
            first=first,
            after=after,
        )
        return connection(page, CadreRank.of)

    @strawberry.field(description="某组织的下级组织积分排名")
    async def org_ranking(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="为这个团组织的直接下级排名（全局 ID）")
        ],
        date_from: Annotated[
            date | None,
            strawberry.argument(description="统计区间起（含）；不给则为 dateTo 所在月的 1 日"),
        ] = None,
        date_to: Annotated[
            date | None,
            strawberry.argument(description="统计区间止（含）；不给则为今天。区间不超过三年"),
        ] = None,
        source: Annotated[
            RankingSource,
            strawberry.argument(
                description="数据来源：LIVE（默认）按积分流水实时计算，SNAPSHOT 按每日快照相减（更快；区间止日须已有快照）"
            ),
        ] = RankingSource.LIVE,
        first: First = None,
        after: After = None,
    ) -> Connection[OrgRank]:
        page = await points.org_ranking(
            info.context.ctx,
            pk(org_id, "Org"),
            start=date_from,
            end=date_to,
            snapshot=source == RankingSource.SNAPSHOT,
            first=first,
            after=after,
        )
        return connection(page, OrgRank.of)

    @strawberry.field(description="我在某上级组织（默认市级）团干部中的排名")
    async def my_rank(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="在哪一级上级组织中排名（须是你所在组织或其上级，全局 ID）；不给则为所在的市级团委"
            ),
        ] = None,
        date_from: Annotated[
            date | None,
            strawberry.argument(description="统计区间起（含）；不给则为 dateTo 所在月的 1 日"),
        ] = None,
        date_to: Annotated[
            date | None,
            strawberry.argument(description="统计区间止（含）；不给则为今天。区间不超过三年"),
        ] = None,
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
        self,
        info: Info,
        source: Annotated[PointSource, strawberry.argument(description="积分来源")],
        points: Annotated[int, strawberry.argument(description="每条记录得几分（0–100）")],
        daily_cap: Annotated[
            int,
            strawberry.argument(
                description="每人每天从这一来源最多得几分（不小于 points，不超过 1000）"
            ),
        ],
    ) -> PointRule:
        from resolvers import points as ops

        r = await ops.set_rule(info.context.ctx, source, points, daily_cap)
        return PointRule(source=r.source, points=r.points, daily_cap=r.daily_cap)
