"""团干部 and 小伙伴."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry

import schema.enums  # noqa: F401  (registers the enums)
from models import Cadre as CadreRow
from models import CadreKind, Membership
from models import Org as OrgRow
from models import Youth as YouthRow
from resolvers import contacts, deadlines, people
from resolvers.lookahead import Edge
from resolvers.points import today
from schema.context import Info
from schema.lookahead import asked, edge, node_fields, visible_at_once
from schema.orgs import Org
from schema.planned import with_ctx
from schema.prebuilt import nodes_json

if TYPE_CHECKING:
    from schema.quotas import QuotaProgress

from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, pk, to_global_id

T = TypeVar("T")


async def visible_cadre(info: Info, cadre_id: int | None) -> Cadre | None:
    """A nested cadre: shown only if the caller may see the cadre on their own, else null."""
    ctx = info.context.ctx
    row = await ctx.visible(CadreRow).load(cadre_id) if cadre_id is not None else None
    return Cadre.of(row) if row else None


async def visible_youth(info: Info, youth_id: int | None) -> Youth | None:
    ctx = info.context.ctx
    row = await ctx.visible(YouthRow).load(youth_id) if youth_id is not None else None
    return Youth.of(row) if row else None


# Object edges a list of cadres or youth fetches with its page when its nodes ask for them.
CADRE_EDGES = (Edge("org", CadreRow.org_id, OrgRow),)
YOUTH_EDGES = (Edge("org", YouthRow.org_id, OrgRow),)


@strawberry.type(name="Cadre", description="团干部")
class Cadre(Node):
    row: strawberry.Private[CadreRow]
    name: str = strawberry.field(description="姓名")
    kind: CadreKind = strawberry.field(
        description="团干部类别：专职、挂职或兼职（决定“五个一”周期）"
    )
    position: str = strawberry.field(description="职务")
    is_leading_organ_cadre: bool = strawberry.field(description="是否领导机关干部")
    is_active: bool = strawberry.field(description="是否在职；停用后不能登录，默认不出现在列表中")
    user_id: strawberry.ID = strawberry.field(description="登录账号的全局 ID（授权时使用）")
    created_at: datetime = strawberry.field(description="建立时间")

    @classmethod
    def of(cls, row: CadreRow) -> Cadre:
        return cls(
            id=to_global_id("Cadre", row.id),
            row=row,
            name=row.name,
            kind=row.kind,
            position=row.position,
            is_leading_organ_cadre=row.is_leading_organ_cadre,
            is_active=row.is_active,
            user_id=to_global_id("User", row.user_id),
            created_at=row.created_at,
        )

    @strawberry.field(description="所在团组织", metadata=edge(OrgRow, "org_id"))
    def org(self, info: Info) -> Org | None:
        return visible_at_once(info, OrgRow, self.row.org_id, Org.of)

    @strawberry.field(description="“五个一”进度（含 on 这天的周期；本人或有 work:view 的领导可见）")
    async def quota_progress(
        self,
        info: Info,
        on: Annotated[
            date | None, strawberry.argument(description="取包含这一天的周期；不给则为今天")
        ] = None,
    ) -> Annotated[QuotaProgress, strawberry.lazy("schema.quotas")] | None:
        from resolvers.points import today
        from resolvers.quotas import progress_of
        from schema.quotas import QuotaProgress

        ctx = info.context.ctx
        p = await progress_of(ctx, self.row, on or today(ctx))
        return QuotaProgress.of(p) if p else None

    @strawberry.field(description="联系名单的目标人数（约 100，只作提示，不强制）")
    def contact_target(self) -> int:
        return self.row.contact_target


@strawberry.type(name="Youth", description="小伙伴：与团干部直接联系的青年")
class Youth(Node):
    row: strawberry.Private[YouthRow]
    name: str = strawberry.field(description="姓名")
    industry: str = strawberry.field(description="行业")
    membership: Membership | None = strawberry.field(description="政治面貌：团员或青年；未填时为空")
    created_at: datetime = strawberry.field(description="登记时间")

    @classmethod
    def of(cls, row: YouthRow) -> Youth:
        return cls(
            id=to_global_id("Youth", row.id),
            row=row,
            name=row.name,
            industry=row.industry,
            membership=row.membership,
            created_at=row.created_at,
        )

    @strawberry.field(
        description="是否在团员年龄（14–28 周岁）内：按出生日期计算，能看到这位小伙伴（及其出生年份）的人都可见；未登记出生日期时为空"
    )
    async def in_league_age(self, info: Info) -> bool | None:
        # Whoever sees the youth sees the birth year (birthYear), and this yes/no with it.
        if self.row.birth_date is None:
            return None
        return people.in_league_age(self.row.birth_date, today(info.context.ctx))

    @strawberry.field(
        description="手机号：仅本人、联系已确认（ACTIVE）的团干部及字段规则覆盖的 youth:view_personal 角色可见完整号码，其他人看到掩码",
        metadata=with_ctx(lambda y, ctx: _guarded_for(ctx, y.row, people.youth_mobile)),
    )
    def mobile(self, info: Info) -> str:
        return _guarded(info, self.row, people.youth_mobile)

    @strawberry.field(
        description="出生日期（受保护字段：未成年人默认不向上级显示）；看不到完整日期的人得到 null，年份见 birthYear",
        metadata=with_ctx(lambda y, ctx: _guarded_for(ctx, y.row, people.youth_birth_date)),
    )
    def birth_date(self, info: Info) -> date | None:
        return _guarded(info, self.row, people.youth_birth_date)

    @strawberry.field(description="出生年份（能查看这位小伙伴的人都可见）；未登记出生日期时为 null")
    def birth_year(self) -> int | None:
        return self.row.birth_date.year if self.row.birth_date else None

    @strawberry.field(description="登记所在团组织", metadata=edge(OrgRow, "org_id"))
    def org(self, info: Info) -> Org | None:
        return visible_at_once(info, OrgRow, self.row.org_id, Org.of)


# Youth's fields whose whole value only some callers see (`_guarded`).
GUARDED_FIELDS = {"mobile", "birthDate"}


def _guarded(info: Info, row: YouthRow, read: Callable[..., T]) -> Any:
    return _guarded_for(info.context.ctx, row, read)


def _guarded_for(ctx: Any, row: YouthRow, read: Callable[..., T]) -> Any:
    """A guarded field of a youth (people.youth_field) as `read` gives it to the caller,
    who sees it whole as the youth's own cadre. A caller who is no cadre has no list of
    their own, so the answer is given at once: no coroutine and no loader per node of a
    page. A cadre's is awaited (their list is read for the page's youth in one statement),
    unless the page read it already (`youths`)."""
    if ctx.principal.cadre_id is None:
        return read(ctx, row, own_contact=False)
    own = contacts.known_on_my_list(ctx, row.id)  # a page's, read with it (`youths`)
    if own is not None:
        return read(ctx, row, own_contact=own)
    return _as_own_cadre(ctx, row, read)


async def _as_own_cadre(ctx: Any, row: YouthRow, read: Callable[..., T]) -> T:
    return read(ctx, row, own_contact=await contacts.on_my_list(ctx, row.id))


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="一名团干部")
    async def cadre(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="团干部的全局 ID")],
    ) -> Cadre:
        return Cadre.of(await people.get_cadre(info.context.ctx, pk(id, "Cadre")))

    @strawberry.field(description="你有权查看的团干部")
    async def cadres(
        self,
        info: Info,
        under: Under = None,
        search: Annotated[
            str | None, strawberry.argument(description="按姓名查找（包含这段文字）；不给则不限")
        ] = None,
        kind: Annotated[
            CadreKind | None, strawberry.argument(description="只看这一类别的；不给则全部")
        ] = None,
        include_inactive: Annotated[
            bool, strawberry.argument(description="true 连同已停用的一起列；默认 false")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[Cadre]:
        page = await people.list_cadres(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            search=search,
            kind=kind,
            include_inactive=include_inactive,
            first=first,
            after=after,
            edges=asked(info, CADRE_EDGES),
            nodes=nodes_json(info, CadreRow, CADRE_EDGES),
        )
        return connection(page, Cadre.of)

    @strawberry.field(
        description="截止 3 月底仍未登录系统的团干部（§四.2：3 月底前每名团干部都要登录使用）；"
        "当年 3 月底之前看到的是至今未登录的"
    )
    async def cadres_not_signed_in(
        self,
        info: Info,
        under: Under = None,
        year: Annotated[int | None, strawberry.argument(description="年度；不给则为今年")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Cadre]:
        ctx = info.context.ctx
        page = await deadlines.cadres_not_signed_in(
            ctx, under=opt_pk(under, "Org"), year=year or today(ctx).year, first=first, after=after
        )
        return connection(page, Cadre.of)

    @strawberry.field(
        description="截止 4 月底仍未登录系统手机端的小伙伴（§四.2：4 月底前小伙伴全部登录手机端）："
        "团干部看自己名单上的，领导看有权查看的子树"
    )
    async def youth_not_signed_in(
        self,
        info: Info,
        under: Under = None,
        year: Annotated[int | None, strawberry.argument(description="年度；不给则为今年")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Youth]:
        ctx = info.context.ctx
        page = await deadlines.youth_not_signed_in(
            ctx, under=opt_pk(under, "Org"), year=year or today(ctx).year, first=first, after=after
        )
        return connection(page, Youth.of)

    @strawberry.field(description="一位小伙伴")
    async def youth(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="小伙伴的全局 ID")],
    ) -> Youth:
        return Youth.of(await people.get_youth(info.context.ctx, pk(id, "Youth")))

    @strawberry.field(description="你有权查看的小伙伴")
    async def youths(
        self,
        info: Info,
        under: Under = None,
        search: Annotated[
            str | None, strawberry.argument(description="按姓名查找（包含这段文字）；不给则不限")
        ] = None,
        industry: Annotated[
            str | None,
            strawberry.argument(description="只看这一行业标签的（完全相同）；不给则全部"),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Youth]:
        page = await people.list_youth(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            search=search,
            industry=industry,
            first=first,
            after=after,
            edges=asked(info, YOUTH_EDGES),
            nodes=nodes_json(info, YouthRow, YOUTH_EDGES),
        )
        if GUARDED_FIELDS & set(node_fields(info._raw_info.field_nodes, info._raw_info.fragments)):
            # a cadre sees whole values of their own youth: their list, read for the page
            await contacts.read_my_list(info.context.ctx, [r.id for r in page.rows])
        return connection(page, Youth.of)


@strawberry.input(description="新建团干部及其登录账号；其在本组织自动获得 cadre 角色")
class CreateCadreInput:
    org_id: strawberry.ID = strawberry.field(description="所在团组织（全局 ID）")
    name: str = strawberry.field(description="姓名")
    kind: CadreKind = strawberry.field(description="团干部类别：专职、挂职或兼职")
    username: str = strawberry.field(
        description="登录用户名：3–32 位小写字母、数字、下划线或点，以字母开头，全局唯一"
    )
    password: str = strawberry.field(description="初始密码：8–128 位，须同时包含字母和数字")
    position: str = strawberry.field(default="", description="职务（可选）")
    is_leading_organ_cadre: bool = strawberry.field(
        default=False, description="是否领导机关干部；默认否"
    )
    mobile: str | None = strawberry.field(default=None, description="手机号（可选）")


@strawberry.input(
    description="修改团干部；不填的字段保持不变。isActive=false 同时停用账号、注销登录、撤销授权"
)
class UpdateCadreInput:
    id: strawberry.ID = strawberry.field(description="要修改的团干部（全局 ID）")
    name: str | None = strawberry.field(default=None, description="新的姓名")
    kind: CadreKind | None = strawberry.field(default=None, description="新的类别")
    position: str | None = strawberry.field(default=None, description="新的职务")
    is_leading_organ_cadre: bool | None = strawberry.field(
        default=None, description="是否领导机关干部"
    )
    is_active: bool | None = strawberry.field(
        default=None, description="false 停用（不能再登录），true 重新启用"
    )


@strawberry.input(description="登记小伙伴")
class CreateYouthInput:
    org_id: strawberry.ID = strawberry.field(description="登记所在的团组织（全局 ID）")
    name: str = strawberry.field(description="姓名")
    mobile: str = strawberry.field(description="手机号（小伙伴以它登录），全局唯一")
    industry: str = strawberry.field(default="", description="行业标签（可选，可批量修改）")
    membership: Membership | None = strawberry.field(
        default=None, description="政治面貌：团员或青年（团员须在 14–28 周岁）"
    )


@strawberry.input(description="修改小伙伴；不填的字段保持不变")
class UpdateYouthInput:
    id: strawberry.ID = strawberry.field(description="要修改的小伙伴（全局 ID）")
    name: str | None = strawberry.field(default=None, description="新的姓名")
    industry: str | None = strawberry.field(default=None, description="新的行业标签")
    membership: Membership | None = strawberry.field(
        default=None, description="政治面貌：团员或青年（出生日期已知时，团员须在 14–28 周岁）"
    )


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(description="新建团干部（需要 cadre:manage）")
    async def create_cadre(
        self,
        info: Info,
        input: Annotated[CreateCadreInput, strawberry.argument(description="团干部的信息")],
    ) -> Cadre:
        row = await people.create_cadre(
            info.context.ctx,
            org_id=pk(input.org_id, "Org"),
            name=input.name,
            kind=input.kind,
            username=input.username,
            password=input.password,
            position=input.position,
            is_leading_organ_cadre=input.is_leading_organ_cadre,
            mobile=input.mobile,
        )
        return Cadre.of(row)

    @strawberry.mutation(description="修改或停用团干部")
    async def update_cadre(
        self,
        info: Info,
        input: Annotated[UpdateCadreInput, strawberry.argument(description="要修改的团干部与新值")],
    ) -> Cadre:
        row = await people.update_cadre(
            info.context.ctx,
            pk(input.id, "Cadre"),
            name=input.name,
            kind=input.kind,
            position=input.position,
            is_leading_organ_cadre=input.is_leading_organ_cadre,
            is_active=input.is_active,
        )
        return Cadre.of(row)

    @strawberry.mutation(description="登记小伙伴（需要 youth:manage）")
    async def create_youth(
        self,
        info: Info,
        input: Annotated[CreateYouthInput, strawberry.argument(description="小伙伴的信息")],
    ) -> Youth:
        row = await people.create_youth(
            info.context.ctx,
            org_id=pk(input.org_id, "Org"),
            name=input.name,
            mobile=input.mobile,
            industry=input.industry,
            membership=input.membership,
        )
        return Youth.of(row)

    @strawberry.mutation(description="修改小伙伴信息")
    async def update_youth(
        self,
        info: Info,
        input: Annotated[UpdateYouthInput, strawberry.argument(description="要修改的小伙伴与新值")],
    ) -> Youth:
        row = await people.update_youth(
            info.context.ctx,
            pk(input.id, "Youth"),
            name=input.name,
            industry=input.industry,
            membership=input.membership,
        )
        return Youth.of(row)
