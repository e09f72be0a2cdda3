"""The 附件1 rubric as versioned data (考核细则版本): read, drafted, published."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from models import CampaignKind, RubricFormula
from models import RubricVersion as VersionRow
from resolvers import rubric_versions
from resolvers.rubric import Item
from schema.context import Info
from schema.relay import After, Connection, First, Node, connection, pk, to_global_id


@strawberry.type(description="考核项的计分参数（只列该计分方式使用的，其余为 null）")
class RubricParams:
    key_weight: float | None = strawberry.field(
        description="专职团干部与领导机关团干部的权重（附件1 一.4：重点考察），其余为 1；1–10"
    )
    proportional: bool | None = strawberry.field(
        description="true 按完成比例得分；false 某对象全部完成才计入（否则计 0）"
    )
    youth_per_cadre: int | None = strawberry.field(
        description="每名团干部应联系的青年数（“1+100”），1–1000"
    )
    campaign: CampaignKind | None = strawberry.field(
        description="CADRE_CAMPAIGN 计入的集中活动类别"
    )
    group_share: float | None = strawberry.field(
        description="市级领导机关 1.3 中“建有工作小组”所占比例（其余为每季度分享会），0–1"
    )
    choice_share: float | None = strawberry.field(
        description="4.5 中“选定联系支部”所占比例（其余为开展一学一做记录），0–1"
    )


@strawberry.type(description="考核项（附件1 中的一项）")
class RubricItem:
    code: str = strawberry.field(
        description="附件1 中的条目编号（如 1.1、3、4.5），enterAssessmentScore 的 item 参数用它"
    )
    title: str = strawberry.field(description="考核项名称")
    max_points: float = strawberry.field(description="满分")
    computed: bool = strawberry.field(
        description="true 由系统数据计算，false 由考核人员录入（enterAssessmentScore）"
    )
    formula: RubricFormula = strawberry.field(description="计分方式")
    params: RubricParams = strawberry.field(description="计分参数")

    @classmethod
    def of(cls, i: Item) -> RubricItem:
        stored = i.to_json()["params"]
        campaign = stored.get("campaign")
        return cls(
            code=i.code,
            title=i.title,
            max_points=i.points,
            computed=i.computed,
            formula=i.formula,
            params=RubricParams(
                key_weight=stored.get("key_weight"),
                proportional=stored.get("proportional"),
                youth_per_cadre=stored.get("youth_per_cadre"),
                campaign=CampaignKind(campaign) if campaign else None,
                group_share=stored.get("group_share"),
                choice_share=stored.get("choice_share"),
            ),
        )


@strawberry.type(
    name="RubricVersion",
    description="考核细则（附件1）的一个版本：团省委拟定草稿、修改、发布；发布后不可更改。每轮考核开启时冻结当时已发布的最新版本，此后按它计分",
)
class RubricVersion(Node):
    row: strawberry.Private[VersionRow]
    number: int = strawberry.field(description="版本号，从 1 起（版本 1 为附件1 原文）")
    note: str = strawberry.field(description="版本说明（改了什么、为什么）")
    published: bool = strawberry.field(description="是否已发布（草稿只有团省委看得到）")
    published_at: datetime | None = strawberry.field(description="发布时间；草稿为 null")
    created_at: datetime = strawberry.field(description="拟定时间")

    @classmethod
    def of(cls, v: VersionRow) -> RubricVersion:
        return cls(
            id=to_global_id("RubricVersion", v.id),
            row=v,
            number=v.number,
            note=v.note,
            published=v.published_at is not None,
            published_at=v.published_at,
            created_at=v.created_at,
        )

    @strawberry.field(description="各考核项（最多 50 项，分值合计 100），按编号排列")
    def items(self) -> list[RubricItem]:
        return items_of(self.row)

    @strawberry.field(description="分值合计（发布的版本总是 100）")
    def total_points(self) -> float:
        return sum(float(d["points"]) for d in self.row.items)


async def visible_version(info: Info, version_id: int) -> RubricVersion | None:
    """A version by id as the caller may see it (authz/visibility.py), else None."""
    found = await info.context.ctx.visible(VersionRow).load(version_id)
    return RubricVersion.of(found) if found is not None else None


def _order(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split("."))


def items_of(v: VersionRow) -> list[RubricItem]:
    items = rubric_versions.items_of(v)
    return [RubricItem.of(i) for i in sorted(items, key=lambda i: _order(i.code))]


@strawberry.input(description="考核项（拟定或修改草稿时整份提交）")
class RubricItemInput:
    code: str = strawberry.field(description="附件1 中的条目编号，如 1.1、3、4.5（不可重复）")
    title: str = strawberry.field(description="考核项名称（1–200 字）")
    points: float = strawberry.field(description="分值（大于 0，最小单位 0.5；各项合计须为 100）")
    formula: RubricFormula = strawberry.field(description="计分方式")
    key_weight: float | None = strawberry.field(
        default=None, description="重点对象权重（团干部类计分方式用，1–10；不给为 2）"
    )
    proportional: bool | None = strawberry.field(
        default=None, description="按比例得分（系统计算项用；不给为 true）"
    )
    youth_per_cadre: int | None = strawberry.field(
        default=None, description="每名团干部应联系的青年数（CADRE_YOUTH 用，1–1000；不给为 100）"
    )
    campaign: CampaignKind | None = strawberry.field(
        default=None, description="集中活动类别（CADRE_CAMPAIGN 必填）"
    )
    group_share: float | None = strawberry.field(
        default=None, description="工作小组所占比例（ORGAN_WORKING_GROUPS 用，0–1；不给为 0.5）"
    )
    choice_share: float | None = strawberry.field(
        default=None, description="选定支部所占比例（CADRE_LEARN_AND_DO 用，0–1；不给为 0.5）"
    )


def _raw(items: list[RubricItemInput]) -> list[dict[str, Any]]:
    return [
        {
            "code": i.code,
            "title": i.title,
            "points": i.points,
            "formula": i.formula.value,
            "params": {
                "key_weight": i.key_weight,
                "proportional": i.proportional,
                "youth_per_cadre": i.youth_per_cadre,
                "campaign": i.campaign.value if i.campaign else None,
                "group_share": i.group_share,
                "choice_share": i.choice_share,
            },
        }
        for i in items
    ]


ItemsArg = Annotated[
    list[RubricItemInput],
    strawberry.argument(description="全部考核项（整份替换）：分值合计须为 100"),
]
VersionId = Annotated[strawberry.ID, strawberry.argument(description="考核细则版本的全局 ID")]


@strawberry.type
class RubricQuery:
    @strawberry.field(description="当前考核细则（已发布的最新版本，附件1，共 100 分）")
    async def rubric(self, info: Info) -> list[RubricItem]:
        return items_of(await rubric_versions.current(info.context.ctx))

    @strawberry.field(
        description="考核细则的各版本，按版本号（需要 quota:view；草稿只有团省委看得到）"
    )
    async def rubric_versions(
        self,
        info: Info,
        published: Annotated[
            bool | None,
            strawberry.argument(description="true 只列已发布的，false 只列草稿；不给则全部"),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[RubricVersion]:
        page = await rubric_versions.list_versions(
            info.context.ctx, published=published, first=first, after=after
        )
        return connection(page, RubricVersion.of)

    @strawberry.field(description="一个考核细则版本（看不到的答 NOT_FOUND）")
    async def rubric_version(self, info: Info, id: VersionId) -> RubricVersion:
        return RubricVersion.of(
            await rubric_versions.get(info.context.ctx, pk(id, "RubricVersion"))
        )


@strawberry.type
class RubricMutation:
    @strawberry.mutation(
        description="团省委拟定考核细则新版本（草稿，需要根组织的 quota:manage）：整份校验，有误答 BAD_USER_INPUT，不写入任何内容"
    )
    async def propose_rubric_version(
        self,
        info: Info,
        items: ItemsArg,
        note: Annotated[str, strawberry.argument(description="版本说明（可空）")] = "",
    ) -> RubricVersion:
        v = await rubric_versions.propose(info.context.ctx, _raw(items), note)
        return RubricVersion.of(v)

    @strawberry.mutation(description="修改考核细则草稿（整份替换）；已发布的版本答 CONFLICT")
    async def update_rubric_draft(
        self,
        info: Info,
        id: VersionId,
        items: ItemsArg,
        note: Annotated[str | None, strawberry.argument(description="版本说明；不给则不变")] = None,
    ) -> RubricVersion:
        v = await rubric_versions.update_draft(
            info.context.ctx, pk(id, "RubricVersion"), _raw(items), note
        )
        return RubricVersion.of(v)

    @strawberry.mutation(
        description="发布考核细则草稿：此后不可更改；此后开启的考核轮次按它计分，已开启的轮次不受影响"
    )
    async def publish_rubric_version(self, info: Info, id: VersionId) -> RubricVersion:
        v = await rubric_versions.publish(info.context.ctx, pk(id, "RubricVersion"))
        return RubricVersion.of(v)
